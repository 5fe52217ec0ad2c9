"""What the LLM returns for one answer, and the JSON schema sent for it, built per request.

The schema is bounded by what this request allows: key points are an object with exactly
one entry per rubric id (an array of ids could repeat one or leave one out), passage ids
an enum of the passages sent, the framework dimensions integers 0-2, the score an integer
0-10, strings and lists capped. Servers that enforce a schema by grammar (llama.cpp, vLLM)
then cannot write most nonsense at all, and a looping model is stopped at a string's cap
instead of at the reply's token cap. OpenAI's strict mode accepts only a subset (no numeric
or length bounds), so for api.openai.com the bounds are left out and checked after parsing
(``checks``), as they are for every server.

Field order matters: the model writes the judgement first and the visible message last, so
the message can react to its own assessment, and the message is what streams.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.records import DIMENSIONS

# Caps sized so that a reply writing every string to its cap still fits 900 tokens (the
# default reply cap); a smaller cap scales them down. On llama-server, a model that loops
# inside a string is then cut by the string's cap, not by the reply's token cap (measured
# with SmolLM2-135M: with caps summing past the reply cap, every reply ended in a length
# stop, and sampling under a long bounded string slowed to under one token a second).
EVIDENCE_CHARS = 160
QUOTE_CHARS = (8, 120)
CRITIQUE_CHARS = (40, 400)
MESSAGE_CHARS = (12, 300)
MAX_CITATIONS = 3
FULL_REPLY_TOKENS = 900


class _Reply(BaseModel):
    # Extra keys are ignored: a json_mode reply may add some; what is needed must be there.
    model_config = ConfigDict(extra="ignore")


class PointJudgement(_Reply):
    covered: bool
    evidence: str = Field(default="", description="the candidate's words that make the point, or '' if missed")


class PassageCitation(_Reply):
    passage: str  # a passage id from the prompt, e.g. "P2"
    quote: str  # words copied from that passage


class Judgement(_Reply):
    """The two-step mode's first call: the judgement alone."""

    key_points: dict[str, PointJudgement]
    dimensions: dict[str, float]
    score: float
    critique: str
    next_action: Literal["follow_up", "next_question"]


class InterviewerTurn(Judgement):
    """The one-call mode's reply: the judgement, its citations, and what to say next."""

    citations: list[PassageCitation] = Field(default_factory=list)
    message: str


def _string(bounds: tuple[int, int] | int, bounded: bool, scale: float = 1.0) -> dict[str, Any]:
    low, high = bounds if isinstance(bounds, tuple) else (0, bounds)
    if not bounded:
        return {"type": "string"}
    high = max(low + 20, int(high * scale))
    return {"type": "string", "maxLength": high, **({"minLength": low} if low else {})}


def _scale(reply_tokens: int) -> float:
    return min(1.0, reply_tokens / FULL_REPLY_TOKENS)


def _integer(high: int, bounded: bool) -> dict[str, Any]:
    return {"type": "integer", "minimum": 0, "maximum": high} if bounded else {"type": "integer"}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def judgement_properties(
    rubric_ids: list[str], follow_ups_left: int, bounded: bool, reply_tokens: int = FULL_REPLY_TOKENS
) -> dict[str, Any]:
    scale = _scale(reply_tokens)
    point = _object({"covered": {"type": "boolean"}, "evidence": _string(EVIDENCE_CHARS, bounded, scale)})
    actions = ["follow_up", "next_question"] if follow_ups_left > 0 else ["next_question"]
    return {
        "key_points": _object({rid: point for rid in rubric_ids}),
        "dimensions": _object({d: _integer(2, bounded) for d in DIMENSIONS}),
        "score": _integer(10, bounded),
        "critique": _string(CRITIQUE_CHARS, bounded, scale),
        "next_action": {"type": "string", "enum": actions},
    }


def turn_schema(
    rubric_ids: list[str],
    passage_ids: list[str],
    follow_ups_left: int,
    bounded: bool,
    reply_tokens: int = FULL_REPLY_TOKENS,
) -> dict[str, Any]:
    """The schema of one answer's reply in the one-call mode, its string caps fitted to ``reply_tokens``."""
    scale = _scale(reply_tokens)
    passage: dict[str, Any] = {"type": "string", "enum": passage_ids} if passage_ids else {"type": "string"}
    citations: dict[str, Any] = {
        "type": "array",
        "items": _object({"passage": passage, "quote": _string(QUOTE_CHARS, bounded, scale)}),
    }
    if bounded:
        citations["maxItems"] = min(MAX_CITATIONS, len(passage_ids))
    properties = judgement_properties(rubric_ids, follow_ups_left, bounded, reply_tokens)
    properties["citations"] = citations
    properties["next_action"] = properties.pop("next_action")  # judgement, then what to do, then the words
    properties["message"] = _string(MESSAGE_CHARS, bounded, scale)
    return _object(properties)


def judgement_schema(
    rubric_ids: list[str], follow_ups_left: int, bounded: bool, reply_tokens: int = FULL_REPLY_TOKENS
) -> dict[str, Any]:
    """The schema of the two-step mode's first call."""
    return _object(judgement_properties(rubric_ids, follow_ups_left, bounded, reply_tokens))
