"""The end-of-session report: scores by topic and dimension, strengths, weak areas, and a
study plan that points at the guide sections behind what was missed."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean

from agent import prompts
from agent.examiner.models import WEAK_BELOW
from agent.records import (
    DIMENSIONS,
    Highlight,
    Highlights,
    JobReadiness,
    JobRecord,
    LongAnswer,
    Pace,
    PlannedQuestion,
    QuestionResult,
    Report,
    ReportQuestion,
    StudyItem,
    ThinAnswer,
    WeakTopic,
)
from knowledge.question_bank import QuestionBank
from knowledge.taxonomy import (
    SECTION_TOPICS,
    SUPPLEMENT_PREFIX,
    SUPPLEMENT_TOPICS,
    TOPIC_TITLES,
    Topic,
    section_topics,
)

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


def _highlight(q: ReportQuestion) -> Highlight:
    return Highlight(question_id=q["question_id"], topic=q["topic"], score=q["score"], excerpt=q["excerpt"])


def study_sections(topic: Topic, sections: list[str]) -> list[str]:
    """The sections to read for a weak topic (of the guide or of the supplement): those of the
    missed points that belong to the topic (a rubric may cite a neighbouring part of the guide),
    each once; the topic's own chapter when none does, the guide's before the supplement's."""
    own = [s for s in dict.fromkeys(sections) if topic in section_topics(s)]
    chapters = [
        *(chapter for chapter, topics in SECTION_TOPICS.items() if topic in topics),
        *(SUPPLEMENT_PREFIX + chapter for chapter, topics in SUPPLEMENT_TOPICS.items() if topic in topics),
    ]
    return own or chapters[:1]


def job_readiness(job: JobRecord, mastery: dict[Topic, float]) -> JobReadiness:
    """Mastery over the topics the job stresses (the user's memory, this session included),
    weighted by how much the job stresses each; topics never practised are named, not counted."""
    stressed = sorted(job["emphasis"], key=lambda t: -job["emphasis"][t])
    topics: dict[Topic, float | None] = {t: (round(mastery[t], 1) if t in mastery else None) for t in stressed}
    practised = {t: m for t, m in topics.items() if m is not None}
    weight = sum(job["emphasis"][t] for t in practised)
    overall = round(sum(job["emphasis"][t] * m for t, m in practised.items()) / weight, 1) if weight else None
    return JobReadiness(name=job["name"], topics=topics, mastery=overall)


def readiness_line(readiness: JobReadiness) -> str:
    """The report's one line on how ready the candidate is for this job."""
    scored = ", ".join(f"{TOPIC_TITLES[t]} {m:g}" for t, m in readiness["topics"].items() if m is not None)
    unpractised = [TOPIC_TITLES[t] for t, m in readiness["topics"].items() if m is None]
    line = prompts.render(
        "job_readiness",
        job=readiness["name"],
        mastery=f"{readiness['mastery']:g}" if readiness["mastery"] is not None else "–",
        topics=scored or "–",
    )
    if unpractised:
        line += " " + prompts.render("job_readiness_unpractised", topics=", ".join(unpractised))
    return line


def build_report(results: list[QuestionResult], plan: list[PlannedQuestion], bank: QuestionBank) -> Report:
    questions: list[ReportQuestion] = []
    wording = {p["question_id"]: p["asked_as"] for p in plan if "asked_as" in p}
    for result in results:
        question = bank.get(result["question_id"])
        questions.append(
            ReportQuestion(
                question_id=question.id,
                topic=question.topic,
                question=wording.get(question.id, question.question),
                score=float(result["score"]),
                skipped=result["skipped"],
                dimensions=result["dimensions"],
                missed_ids=result["missed_ids"],
                excerpt=result["excerpt"],
                words=result.get("words", 0),
            )
        )
        if result.get("retried"):
            questions[-1]["retried"] = True
    by_topic_scores: dict[Topic, list[float]] = defaultdict(list)
    for q in questions:
        by_topic_scores[q["topic"]].append(q["score"])
    by_topic = {t: round(mean(s), 1) for t, s in by_topic_scores.items()}
    answered = [q for q in questions if not q["skipped"]]
    dimensions = {
        d: round(mean(q["dimensions"].get(d, 0) for q in answered), 1) if answered else 0.0 for d in DIMENSIONS
    }
    weak_topics = sorted((t for t, s in by_topic.items() if s < WEAK_BELOW), key=lambda t: by_topic[t])
    weak_areas: list[WeakTopic] = []
    study_plan: list[StudyItem] = []
    for topic in weak_topics:
        missed = [
            bank.get(q["question_id"]).key_point(kp_id)
            for q in questions
            if q["topic"] == topic
            for kp_id in q["missed_ids"]
        ]
        weak_areas.append(WeakTopic(topic=topic, score=by_topic[topic], missed=[kp.point for kp in missed]))
        study_plan.append(StudyItem(topic=topic, sections=study_sections(topic, [kp.section for kp in missed])))
    highlights = Highlights()
    if answered:
        highlights["best"] = _highlight(max(answered, key=lambda q: q["score"]))
        highlights["weakest"] = _highlight(min(answered, key=lambda q: q["score"]))
    pace = Pace(
        long=[
            LongAnswer(question_id=q["question_id"], topic=q["topic"], minutes=speaking_minutes(q["words"]))
            for q in answered
            if speaking_minutes(q["words"]) > LONG_MINUTES
        ],
        thin=[
            ThinAnswer(question_id=q["question_id"], topic=q["topic"], words=q["words"])
            for q in answered
            if q["words"] < THIN_WORDS
        ],
    )
    return Report(
        pace=pace,
        overall=round(mean(q["score"] for q in questions), 1) if questions else 0.0,
        by_topic=by_topic,
        dimensions=dimensions,
        strengths=[t for t, s in by_topic.items() if s >= STRONG_FROM],
        weak_areas=weak_areas,
        study_plan=study_plan,
        questions=questions,
        highlights=highlights,
        planned=len(plan),
    )
