"""Planning a session: which questions, in which order, and why.

Weak topics come first (spaced repetition: a topic keeps coming back while its mastery is
low), then new ground: a topic is drawn by the track's weight for it (``knowledge.tracks``)
times how well its best question fits the role, one question per topic until topics run
out, easiest first. Questions the user saw in their last sessions are not
asked again while others are available.
"""

from __future__ import annotations

import random

from agent.records import PlannedQuestion
from agent.store.memory import WeakArea
from knowledge.question_bank import Question, QuestionBank
from knowledge.taxonomy import Role, Topic
from knowledge.tracks import track_weight


def _fit(question: Question, role: Role, difficulty: int | None) -> float:
    weight = question.roles[role]
    if difficulty is not None:
        weight *= 1.0 / (1 + abs(question.difficulty - difficulty))
    return weight


def _pick(candidates: list[Question], role: Role, difficulty: int | None, rng: random.Random) -> Question:
    weights = [max(_fit(q, role, difficulty), 1e-6) for q in candidates]
    return rng.choices(candidates, weights=weights, k=1)[0]


def plan_session(
    bank: QuestionBank,
    role: Role,
    count: int,
    weak_areas: list[WeakArea],
    recent: set[str],
    seed: int | None = None,
    difficulty: int | None = None,
) -> list[PlannedQuestion]:
    rng = random.Random(seed)
    pool = [q for q in bank.questions if q.roles[role] > 0]
    if difficulty is not None:
        # A chosen difficulty is honoured while the bank has enough of it, then relaxed.
        exact = [q for q in pool if q.difficulty == difficulty]
        pool = exact if len(exact) >= count else pool
    used: set[str] = set()
    plan: list[PlannedQuestion] = []

    revisits = weak_areas[: max(1, min(len(weak_areas), (count + 1) // 2))] if count > 1 else weak_areas[:1]
    for area in revisits:
        in_topic = [q for q in pool if q.topic == area.topic and q.id not in used]
        fresh = [q for q in in_topic if q.id not in recent] or in_topic
        if not fresh:
            continue
        question = _pick(fresh, role, difficulty, rng)
        used.add(question.id)
        plan.append(
            PlannedQuestion(
                question_id=question.id, topic=question.topic, reason="revisit", detail=f"mastery {area.mastery:.1f}/10"
            )
        )

    topics_done: set[Topic] = {p["topic"] for p in plan}
    new: list[Question] = []
    while len(plan) + len(new) < count:
        open_topics = sorted({q.topic for q in pool if q.id not in used} - topics_done)
        if not open_topics:
            if not topics_done:
                break
            topics_done = set()  # every topic had a turn: allow a second question per topic
            continue
        topic_weight = {
            t: track_weight(role, t) * max(_fit(q, role, difficulty) for q in pool if q.topic == t) for t in open_topics
        }
        topic = rng.choices(open_topics, weights=[max(topic_weight[t], 1e-6) for t in open_topics], k=1)[0]
        in_topic = [q for q in pool if q.topic == topic and q.id not in used]
        fresh = [q for q in in_topic if q.id not in recent] or in_topic
        question = _pick(fresh, role, difficulty, rng)
        used.add(question.id)
        topics_done.add(topic)
        new.append(question)
    if difficulty is None:
        new.sort(key=lambda q: q.difficulty)  # warm up: easiest new questions first
    plan.extend(PlannedQuestion(question_id=q.id, topic=q.topic, reason="new", detail="") for q in new)
    return plan[:count]
