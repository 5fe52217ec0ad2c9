"""The interview's state as the checkpointer stores it: plain JSON-like data only."""

from __future__ import annotations

from operator import add
from typing import Annotated, Any, TypedDict


class InterviewState(TypedDict, total=False):
    # Set once by the first run of a session.
    session_id: str
    user: str
    role: str
    question_count: int
    seed: int | None
    difficulty: int | None
    plan: list[dict[str, Any]]  # PlannedQuestion.as_dict() items
    # Where the interview stands.
    index: int  # position in ``plan`` of the question being discussed
    seq: int  # transcript turn number of the prompt now awaiting an answer
    prompt_kind: str  # "question" or "follow_up"
    incoming: str | None  # the candidate's message for this run
    thread_answers: list[str]  # everything said about the current question
    follow_ups: int
    asked_probes: list[str]
    last_exam: dict[str, Any] | None  # {"assessment", "backend", "note", "probe_id"}
    results: list[dict[str, Any]]  # one per closed question
    messages: Annotated[list[dict[str, Any]], add]  # the chat, appended to by nodes
    usage: dict[str, Any]  # running token/cost totals
    report: dict[str, Any] | None
    ending: bool  # the candidate asked to end early
    done: bool
