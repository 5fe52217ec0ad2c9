"""Agreement of an examiner with blind expert ratings (``eval/data/rated``).

Each item is assessed on its own: a main answer against its question; a follow-up reply
against the follow-up question that was asked (its probe), with the question as context.
The consensus is the mean of the three raters. Figures are reported per split; the goals
are checked on ``test``, which shares no question with ``tune``. ``fresh`` holds the answers of
writers none of whose answers is in ``tune`` or ``test``: never fitted or tuned on, it measures
what a new candidate's voice gets (the test half's writers also wrote tune answers).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agent.examiner.seam import AskedFollowUp, Examiner, ExamRequest
from knowledge.question_bank import QuestionBank

RATED = Path(__file__).resolve().parent / "data" / "rated" / "answers.yaml"
GAMING = {
    "keyword_list",
    "copied_question",
    "grader_instruction",
    "off_topic",
    "off_topic_salted",
    "no_attempt",
    "follow_up_gaming",
}
WRONG = {"confidently_wrong", "negated", "follow_up_wrong"}
SPLITS = ("tune", "test", "fresh")
GENUINE_FROM = 5.0  # a consensus at or above this is a genuine answer: it must never be flagged as gaming
GAMING_FLAGS = {"keyword_list", "copied_question", "grader_instruction", "off_topic", "no_attempt", "empty"}
RATED_GOALS = {
    "pearson": 0.8,
    "mae": 1.3,
    "within_2": 0.85,
    "false_gaming_flags": 0,
    "gaming_max": 2.0,
    "wrong_max": 3.0,
}


@dataclass(frozen=True)
class RatedItem:
    id: str
    question_id: str
    split: str
    intent: str
    answer: str
    follow_up: str | None
    consensus: float
    ratings: tuple[float, ...]
    writer: str = ""  # the helper agent that wrote it (w1, w2, …)


@dataclass(frozen=True)
class Scored:
    item: RatedItem
    score: float
    flags: tuple[str, ...]
    notes: tuple[str, ...]
    backend: str = "offline"  # the examiner that judged it ("offline" also when an LLM call fell back)


def load_items() -> list[RatedItem]:
    rows: list[dict[str, Any]] = yaml.safe_load(RATED.read_text(encoding="utf-8"))
    return [
        RatedItem(
            id=r["id"],
            question_id=r["question_id"],
            split=r["split"],
            intent=r["intent"],
            answer=r["answer"],
            follow_up=r.get("follow_up"),
            consensus=round(statistics.mean(r["ratings"]), 2),
            ratings=tuple(float(x) for x in r["ratings"]),
            writer=str(r.get("writer", "")),
        )
        for r in rows
    ]


def request_for(item: RatedItem, bank: QuestionBank) -> ExamRequest:
    question = bank.get(item.question_id)
    if item.follow_up is None:
        return ExamRequest(question=question, answer=item.answer, latest=item.answer)
    index = next((i for i, p in enumerate(question.probes) if p.text == item.follow_up), None)
    asked = AskedFollowUp(item.follow_up, f"probe:{index}" if index is not None else None)
    return ExamRequest(question=question, answer=item.answer, latest=item.answer, follow_ups_asked=1, follow_up=asked)


def score_items(examiner: Examiner, bank: QuestionBank, items: Iterable[RatedItem]) -> list[Scored]:
    out = []
    for item in items:
        result = examiner.examine(request_for(item, bank))
        a = result.assessment
        out.append(Scored(item, a.score, tuple(a.flags), tuple(a.notes), result.backend))
    return out


def pearson(xs: list[float], ys: list[float]) -> float:
    if len(xs) < 2 or statistics.pstdev(xs) == 0 or statistics.pstdev(ys) == 0:
        return 0.0
    return statistics.correlation(xs, ys)


def agreement(scored: list[Scored]) -> dict[str, float]:
    """The goals' figures over ``scored`` (non-English answers are judged by their remark, not
    their score, so they are left out of the score figures)."""
    english = [s for s in scored if s.item.intent != "non_english"]
    ours = [s.score for s in english]
    theirs = [s.item.consensus for s in english]
    errors = [abs(a - b) for a, b in zip(ours, theirs, strict=True)]
    genuine = [s for s in english if s.item.consensus >= GENUINE_FROM]
    gaming = [s.score for s in english if s.item.intent in GAMING]
    wrong = [s.score for s in english if s.item.intent in WRONG]
    return {
        "items": float(len(english)),
        "pearson": pearson(ours, theirs),
        "mae": statistics.mean(errors) if errors else 0.0,
        "within_2": sum(e <= 2 for e in errors) / len(errors) if errors else 0.0,
        "false_gaming_flags": float(sum(bool(set(s.flags) & GAMING_FLAGS) for s in genuine)),
        "genuine": float(len(genuine)),
        "gaming_max": max(gaming, default=0.0),
        "gaming_mean": statistics.mean(gaming) if gaming else 0.0,
        "wrong_max": max(wrong, default=0.0),
    }


def rater_agreement(items: list[RatedItem]) -> dict[str, float]:
    """Pearson of each rater with the mean of the other two, over all items."""
    out = {}
    raters = len(items[0].ratings)
    for r in range(raters):
        mine = [i.ratings[r] for i in items]
        others = [statistics.mean(x for k, x in enumerate(i.ratings) if k != r) for i in items]
        out[f"rater_{r + 1}"] = pearson(mine, others)
    return out


def by_intent(scored: list[Scored]) -> list[str]:
    groups: dict[str, list[Scored]] = {}
    for s in scored:
        groups.setdefault(s.item.intent, []).append(s)
    rows = []
    for intent, group in sorted(groups.items(), key=lambda kv: -statistics.mean(s.item.consensus for s in kv[1])):
        people = statistics.mean(s.item.consensus for s in group)
        ours = statistics.mean(s.score for s in group)
        rows.append(f"| {intent} | {len(group)} | {people:.1f} | {ours:.1f} |")
    return rows
