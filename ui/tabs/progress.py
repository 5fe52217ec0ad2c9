"""The Progress tab: mastery per topic (horizontal bars, full topic names), the overall score
and the framework dimensions by session, weak areas (wrapped in full) with Dismiss."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ui import render
from ui.notices import shown_as_notice
from ui.page import Page, frame


def build(page: Page) -> None:
    h = page.handlers
    with gr.Tab("Progress", id="progress") as tab:
        refresh = gr.Button("Refresh", elem_id="refresh-progress")
        change = gr.Markdown(elem_id="progress-change")
        with gr.Row():
            mastery_plot = gr.HTML(render.mastery_html([]), elem_id="mastery-plot")
            overall_plot = gr.LinePlot(
                x="session",
                y="overall",
                y_lim=[0, 10],
                title="Overall score by session",
                x_title="session · date",
                elem_id="overall-plot",
            )
        dimension_plot = gr.LinePlot(
            x="session",
            y="score",
            color="dimension",
            y_lim=[0, 2],
            title="Answer framework by session (0–2)",
            x_title="session · date",
            elem_id="dimension-plot",
        )
        weak_table = gr.Dataframe(
            label="Weak areas",
            interactive=False,
            wrap=True,
            column_widths=["30%", "12%", "58%"],
            elem_id="weak-table",
        )
        with gr.Row():
            dismiss_choice = gr.Dropdown(label="No longer weak?", choices=[], elem_id="dismiss-choice")
            dismiss = gr.Button("Dismiss", elem_id="dismiss")
        dismiss_note = gr.Markdown()

    @shown_as_notice
    def on_progress(typed: str, request: gr.Request) -> dict[Any, Any]:
        mastery, overall, weak, dimensions, since = h.progress(page.who(typed, request))
        rows = [{"title": w["title"], "mastery": w["mastery"], "often missed": w["often_missed"]} for w in weak]
        return {
            change: since or "",
            mastery_plot: render.mastery_html(mastery),
            overall_plot: frame(overall, ["session", "date", "overall"]),
            dimension_plot: frame(dimensions, ["session", "dimension", "score"]),
            weak_table: frame(rows, ["title", "mastery", "often missed"]),
            dismiss_choice: gr.update(choices=[(w["title"], w["topic"]) for w in weak], value=None),
        }

    outputs = [mastery_plot, overall_plot, weak_table, dismiss_choice, dimension_plot, change]
    refresh.click(on_progress, [page.profile], outputs, api_name="progress")
    tab.select(on_progress, [page.profile], outputs)

    @shown_as_notice
    def on_dismiss(typed: str, topic: str, request: gr.Request) -> dict[Any, Any]:
        note = h.dismiss(page.who(typed, request), topic)
        return {dismiss_note: note, **on_progress(typed, request)}

    dismiss.click(on_dismiss, [page.profile, dismiss_choice], [dismiss_note, *outputs], api_name="dismiss")
