"""The guide's answer framework as five scored dimensions, 0–2 each.

definition → intuition → example → tradeoffs → measurement. Each dimension looks for
the moves a good answer makes (a defining sentence, an analogy, a concrete project with
a number, a cost named against a benefit, a metric); one move earns 1, two distinct
moves (or a move backed by a number) earn 2.
"""

from __future__ import annotations

import re

from agent.examiner.answer_text import is_explanatory
from agent.records import Dimension

NUMBER = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:%|ms|s\b|x\b|k\b|m\b|gb|tokens?|steps?|hours?|days?|users?|requests?)?", re.I
)
DEFINITION = re.compile(
    r"\b(is|are|means|refers to|is when|is basically|is essentially|is simply|describes|defined as|stands for)\b", re.I
)

CUES: dict[Dimension, tuple[str, ...]] = {
    "intuition": (
        "think of",
        "intuitively",
        "intuition",
        "imagine",
        "like a",
        "analogy",
        "the idea is",
        "in other words",
        "picture it",
        "because",
        "so that",
        "which means",
        "that's why",
        "the reason",
        "roughly",
        "essentially",
        "kind of like",
        "similar to",
        "acts like",
        "the way i think",
    ),
    "example": (
        "for example",
        "for instance",
        "e.g.",
        "such as",
        "in my",
        "we built",
        "i built",
        "at my",
        "in our",
        "project",
        "we shipped",
        "we deployed",
        "i worked",
        "we used",
        "last year",
        "case study",
        "in production",
        "stable diffusion",
        "stylegan",
        "chatgpt",
        "gpt",
        "llama",
        "bert",
        "clip",
    ),
    "tradeoffs": (
        "trade-off",
        "tradeoff",
        "trade off",
        "at the cost of",
        "however",
        "downside",
        "whereas",
        "versus",
        " vs",
        "on the other hand",
        "cost",
        "slower",
        "faster",
        "cheaper",
        "depends",
        "instead of",
        "balance",
        "risk",
        "but it",
        "but the",
        "drawback",
        "price of",
        "in exchange",
        "limitation",
    ),
    "measurement": (
        "measure",
        "metric",
        "track",
        "monitor",
        "evaluat",
        "benchmark",
        "a/b",
        "fid",
        "bleu",
        "rouge",
        "perplexity",
        "latency",
        "precision",
        "recall",
        "accuracy",
        "p95",
        "p99",
        "kpi",
        "dashboard",
        "eval set",
        "human eval",
        "rating",
        "win rate",
        "hallucination rate",
        "cost per",
        "success rate",
        "ab test",
    ),
}


def _distinct_cues(text: str, cues: tuple[str, ...]) -> int:
    lowered = f" {text.lower()} "
    return sum(1 for cue in cues if cue in lowered)


def score_dimensions(sentences: list[str], topic_terms: set[str]) -> dict[Dimension, int]:
    """Scores for the explanatory part of an answer; ``topic_terms`` are the question's stems."""
    explained = [s for s in sentences if is_explanatory(s)]
    text = " ".join(explained)
    scores: dict[Dimension, int] = {"definition": _definition(explained, topic_terms)}
    for dimension, cues in CUES.items():
        hits = _distinct_cues(text, cues)
        backed = dimension in ("example", "measurement") and hits >= 1 and bool(NUMBER.search(text))
        scores[dimension] = 2 if hits >= 2 or backed else min(hits, 1)
    return scores


def _definition(sentences: list[str], topic_terms: set[str]) -> int:
    from knowledge.lexical import tokenize

    defining = [s for s in sentences if DEFINITION.search(s)]
    if not defining:
        return 0
    early = [s for s in sentences[:3] if s in defining and topic_terms & set(tokenize(s))]
    return 2 if early else 1
