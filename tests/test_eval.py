"""The evaluation's goals are tests: `make eval` prints the same figures.

Agreement with the blind raters is checked on the test half of eval/data/rated, which the
calibration never saw. The thresholds below are what the examiner holds today; where they
fall short of the examiner issue's goals (``eval.rated.RATED_GOALS``) the README says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_index, llm_settings
from openai_stub import OpenAIStub

from agent.services import Services
from agent.settings import Settings
from eval.run import GOALS, evaluate

# Measured on the 485 English test answers (rounds 1-7), with the likeness and neighbouring-question
# features: Pearson 0.794, MAE 1.53, within 2 points 0.74, gaming mean 2.16, one false gaming flag
# (a short expert answer read as a keyword list). The previous release on the same answers: 0.771 /
# 1.60 / 0.72, gaming mean 2.66; on rounds 1-6 alone 0.802 / 1.49 / 0.75 then, 0.823 / 1.43 / 0.76
# now (round 7's short and fluent weak answers are the hardest yet). The thresholds guard against
# regression with a small margin; none of the goals is met on all seven rounds.
HELD = {"pearson": 0.785, "mae": 1.56, "within_2": 0.73, "gaming_mean": 2.35, "false_gaming_flags": 1}
# The fresh writers (round 8: 120 answers by three writers who wrote nothing else in the set, never
# fitted or tuned on): Pearson 0.634, MAE 1.76, within 2 points 0.64, no false flag; the previous
# release read 0.622 / 1.77 / 0.61 on them. This is what a new candidate's voice gets.
FRESH_HELD = {"pearson": 0.63, "mae": 1.77, "within_2": 0.63, "false_gaming_flags": 0}


def test_offline_examiner_meets_the_evaluation_goals() -> None:
    result = evaluate()
    m = result.metrics
    problems = "\n".join(d for d in result.details if not d.startswith(("|", "intent ", "fresh-intent ")))
    assert m["ordering_accuracy"] >= GOALS["ordering_accuracy"], problems
    assert m["planted_gap_found"] >= GOALS["planted_gap_found"], problems
    assert m["citation_in_right_section"] >= GOALS["citation_in_right_section"], problems
    assert m["gaming_max_score"] <= GOALS["gaming_max_score"], problems
    assert m["gaming_answers"] >= 50
    assert m["gaming_max_score_llm"] <= GOALS["gaming_max_score"], problems
    assert m["revisit_runs"] >= 10
    assert m["weak_topics_revisited"] >= GOALS["weak_topics_revisited"], problems
    # Agreement with people, on answers to questions the calibration never saw.
    assert m["test_items"] >= 100 and m["test_genuine"] >= 40
    assert m["test_pearson"] >= HELD["pearson"]
    assert m["test_mae"] <= HELD["mae"]
    assert m["test_within_2"] >= HELD["within_2"]
    assert m["test_false_gaming_flags"] <= HELD["false_gaming_flags"]  # the goal is 0
    # One on the tune half since round 6: six labelled lines of areas ("- eval: building eval sets,
    # human + LLM-judge, significance") answering "what fundamentals does a GenAI specialist need",
    # a question that asks for a list, read as a keyword list. The goal is 0.
    assert m["tune_false_gaming_flags"] <= 1
    assert m["test_gaming_mean"] <= HELD["gaming_mean"]
    assert m["fresh_items"] >= 100
    assert m["fresh_pearson"] >= FRESH_HELD["pearson"]
    assert m["fresh_mae"] <= FRESH_HELD["mae"]
    assert m["fresh_within_2"] >= FRESH_HELD["within_2"]
    assert m["fresh_false_gaming_flags"] <= FRESH_HELD["false_gaming_flags"]
    assert m["non_english_remarked"] == m["non_english"] >= 3


# Measured on the 36 test stories (projects the fit never saw) after fitting on the 34 tune
# stories: Pearson 0.735, MAE 1.49, within 2 points 0.72, highest gaming/bluff/tutorial/off-topic
# story 4.0; all 7 with/without-numbers pairs ordered. Thresholds are those minus a small margin.
STORY_HELD = {"pearson": 0.7, "mae": 1.6, "within_2": 0.68, "gaming_max": 4.5}


def test_story_judge_agrees_with_the_blind_raters_on_unseen_projects() -> None:
    from agent.examiner.offline.story import StoryCalibration, StoryJudge
    from eval.stories import load_stories, story_figures
    from knowledge.question_bank import load_bank

    items = load_stories()
    assert not {i.project for i in items if i.split == "tune"} & {i.project for i in items if i.split == "test"}
    m = story_figures(StoryJudge(StoryCalibration.load()), load_bank(), items)
    assert m["story_test_items"] >= 30
    assert m["story_test_pearson"] >= STORY_HELD["pearson"]
    assert m["story_test_mae"] <= STORY_HELD["mae"]
    assert m["story_test_within_2"] >= STORY_HELD["within_2"]
    assert m["story_gaming_max"] <= STORY_HELD["gaming_max"]
    assert m["story_pairs"] >= 5 and m["story_pairs_ordered"] == m["story_pairs"]


def test_the_rated_splits_keep_questions_and_writers_apart() -> None:
    """Tune and test share no question; the fresh writers wrote nothing in either half."""
    from eval import rated

    items = rated.load_items()

    def of(split: str, attribute: str) -> set[str]:
        return {str(getattr(i, attribute)) for i in items if i.split == split}

    assert {i.split for i in items} <= set(rated.SPLITS)
    assert all(i.writer for i in items)
    assert not of("tune", "question_id") & of("test", "question_id")
    assert of("fresh", "writer") and not of("fresh", "writer") & (of("tune", "writer") | of("test", "writer"))


def test_the_llm_examiners_agreement_is_measured_through_the_configured_endpoint(
    tmp_path: Path, services: Services, stub: OpenAIStub
) -> None:
    from eval import rated
    from eval.run import llm_agreement

    items = [i for i in rated.load_items() if i.split == "test" and i.intent != "non_english"][:6]
    before = len(stub.requests)
    figures = llm_agreement(llm_settings(copy_index(services, tmp_path / "home"), stub), items)
    assert figures["items"] == len(items) and figures["fell_back"] == 0
    assert len(stub.requests) - before >= len(items)  # every answer went to the model over HTTP
    assert 0.0 <= figures["mae"] <= 10.0 and 0.0 <= figures["within_2"] <= 1.0


def test_the_llm_agreement_refuses_settings_without_an_endpoint(tmp_path: Path) -> None:
    from eval.run import llm_agreement

    settings = Settings.from_values(env_file=False, home=tmp_path, offline=True)
    with pytest.raises(RuntimeError, match="not available"):
        llm_agreement(settings, [])


def test_a_bad_llm_setting_in_the_environment_leaves_the_offline_figures_measurable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eval.run import offline_settings

    monkeypatch.setenv("OPENAI_BASE_URL", "not a url")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    settings = offline_settings(tmp_path)
    assert settings.openai_base_url is None and not settings.use_llm


def test_make_eval_names_a_bad_setting_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from eval.run import main

    monkeypatch.setenv("MOCK_INTERVIEW_ENCODER_THREADS", "many")
    assert main() == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("make eval: invalid setting MOCK_INTERVIEW_ENCODER_THREADS") and "\n" not in err
