"""The end-of-session report: scores by topic and dimension, strengths, weak areas, and a
study plan that points at the guide sections behind what was missed."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean
from typing import Any

from agent.examiner.models import DIMENSIONS, WEAK_BELOW
from knowledge.question_bank import QuestionBank

STRONG_FROM = 7.5
EXCERPT_CHARS = 160
# Pace: the guide advises keeping a story under three minutes; people speak ~150 words a minute.
WORDS_PER_MINUTE = 150
LONG_MINUTES = 3.0
THIN_WORDS = 40


def speaking_minutes(words: int) -> float:
    return round(words / WORDS_PER_MINUTE, 1)


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def build_report(results: list[dict[str, Any]], plan: list[dict[str, Any]], bank: QuestionBank) -> dict[str, Any]:
    questions = []
    for result in results:
        question = bank.get(result["question_id"])
        questions.append(
            {
                "question_id": question.id,
                "topic": question.topic,
                "question": question.question,
                "score": float(result["score"]),
                "skipped": bool(result["skipped"]),
                "dimensions": result.get("dimensions", {}),
                "missed_ids": result.get("missed_ids", [kp.id for kp in question.key_points]),
                "excerpt": result.get("excerpt", ""),
                "words": int(result.get("words", 0)),
            }
        )
    by_topic_scores: dict[str, list[float]] = defaultdict(list)
    for q in questions:
        by_topic_scores[q["topic"]].append(q["score"])
    by_topic = {t: round(mean(s), 1) for t, s in by_topic_scores.items()}
    answered = [q for q in questions if not q["skipped"]]
    dimensions = {
        d: round(mean(q["dimensions"].get(d, 0) for q in answered), 1) if answered else 0.0 for d in DIMENSIONS
    }
    weak_topics = sorted((t for t, s in by_topic.items() if s < WEAK_BELOW), key=lambda t: by_topic[t])
    weak_areas = []
    study_plan = []
    for topic in weak_topics:
        missed = [
            bank.get(q["question_id"]).key_point(kp_id)
            for q in questions
            if q["topic"] == topic
            for kp_id in q["missed_ids"]
        ]
        weak_areas.append({"topic": topic, "score": by_topic[topic], "missed": [kp.point for kp in missed]})
        study_plan.append({"topic": topic, "sections": list(dict.fromkeys(kp.section for kp in missed))})
    highlights = {}
    if answered:
        best = max(answered, key=lambda q: q["score"])
        worst = min(answered, key=lambda q: q["score"])
        highlights = {
            "best": {k: best[k] for k in ("question_id", "topic", "score", "excerpt")},
            "weakest": {k: worst[k] for k in ("question_id", "topic", "score", "excerpt")},
        }
    pace = {
        "long": [
            {"question_id": q["question_id"], "topic": q["topic"], "minutes": speaking_minutes(q["words"])}
            for q in answered
            if speaking_minutes(q["words"]) > LONG_MINUTES
        ],
        "thin": [
            {"question_id": q["question_id"], "topic": q["topic"], "words": q["words"]}
            for q in answered
            if q["words"] < THIN_WORDS
        ],
    }
    return {
        "pace": pace,
        "overall": round(mean(q["score"] for q in questions), 1) if questions else 0.0,
        "by_topic": by_topic,
        "dimensions": dimensions,
        "strengths": [t for t, s in by_topic.items() if s >= STRONG_FROM],
        "weak_areas": weak_areas,
        "study_plan": study_plan,
        "questions": questions,
        "highlights": highlights,
        "planned": len(plan),
    }
