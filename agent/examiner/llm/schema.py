"""What the LLM returns for one answer: its judgement and the interviewer's next words.

Field order matters: the model writes the judgement first and the visible message last,
so the message can react to its own assessment, and the message is what streams.
Ranges are checked after parsing, not in the schema, because strict JSON-schema modes of
some servers reject numeric bounds.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KeyPointJudgement(_Closed):
    id: str
    covered: bool
    evidence: str  # the candidate's words that make the point, or "" if missed


class FrameworkScores(_Closed):
    definition: int
    intuition: int
    example: int
    tradeoffs: int
    measurement: int


class PassageCitation(_Closed):
    passage: str  # a passage id from the prompt, e.g. "P2"
    quote: str  # words copied from that passage


class InterviewerTurn(_Closed):
    key_points: list[KeyPointJudgement]
    dimensions: FrameworkScores
    score: float
    critique: str
    citations: list[PassageCitation]
    next_action: Literal["follow_up", "next_question"]
    message: str
