"""Driving the graph one candidate message at a time; what every front end talks to.

The checkpoint is the source of truth for a session. ``send`` first finishes any run a
crash left half done (the checkpoint knows its pending step), then handles the new message.
"""

from __future__ import annotations

import threading
import unicodedata
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, cast

from langchain_core.runnables import RunnableConfig

from agent.examiner.citer import Citer
from agent.interview.asked import asked_question
from agent.interview.checkpoints import keep_only_latest
from agent.interview.context import InterviewContext
from agent.interview.model_answer import ModelAnswer, build_model_answer
from agent.interview.state import InterviewState
from agent.interview.thread import covered_so_far
from agent.records import (
    AssessmentRecord,
    Backend,
    ChatMessage,
    Command,
    JobRecord,
    ProjectRecord,
    PromptKind,
    Report,
)
from agent.store.transcripts import Transcripts
from knowledge.errors import NotFound, UsageError
from knowledge.taxonomy import parse_role

OnText = Callable[[str], None]
MAX_QUESTIONS = 20
COMMANDS: dict[str, Command] = {"/skip": "skip", "/end": "end", "/retry": "retry"}
NOTHING_TO_RETRY = "nothing to retry yet: answer the current question first, then /retry to answer it again"
NO_MODEL_ANSWER = "no assessed answer yet: answer a question first, then ask for the model answer"
ORPHAN_NOTE = "This session's checkpoint is missing: it was ended without a report; its answers are kept."


def check_user(user: str) -> str:
    """A profile name: 1-64 letters (any script, with their marks), digits, spaces or . @ + - _."""
    user = unicodedata.normalize("NFC", user.strip())
    allowed = all(unicodedata.category(ch)[0] in "LMN" or ch in " .@+-_" for ch in user)
    if not (1 <= len(user) <= 64 and allowed and unicodedata.category(user[0])[0] in "LN"):
        shown = repr(user[:40]) + (f"… ({len(user):,} characters)" if len(user) > 40 else "")
        raise UsageError(
            f"invalid user name {shown}: use 1-64 letters, digits, spaces or . @ + - _"
            " (starting with a letter or digit)"
        )
    return user


def parse_command(text: str) -> Command | None:
    """The command a front end's input line gives ("/skip", "/end", "/retry"), or None for an answer."""
    typed = text.strip().lower()
    return COMMANDS.get(typed)


def new_session_id() -> str:
    return f"{datetime.now(UTC):%Y%m%d}-{uuid.uuid4().hex[:8]}"


@dataclass
class TurnView:
    session_id: str
    messages: list[ChatMessage] = field(default_factory=list)  # produced by this call
    assessment: AssessmentRecord | None = None
    backend: Backend | None = None
    note: str | None = None
    done: bool = False
    report: Report | None = None
    question_number: int = 0  # 1-based position of the question under discussion
    question_count: int = 0
    prompt_kind: PromptKind | None = None
    answered: PromptKind | None = None  # what the assessed message replied to: a question or a follow-up
    change: str | None = None  # on the first answer of a retry: the change since the first attempt


SessionLock = Callable[[str], AbstractContextManager[Any]]
Prune = Callable[[str], int]


class LocalSessionLocks:
    """One re-entrant lock per session, for a single process (the embedded default; with
    several workers, ``agent.store.pg.locks.SessionLocks`` holds across them)."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()

    def __call__(self, session_id: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(session_id, threading.RLock())


class Interviewer:
    """One instance serves every user; runs of the same session are serialised by a lock
    (two at once would fork the checkpoint: a Skip clicked while a Send is running, two
    tabs, a page reload finishing a run that is still going). ``prune`` keeps a finished
    session's checkpoints down to the last one (SQLite's by default)."""

    def __init__(
        self,
        graph: Any,
        context: InterviewContext,
        transcripts: Transcripts,
        session_lock: SessionLock | None = None,
        prune: Prune | None = None,
        citer: Citer | None = None,
    ) -> None:
        self.graph = graph
        self.context = context
        self.transcripts = transcripts
        self.session_lock: SessionLock = session_lock or LocalSessionLocks()
        self.prune = prune
        self.citer = citer  # for model answers (the guide's sentences behind each key point)

    def _config(self, session_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": session_id}}

    def _values(self, session_id: str) -> InterviewState:
        return cast(InterviewState, self.graph.get_state(self._config(session_id)).values)

    def _last_message_number(self, session_id: str) -> int:
        messages = self._values(session_id).get("messages", [])
        return messages[-1].get("n", -1) if messages else -1

    def _run(
        self, session_id: str, payload: InterviewState | None, on_text: OnText | None = None, before: int | None = None
    ) -> TurnView:
        config = self._config(session_id)
        before = self._last_message_number(session_id) if before is None else before
        if on_text is None:
            self.graph.invoke(payload, config, context=self.context, durability="sync")
        else:  # the examiner's visible reply arrives as custom stream events
            streaming = replace(self.context, stream_replies=True)
            for event in self.graph.stream(payload, config, context=streaming, durability="sync", stream_mode="custom"):
                if isinstance(event, dict) and event.get("text"):
                    on_text(str(event["text"]))
        view = self._view(session_id, before)
        if view.done and self.prune is not None:
            self.prune(session_id)
        elif view.done and self.graph.checkpointer is not None:
            keep_only_latest(self.graph.checkpointer, session_id)
        return view

    def _view(self, session_id: str, after: int) -> TurnView:
        """The state of a session, with the chat messages numbered above ``after``."""
        values = self._values(session_id)
        new = [m for m in values.get("messages", []) if m.get("n", -1) > after]
        view = TurnView(
            session_id=session_id,
            messages=new,
            done=bool(values.get("done")),
            report=values.get("report"),
            question_number=values.get("index", -1) + 1,
            question_count=len(values.get("plan", [])),
            prompt_kind=values.get("prompt_kind"),
        )
        if any(m["kind"] == "feedback" for m in new):
            exam = values.get("last_exam")
            if exam is not None:
                view.assessment, view.backend, view.note = exam["assessment"], exam["backend"], exam["note"]
                view.change = exam.get("change")
            else:  # the question was closed in this run: read the turn's record
                self._latest_assessed_turn(session_id, view)
        return view

    def _latest_assessed_turn(self, session_id: str, view: TurnView) -> None:
        for turn in reversed(self.transcripts.turns(session_id)):
            if turn["assessment"] is not None:
                view.assessment, view.backend, view.note = turn["assessment"], turn["backend"], turn["backend_note"]
                return

    def start(
        self,
        user: str,
        role: str,
        questions: int = 5,
        seed: int | None = None,
        difficulty: int | None = None,
        session_id: str | None = None,
        job: JobRecord | None = None,
        projects: list[ProjectRecord] | None = None,
    ) -> TurnView:
        """A new session; ``job`` and ``projects`` tailor it (see ``agent.interview.tailoring``)."""
        if not 1 <= questions <= MAX_QUESTIONS:
            raise UsageError(f"questions must be between 1 and {MAX_QUESTIONS}, got {questions}")
        if difficulty is not None and difficulty not in (1, 2, 3):
            raise UsageError(f"difficulty must be 1, 2 or 3, got {difficulty}")
        session_id = session_id or new_session_id()
        payload: InterviewState = {
            "session_id": session_id,
            "user": check_user(user),
            "role": parse_role(role),
            "question_count": questions,
            "seed": seed,
            "difficulty": difficulty,
        }
        if job is not None:
            payload["job"] = job
        if projects:
            payload["projects"] = projects
        return self._run(session_id, payload)

    def finish_pending(self, session_id: str) -> TurnView | None:
        """Complete a run that a crash interrupted; None if nothing was pending."""
        with self.session_lock(session_id):
            return self._finish_pending(session_id)

    def _finish_pending(self, session_id: str) -> TurnView | None:
        config = self._config(session_id)
        state = self.graph.get_state(config)
        if not state.next:
            return None
        before = self._last_message_number(session_id)
        self.graph.invoke(None, config, context=self.context, durability="sync")
        return self._view(session_id, before)

    def send(self, session_id: str, text: str, on_text: OnText | None = None) -> TurnView:
        """Handle the candidate's answer; ``on_text`` receives the model's reply as it streams."""
        return self._turn(session_id, {"incoming": text, "command": None}, on_text)

    def command(self, session_id: str, command: Command) -> TurnView:
        """Skip the current question, answer it again (retry) or end the interview (with its report)."""
        if command == "retry":
            with self.session_lock(session_id):
                values = self._values(session_id)
                if values.get("plan") and not values.get("done") and values.get("last_exam") is None:
                    raise UsageError(NOTHING_TO_RETRY)
        return self._turn(session_id, {"incoming": None, "command": command}, None)

    def _turn(self, session_id: str, payload: InterviewState, on_text: OnText | None) -> TurnView:
        with self.session_lock(session_id):
            state = self.graph.get_state(self._config(session_id))
            if not state.values.get("plan"):
                if payload.get("command") == "end" and self._end_orphan(session_id):
                    return TurnView(session_id=session_id, done=True, note=ORPHAN_NOTE)
                raise UsageError(f"no session {session_id!r}")
            if state.next:  # a crash left a run half done: finish it first
                try:
                    self._finish_pending(session_id)
                except Exception:
                    self._keep_as_draft(session_id, payload.get("incoming"))
                    raise
                answered = self._values(session_id).get("prompt_kind")
                view = self._run(session_id, payload, on_text)
            else:
                answered = state.values.get("prompt_kind")
                view = self._run(session_id, payload, on_text, self._last_message_number(session_id))
            view.answered = answered if view.assessment is not None else None
            return view

    def _end_orphan(self, session_id: str) -> bool:
        """End a session the transcript store holds as active but whose checkpoint is gone
        (a deleted or repaired checkpoints file): its answers stay, it gets no report."""
        try:
            return self.transcripts.end_without_report(session_id)
        except NotFound:
            return False

    def _keep_as_draft(self, session_id: str, text: str | None) -> None:
        """The new answer could not even be taken (the turn before it still fails): keep it as
        the session's draft, so what the page calls saved is in the store."""
        if text and text.strip():
            self.transcripts.save_draft(session_id, text)

    def exists(self, session_id: str) -> bool:
        return bool(self.graph.get_state(self._config(session_id)).values.get("plan"))

    def history(self, session_id: str) -> TurnView:
        """The latest messages of a session (after finishing any interrupted run); the full
        record is in the transcript store."""
        with self.session_lock(session_id):
            if not self.exists(session_id):
                raise UsageError(f"no session {session_id!r}")
            self._finish_pending(session_id)
            return self._view(session_id, -1)

    def latest_unfinished(self, user: str) -> str | None:
        """The newest active session that can be resumed; active ones whose checkpoint is gone
        cannot be, so they are ended on the way (their answers stay)."""
        for session in self.transcripts.sessions(user=user, status="active"):
            if self.exists(session["id"]):
                return session["id"]
            self._end_orphan(session["id"])
        return None

    def model_answer(self, session_id: str) -> ModelAnswer:
        """A strong answer to the question just assessed (the open one, else the last closed
        one), with the candidate's missed points marked."""
        if self.citer is None:
            raise UsageError("model answers need the guide index")
        if not self.exists(session_id):
            raise UsageError(f"no session {session_id!r}")
        values = self._values(session_id)
        exam, first_try = values.get("last_exam"), values.get("first_try")
        if exam is not None or first_try is not None:
            question = asked_question(self.context.bank, values["plan"][values["index"]])
            covered = set(covered_so_far(exam)) | set(first_try["covered_ids"] if first_try else [])
            missed = [kp.id for kp in question.key_points if kp.id not in covered]
        else:
            answered = [r for r in values.get("results", []) if not r["skipped"]]
            if not answered:
                raise UsageError(NO_MODEL_ANSWER)
            question = self.context.bank.get(answered[-1]["question_id"])
            missed = answered[-1]["missed_ids"]
        return build_model_answer(question, self.citer, missed)

    def state(self, session_id: str) -> InterviewState:
        return self._values(session_id)
