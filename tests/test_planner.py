from __future__ import annotations

from collections import Counter

import pytest

from agent.interview.planner import plan_session
from agent.services import Services
from agent.store.memory import WeakArea
from knowledge.question_bank import QuestionBank
from knowledge.taxonomy import ROLES


@pytest.fixture(scope="module")
def bank(services: Services) -> QuestionBank:
    return services.question_bank


def test_weak_topics_come_first_lowest_mastery_first(bank: QuestionBank) -> None:
    weak = [WeakArea("diffusion", 2.0, 1), WeakArea("gans", 4.5, 2)]
    plan = plan_session(bank, "researcher", 5, weak, set(), seed=1)
    assert [p["topic"] for p in plan[:2]] == ["diffusion", "gans"]
    assert [p["reason"] for p in plan[:2]] == ["revisit", "revisit"]
    assert plan[0]["detail"] == "mastery 2.0/10"
    assert all(p["reason"] == "new" for p in plan[2:])


def test_topics_are_mixed_and_questions_never_repeat_within_a_session(bank: QuestionBank) -> None:
    for role in ROLES:
        plan = plan_session(bank, role, 10, [], set(), seed=7)
        assert len(plan) == 10
        assert len({p["question_id"] for p in plan}) == 10
        assert max(Counter(p["topic"] for p in plan).values()) == 1
        assert all(bank.get(p["question_id"]).roles[role] > 0 for p in plan)


def test_recently_seen_questions_are_not_asked_again(bank: QuestionBank) -> None:
    first = plan_session(bank, "ml_engineer", 8, [], set(), seed=3)
    seen = {p["question_id"] for p in first}
    second = plan_session(bank, "ml_engineer", 8, [], seen, seed=3)
    assert not seen & {p["question_id"] for p in second}
    revisit = plan_session(bank, "ml_engineer", 3, [WeakArea(first[0]["topic"], 1.0, 1)], seen, seed=3)
    assert revisit[0]["topic"] == first[0]["topic"] and revisit[0]["question_id"] not in seen


def test_role_weights_shape_the_draw(bank: QuestionBank) -> None:
    def mean_weight(role: str) -> float:
        picks = [p for seed in range(30) for p in plan_session(bank, role, 5, [], set(), seed=seed)]
        return sum(bank.get(p["question_id"]).roles[role] for p in picks) / len(picks)  # type: ignore[index]

    uniform = {r: sum(q.roles[r] for q in bank.questions) / len(bank) for r in ROLES}  # type: ignore[index]
    for role in ROLES:
        assert mean_weight(role) > uniform[role]


def test_same_seed_same_plan_and_new_ground_ramps_up(bank: QuestionBank) -> None:
    a = plan_session(bank, "product", 6, [], set(), seed=11)
    b = plan_session(bank, "product", 6, [], set(), seed=11)
    assert a == b
    difficulties = [bank.get(p["question_id"]).difficulty for p in a]
    assert difficulties == sorted(difficulties)
    assert len(plan_session(bank, "product", 40, [], set(), seed=1)) == 40


def test_a_chosen_difficulty_is_honoured_while_the_bank_allows(bank: QuestionBank) -> None:
    hard = plan_session(bank, "ml_engineer", 8, [], set(), seed=2, difficulty=3)
    assert {bank.get(p["question_id"]).difficulty for p in hard} == {3}
    many = plan_session(bank, "ml_engineer", 20, [], set(), seed=2, difficulty=3)
    assert len(many) == 20  # more than the bank has at that level: relaxed, not short


def test_abandoned_sessions_do_not_use_up_the_no_repeat_window(interview_services) -> None:  # type: ignore[no-untyped-def]
    interviewer = interview_services.interviewer
    first = interviewer.start("asha", "product", 3, seed=1)
    while not first.done:
        first = interviewer.send(first.session_id, "Some answer about the product and its users, in detail.")
    asked = {r["question_id"] for r in interviewer.state(first.session_id)["results"]}
    for seed in range(3):  # started and left without a single answer
        interviewer.start("asha", "product", 3, seed=10 + seed)
    assert asked <= interview_services.transcripts.recent_question_ids("asha")


IMAGE_GENERATION = {"gans", "diffusion", "architectures", "model_families"}  # GAN/VAE/diffusion internals


def _topic_shares(bank: QuestionBank, role: str, sessions: int = 200, count: int = 5) -> dict[str, float]:
    picks = Counter(
        p["topic"]
        for seed in range(sessions)
        for p in plan_session(bank, role, count, [], set(), seed=seed)  # type: ignore[arg-type]
    )
    total = sum(picks.values())
    return {t: n / total for t, n in picks.items()}


@pytest.mark.parametrize(
    ("role", "core", "at_least", "image_at_most"),
    [
        ("product", {"product_sense", "mlops", "ethics_governance", "evaluation", "experimentation"}, 0.40, 0.10),
        ("researcher", {"transformers", "post_training", "evaluation", "data_alignment"}, 0.35, 0.20),
        ("ml_engineer", {"inference_serving", "mlops", "system_design", "rag_multimodal"}, 0.35, 0.10),
        ("data_scientist", {"evaluation", "experimentation", "data_alignment"}, 0.25, 0.10),
    ],
)
def test_a_track_mix_follows_the_track_over_200_sessions(
    bank: QuestionBank, role: str, core: set[str], at_least: float, image_at_most: float
) -> None:
    shares = _topic_shares(bank, role)
    assert sum(shares.get(t, 0.0) for t in core) >= at_least, sorted(shares.items(), key=lambda x: -x[1])[:6]
    assert sum(shares.get(t, 0.0) for t in IMAGE_GENERATION) <= image_at_most
    assert len(shares) >= 12  # a track leans, it does not narrow to a handful of topics


def test_every_track_weighs_every_topic_and_questions_can_be_closed_to_a_role(bank: QuestionBank) -> None:
    from knowledge.taxonomy import TOPICS
    from knowledge.tracks import TRACK_TOPIC_WEIGHTS

    assert set(TRACK_TOPIC_WEIGHTS) == set(ROLES)
    for weights in TRACK_TOPIC_WEIGHTS.values():
        assert set(weights) == set(TOPICS) and all(w >= 0 for w in weights.values())
    for role in ROLES:
        closed = {q.id for q in bank.questions if q.roles[role] == 0.0}
        planned = {p["question_id"] for seed in range(20) for p in plan_session(bank, role, 10, [], set(), seed=seed)}
        assert not closed & planned, role
    assert any(q.roles["product"] == 0.0 for q in bank.questions)
