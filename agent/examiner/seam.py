"""The seam between the interviewer and whoever judges answers.

Both backends — the offline examiner and the LLM examiner — implement :class:`Examiner`
and return the same :class:`ExamResult`; the graph never knows which one it has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from agent.examiner.models import Assessment
from agent.records import Backend, CallUsage, EarlierQuestion, HistoryLine
from knowledge.question_bank import Question
from knowledge.taxonomy import Role

MAX_FOLLOW_UPS = 2


@dataclass(frozen=True)
class AskedFollowUp:
    """The follow-up question the latest answer replies to."""

    text: str
    probe_id: str | None = None  # "kp:<key point id>", "probe:<index>" or "llm:<n>"


@dataclass(frozen=True)
class ExamRequest:
    question: Question
    answer: str  # everything the candidate has said about this question so far
    latest: str  # this turn's message alone
    answer_chars: int | None = None  # full length when ``answer`` had to be trimmed
    follow_ups_asked: int = 0
    asked_probes: tuple[str, ...] = ()
    tendencies: tuple[str, ...] = ()  # key point ids this user has missed before
    similar_misses: tuple[str, ...] = ()  # points missed on other questions, close in meaning
    history: tuple[HistoryLine, ...] = field(default=())  # recent conversation, oldest first
    earlier: tuple[EarlierQuestion, ...] = ()  # closed questions: topic, score, missed points
    role: Role = "ml_engineer"
    on_text: Callable[[str], None] | None = None  # receives the visible reply as it streams
    follow_up: AskedFollowUp | None = None  # set when ``latest`` answers a follow-up
    covered_before: tuple[str, ...] = ()  # key point ids the thread already made (not asked again)
    recent_wording: tuple[str, ...] = ()  # phrasings of the session's latest follow-ups, oldest first


@dataclass(frozen=True)
class ExamResult:
    assessment: Assessment
    backend: Backend
    note: str | None = None  # shown to the candidate in one line, e.g. a fallback reason
    probe_id: str | None = None  # which probe the follow-up used, so it is not asked twice
    usage: CallUsage | None = None  # tokens and requests, when a model was called
    flag_lines: tuple[str, ...] = ()  # why the answer was capped, in the critique's words
    wording: tuple[str, ...] = ()  # phrasings the follow-up used (rotated across the session)


class Examiner(Protocol):
    name: Backend
    uses_similar_misses: bool  # whether ExamRequest.similar_misses is worth looking up

    def examine(self, request: ExamRequest) -> ExamResult: ...
