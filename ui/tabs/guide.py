"""The Guide tab: search the guide and your own files; upload a job description or notes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from ui.notices import shown_as_notice
from ui.page import Page


def build(page: Page) -> None:
    h = page.handlers
    with gr.Tab("Guide", id="guide"):
        with gr.Row():
            query = gr.Textbox(label="Search the guide and your files", scale=4, elem_id="guide-query")
            search = gr.Button("Search", scale=1, elem_id="guide-search")
        results = gr.Markdown(elem_id="guide-results")
        upload = gr.File(
            label="Add a job description or notes (.md, .txt)",
            file_count="multiple",
            file_types=[".md", ".markdown", ".txt"],
            elem_id="upload",
        )
        add = gr.Button("Add to my material", elem_id="add-material")
        added = gr.Markdown(elem_id="added")
        with gr.Accordion("Your files (only you can see them)", open=False, elem_id="my-files") as mine:
            listing = gr.Markdown(elem_id="material-list")
            with gr.Row():
                chosen = gr.Dropdown([], value=None, label="File", elem_id="material-choice", scale=3)
                delete = gr.Button("Delete file", variant="stop", elem_id="delete-material", scale=1)

    @shown_as_notice
    def on_search(typed: str, text: str, request: gr.Request) -> str:
        return h.search(page.who(typed, request), text)

    search.click(on_search, [page.profile, query], [results], api_name="search")
    query.submit(on_search, [page.profile, query], [results])

    @shown_as_notice
    def on_add(typed: str, files: list[Any] | None, request: gr.Request) -> str:
        from gradio.utils import get_upload_folder

        paths = [str(getattr(f, "name", f)) for f in (files or [])]
        return h.ingest(page.who(typed, request), paths, Path(get_upload_folder()))

    @shown_as_notice
    def files_view(typed: str, request: gr.Request) -> tuple[str, Any]:
        user = page.who(typed, request)
        return h.material_listing(user), gr.update(choices=h.material_names(user), value=None)

    add.click(on_add, [page.profile, upload], [added], api_name="ingest").success(
        files_view, [page.profile], [listing, chosen], api_visibility="private"
    )
    mine.expand(files_view, [page.profile], [listing, chosen], api_visibility="private")

    @shown_as_notice
    def on_delete(typed: str, name: str | None, request: gr.Request) -> tuple[str, str, Any]:
        user = page.who(typed, request)
        done = h.delete_material(user, name)
        return done, h.material_listing(user), gr.update(choices=h.material_names(user), value=None)

    delete.click(on_delete, [page.profile, chosen], [added, listing, chosen], api_name="delete_material")
