"""The interview's state as the checkpointer stores it: plain JSON-like data only."""

from __future__ import annotations

from typing import Annotated, TypedDict

from agent.records import (
    ChatMessage,
    Command,
    ExamRecord,
    JobRecord,
    PlannedQuestion,
    ProjectRecord,
    PromptKind,
    QuestionResult,
    QuestionView,
    Report,
    SessionUsage,
)
from knowledge.taxonomy import Role

RECENT_MESSAGES = 16


def keep_recent(left: list[ChatMessage], right: list[ChatMessage]) -> list[ChatMessage]:
    """Append new chat messages, numbering them, and keep only the most recent ones.

    Checkpoints store the state after every step, so an ever-growing chat would make them
    grow with the square of the session's length; the full record is in the transcript
    store. The numbers let a caller pick out the messages a run added.
    """
    start = (left[-1].get("n", -1) + 1) if left else 0
    numbered: list[ChatMessage] = [{**message, "n": start + i} for i, message in enumerate(right)]
    return (left + numbered)[-RECENT_MESSAGES:]


class InterviewState(TypedDict, total=False):
    # Set once by the first run of a session.
    session_id: str
    user: str
    role: Role
    question_count: int
    seed: int | None
    difficulty: int | None
    job: JobRecord | None  # the job description the session is tailored to
    projects: list[ProjectRecord]  # the candidate's projects (the first gets the deep dive)
    plan: list[PlannedQuestion]
    # Where the interview stands.
    index: int  # position in ``plan`` of the question being discussed
    seq: int  # transcript turn number of the prompt now awaiting an answer
    prompt_kind: PromptKind
    incoming: str | None  # the candidate's message for this run
    command: Command | None  # or the command they gave instead
    thread_answers: list[str]  # everything said about the current question
    follow_ups: int
    asked_probes: list[str]
    wording: list[str]  # phrasings of the session's latest follow-ups (prompts/follow_ups.yaml)
    last_exam: ExamRecord | None
    first_try: QuestionView | None  # the question's best standing before a /retry
    results: list[QuestionResult]  # one per closed question
    messages: Annotated[list[ChatMessage], keep_recent]  # the latest chat messages, numbered
    usage: SessionUsage  # running token/cost totals
    report: Report | None
    ending: bool  # the candidate asked to end early
    done: bool
