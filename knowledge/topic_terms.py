"""How job descriptions name the interview topics (``topic_terms.yaml``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from knowledge.taxonomy import Topic
from knowledge.yaml_files import load_entries

TERMS_PATH = Path(__file__).with_name("topic_terms.yaml")


class TopicTerms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    topic: Topic
    terms: list[str] = Field(min_length=1)


def load_topic_terms(path: Path = TERMS_PATH) -> list[TopicTerms]:
    return load_entries(path, TopicTerms, "topic terms")
