"""Matching a free-text question to the bank, or building a rubric from the guide.

``mock-interview assess`` takes any question. If one of the bank's questions says the
same thing, its rubric is used; otherwise the rubric is made from the guide passages
retrieved for the question, so the answer is still judged against the guide.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from agent import prompts
from agent.examiner.answer_text import split_sentences
from knowledge.lexical import STOPWORDS, TOKEN, Embed, tokenize
from knowledge.question_bank import KeyPoint, Probe, Question, QuestionBank
from knowledge.retrieval import HybridRetriever
from knowledge.taxonomy import section_topics

# A bank question matches when word overlap plus embedding similarity is high, or when it
# is clearly ahead of every other question and shares some words (calibrated by hand on
# paraphrases of bank questions and on unrelated questions).
MATCH_SCORE = 0.85
MATCH_SCORE_WITH_MARGIN = 0.5
MATCH_MARGIN = 0.2
MATCH_MIN_OVERLAP = 0.1


@dataclass(frozen=True)
class Match:
    question: Question
    similarity: float  # 1.0 for an exact match; for an ad-hoc rubric, 0.0
    from_bank: bool


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class QuestionMatcher:
    def __init__(self, bank: QuestionBank, retriever: HybridRetriever, embed: Embed) -> None:
        self.bank = bank
        self.retriever = retriever
        self.embed = embed
        self._stems = [set(tokenize(q.question)) for q in bank.questions]
        self._vectors = embed([q.question for q in bank.questions])
        chunks = [set(tokenize(r.text)) for r in retriever.guide.records]
        self._document_frequency = {w: sum(w in c for c in chunks) for c in chunks for w in c}

    def match(self, text: str) -> Match:
        stems = set(tokenize(text))
        overlaps = np.array([_overlap(stems, s) for s in self._stems])
        combined = overlaps + self._vectors @ self.embed([text])[0]
        order = np.argsort(-combined)
        best, runner_up = int(order[0]), float(combined[order[1]]) if len(order) > 1 else 0.0
        score = float(combined[best])
        ahead = score >= MATCH_SCORE_WITH_MARGIN and score - runner_up >= MATCH_MARGIN
        if score >= MATCH_SCORE or (ahead and overlaps[best] >= MATCH_MIN_OVERLAP):
            return Match(self.bank.questions[best], round(score / 2, 3), True)
        return Match(self.adhoc_rubric(text), 0.0, False)

    def _key_terms(self, sentence: str, asked: set[str]) -> list[str]:
        """The sentence's rarest content words (in the guide), skipping the question's own."""
        words = [w for w in dict.fromkeys(TOKEN.findall(sentence.lower())) if w not in STOPWORDS and len(w) >= 4]
        fresh = [w for w in words if tokenize(w) and tokenize(w)[0] not in asked]
        fresh.sort(key=lambda w: self._document_frequency.get(tokenize(w)[0], 0))
        return fresh[:4]

    def adhoc_rubric(self, text: str) -> Question:
        """Key points are the guide sentences that best answer ``text``, one per passage."""
        asked = set(tokenize(text))
        points: list[KeyPoint] = []
        for passage in self.retriever.search(text, 4):
            sentences = [s.lstrip("-> ").strip() for s in split_sentences(passage.text) if "|" not in s]
            sentences = [s for s in sentences if len(s.split()) >= 5]
            if not sentences:
                continue
            best = max(sentences, key=lambda s: len(asked & set(tokenize(s))))
            aliases = self._key_terms(best, asked)
            if not aliases or any(kp.point == best for kp in points):
                continue
            points.append(
                KeyPoint(
                    id=f"p{len(points) + 1}",
                    point=best,
                    aliases=aliases,
                    section=passage.section,
                    weight=2,
                    probe=prompts.render("adhoc_probe", point=best),
                )
            )
            if len(points) == 4:
                break
        topic = ((section_topics(points[0].section) if points else ()) or ("fundamentals",))[0]
        digest = hashlib.sha1(text.encode()).hexdigest()[:8]
        return Question(
            id=f"adhoc-{digest}",
            topic=topic,
            roles={"ml_engineer": 1.0, "researcher": 1.0, "data_scientist": 1.0, "product": 1.0},
            difficulty=2,
            question=text if len(text) >= 15 else f"{text} (explain)".ljust(15),
            key_points=points[:6] if len(points) >= 3 else [*points, *_filler(3 - len(points))],
            probes=[
                Probe(kind="tradeoffs", text=prompts.render("adhoc_probe_tradeoffs")),
                Probe(kind="measurement", text=prompts.render("adhoc_probe_measurement")),
            ],
            model_answer=[kp.point for kp in points] or ["Define it.", "Explain it.", "Measure it."],
        )


def _filler(count: int) -> list[KeyPoint]:
    """Framework points so a thin retrieval still yields a 3-point rubric."""
    section = "How to answer Generative AI Interview Questions in a structured way > Talk tradeoffs like a practitioner"
    generic = [
        (
            "tradeoffs",
            "State the tradeoffs: data vs compute, latency vs accuracy, reliability vs flexibility.",
            ["tradeoff", "trade-off", "at the cost of"],
        ),
        ("measurement", "Say how you would measure the result with concrete metrics.", ["measure", "metric"]),
        ("example", "Give a concrete example with measurable results.", ["for example", "for instance"]),
    ]
    out = []
    for key, point, aliases in generic[:count]:
        out.append(
            KeyPoint(
                id=f"f_{key}",
                point=point,
                aliases=aliases,
                section=section,
                weight=1,
                probe=prompts.render("adhoc_probe", point=point),
            )
        )
    return out
