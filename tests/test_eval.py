"""The evaluation's goals are tests: `make eval` prints the same figures."""

from __future__ import annotations

from eval.run import GOALS, evaluate


def test_offline_examiner_meets_the_evaluation_goals() -> None:
    result = evaluate()
    m = result.metrics
    problems = "\n".join(d for d in result.details if not d.startswith("|"))
    assert m["ordering_accuracy"] >= GOALS["ordering_accuracy"], problems
    assert m["planted_gap_found"] >= GOALS["planted_gap_found"], problems
    assert m["citation_in_right_section"] >= GOALS["citation_in_right_section"], problems
    assert m["gaming_max_score"] <= GOALS["gaming_max_score"], problems
    assert m["gaming_answers"] >= 50
    assert m["gaming_max_score_llm"] <= GOALS["gaming_max_score"], problems
    assert m["revisit_runs"] >= 10
    assert m["weak_topics_revisited"] >= GOALS["weak_topics_revisited"], problems
