"""Planning a session: which questions, in which order, and why.

Weak topics come first (spaced repetition: a topic keeps coming back while its mastery is
low), then new ground: a topic is drawn by the track's weight for it (``knowledge.tracks``)
times how well its best question fits the role, one question per topic until topics run
out, easiest first. Questions the user saw in their last sessions are not
asked again while others are available.

A session tailored to a job (``Tailoring``) draws about three in four of its new questions
from the topics the job stresses, by the job's emphasis times role fit (the rest by the
track), sets at least one of them in the job's product (a question with a ``scenario``),
and ends with a deep dive into one of the candidate's projects when they gave any.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from agent import prompts
from agent.interview.asked import deep_dive_wording
from agent.records import PlannedQuestion, ProjectRecord
from agent.store.memory import WeakArea
from knowledge.project_story import STORY_ID
from knowledge.question_bank import Question, QuestionBank
from knowledge.taxonomy import Role, Topic
from knowledge.tracks import track_weight

JOB_SHARE = 0.75  # of a tailored session's new questions, from the topics the job stresses


@dataclass(frozen=True)
class Tailoring:
    emphasis: dict[Topic, float] = field(default_factory=dict)  # the job's topics → their share
    product: str | None = None  # the job's product or domain, for framed questions
    project: ProjectRecord | None = None  # the candidate's project for the deep dive


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
    tailoring: Tailoring | None = None,
) -> list[PlannedQuestion]:
    rng = random.Random(seed)
    tailoring = tailoring or Tailoring()
    deep_dive = tailoring.project is not None and count > 1
    count -= 1 if deep_dive else 0
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
    new_slots = count - len(plan)
    job_pool = [q for q in pool if q.topic in tailoring.emphasis]
    job_slots = min(new_slots, math.ceil(JOB_SHARE * new_slots)) if job_pool else 0
    new = _draw(job_pool, job_slots, role, difficulty, rng, used, recent, topics_done, tailoring.emphasis)
    new += _draw(pool, new_slots - len(new), role, difficulty, rng, used, recent, topics_done, None)
    if tailoring.emphasis and not any(q.scenario for q in new):
        _frame_one(new, job_pool or pool, used, recent, role, difficulty, rng)
    if difficulty is None:
        new.sort(key=lambda q: q.difficulty)  # warm up: easiest new questions first
    for q in new:
        planned = PlannedQuestion(question_id=q.id, topic=q.topic, reason="new", detail="")
        if tailoring.emphasis and q.scenario is not None:
            planned["asked_as"] = q.framed(tailoring.product or prompts.render("job_product_unknown"))
            planned["framed"] = True
        plan.append(planned)
    plan = plan[:count]
    if deep_dive and tailoring.project is not None:
        story = bank.get(STORY_ID)
        name = tailoring.project["name"]
        plan.append(
            PlannedQuestion(
                question_id=story.id,
                topic=story.topic,
                reason="project",
                detail=name,
                asked_as=deep_dive_wording(name),
            )
        )
    return plan


def _draw(
    pool: list[Question],
    slots: int,
    role: Role,
    difficulty: int | None,
    rng: random.Random,
    used: set[str],
    recent: set[str],
    topics_done: set[Topic],
    emphasis: dict[Topic, float] | None,
) -> list[Question]:
    """``slots`` new questions from ``pool``, one per topic until topics run out; a topic is
    drawn by its weight (the job's emphasis, else the track's) times its best question's fit."""
    new: list[Question] = []
    while len(new) < slots:
        open_topics = sorted({q.topic for q in pool if q.id not in used} - topics_done)
        if not open_topics:
            if not topics_done or not any(q.id not in used for q in pool):
                break
            topics_done.clear()  # every topic had a turn: allow a second question per topic
            continue
        topic_weight = {
            t: (emphasis[t] if emphasis is not None else track_weight(role, t))
            * max(_fit(q, role, difficulty) for q in pool if q.topic == t)
            for t in open_topics
        }
        topic = rng.choices(open_topics, weights=[max(topic_weight[t], 1e-6) for t in open_topics], k=1)[0]
        in_topic = [q for q in pool if q.topic == topic and q.id not in used]
        fresh = [q for q in in_topic if q.id not in recent] or in_topic
        question = _pick(fresh, role, difficulty, rng)
        used.add(question.id)
        topics_done.add(topic)
        new.append(question)
    return new


def _frame_one(
    new: list[Question],
    pool: list[Question],
    used: set[str],
    recent: set[str],
    role: Role,
    difficulty: int | None,
    rng: random.Random,
) -> None:
    """Swap one new question for a question of the same topics that can be set in the job's
    product, so a tailored session frames at least one."""
    framable = [q for q in pool if q.scenario is not None and q.id not in used]
    if not new or not framable:
        return
    topics = {q.topic for q in new}
    same_topic = [q for q in framable if q.topic in topics]
    fresh = [q for q in same_topic or framable if q.id not in recent] or same_topic or framable
    chosen = _pick(fresh, role, difficulty, rng)
    replaced = next((i for i in range(len(new) - 1, -1, -1) if new[i].topic == chosen.topic), len(new) - 1)
    used.discard(new[replaced].id)
    used.add(chosen.id)
    new[replaced] = chosen
