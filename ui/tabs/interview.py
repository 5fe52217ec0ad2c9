"""The Interview tab: setup, the chat, feedback beside it, the report at the end."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from agent.interview.interviewer import TurnView, parse_command
from agent.interview.notes import FeedbackNotes
from agent.records import DIMENSIONS, AssessmentRecord, Command, Report
from knowledge.errors import UserError
from knowledge.taxonomy import ROLE_TITLES, ROLES
from ui import render
from ui.handlers import Chat, chat_messages, elapsed_label
from ui.notices import shown_as_notice
from ui.page import Page, frame, login_of

ROLE_CHOICES = [(ROLE_TITLES[r], r) for r in ROLES]
DIMENSION_COLUMNS = ["dimension", "score"]


@dataclass(frozen=True)
class InterviewTab:
    profile: gr.Textbox
    role: gr.Dropdown
    count: gr.Slider
    difficulty: gr.Radio
    preview: gr.Markdown
    start: gr.Button
    chat: gr.Chatbot
    answer: gr.Textbox
    send: gr.Button
    skip: gr.Button
    retry: gr.Button
    model: gr.Button
    end: gr.Button
    pace: gr.Markdown
    feedback: gr.HTML
    model_answer: gr.Markdown
    dims_plot: gr.BarPlot
    report: gr.HTML
    topic_plot: gr.BarPlot
    report_dims: gr.BarPlot
    timer: gr.Timer
    setup: gr.Accordion
    job_text: gr.Textbox
    job_choice: gr.Dropdown
    cv_upload: gr.File

    def feedback_outputs(
        self,
        assessment: AssessmentRecord | None,
        note: str | None,
        pace: str | None,
        notes: FeedbackNotes | None = None,
        change: str | None = None,
    ) -> dict[Any, Any]:
        """The notes beside the chat; the framework chart only while there is an answer to chart."""
        dims = render.dimension_scores(assessment["dimensions"] if assessment else None)
        return {
            self.feedback: render.feedback_html(assessment, note, pace, notes, change),
            self.dims_plot: gr.update(value=frame(dims, DIMENSION_COLUMNS), visible=assessment is not None),
        }

    def feedback_and_report(self) -> list[Any]:
        return [self.feedback, self.dims_plot, self.report, self.topic_plot, self.report_dims]

    def report_outputs(self, report: Report | None) -> dict[Any, Any]:
        topics = frame(render.topic_scores(report), ["topic", "score"])
        dims = frame(render.dimension_scores(report["dimensions"] if report else None), DIMENSION_COLUMNS)
        return {
            self.report: render.report_html(report),
            self.topic_plot: gr.update(value=topics, visible=bool(report)),
            self.report_dims: gr.update(value=dims, visible=bool(report)),
        }


def layout(auth_enabled: bool) -> InterviewTab:
    with gr.Row():
        with gr.Column(scale=3):
            with gr.Accordion("New interview", open=True, elem_id="setup") as setup:
                with gr.Row():
                    profile = gr.Textbox(
                        label="Profile", value="candidate", interactive=not auth_enabled, elem_id="profile"
                    )
                    role = gr.Dropdown(ROLE_CHOICES, value="ml_engineer", label="Role track", elem_id="role")
                    count = gr.Slider(1, 20, value=5, step=1, label="Questions", elem_id="count")
                    difficulty = gr.Radio(["mixed", "1", "2", "3"], value="mixed", label="Difficulty")
                with gr.Accordion("Tailor it to a job and your projects (optional)", open=False, elem_id="tailor"):
                    with gr.Row():
                        job_text = gr.Textbox(
                            label="Job description (paste it)", value="", lines=4, elem_id="job-text", scale=3
                        )
                        job_choice = gr.Dropdown(
                            [], value=None, label="…or one of your files", elem_id="job-choice", scale=2
                        )
                    cv_upload = gr.File(
                        label="Projects / CV (.md, .txt): the interview ends with a deep dive into one project",
                        file_types=[".md", ".markdown", ".txt"],
                        elem_id="cv-upload",
                    )
            preview = gr.Markdown(elem_id="preview")
            start = gr.Button("Start interview", variant="primary", elem_id="start")
            chat = gr.Chatbot(label="Interview", height=460, elem_id="chat", sanitize_html=True)
            answer = gr.Textbox(label="Your answer", lines=5, placeholder="Type your answer…", elem_id="answer")
            with gr.Row():
                send = gr.Button("Send answer", variant="primary", elem_id="send")
                skip = gr.Button("Skip question", elem_id="skip")
                retry = gr.Button("Answer again", elem_id="retry")
                model = gr.Button("Model answer", elem_id="model-button")
                end = gr.Button("End interview", variant="stop", elem_id="end")
            pace = gr.Markdown(elem_id="pace")
        with gr.Column(scale=2):
            feedback = gr.HTML(render.feedback_html(None), elem_id="feedback")
            model_answer = gr.Markdown(elem_id="model-answer")
            dims_plot = gr.BarPlot(
                frame(render.dimension_scores(None), DIMENSION_COLUMNS),
                x="dimension",
                y="score",
                y_lim=[0, 2],
                title="Answer framework (0–2)",
                sort=list(DIMENSIONS),
                visible=False,
                elem_id="dims-plot",
            )
            report = gr.HTML(elem_id="report")
            topic_plot = gr.BarPlot(
                x="topic", y="score", y_lim=[0, 10], title="Score by topic", visible=False, elem_id="topic-plot"
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
    return InterviewTab(
        profile,
        role,
        count,
        difficulty,
        preview,
        start,
        chat,
        answer,
        send,
        skip,
        retry,
        model,
        end,
        pace,
        feedback,
        model_answer,
        dims_plot,
        report,
        topic_plot,
        report_dims,
        timer,
        setup,
        job_text,
        job_choice,
        cv_upload,
    )


def wire(app: gr.Blocks, page: Page, tab: InterviewTab) -> None:
    h = page.handlers

    def on_load(stored: dict[str, Any], request: gr.Request) -> dict[Any, Any]:  # browser storage: free-form
        login = login_of(request)
        typed = login or (stored or {}).get("user") or "candidate"
        try:
            user = h.user(typed, login)
        except UserError:  # a bad stored profile: start from the default one
            return {
                tab.profile: "candidate",
                page.session_id: None,
                tab.chat: [],
                page.status: h.status(None),
                tab.preview: "",
                page.started: None,
                **tab.feedback_outputs(None, None, None),
            }
        sid, history, last = h.resume(user)
        return {
            tab.profile: user,
            page.session_id: sid,
            tab.chat: history,
            **tab.feedback_outputs(last, None, None, h.notes(last)),
            page.status: h.status(sid),
            tab.preview: h.preview(user),
            page.started: time.time() if sid else None,
        }

    app.load(
        on_load,
        [page.browser],
        [tab.profile, page.session_id, tab.chat, tab.feedback, tab.dims_plot, page.status, tab.preview, page.started],
    )

    def on_profile(typed: str, request: gr.Request) -> str:
        try:
            return h.preview(page.who(typed, request))
        except UserError as exc:  # shown in place of the preview while typing
            return str(exc)

    tab.profile.change(on_profile, [tab.profile], [tab.preview], show_progress="hidden")

    def on_files(typed: str, request: gr.Request) -> Any:
        try:
            return gr.update(choices=h.material_names(page.who(typed, request)), value=None)
        except UserError:
            return gr.update(choices=[], value=None)

    tab.profile.change(on_files, [tab.profile], [tab.job_choice], show_progress="hidden", api_visibility="private")
    tab.setup.expand(on_files, [tab.profile], [tab.job_choice], show_progress="hidden", api_visibility="private")

    @shown_as_notice
    def on_start(
        typed: str,
        track: str,
        n: float,
        level: str,
        request: gr.Request,
        job_text: str | None = None,
        job_choice: str | None = None,
        cv_file: Any = None,
    ) -> dict[Any, Any]:
        from gradio.utils import get_upload_folder

        user = page.who(typed, request)
        cv_path = str(getattr(cv_file, "name", cv_file)) if cv_file else None
        tailored = h.tailoring(user, job_text, job_choice, cv_path, Path(get_upload_folder()))
        sid, history = h.start(user, track, int(n), level, tailored)
        return {
            page.session_id: sid,
            tab.chat: history,
            **tab.feedback_outputs(None, None, None),
            **tab.report_outputs(None),
            page.status: h.status(sid),
            page.started: time.time(),
            page.browser: {"user": user},
            tab.answer: "",
            tab.setup: gr.update(open=False),  # out of the way while the interview runs
            tab.model_answer: "",
        }

    # What a turn updates; Start also sets the session and remembers the profile. The order is
    # the API's (gradio_client callers read results by position), so it stays as released.
    send_outputs = [
        tab.chat,
        tab.answer,
        *tab.feedback_and_report(),
        page.status,
        page.started,
        tab.setup,
        tab.model_answer,
    ]
    start_outputs = [
        page.session_id,
        tab.chat,
        *tab.feedback_and_report(),
        page.status,
        page.started,
        page.browser,
        tab.answer,
        tab.setup,
        tab.model_answer,
    ]
    # The tailoring inputs come last and have defaults, so API callers that send four still can.
    start_inputs = [tab.profile, tab.role, tab.count, tab.difficulty, tab.job_text, tab.job_choice, tab.cv_upload]
    tab.start.click(on_start, start_inputs, start_outputs, api_name="start")

    def turn(
        text: str, history: Chat, sid: str | None, typed: str, request: gr.Request, command: Command | None = None
    ) -> Iterator[dict[Any, Any]]:
        if not sid:
            raise gr.Error("Start an interview first.")
        user = page.who(typed, request)
        history = list(history or [])
        command = command or parse_command(text)  # "/skip" typed in the box works like the button
        if command is None:
            history.append({"role": "user", "content": render.as_text(text) if text.strip() else "(empty answer)"})
        live = {"role": "assistant", "content": ""}
        for kind, payload in h.send(user, sid, text, command):
            if kind == "text":
                if not live["content"]:
                    history.append(live)  # type: ignore[arg-type]
                live["content"] += render.as_text(str(payload))
                yield {tab.chat: history, tab.answer: ""}
                continue
            view: TurnView = payload
            if live["content"]:
                history.remove(live)  # type: ignore[arg-type]
            history.extend(chat_messages(view))
            pace_text = render.pace_line(text) if view.assessment else None
            yield {
                tab.chat: history,
                tab.answer: "",
                **tab.feedback_outputs(view.assessment, view.note, pace_text, h.notes(view.assessment), view.change),
                **tab.report_outputs(view.report),
                page.status: h.status(sid),
                page.started: None if view.done else time.time(),
                tab.setup: gr.update(open=view.done),
                tab.model_answer: "",
            }

    tab.send.click(
        shown_as_notice(turn), [tab.answer, tab.chat, page.session_id, tab.profile], send_outputs, api_name="send"
    )

    def button(command: Command) -> Any:
        @shown_as_notice
        def run(history: Chat, sid: str | None, typed: str, request: gr.Request) -> Iterator[dict[Any, Any]]:
            yield from turn("", history, sid, typed, request, command)

        return run

    tab.skip.click(button("skip"), [tab.chat, page.session_id, tab.profile], send_outputs, api_name="skip")
    tab.end.click(button("end"), [tab.chat, page.session_id, tab.profile], send_outputs, api_name="end")
    tab.retry.click(button("retry"), [tab.chat, page.session_id, tab.profile], send_outputs, api_name="retry")

    @shown_as_notice
    def on_model(sid: str | None, typed: str, request: gr.Request) -> str:
        return h.model_answer(page.who(typed, request), sid)

    tab.model.click(on_model, [page.session_id, tab.profile], [tab.model_answer], api_name="model_answer")
    tab.timer.tick(elapsed_label, [page.started], [tab.pace], show_progress="hidden", api_visibility="private")
