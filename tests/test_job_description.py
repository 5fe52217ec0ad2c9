"""A job description read for what it stresses, and a session planned around it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from agent.interview.job import JobReader, find_product
from agent.interview.planner import JOB_SHARE, Tailoring, plan_session
from agent.services import Services
from knowledge.question_bank import QuestionBank
from knowledge.topic_terms import load_topic_terms

DATA = Path(__file__).resolve().parent.parent / "eval" / "data" / "tailoring"
JD = (DATA / "jd-claims-rag.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def reader(services: Services) -> JobReader:
    return services.job_reader


@pytest.fixture(scope="module")
def bank(services: Services) -> QuestionBank:
    return services.question_bank


def test_a_rag_job_stresses_retrieval_evaluation_and_mlops(reader: JobReader) -> None:
    profile = reader.read(JD)
    assert profile.stressed[0] == "rag_multimodal"
    assert set(profile.stressed) == {"rag_multimodal", "evaluation", "mlops"}
    assert sum(profile.emphasis.values()) == pytest.approx(1.0, abs=0.01)
    assert profile.product == "a claims assistant for an insurer"


def test_paraphrases_count_for_the_same_topic(reader: JobReader) -> None:
    # No topic term is named, only concepts of the examiner's lexicon ("vector database", "reranker").
    said = "You will tune our vector database, the reranker and the embedding model behind document search."
    assert max(reader.weights(said).items(), key=lambda kv: kv[1])[0] == "rag_multimodal"
    assert reader.weights("You will not need retrieval experience.").get("rag_multimodal", 0.0) == 0.0


def test_a_job_description_naming_no_topic_stresses_nothing(reader: JobReader) -> None:
    profile = reader.read("We sell handmade shoes in three shops. Friendly team, free lunch on Fridays.")
    assert profile.emphasis == {} and profile.product is None


@pytest.mark.parametrize(
    ("text", "product"),
    [
        (
            "Our team builds a fraud detection copilot for bank analysts, in Python.",
            "a fraud detection copilot for bank analysts",
        ),
        ("You will build the next generation of search for an online grocer.", "a search for an online grocer"),
        ("Join us. We're building an AI tutor that explains maths to teenagers.", "an AI tutor"),
        ("Strong Python and SQL. 5+ years of experience.", None),
    ],
)
def test_the_product_is_a_short_phrase_or_none(text: str, product: str | None) -> None:
    assert find_product(text) == product


def test_the_topic_terms_name_real_topics_and_match() -> None:
    entries = load_topic_terms()
    assert len({e.topic for e in entries}) == len(entries)  # one entry per topic


def test_most_new_questions_come_from_the_jobs_topics_and_one_is_framed(reader: JobReader, bank: QuestionBank) -> None:
    profile = reader.read(JD)
    tailoring = Tailoring(profile.emphasis, profile.product)
    for seed in range(10):
        plan = plan_session(bank, "ml_engineer", 6, [], set(), seed=seed, tailoring=tailoring)
        on_job = [p for p in plan if p["topic"] in profile.emphasis]
        assert len(on_job) >= JOB_SHARE * len(plan) - 1
        framed = [p for p in plan if p.get("framed")]
        assert framed and all(
            p["asked_as"].startswith("This team builds a claims assistant for an insurer") for p in framed
        )
        assert all(bank.get(p["question_id"]).scenario for p in framed)
        assert len({p["question_id"] for p in plan}) == len(plan)


def test_untailored_plans_are_unchanged_by_an_empty_tailoring(bank: QuestionBank) -> None:
    for seed in range(5):
        assert plan_session(bank, "product", 7, [], set(), seed=seed) == plan_session(
            bank, "product", 7, [], set(), seed=seed, tailoring=Tailoring()
        )


def test_weak_areas_still_come_first_in_a_tailored_session(reader: JobReader, bank: QuestionBank) -> None:
    from agent.store.memory import WeakArea

    profile = reader.read(JD)
    plan = plan_session(
        bank, "ml_engineer", 5, [WeakArea("gans", 2.0, 1)], set(), seed=1, tailoring=Tailoring(profile.emphasis)
    )
    assert plan[0]["topic"] == "gans" and plan[0]["reason"] == "revisit"
    assert Counter(p["topic"] in profile.emphasis for p in plan[1:])[True] >= 3


def test_a_project_gives_a_closing_deep_dive_naming_it(bank: QuestionBank) -> None:
    project = {"name": "Support ticket router", "detail": "misroutes down from 18 % to 6 %"}
    plan = plan_session(bank, "ml_engineer", 5, [], set(), seed=2, tailoring=Tailoring(project=project))  # type: ignore[arg-type]
    assert len(plan) == 5
    assert plan[-1]["reason"] == "project" and plan[-1]["question_id"] == "project-story"
    assert plan[-1]["asked_as"] == "Walk me through Support ticket router: the problem, your approach, the result."
    assert not any(p.get("framed") for p in plan)  # no job, nothing framed
