"""The interview's state as the checkpointer stores it: plain JSON-like data only."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

RECENT_MESSAGES = 16


def keep_recent(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Append new chat messages, numbering them, and keep only the most recent ones.

    Checkpoints store the state after every step, so an ever-growing chat would make them
    grow with the square of the session's length; the full record is in the transcript
    store. The numbers let a caller pick out the messages a run added.
    """
    start = (left[-1]["n"] + 1) if left else 0
    numbered = [{**message, "n": start + i} for i, message in enumerate(right)]
    return (left + numbered)[-RECENT_MESSAGES:]


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
    messages: Annotated[list[dict[str, Any]], keep_recent]  # the latest chat messages, numbered
    usage: dict[str, Any]  # running token/cost totals
    report: dict[str, Any] | None
    ending: bool  # the candidate asked to end early
    done: bool
