"""Turning coverage evidence into words: the critique and the follow-up."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent import prompts
from agent.examiner.bands import band_label
from agent.examiner.models import DIMENSIONS
from agent.examiner.offline.evidence import PointEvidence
from agent.records import Dimension, Flag
from knowledge.question_bank import Question
from knowledge.taxonomy import TOPIC_TITLES, Topic


def _clip(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _join(items: list[str]) -> str:
    items = [i.rstrip(".") for i in items]
    if len(items) <= 1:
        return "".join(items)
    return "; ".join(items[:-1]) + "; and " + items[-1]


@dataclass(frozen=True)
class CritiqueParts:
    score: float
    evidence: list[PointEvidence]
    dimensions: dict[Dimension, int]
    flags: list[Flag]
    tendencies: tuple[str, ...]
    topic: Topic
    answered_instead: Question | None = None
    truncated_from: int | None = None
    limit: int = 0
    misconceptions: list[tuple[str, str]] = field(default_factory=list)  # (the candidate's sentence, correction)


def flag_lines(parts: CritiqueParts) -> list[str]:
    return [_flag_line(flag, parts) for flag in parts.flags]


def write_critique(parts: CritiqueParts) -> str:
    lines = [prompts.render("critique_verdict", score=f"{parts.score:g}", band=band_label(parts.score))]
    lines.extend(flag_lines(parts))
    covered = [e.key_point.point for e in parts.evidence if e.covered]
    missed = [e.key_point.point for e in parts.evidence if not e.covered]
    strong_dims = [d for d in DIMENSIONS if parts.dimensions.get(d, 0) == 2]
    good = covered + [prompts.render("critique_clear_step", dimension=d) for d in strong_dims if d != "definition"]
    if good and "grader_instruction" not in parts.flags:
        lines.append(prompts.render("critique_good", items=_join(good)))
    for said, correction in parts.misconceptions:
        lines.append(prompts.render("critique_misconception", said=_clip(said), correction=correction))
    if missed:
        lines.append(prompts.render("critique_missed", items=_join(missed)))
    again = [e.key_point.point for e in parts.evidence if not e.covered and e.key_point.id in parts.tendencies]
    if again:
        lines.append(prompts.render("critique_tendency", items=_join(again)))
    weakest = [d for d in DIMENSIONS if parts.dimensions.get(d, 0) == 0][:2]
    lines.extend(prompts.render(f"tip_{d}") for d in weakest)
    return " ".join(lines)


def _flag_line(flag: Flag, parts: CritiqueParts) -> str:
    if flag == "off_topic":
        other = parts.answered_instead
        if other is not None and other.topic == parts.topic:
            return prompts.render("critique_flag_other_question", other_question=other.question)
        title = TOPIC_TITLES[other.topic] if other is not None else "another topic"
        return prompts.render("critique_flag_off_topic", other_topic=title, topic=TOPIC_TITLES[parts.topic])
    if flag == "truncated":
        return prompts.render("critique_flag_truncated", chars=f"{parts.truncated_from:,}", limit=f"{parts.limit:,}")
    return prompts.render(f"critique_flag_{flag}")
