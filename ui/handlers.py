"""What the web app does when a button is pressed. Plain Python over the product's services;
``ui/app.py`` and ``ui/tabs/`` only lay out the page and wire these to events.

Nothing here is shared between browser sessions except the services themselves: every
handler receives the user and session it acts for.
"""

from __future__ import annotations

import json
import queue
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, TypedDict

from agent.interview.interviewer import TurnView, check_user
from agent.interview.model_answer import export_writer, model_answer_markdown
from agent.interview.notes import FeedbackNotes, feedback_notes
from agent.interview.tailoring import Tailored
from agent.records import AssessmentRecord, Command, SessionRow
from agent.services import Services
from agent.store.export import session_json, session_markdown
from agent.store.transcripts import SessionNotFound
from agent.store.trend import change_line, session_trend
from knowledge.errors import KnowledgeError, UserError, redact
from knowledge.taxonomy import ROLE_TITLES, TOPIC_TITLES, Role, parse_role, parse_topic
from ui.exports import export_folder_name, remove_old_exports, write_private
from ui.guard import PrivateFiles
from ui.render import as_markdown_text, as_text


class Bubble(TypedDict):
    role: Literal["assistant", "user"]
    content: str


Chat = list[Bubble]


class UIError(UserError):
    """A one-line message to show the user in the page."""


class MasteryRow(TypedDict):
    topic: str
    mastery: float


class OverallRow(TypedDict):
    session: str  # "1 · 2026-12-01": a category, so the axis shows whole sessions
    date: str
    overall: float


class DimensionTrendRow(TypedDict):
    session: str
    dimension: str
    score: float


class WeakRow(TypedDict):
    topic: str
    title: str
    mastery: float
    often_missed: str


class SessionListRow(TypedDict):
    id: str
    date: str
    track: str
    status: str
    score: float | str


def chat_messages(view: TurnView) -> Chat:
    """The messages of a turn as chat bubbles (the feedback lives in its own panel)."""
    return [
        Bubble(role=m["role"], content=as_text(m["content"]))
        for m in view.messages
        if m["kind"] not in ("feedback", "answer", "skip", "end", "retry")
    ]


class Handlers:
    def __init__(self, services: Services, auth_enabled: bool = False, private: PrivateFiles | None = None) -> None:
        self.services = services
        self.auth_enabled = auth_enabled
        self.private = private or PrivateFiles()
        self.exports = services.settings.home / "exports"

    def notes(self, assessment: AssessmentRecord | None) -> FeedbackNotes | None:
        """The interviewer's notes on an assessed answer (verdict, strong, missing, tip)."""
        return feedback_notes(assessment, self.services.question_bank) if assessment else None

    # --- identity -----------------------------------------------------------------------

    def user(self, typed: str, login: str | None) -> str:
        """The login's name when login is on (the form cannot override it), else the typed profile."""
        if self.auth_enabled:
            if not login:
                raise UIError("Please log in.")
            return login
        try:
            return check_user(typed or "")
        except UserError as exc:
            raise UIError(str(exc)) from None

    # --- interview ----------------------------------------------------------------------

    def status(self, session_id: str | None) -> str:
        examiner = self.services.examiner
        if examiner.name == "llm":
            from agent.examiner.llm.client import endpoint_label

            line = f"Examiner: LLM ({endpoint_label(self.services.settings)})"
        else:
            line = "Examiner: offline (no API key needed)"
        for warning in self.services.warnings:
            line += f" · {warning}"
        if session_id:
            usage = self.services.interviewer.state(session_id).get("usage")
            if usage and usage["llm_turns"]:
                cost = usage["cost_usd"]
                line += f" · {usage['input_tokens'] + usage['output_tokens']:,} tokens"
                line += f" · ${cost:.4f}" if cost is not None else ""
        return line

    def preview(self, user: str) -> str:
        areas = self.services.memory.weak_areas(user)
        if not areas:
            return "No weak areas on record: this session is all new ground."
        listed = ", ".join(f"{TOPIC_TITLES[a.topic]} ({a.mastery:.1f}/10)" for a in areas[:3])
        return f"Welcome back. This session starts by revisiting: {listed}."

    def start(
        self, user: str, role: str, questions: int, difficulty: str, tailored: Tailored | None = None
    ) -> tuple[str, Chat]:
        level = None if difficulty in ("", "mixed", None) else int(difficulty)
        track: Role = parse_role(role)
        fit = tailored or Tailored()
        view = self.services.interviewer.start(
            user, track, int(questions), difficulty=level, job=fit.job, projects=fit.projects
        )
        chat = [Bubble(role="assistant", content=as_text(n)) for n in fit.notices]
        return view.session_id, chat + chat_messages(view)

    def tailoring(
        self, user: str, job_text: str | None, job_choice: str | None, cv_path: str | None, upload_folder: Path
    ) -> Tailored:
        """The job and projects of the setup panel: a pasted JD or one of the user's files, and
        an uploaded CV (kept in the user's material, like any upload)."""
        from agent.interview.tailoring import material_text, pasted_job, tailor_texts

        material = self.services.knowledge.material
        try:
            job = pasted_job(job_text or "")
            if job is None and job_choice:
                job = material_text(material, user, job_choice, "job description")
            projects = None
            if cv_path:
                self._uploaded([cv_path], user, upload_folder)
                projects = material_text(material, user, cv_path, "projects file")
        except KnowledgeError as exc:
            raise UIError(str(exc).replace(str(Path(cv_path or ".").parent) + "/", "")) from None
        return tailor_texts(self.services.job_reader, job, projects)

    def material_names(self, user: str) -> list[str]:
        return [f.name for f in self.services.knowledge.material.files(user)]

    def material_listing(self, user: str) -> str:
        files = self.services.knowledge.material.files(user)
        if not files:
            return "You have no files yet."
        return "\n".join(f"- {as_markdown_text(f.name)} ({f.chunks} passages)" for f in files)

    def delete_material(self, user: str, name: str | None) -> str:
        if not name:
            raise UIError("Choose one of your files to delete.")
        try:
            gone = self.services.knowledge.material.delete(user, name)
        except KnowledgeError as exc:
            raise UIError(str(exc)) from None
        return "Deleted " + ", ".join(as_markdown_text(f.name) for f in gone) + "."

    def own_session(self, user: str, session_id: str) -> SessionRow:
        try:
            session = self.services.transcripts.session(session_id)
        except SessionNotFound:
            raise UIError("That session does not exist.") from None
        if session["user"] != user:
            raise UIError("That session belongs to another profile.")
        return session

    def send(self, user: str, session_id: str, text: str, command: Command | None = None) -> Iterator[tuple[str, Any]]:
        """Yields ("text", piece) while the reply streams, then ("done", view)."""
        self.own_session(user, session_id)
        events: queue.Queue[tuple[str, Any]] = queue.Queue()
        interviewer = self.services.interviewer

        def work() -> None:
            try:
                if command is not None:
                    view = interviewer.command(session_id, command)
                else:
                    view = interviewer.send(session_id, text, on_text=lambda t: events.put(("text", t)))
                events.put(("done", view))
            except Exception as exc:  # noqa: BLE001 - shown in the page as one line
                events.put(("error", exc))

        threading.Thread(target=work, name="interview-turn", daemon=True).start()
        while True:
            kind, payload = events.get()
            if kind == "text":
                yield "text", payload
            elif kind == "done":
                yield "done", payload
                return
            elif isinstance(payload, UserError):  # e.g. a retry before any answer: nothing was lost
                raise UIError(str(payload))
            else:
                raise UIError(redact(f"That answer was saved, but the turn failed: {payload}"))

    def model_answer(self, user: str, session_id: str | None) -> str:
        """A strong answer to the question just assessed, as Markdown, with its citations."""
        if not session_id:
            raise UIError("Start an interview first.")
        self.own_session(user, session_id)
        return as_markdown_text(model_answer_markdown(self.services.interviewer.model_answer(session_id)))

    def resume(self, user: str) -> tuple[str | None, Chat, AssessmentRecord | None]:
        """The user's unfinished session rebuilt from its record, if there is one."""
        session_id = self.services.interviewer.latest_unfinished(user)
        if session_id is None:
            return None, [], None
        self.services.interviewer.finish_pending(session_id)
        chat: Chat = [Bubble(role="assistant", content=f"Resuming your session {session_id}.")]
        last = None
        for turn in self.services.transcripts.turns(session_id):
            chat.append(Bubble(role="assistant", content=as_text(turn["prompt"])))
            if turn["answer"] is not None:
                chat.append(Bubble(role="user", content=as_text(turn["answer"])))
            if turn["assessment"]:
                last = turn["assessment"]
        return session_id, chat, last

    # --- progress, transcripts, guide ----------------------------------------------------

    def progress(
        self, user: str
    ) -> tuple[list[MasteryRow], list[OverallRow], list[WeakRow], list[DimensionTrendRow], str | None]:
        mastery = [
            MasteryRow(topic=TOPIC_TITLES[t], mastery=round(v, 1))
            for t, v in self.services.memory.mastery(user).items()
        ]
        trend = session_trend(self.services.transcripts, user)
        overall = [
            OverallRow(session=f"{p['session']} · {p['date']}", date=p["date"], overall=p["overall"]) for p in trend
        ]
        dimensions = [
            DimensionTrendRow(session=f"{p['session']} · {p['date']}", dimension=d, score=v)
            for p in trend
            for d, v in p["dimensions"].items()
        ]
        weak = [
            WeakRow(
                topic=a.topic,
                title=TOPIC_TITLES[a.topic],
                mastery=round(a.mastery, 1),
                often_missed="; ".join(a.missed_points[:3]),
            )
            for a in self.services.memory.weak_areas(user)
        ]
        return mastery, overall, weak, dimensions, change_line(trend)

    def dismiss(self, user: str, topic: str) -> str:
        if not topic:
            raise UIError("Choose a weak area to dismiss.")
        chosen = parse_topic(topic)
        if not self.services.memory.dismiss(user, chosen):
            raise UIError(f"{TOPIC_TITLES[chosen]} is not among your weak areas.")
        return f"Dismissed {TOPIC_TITLES[chosen]}."

    def sessions(self, user: str) -> list[SessionListRow]:
        return [
            SessionListRow(
                id=s["id"],
                date=s["created_at"][:16].replace("T", " "),
                track=ROLE_TITLES[s["role"]],
                status=s["status"],
                score=s["overall"] if s["overall"] is not None else "",
            )
            for s in self.services.transcripts.sessions(user=user)
        ]

    def transcript(self, user: str, session_id: str) -> tuple[str, str, str]:
        """(Markdown to show, path of the .md export, path of the .json export), written under
        ``<data>/exports/<user>/`` (mode 0600) and recorded as that user's files."""
        self.own_session(user, session_id)
        bank = self.services.question_bank
        markdown = session_markdown(
            self.services.transcripts, session_id, bank, export_writer(bank, self.services.citer)
        )
        folder = Path(tempfile.mkdtemp(prefix="export-", dir=self._exports(user)))
        md_path = folder / f"interview-{session_id}.md"
        json_path = folder / f"interview-{session_id}.json"
        write_private(md_path, markdown)
        write_private(json_path, json.dumps(session_json(self.services.transcripts, session_id), indent=2))
        self.private.own(user, folder.name)
        for path in (md_path, json_path):
            self.private.own_file(user, path)  # the copy Gradio serves is named after the content
        return as_markdown_text(markdown), str(md_path), str(json_path)

    def _exports(self, user: str) -> Path:
        folder = self.exports / export_folder_name(user)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        remove_old_exports(self.exports)
        return folder

    def search(self, user: str, query: str) -> str:
        if not query.strip():
            raise UIError("Type something to search for.")
        passages = self.services.knowledge.retriever.search(query, 5, user=user)
        if not passages:
            return "No passages matched."
        blocks = []
        for p in passages:
            origin = "the guide" if p.source == "guide" else f"your file {p.source}"
            text, section = as_markdown_text(p.text), as_markdown_text(p.section)
            blocks.append(f"#### {section}\n*from {as_markdown_text(origin)}*\n\n{text}")
        return "\n\n---\n\n".join(blocks)

    def ingest(self, user: str, paths: list[str], upload_folder: Path) -> str:
        """Index files the browser uploaded. Only paths inside the app's upload folder are
        accepted: a client could otherwise name any file on the server."""
        if not paths:
            raise UIError("Choose a Markdown or text file to add.")
        self._uploaded(paths, user, upload_folder)
        try:
            done = self.services.knowledge.material.ingest(user, [Path(p) for p in paths])
        except KnowledgeError as exc:
            raise UIError(str(exc).replace(str(Path(paths[0]).parent) + "/", "")) from None
        return "Added " + ", ".join(f"{f.name} ({f.chunks} passages)" for f in done) + ". Search it above."

    def _uploaded(self, paths: list[str], user: str, upload_folder: Path) -> None:
        root = upload_folder.resolve()
        if any(not Path(p).resolve().is_relative_to(root) for p in paths):
            raise UIError("Only files uploaded through this page can be added.")
        if self.auth_enabled and not all(self.private.may_use(user, p) for p in paths):
            raise UIError("Only files you uploaded can be added.")


def elapsed_label(started: float | None) -> str:
    if not started:
        return ""
    seconds = int(time.time() - started)
    return f"Time on this answer: {seconds // 60}:{seconds % 60:02d} (keep a story under 3:00)"


__all__ = ["Bubble", "Chat", "Handlers", "UIError", "chat_messages", "elapsed_label"]
