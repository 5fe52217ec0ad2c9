"""What an examiner produces, as validated pydantic models. Graph state and the stores keep
them as plain records (``Assessment.record()``, typed in ``agent.records``), never as objects."""

from __future__ import annotations

from typing import cast

from pydantic import BaseModel, Field

from agent.records import DIMENSIONS, AssessmentRecord, Dimension, Flag
from knowledge.taxonomy import Topic

__all__ = ["DIMENSIONS", "WEAK_BELOW", "Assessment", "Citation", "Dimension", "Flag"]

# A topic (in memory) or a session topic (in the report) below this mastery is weak.
WEAK_BELOW = 6.0


class Citation(BaseModel):
    section: str
    quote: str


class Correction(BaseModel):
    """A misconception the answer asserted: the candidate's words and what is true instead."""

    said: str
    correction: str
    section: str


class Assessment(BaseModel):
    question_id: str | None
    topic: Topic
    score: float = Field(ge=0, le=10)
    dimensions: dict[Dimension, int]
    covered: list[str] = Field(description="Key points the answer made (their statements).")
    missed: list[str] = Field(description="Key points the answer did not make.")
    critique: str
    citations: list[Citation]
    follow_up: str | None = None
    covered_ids: list[str] = Field(default_factory=list)
    missed_ids: list[str] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="Visible notes, e.g. that the answer was truncated.")
    said: list[str] = Field(default_factory=list, description="The candidate's own words that made covered points.")
    corrections: list[Correction] = Field(default_factory=list)
    held: list[str] = Field(
        default_factory=list, description="What held the score down and what it cost (the offline examiner's own)."
    )

    def record(self) -> AssessmentRecord:
        """The plain-data form kept in state and stores, and printed by ``--json``."""
        return cast(AssessmentRecord, self.model_dump(mode="json"))
