"""The data the interviewer produces, typed. Graph state stores these as plain dicts
(``model_dump()``), never as objects."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, Field

# A topic (in memory) or a session topic (in the report) below this mastery is weak.
WEAK_BELOW = 6.0

Dimension = Literal["definition", "intuition", "example", "tradeoffs", "measurement"]
DIMENSIONS: tuple[str, ...] = get_args(Dimension)

# Why an answer was marked down regardless of its content.
Flag = Literal[
    "empty",
    "no_attempt",
    "keyword_list",
    "copied_question",
    "off_topic",
    "grader_instruction",
    "truncated",
]


class Citation(BaseModel):
    section: str
    quote: str


class Assessment(BaseModel):
    question_id: str | None
    topic: str
    score: float = Field(ge=0, le=10)
    dimensions: dict[str, int]
    covered: list[str] = Field(description="Key points the answer made (their statements).")
    missed: list[str] = Field(description="Key points the answer did not make.")
    critique: str
    citations: list[Citation]
    follow_up: str | None = None
    covered_ids: list[str] = Field(default_factory=list)
    missed_ids: list[str] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="Visible notes, e.g. that the answer was truncated.")

    def public(self) -> dict[str, object]:
        """The JSON shape the CLI prints (`assess --json`, `simulate --json`)."""
        return self.model_dump(mode="json")
