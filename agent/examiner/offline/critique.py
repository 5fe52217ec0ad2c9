"""Turning coverage evidence into words: the critique, its citations and the follow-up.

Citations quote the guide section each missed key point names, taken from the indexed
passages of that section, so a critique never cites a section that does not hold the point.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent import prompts
from agent.examiner.answer_text import phrase_in, split_sentences
from agent.examiner.models import DIMENSIONS, Citation
from agent.examiner.offline.coverage import PointEvidence
from knowledge.lexical import tokenize
from knowledge.question_bank import KeyPoint, Question
from knowledge.retrieval import HybridRetriever
from knowledge.taxonomy import TOPIC_TITLES

QUOTE_CHARS = 240


class Citer:
    """Finds the sentence of a key point's own section that best states the point."""

    def __init__(self, retriever: HybridRetriever) -> None:
        self.retriever = retriever
        self._cache: dict[tuple[str, str], Citation | None] = {}

    def cite(self, point: KeyPoint) -> Citation | None:
        key = (point.section, point.point)
        if key not in self._cache:
            self._cache[key] = self._find(point)
        return self._cache[key]

    def _find(self, point: KeyPoint) -> Citation | None:
        passages = self.retriever.section_passages(point.section)
        wanted = set(tokenize(point.point))
        best: tuple[float, str] | None = None
        for passage in passages:
            for sentence in split_sentences(passage.text):
                stems = tokenize(sentence)
                alias_hits = sum(1 for alias in point.aliases if phrase_in(alias, stems))
                overlap = len(wanted & set(stems)) / max(1, len(wanted))
                score = 2.0 * alias_hits + overlap
                if best is None or score > best[0]:
                    best = (score, sentence)
        if best is None:
            return None
        quote = best[1].lstrip("-> ").strip()
        if len(quote) > QUOTE_CHARS:
            quote = quote[: QUOTE_CHARS - 1].rstrip() + "…"
        return Citation(section=point.section, quote=quote)


def band(score: float) -> str:
    if score >= 8:
        return prompts.render("band_strong")
    if score >= 6:
        return prompts.render("band_solid")
    if score >= 3.5:
        return prompts.render("band_partial")
    return prompts.render("band_weak")


def _join(items: list[str]) -> str:
    items = [i.rstrip(".") for i in items]
    if len(items) <= 1:
        return "".join(items)
    return "; ".join(items[:-1]) + "; and " + items[-1]


@dataclass(frozen=True)
class CritiqueParts:
    score: float
    evidence: list[PointEvidence]
    dimensions: dict[str, int]
    flags: list[str]
    tendencies: tuple[str, ...]
    topic: str
    other_topic: str | None = None
    truncated_from: int | None = None
    limit: int = 0


def flag_lines(parts: CritiqueParts) -> list[str]:
    return [_flag_line(flag, parts) for flag in parts.flags]


def write_critique(parts: CritiqueParts) -> str:
    lines = [prompts.render("critique_verdict", score=f"{parts.score:g}", band=band(parts.score))]
    lines.extend(flag_lines(parts))
    covered = [e.key_point.point for e in parts.evidence if e.covered]
    named = [e.matched or "" for e in parts.evidence if e.credit == 0.5]
    missed = [e.key_point.point for e in parts.evidence if not e.covered]
    strong_dims = [d for d in DIMENSIONS if parts.dimensions.get(d, 0) == 2]
    good = covered + [f"a clear {d} step" for d in strong_dims if d != "definition"]
    if good and "grader_instruction" not in parts.flags:
        lines.append(prompts.render("critique_good", items=_join(good)))
    if named:
        lines.append(prompts.render("critique_named_only", items=_join([f"“{n}”" for n in named])))
    if missed:
        lines.append(prompts.render("critique_missed", items=_join(missed)))
    again = [e.key_point.point for e in parts.evidence if not e.covered and e.key_point.id in parts.tendencies]
    if again:
        lines.append(prompts.render("critique_tendency", items=_join(again)))
    weakest = [d for d in DIMENSIONS if parts.dimensions.get(d, 0) == 0][:2]
    lines.extend(prompts.render(f"tip_{d}") for d in weakest)
    return " ".join(lines)


def _flag_line(flag: str, parts: CritiqueParts) -> str:
    if flag == "off_topic":
        other = TOPIC_TITLES.get(parts.other_topic or "", "another topic")
        return prompts.render(
            "critique_flag_off_topic", other_topic=other, topic=TOPIC_TITLES.get(parts.topic, parts.topic)
        )
    if flag == "truncated":
        return prompts.render("critique_flag_truncated", chars=f"{parts.truncated_from:,}", limit=f"{parts.limit:,}")
    return prompts.render(f"critique_flag_{flag}")


def choose_follow_up(
    question: Question,
    evidence: list[PointEvidence],
    dimensions: dict[str, int],
    asked: tuple[str, ...],
    tendencies: tuple[str, ...],
) -> tuple[str, str] | None:
    """(probe id, text) of the next deep dive, or None if there is nothing worth asking."""
    missed = [e for e in evidence if not e.covered and f"kp:{e.key_point.id}" not in asked]
    if missed:
        order = {kp.id: i for i, kp in enumerate(question.key_points)}
        missed.sort(key=lambda e: (-e.key_point.weight, e.key_point.id not in tendencies, order[e.key_point.id]))
        target = missed[0].key_point
        said = [e for e in evidence if e.covered and e.matched not in (None, "restated", "paraphrased")]
        lead = (
            prompts.render("lead_acknowledge", phrase=f"“{said[0].matched}”")
            if said
            else prompts.render("lead_neutral")
        )
        return f"kp:{target.id}", prompts.render("follow_up_missed", lead=lead, probe=target.probe)
    remaining = [(i, p) for i, p in enumerate(question.probes) if f"probe:{i}" not in asked]
    if not remaining:
        return None
    remaining.sort(key=lambda ip: dimensions.get(ip[1].kind, 0))
    index, probe = remaining[0]
    return f"probe:{index}", prompts.render("follow_up_strong", lead=prompts.render("lead_strong"), probe=probe.text)
