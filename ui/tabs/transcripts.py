"""The Transcripts tab: past sessions, one opened as Markdown, downloads as Markdown or JSON."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ui.notices import shown_as_notice
from ui.page import Page, frame


def build(page: Page) -> None:
    h = page.handlers
    with gr.Tab("Transcripts", id="transcripts") as tab:
        refresh = gr.Button("Refresh", elem_id="refresh-sessions")
        table = gr.Dataframe(label="Your sessions", interactive=False, elem_id="sessions-table")
        with gr.Row():
            pick = gr.Dropdown(label="Open session", choices=[], elem_id="pick-session")
            open_session = gr.Button("Open", elem_id="open-session")
        with gr.Row():
            download_md = gr.DownloadButton("Download Markdown", visible=False, elem_id="download-md")
            download_json = gr.DownloadButton("Download JSON", visible=False, elem_id="download-json")
        transcript = gr.Markdown(elem_id="transcript")

    @shown_as_notice
    def on_sessions(typed: str, request: gr.Request) -> dict[Any, Any]:
        rows = h.sessions(page.who(typed, request))
        choices = [(f"{r['date']} · {r['track']} · {r['score'] or r['status']}", r["id"]) for r in rows]
        return {
            table: frame(rows, ["date", "track", "status", "score", "id"]),
            pick: gr.update(choices=choices, value=None),
        }

    refresh.click(on_sessions, [page.profile], [table, pick], api_name="sessions")
    tab.select(on_sessions, [page.profile], [table, pick])

    @shown_as_notice
    def on_open(typed: str, sid: str, request: gr.Request) -> dict[Any, Any]:
        if not sid:
            raise gr.Error("Choose a session to open.")
        markdown, md_path, json_path = h.transcript(page.who(typed, request), sid)
        return {
            transcript: markdown,
            download_md: gr.update(value=md_path, visible=True),
            download_json: gr.update(value=json_path, visible=True),
        }

    open_session.click(on_open, [page.profile, pick], [transcript, download_md, download_json], api_name="transcript")
