"""Phrase matching in the candidate's own forms, and negation."""

from __future__ import annotations

import pytest

from agent.examiner.phrases import MatchText, PhraseIndex


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("self-attention", "We use self attention in every layer."),
        ("selfattention", "Self-attention layers"),
        ("fine-tune", "We finetuned the model last year."),
        ("fine-tuning", "I would fine tune it on our tickets."),
        ("roll back", "We had a rollback plan ready."),
        ("smaller model", "Route easy requests to a small model."),
        ("p(y|x)", "A classifier learns P(Y | X) directly."),
        ("o(n^2)", "The cost is O(n²) in the sequence length."),
        ("llm-as-judge", "We scored replies with an LLM as a judge."),
        ("evaluation", "We evaluated it on a golden set."),
        ("kv cache", "The KV-cache grows with every token."),
    ],
)
def test_forms_hyphens_and_notation_match_as_one(phrase: str, text: str) -> None:
    found = MatchText(text).find(phrase)
    assert found is not None and not found.negated


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("consider all tokens at once", "Transformers do not consider all tokens at once."),
        ("consider all tokens at once", "Transformers don't consider all tokens at once."),
        ("dataset versioning", "Dataset versioning isn't needed because the model has the data."),
        ("early stopping", "Early stopping is counterproductive here."),
        ("dropout", "I would remove dropout entirely."),
    ],
)
def test_a_point_stated_negatively_or_turned_down_is_negated(phrase: str, text: str) -> None:
    found = MatchText(text).find(phrase)
    assert found is not None and found.negated
    assert not MatchText(text).has(phrase)


def test_unrelated_words_do_not_match_and_a_side_clause_does_not_negate_a_sentence() -> None:
    assert MatchText("I like pizza on Fridays.").find("attention") is None
    assert MatchText("art class").find("bias") is None
    assert not MatchText("Not sure of the exact number, but mode collapse is when outputs repeat.").negated
    assert MatchText("Attention does not look at other tokens and does not weigh them.").negated


def test_a_signal_in_parts_needs_every_part_unnegated_in_the_sentence() -> None:
    signal = "fid ... higher is better"
    assert MatchText("FID is basically a fidelity score, so higher is better.").asserts(signal)
    assert not MatchText("FID is a distance, so lower is better.").asserts(signal)
    assert not MatchText("For FID it is not true that higher is better.").asserts(signal)
    assert MatchText("Temperature zero makes the model deterministic").asserts(
        "temperature zero makes the model deterministic"
    )


def test_a_phrase_index_finds_what_matching_each_phrase_finds() -> None:
    phrases = ["self-attention", "KV cache", "fine-tune", "roll back", "p(y|x)", "canary release", "lower is better"]
    index = PhraseIndex((p, p.upper()) for p in phrases)
    texts = [
        "Self attention lets each token look at the others; the kv-cache keeps past keys.",
        "We would not fine-tune, and we never roll back.",  # both negated
        "The classifier models P(Y|X) and a canary release catches regressions.",
        "FID is a distance, so lower is better.",
        "Nothing here.",
    ]
    for text in texts:
        match = MatchText(text)
        assert index.found(match) == {p.upper() for p in phrases if match.has(p)}, text
    assert index.found(MatchText(texts[0])) == {"SELF-ATTENTION", "KV CACHE"}
    assert index.found(MatchText(texts[1])) == set()
