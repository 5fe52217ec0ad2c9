"""Checking a reply's meaning, not just its shape.

A reply can fit the schema and still be nonsense: a score of -1, a dimension of -1000, a
key point the rubric does not have (or one of its points left out), a passage that was not
sent, a critique of one word, a follow-up that is not a question. Such a reply is rejected
with a named reason (``nonsense_reply``; ``schema_mismatch`` when it is not the JSON asked
for) and asked for once more; it never reaches the candidate or the transcript.
"""

from __future__ import annotations

import json
import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from agent.examiner.llm.errors import ModelFailure
from agent.examiner.llm.schema import CRITIQUE_CHARS, MESSAGE_CHARS, InterviewerTurn, Judgement
from agent.records import DIMENSIONS

MIN_CRITIQUE_WORDS = 6
MIN_MESSAGE_WORDS = 5
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)

Reply = TypeVar("Reply", bound=BaseModel)


def _nonsense(detail: str) -> ModelFailure:
    return ModelFailure("nonsense_reply", detail)


def parse(text: str, model: type[Reply]) -> Reply:
    """The reply's JSON as ``model``, or ``schema_mismatch`` naming the first problem."""
    fenced = _FENCE.match(text)  # json_mode replies of small models often come fenced
    try:
        data = json.loads(fenced.group(1) if fenced else text)
    except json.JSONDecodeError:
        raise ModelFailure("schema_mismatch", "the reply was not JSON") from None
    if not isinstance(data, dict):
        raise ModelFailure("schema_mismatch", "the reply was not a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "reply"
        kind = "missing" if first["type"] == "missing" else "wrong type"
        raise ModelFailure("schema_mismatch", f"field {where}: {kind}") from None


def _words(text: str) -> int:
    return len(re.findall(r"[^\W_]+", text))


def check_judgement(turn: Judgement, rubric_ids: list[str]) -> None:
    unknown = sorted(set(turn.key_points) - set(rubric_ids))
    if unknown:
        raise _nonsense(f"unknown key point {unknown[0]!r}")
    missing = [rid for rid in rubric_ids if rid not in turn.key_points]
    if missing:
        raise _nonsense(f"no entry for key point {missing[0]!r}")
    for dimension in DIMENSIONS:
        value = turn.dimensions.get(dimension)
        if value is None:
            raise ModelFailure("schema_mismatch", f"field dimensions.{dimension}: missing")
        if value not in (0, 1, 2):
            raise _nonsense(f"{dimension} = {value:g} is not 0, 1 or 2")
    extra = sorted(set(turn.dimensions) - set(DIMENSIONS))
    if extra:
        raise _nonsense(f"unknown dimension {extra[0]!r}")
    if not 0 <= turn.score <= 10:
        raise _nonsense(f"score {turn.score:g} is outside 0-10")
    critique = turn.critique.strip()
    if _words(critique) < MIN_CRITIQUE_WORDS or len(critique) > CRITIQUE_CHARS[1] * 2:
        raise _nonsense(f"a critique of {_words(critique)} words")


def check_message(message: str, follow_up: bool) -> None:
    """The interviewer's words: a few words are not a message, and a follow-up asks something."""
    text = message.strip()
    if _words(text) < MIN_MESSAGE_WORDS:
        raise _nonsense(f"a message of {_words(text)} words")
    if len(text) > MESSAGE_CHARS[1] * 2:
        raise _nonsense(f"a message of {len(text)} characters")
    if follow_up and "?" not in text:
        raise _nonsense("the follow-up is not a question")


def check_turn(turn: InterviewerTurn, rubric_ids: list[str], passage_ids: list[str], follow_ups_left: int) -> None:
    """``follow_ups_left``: a follow-up when none is left is not asked (``reconcile``), so its
    message need not be a question."""
    check_judgement(turn, rubric_ids)
    for citation in turn.citations:
        if citation.passage.strip().strip("[]") not in passage_ids:
            raise _nonsense(f"cites passage {citation.passage[:12]!r}, which was not sent")
    check_message(turn.message, turn.next_action == "follow_up" and follow_ups_left > 0)
