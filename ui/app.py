"""The Gradio web app: layout and wiring. The work is done by ``ui.handlers.Handlers``.

Built by the composition root (``mock-interview ui``) from the same Services as the CLI.
The interview's checkpoint is the source of truth; the chat shown here is display only,
rebuilt from the transcript store when the page is reloaded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import gradio as gr
import pandas as pd

from agent.examiner.models import DIMENSIONS
from agent.interview.interviewer import TurnView
from agent.services import Services
from knowledge.taxonomy import ROLE_TITLES, ROLES, TOPIC_TITLES
from ui import render
from ui.handlers import Chat, Handlers, UIError, as_text, chat_messages, elapsed_label

ROLE_CHOICES = [(ROLE_TITLES[r], r) for r in ROLES]


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def _login(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) if request is not None else None


def build_app(services: Services, auth_enabled: bool = False) -> gr.Blocks:
    h = Handlers(services, auth_enabled)

    def who(typed: str, request: gr.Request | None) -> str:
        try:
            return h.user(typed, _login(request))
        except UIError as exc:
            raise gr.Error(str(exc)) from None

    def feedback_outputs(assessment: dict[str, Any] | None, note: str | None, pace: str | None) -> tuple[Any, ...]:
        dims = render.dimension_scores(assessment["dimensions"] if assessment else None)
        return render.feedback_html(assessment, note, pace), _frame(dims, ["dimension", "score"])

    def report_outputs(report: dict[str, Any] | None) -> tuple[Any, ...]:
        topics = _frame(render.topic_scores(report), ["topic", "score"])
        dims = _frame(render.dimension_scores((report or {}).get("dimensions")), ["dimension", "score"])
        return (
            render.report_html(report),
            gr.update(value=topics, visible=bool(report)),
            gr.update(value=dims, visible=bool(report)),
        )

    with gr.Blocks(title="mock-interview") as app:
        browser = gr.BrowserState({"user": ""}, storage_key="mock-interview-profile")
        session_id = gr.State(None)
        started = gr.State(None)
        status = gr.Markdown(elem_id="status-line")

        with gr.Tabs():
            with gr.Tab("Interview", id="interview"):
                with gr.Row():
                    with gr.Column(scale=3):
                        with gr.Accordion("New interview", open=True):
                            with gr.Row():
                                profile = gr.Textbox(
                                    label="Profile", value="candidate", interactive=not auth_enabled, elem_id="profile"
                                )
                                role = gr.Dropdown(
                                    ROLE_CHOICES, value="ml_engineer", label="Role track", elem_id="role"
                                )
                                count = gr.Slider(1, 20, value=5, step=1, label="Questions", elem_id="count")
                                difficulty = gr.Radio(["mixed", "1", "2", "3"], value="mixed", label="Difficulty")
                            preview = gr.Markdown(elem_id="preview")
                            start = gr.Button("Start interview", variant="primary", elem_id="start")
                        chat = gr.Chatbot(label="Interview", height=460, elem_id="chat", sanitize_html=True)
                        answer = gr.Textbox(
                            label="Your answer", lines=5, placeholder="Type your answer…", elem_id="answer"
                        )
                        with gr.Row():
                            send = gr.Button("Send answer", variant="primary", elem_id="send")
                            skip = gr.Button("Skip question", elem_id="skip")
                            end = gr.Button("End interview", variant="stop", elem_id="end")
                        pace = gr.Markdown(elem_id="pace")
                    with gr.Column(scale=2):
                        feedback = gr.HTML(render.feedback_html(None), elem_id="feedback")
                        dims_plot = gr.BarPlot(
                            _frame(render.dimension_scores(None), ["dimension", "score"]),
                            x="dimension",
                            y="score",
                            y_lim=[0, 2],
                            title="Answer framework (0–2)",
                            sort=list(DIMENSIONS),
                            elem_id="dims-plot",
                        )
                        report = gr.HTML(elem_id="report")
                        topic_plot = gr.BarPlot(
                            x="topic",
                            y="score",
                            y_lim=[0, 10],
                            title="Score by topic",
                            visible=False,
                            elem_id="topic-plot",
                        )
                        report_dims = gr.BarPlot(
                            x="dimension",
                            y="score",
                            y_lim=[0, 2],
                            title="Framework average",
                            sort=list(DIMENSIONS),
                            visible=False,
                            elem_id="report-dims",
                        )
                timer = gr.Timer(1.0)

            with gr.Tab("Progress", id="progress") as progress_tab:
                refresh_progress = gr.Button("Refresh", elem_id="refresh-progress")
                with gr.Row():
                    mastery_plot = gr.BarPlot(
                        x="topic", y="mastery", y_lim=[0, 10], title="Mastery by topic", elem_id="mastery-plot"
                    )
                    overall_plot = gr.LinePlot(
                        x="session",
                        y="overall",
                        y_lim=[0, 10],
                        title="Overall score by session",
                        elem_id="overall-plot",
                    )
                weak_table = gr.Dataframe(label="Weak areas", interactive=False, elem_id="weak-table")
                with gr.Row():
                    dismiss_choice = gr.Dropdown(label="No longer weak?", choices=[], elem_id="dismiss-choice")
                    dismiss = gr.Button("Dismiss", elem_id="dismiss")
                dismiss_note = gr.Markdown()

            with gr.Tab("Transcripts", id="transcripts") as transcripts_tab:
                refresh_sessions = gr.Button("Refresh", elem_id="refresh-sessions")
                sessions_table = gr.Dataframe(label="Your sessions", interactive=False, elem_id="sessions-table")
                with gr.Row():
                    pick = gr.Dropdown(label="Open session", choices=[], elem_id="pick-session")
                    open_session = gr.Button("Open", elem_id="open-session")
                with gr.Row():
                    download_md = gr.DownloadButton("Download Markdown", visible=False, elem_id="download-md")
                    download_json = gr.DownloadButton("Download JSON", visible=False, elem_id="download-json")
                transcript = gr.Markdown(elem_id="transcript")

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

        # --- interview events ---------------------------------------------------------

        def on_load(stored: dict[str, Any], request: gr.Request) -> tuple[Any, ...]:
            login = _login(request)
            typed = login or (stored or {}).get("user") or "candidate"
            try:
                user = h.user(typed, login)
            except UIError:
                return ("candidate", None, [], *feedback_outputs(None, None, None), h.status(None), "", None)
            sid, history, last = h.resume(user)
            return (
                user,
                sid,
                history,
                *feedback_outputs(last, None, None),
                h.status(sid),
                h.preview(user),
                time.time() if sid else None,
            )

        app.load(on_load, [browser], [profile, session_id, chat, feedback, dims_plot, status, preview, started])

        def on_profile(typed: str, request: gr.Request) -> str:
            try:
                return h.preview(h.user(typed, _login(request)))
            except UIError as exc:
                return str(exc)

        profile.change(on_profile, [profile], [preview], show_progress="hidden")

        def on_start(typed: str, track: str, n: float, level: str, request: gr.Request) -> tuple[Any, ...]:
            user = who(typed, request)
            try:
                sid, history = h.start(user, track, int(n), level)
            except UIError as exc:
                raise gr.Error(str(exc)) from None
            return (
                sid,
                history,
                *feedback_outputs(None, None, None),
                *report_outputs(None),
                h.status(sid),
                time.time(),
                {"user": user},
                "",
            )

        start.click(
            on_start,
            [profile, role, count, difficulty],
            [session_id, chat, feedback, dims_plot, report, topic_plot, report_dims, status, started, browser, answer],
            api_name="start",
        )

        def on_send(
            text: str, history: Chat, sid: str | None, typed: str, request: gr.Request
        ) -> Iterator[tuple[Any, ...]]:
            if not sid:
                raise gr.Error("Start an interview first.")
            user = who(typed, request)
            history = list(history or [])
            shown = as_text(text) if text.strip() else "(empty answer)"
            if text.strip().lower() not in ("/skip", "/end"):
                history.append({"role": "user", "content": shown})
            live = {"role": "assistant", "content": ""}
            keep = gr.skip()
            try:
                for kind, payload in h.send(user, sid, text):
                    if kind == "text":
                        if not live["content"]:
                            history.append(live)
                        live["content"] += as_text(str(payload))
                        yield (history, "", keep, keep, keep, keep, keep, keep, keep)
                    else:
                        view: TurnView = payload
                        if live["content"]:
                            history.remove(live)
                        history.extend(chat_messages(view))
                        pace_text = render.pace_line(text) if view.assessment else None
                        yield (
                            history,
                            "",
                            *feedback_outputs(view.assessment, view.note, pace_text),
                            *report_outputs(view.report),
                            h.status(sid),
                            None if view.done else time.time(),
                        )
            except UIError as exc:
                raise gr.Error(str(exc)) from None

        send_outputs = [chat, answer, feedback, dims_plot, report, topic_plot, report_dims, status, started]
        send.click(on_send, [answer, chat, session_id, profile], send_outputs, api_name="send")

        def on_command(command: str) -> Any:
            def run(history: Chat, sid: str | None, typed: str, request: gr.Request) -> Iterator[tuple[Any, ...]]:
                yield from on_send(command, history, sid, typed, request)

            return run

        skip.click(on_command("/skip"), [chat, session_id, profile], send_outputs, api_name="skip")
        end.click(on_command("/end"), [chat, session_id, profile], send_outputs, api_name="end")
        timer.tick(elapsed_label, [started], [pace], show_progress="hidden", api_visibility="private")

        # --- progress -----------------------------------------------------------------

        def on_progress(typed: str, request: gr.Request) -> tuple[Any, ...]:
            mastery, overall, weak = h.progress(who(typed, request))
            choices = [(w["title"], w["topic"]) for w in weak]
            table = _frame(
                [{k: v for k, v in w.items() if k != "topic"} for w in weak], ["title", "mastery", "often missed"]
            )
            return (
                _frame(mastery, ["topic", "mastery"]),
                _frame(overall, ["session", "date", "overall"]),
                table,
                gr.update(choices=choices, value=None),
            )

        progress_outputs = [mastery_plot, overall_plot, weak_table, dismiss_choice]
        refresh_progress.click(on_progress, [profile], progress_outputs, api_name="progress")
        progress_tab.select(on_progress, [profile], progress_outputs)

        def on_dismiss(typed: str, topic: str, request: gr.Request) -> tuple[Any, ...]:
            user = who(typed, request)
            try:
                note = h.dismiss(user, topic)
            except UIError as exc:
                raise gr.Error(str(exc)) from None
            return (note, *on_progress(typed, request))

        dismiss.click(on_dismiss, [profile, dismiss_choice], [dismiss_note, *progress_outputs], api_name="dismiss")

        # --- transcripts --------------------------------------------------------------

        def on_sessions(typed: str, request: gr.Request) -> tuple[Any, ...]:
            rows = h.sessions(who(typed, request))
            choices = [(f"{r['date']} · {r['track']} · {r['score'] or r['status']}", r["id"]) for r in rows]
            return _frame(rows, ["date", "track", "status", "score", "id"]), gr.update(choices=choices, value=None)

        refresh_sessions.click(on_sessions, [profile], [sessions_table, pick], api_name="sessions")
        transcripts_tab.select(on_sessions, [profile], [sessions_table, pick])

        def on_open(typed: str, sid: str, request: gr.Request) -> tuple[Any, ...]:
            if not sid:
                raise gr.Error("Choose a session to open.")
            try:
                markdown, md_path, json_path = h.transcript(who(typed, request), sid)
            except UIError as exc:
                raise gr.Error(str(exc)) from None
            return markdown, gr.update(value=md_path, visible=True), gr.update(value=json_path, visible=True)

        open_session.click(on_open, [profile, pick], [transcript, download_md, download_json], api_name="transcript")

        # --- guide --------------------------------------------------------------------

        def on_search(typed: str, text: str, request: gr.Request) -> str:
            try:
                return h.search(who(typed, request), text)
            except UIError as exc:
                raise gr.Error(str(exc)) from None

        search.click(on_search, [profile, query], [results], api_name="search")
        query.submit(on_search, [profile, query], [results])

        def on_add(typed: str, files: list[Any] | None, request: gr.Request) -> str:
            from gradio.utils import get_upload_folder

            paths = [str(getattr(f, "name", f)) for f in (files or [])]
            try:
                return h.ingest(who(typed, request), paths, Path(get_upload_folder()))
            except UIError as exc:
                raise gr.Error(str(exc)) from None

        add.click(on_add, [profile, upload], [added], api_name="ingest")
    return cast(gr.Blocks, app)


__all__ = ["TOPIC_TITLES", "build_app"]
