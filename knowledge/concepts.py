"""The shared domain concept lexicon (``concepts.yaml``): how practitioners name things.

One entry per concept (KV cache, LoRA, canary release, FID…) with its topics and the
phrasings that name it. The examiner uses it to credit correct depth that goes beyond a
question's rubric, in the candidate's own words, and the same synonyms serve every question.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from knowledge.taxonomy import Topic
from knowledge.yaml_files import load_entries

CONCEPTS_PATH = Path(__file__).with_name("concepts.yaml")


class Concept(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    concept: str = Field(pattern=r"^[a-z0-9_]+$")
    topics: list[Topic] = Field(min_length=1)
    phrases: list[str] = Field(min_length=1)


class ConceptLexicon:
    def __init__(self, concepts: list[Concept]) -> None:
        self.concepts = concepts

    @classmethod
    def load(cls, path: Path = CONCEPTS_PATH) -> ConceptLexicon:
        concepts = load_entries(path, Concept, "concepts")
        return cls(concepts)
