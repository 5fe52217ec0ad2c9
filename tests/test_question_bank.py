from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from agent.examiner.answer_text import is_explanatory, split_sentences
from agent.examiner.phrases import MatchText, stem
from knowledge.guide_source import guide_sections
from knowledge.knowledge_base import knowledge_chunks
from knowledge.lexical import STOPWORDS, tokenize
from knowledge.question_bank import QuestionBankError, load_bank, load_file
from knowledge.supplement_source import supplement_chunks, supplement_sections
from knowledge.taxonomy import ROLES, SUPPLEMENT_PREFIX, TOPIC_TITLES, TOPICS, section_topics


@pytest.fixture(scope="module")
def bank():  # type: ignore[no-untyped-def]
    return load_bank()


def test_bank_size_topics_and_roles(bank) -> None:  # type: ignore[no-untyped-def]
    assert len(bank) >= 120
    per_topic = Counter(q.topic for q in bank.questions)
    assert set(per_topic) == set(TOPICS) == set(TOPIC_TITLES)
    assert min(per_topic.values()) >= 5, per_topic.most_common()[-3:]
    for role in ROLES:
        fit = [q for q in bank.questions if q.roles[role] >= 0.5]
        assert len(fit) >= 40, (role, len(fit))
        assert len({q.topic for q in fit}) >= 8, role


def _cited(bank) -> set[str]:  # type: ignore[no-untyped-def]
    """Every section a key point or a misconception of the bank cites."""
    return {
        s
        for q in bank.questions
        for s in (*(kp.section for kp in q.key_points), *(m.section for m in q.misconceptions))
    }


def test_ids_are_unique_and_every_cited_section_exists_in_the_guide_or_the_supplement(bank) -> None:  # type: ignore[no-untyped-def]
    ids = [q.id for q in bank.questions]
    assert len(ids) == len(set(ids))
    sections = set(guide_sections()) | set(supplement_sections())
    cited = _cited(bank)
    assert cited <= sections, sorted(cited - sections)
    # The guide stays primary: the supplement only holds what the guide lacks.
    assert not set(guide_sections()) & {s.removeprefix(SUPPLEMENT_PREFIX) for s in supplement_sections()}
    assert any(s.startswith(SUPPLEMENT_PREFIX) for s in cited) and any(
        not s.startswith(SUPPLEMENT_PREFIX) for s in cited
    )


def test_every_cited_section_has_indexed_text(bank) -> None:  # type: ignore[no-untyped-def]
    """A citation must be quotable: its section has a chunk of its own in the index."""
    indexed = {c.section for c in knowledge_chunks()}
    cited = _cited(bank)
    assert cited <= indexed, sorted(cited - indexed)


def test_supplement_chunks_carry_prefixed_sections_and_topics() -> None:
    chunks = supplement_chunks()
    assert len(chunks) >= 40
    assert all(c.source == "supplement" and c.section.startswith(SUPPLEMENT_PREFIX) for c in chunks)
    assert all(c.topics and set(c.topics) <= set(TOPICS) for c in chunks)
    assert all(set(section_topics(c.section)) == set(c.topics) for c in chunks)
    assert len({c.content_hash for c in chunks}) == len(chunks)
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_supplement_sections_are_read_from_the_files(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "<!-- note -->\n## Serving\n\n### KV cache\n\nKeys and values are cached.\n", encoding="utf-8"
    )
    assert supplement_sections(tmp_path) == ["Supplement > Serving > KV cache"]
    (chunk,) = supplement_chunks(tmp_path)
    assert (chunk.section, chunk.text, chunk.topics) == (
        "Supplement > Serving > KV cache",
        "Keys and values are cached.",
        (),
    )


# Single words too common to show a point was made ("risk", "latency", "prototype"): an alias
# must be jargon (bm25, lora) or a phrase. The set is the matcher's stop words plus these.
COMMON_ALIASES = frozenset(
    [
        "model",
        "models",
        "data",
        "dataset",
        "risk",
        "risks",
        "memory",
        "caching",
        "cache",
        "statistics",
        "images",
        "image",
        "text",
        "latency",
        "cost",
        "costs",
        "price",
        "pricing",
        "quality",
        "speed",
        "fast",
        "faster",
        "slow",
        "accuracy",
        "accurate",
        "performance",
        "training",
        "train",
        "evaluation",
        "evaluate",
        "eval",
        "evals",
        "metrics",
        "metric",
        "monitoring",
        "monitor",
        "testing",
        "test",
        "tests",
        "safety",
        "safe",
        "security",
        "privacy",
        "users",
        "user",
        "customers",
        "feedback",
        "prompt",
        "prompts",
        "context",
        "tokens",
        "token",
        "retrieval",
        "search",
        "attention",
        "noise",
        "diversity",
        "bias",
        "fairness",
        "scale",
        "scaling",
        "reliability",
        "reliable",
        "adoption",
        "retention",
        "template",
        "templates",
        "prototype",
        "demo",
        "pilot",
        "fallback",
        "rubric",
        "ties",
        "investigation",
        "unpredictable",
        "experiment",
        "experiments",
        "variance",
        "overfitting",
        "logging",
        "logs",
        "dashboard",
        "dashboards",
        "timeouts",
        "retries",
        "sampling",
        "decoding",
        "generation",
        "generate",
        "output",
        "outputs",
        "input",
        "inputs",
        "loss",
        "error",
        "errors",
        "failure",
        "failures",
        "debugging",
        "debug",
        "review",
        "compliance",
        "governance",
        "policy",
        "policies",
        "documentation",
        "transparency",
        "consent",
        "labels",
        "labeling",
        "annotation",
        "validation",
        "verify",
        "verification",
        "filtering",
        "filter",
        "filters",
        "chunks",
        "ranking",
        "tuning",
        "alignment",
        "deployment",
        "deploy",
        "rollout",
        "production",
        "scalability",
        "throughput",
        "efficiency",
        "efficient",
        "budget",
        "budgets",
        "tradeoff",
        "tradeoffs",
        "experimentation",
        "analysis",
        "impact",
        "value",
        "business",
        "revenue",
        "growth",
        "engagement",
        "clicks",
        "trust",
        "interpretability",
        "robustness",
        "versioning",
        "automation",
        "pipelines",
        "pipeline",
        "workflow",
        "workflows",
        "agents",
        "agent",
        "tools",
        "tool",
        "planning",
        "reasoning",
        # From the independent review of the new questions (X2): common words that credited a point.
        "temperature",
        "numbers",
        "criteria",
        "advantage",
        "offline",
        "cheaper",
        "drift",
        "curate",
        "slices",
        "held-out",
        "grammar",
        "seed",
        "translation",
        "numpy",
        "clusters",
        "voting",
        "verifier",
        "react",
        "respectfully",
        "handoff",
        "guardrails",
        "vectorised",
        "vectorized",
        "transparent",
        "observability",
        "delimiters",
    ]
)


def test_no_alias_is_a_single_common_word(bank) -> None:  # type: ignore[no-untyped-def]
    bad = [
        (q.id, kp.id, a)
        for q in bank.questions
        for kp in q.key_points
        for a in kp.aliases
        if len(a.split()) == 1 and (a.lower() in COMMON_ALIASES or a.lower() in STOPWORDS)
    ]
    assert not bad, bad[:10]


def test_no_essential_point_is_credited_by_echoing_the_question(bank) -> None:  # type: ignore[no-untyped-def]
    """An alias that stands in the question's own text ("DPO", "top-p", "noise schedule") is
    said by anyone who repeats the question: it must not alone earn a weight-3 point (X2)."""
    echoes = [
        (q.id, kp.id, a)
        for q in bank.questions
        for kp in q.key_points
        if kp.weight == 3
        for a in kp.aliases
        if MatchText(q.question).find(a) is not None
    ]
    assert not echoes, echoes[:10]


def _fired(signals: list[str], texts: list[str]) -> list[tuple[str, str]]:
    """(signal, sentence) for every signal the examiner would find asserted in ``texts``: the
    same sentence splitting, only explanatory sentences, a signal's parts all in one sentence."""
    out = []
    for text in texts:
        for sentence in split_sentences(text):
            if is_explanatory(sentence):
                match = MatchText(sentence)
                out.extend((signal, sentence) for signal in signals if match.asserts(signal))
    return out


def test_no_misconception_signal_fires_on_what_its_own_question_says_is_true(bank) -> None:  # type: ignore[no-untyped-def]
    """A question's key points, model answer, corrections and true examples are correct
    statements a good candidate may make: a misconception signal firing on any of them
    would tell that candidate they are wrong (the review's X1)."""
    hits = []
    for q in bank.questions:
        truths = [
            *(kp.point for kp in q.key_points),
            *(part.split(":", 1)[-1] for part in q.model_answer),
            *(m.correction for m in q.misconceptions),
            *(t for m in q.misconceptions for t in m.correct_examples),
        ]
        hits.extend((q.id, m.id, *hit) for m in q.misconceptions for hit in _fired(m.signals, truths))
    assert not hits, hits[:8]


def test_every_false_example_of_a_misconception_is_caught(bank) -> None:  # type: ignore[no-untyped-def]
    missed = [
        (q.id, m.id, example)
        for q in bank.questions
        for m in q.misconceptions
        for example in m.false_examples
        if not _fired(m.signals, [example])
    ]
    assert not missed, missed[:8]
    assert sum(len(m.correct_examples) for q in bank.questions for m in q.misconceptions) >= 40


def test_the_misconception_checks_can_fail() -> None:
    """The checks above see what the examiner sees: a negated claim is not an assertion, a
    contrast that names the wrong practice is, and a list fragment is not read at all."""
    signals = ["kv cache ... fixed size"]
    assert _fired(signals, ["In a static server the KV cache has a fixed size per sequence slot."])
    assert not _fired(signals, ["The KV cache does not have a fixed size at all, it grows."])
    assert not _fired(signals, ["KV cache: fixed size."])


def _content_stems(text: str) -> set[str]:
    return {stem(w) for w in tokenize(text) if len(w) > 2}


def test_no_two_questions_ask_the_same_thing(bank) -> None:  # type: ignore[no-untyped-def]
    """Duplicate detection over the question texts: no pair shares most of its content words."""
    stems = [(q.id, _content_stems(q.question)) for q in bank.questions]
    pairs = [(len(a & b) / len(a | b), i, j) for n, (i, a) in enumerate(stems) for j, b in stems[n + 1 :]]
    assert max(pairs)[0] < 0.4, sorted(pairs, reverse=True)[:3]


def test_duplicate_detection_catches_a_reworded_copy(bank) -> None:  # type: ignore[no-untyped-def]
    original = bank.get("serving-kv-cache").question
    copy = original.replace("What is the KV cache", "Explain the KV cache").replace("roughly", "approximately")
    a, b = _content_stems(original), _content_stems(copy)
    assert len(a & b) / len(a | b) >= 0.4


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
