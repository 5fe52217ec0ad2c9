from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from knowledge.guide_source import guide_chunks, guide_sections
from knowledge.question_bank import QuestionBankError, load_bank, load_file
from knowledge.taxonomy import ROLES, TOPICS


@pytest.fixture(scope="module")
def bank():  # type: ignore[no-untyped-def]
    return load_bank()


def test_bank_size_topics_and_roles(bank) -> None:  # type: ignore[no-untyped-def]
    assert len(bank) >= 75
    per_topic = Counter(q.topic for q in bank.questions)
    assert set(per_topic) == set(TOPICS)
    assert min(per_topic.values()) >= 3
    for role in ROLES:
        strong = [q for q in bank.questions if q.roles[role] >= 0.6]
        assert len(strong) >= 10, role
        assert len({q.topic for q in strong}) >= 4, role


def test_ids_are_unique_and_every_cited_section_exists(bank) -> None:  # type: ignore[no-untyped-def]
    ids = [q.id for q in bank.questions]
    assert len(ids) == len(set(ids))
    sections = set(guide_sections())
    cited = {kp.section for q in bank.questions for kp in q.key_points}
    assert cited <= sections, cited - sections


def test_every_cited_section_has_indexed_text(bank) -> None:  # type: ignore[no-untyped-def]
    """A citation must be quotable: its section has a chunk of its own in the index."""
    indexed = {c.section for c in guide_chunks()}
    cited = {kp.section for q in bank.questions for kp in q.key_points}
    assert cited <= indexed, cited - indexed


def test_rubrics_have_probes_for_every_point_and_a_tradeoff_or_measurement_probe(bank) -> None:  # type: ignore[no-untyped-def]
    for q in bank.questions:
        assert 3 <= len(q.key_points) <= 6
        assert all(kp.probe and kp.aliases for kp in q.key_points)
        assert any(p.kind in ("tradeoffs", "measurement") for p in q.probes)
        assert len(q.model_answer) >= 3
        assert 1 <= q.difficulty <= 3
    assert {q.difficulty for q in bank.questions} == {1, 2, 3}


def test_filter_by_topic_and_role(bank) -> None:  # type: ignore[no-untyped-def]
    gans = bank.filter(topic="gans")
    assert gans and all(q.topic == "gans" for q in gans)
    product = bank.filter(role="product")
    weights = [q.roles["product"] for q in product]
    assert weights == sorted(weights, reverse=True) and min(weights) > 0


GOOD_ENTRY = """
- id: demo-question
  topic: gans
  roles: {ml_engineer: 1.0, researcher: 0.5, data_scientist: 0.2, product: 0.1}
  difficulty: 2
  question: "What is mode collapse and how do you fix it?"
  key_points:
    - {id: a, point: "Mode collapse means low diversity.", aliases: [low diversity], section: "Master GAN concepts", probe: "What does it look like?"}
    - {id: b, point: "Wasserstein loss helps stabilise.", aliases: [wasserstein], section: "Master GAN concepts", probe: "Which loss would you try?"}
    - {id: c, point: "Track diversity in sample grids.", aliases: [sample grid], section: "Master GAN concepts", probe: "How would you see it?"}
  probes: [{kind: tradeoffs, text: "What does each fix cost you?"}]
  model_answer: [one, two, three]
"""


def test_a_valid_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "gans.yaml"
    path.write_text(GOOD_ENTRY, encoding="utf-8")
    assert load_file(path)[0].id == "demo-question"


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (
            ("difficulty: 2", "difficulty: 5"),
            "gans.yaml: entry 1 (demo-question): difficulty: Input should be less than or equal to 3",
        ),
        (("topic: gans", "topic: gan"), "gans.yaml: entry 1 (demo-question): topic:"),
        (("product: 0.1}", "}"), "missing role weights: product"),
        (
            ('question: "What is mode collapse and how do you fix it?"', 'question: "Why?"'),
            "question: String should have at least 15 characters",
        ),
        (("  key_points:", "  extra_field: 1\n  key_points:"), "extra_field: Extra inputs are not permitted"),
        (("- id: demo-question", "- id: demo-question\n  oops: [unclosed"), "gans.yaml: line"),
    ],
)
def test_bad_entries_fail_naming_the_file_and_entry(tmp_path: Path, mutation: tuple[str, str], expected: str) -> None:
    path = tmp_path / "gans.yaml"
    assert mutation[0] in GOOD_ENTRY
    path.write_text(GOOD_ENTRY.replace(*mutation), encoding="utf-8")
    with pytest.raises(QuestionBankError) as caught:
        load_file(path)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_duplicate_ids_across_files_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "gans.yaml").write_text(GOOD_ENTRY, encoding="utf-8")
    (tmp_path / "diffusion.yaml").write_text(GOOD_ENTRY, encoding="utf-8")
    with pytest.raises(QuestionBankError, match="duplicate question id 'demo-question'"):
        load_bank(tmp_path)
