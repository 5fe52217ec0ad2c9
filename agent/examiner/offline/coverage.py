"""Which rubric key points an answer makes, with the sentence that shows it.

A point counts as made when an explanatory sentence of the answer names it (one of its
aliases), restates it (most of its content words), or says something close to it in
meaning (embedding similarity). Naming a point only inside a list of terms earns half
credit: the interviewer heard the word, not an explanation. An alias that merely echoes
the question's own words is no evidence at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agent.examiner.answer_text import content_stems, is_explanatory, phrase_in
from knowledge.lexical import Embed, tokenize
from knowledge.question_bank import KeyPoint, Question

RESTATEMENT_OVERLAP = 0.5
SEMANTIC_SIMILARITY = 0.62


@dataclass(frozen=True)
class PointEvidence:
    key_point: KeyPoint
    credit: float  # 1.0 explained, 0.5 only named, 0.0 absent
    sentence: str | None
    matched: str | None  # the alias or "restated"/"paraphrased"

    @property
    def covered(self) -> bool:
        return self.credit >= 1.0


def _useful_aliases(point: KeyPoint, question: Question) -> list[str]:
    asked = tokenize(question.question)
    return [a for a in point.aliases if not phrase_in(a, asked)]


def assess_coverage(question: Question, sentences: list[str], embed: Embed) -> list[PointEvidence]:
    explanatory = [s for s in sentences if is_explanatory(s)]
    fragments = [s for s in sentences if not is_explanatory(s)]
    stems = {s: tokenize(s) for s in sentences}
    similarity = _similarities(question, explanatory, embed)
    evidence = []
    for row, point in enumerate(question.key_points):
        evidence.append(_evidence_for(point, question, explanatory, fragments, stems, similarity[row]))
    return evidence


def _similarities(question: Question, sentences: list[str], embed: Embed) -> np.ndarray:
    if not sentences:
        return np.zeros((len(question.key_points), 0), dtype=np.float32)
    points = embed([kp.point for kp in question.key_points])
    said = embed(sentences)
    return np.asarray(points @ said.T, dtype=np.float32)


def _evidence_for(
    point: KeyPoint,
    question: Question,
    explanatory: list[str],
    fragments: list[str],
    stems: dict[str, list[str]],
    similarity: np.ndarray,
) -> PointEvidence:
    aliases = _useful_aliases(point, question)
    for sentence in explanatory:
        for alias in aliases:
            if phrase_in(alias, stems[sentence]):
                return PointEvidence(point, 1.0, sentence, alias)
    wanted = content_stems(point.point) - content_stems(question.question)
    if len(wanted) >= 2:
        for sentence in explanatory:
            if len(wanted & set(stems[sentence])) / len(wanted) >= RESTATEMENT_OVERLAP:
                return PointEvidence(point, 1.0, sentence, "restated")
    if similarity.size and float(similarity.max()) >= SEMANTIC_SIMILARITY:
        best = int(similarity.argmax())
        return PointEvidence(point, 1.0, explanatory[best], "paraphrased")
    for sentence in fragments:
        for alias in aliases:
            if phrase_in(alias, stems[sentence]):
                return PointEvidence(point, 0.5, sentence, alias)
    return PointEvidence(point, 0.0, None, None)


def coverage_ratio(evidence: list[PointEvidence]) -> float:
    total = sum(e.key_point.weight for e in evidence)
    return sum(e.key_point.weight * e.credit for e in evidence) / total if total else 0.0
