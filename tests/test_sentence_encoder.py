"""The numpy MiniLM encoder: the shipped weights, real embeddings, paraphrase over topic."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from agent.services import Services
from knowledge.errors import EmbeddingUnavailable
from knowledge.sentence_encoder import SentenceEncoder, _model_zip


def test_embeddings_are_unit_length_and_see_paraphrase(services: Services) -> None:
    encode = services.sentence_encoder.encode
    vectors = encode(
        [
            "Lower FID means the generated images are closer to the real ones.",
            "FID is a distance, so smaller is better.",
            "I like pizza on Fridays.",
        ]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    same, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert same > 0.45 and unrelated < 0.15
    again = encode(["I like pizza on Fridays."])  # cached and deterministic
    assert np.array_equal(again[0], vectors[2])


def test_a_batch_gives_the_same_vectors_as_one_at_a_time(services: Services) -> None:
    encode = services.sentence_encoder._forward
    texts = ["short", "a considerably longer sentence about retrieval augmented generation and evaluation"]
    together = encode(texts)
    alone = np.vstack([encode([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)  # padding never leaks into a shorter text


def test_damaged_weights_are_refused_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "model.zip"
    with zipfile.ZipFile(_model_zip()) as source, zipfile.ZipFile(bad, "w") as target:
        target.writestr("tokenizer.json", source.read("tokenizer.json"))
        target.writestr("model.safetensors", source.read("model.safetensors")[:-16] + b"0" * 16)
    with pytest.raises(EmbeddingUnavailable, match="do not match their checksum"):
        SentenceEncoder(bad)
    with pytest.raises(EmbeddingUnavailable, match="cannot read"):
        SentenceEncoder(tmp_path / "missing.zip")


def test_reference_vectors_are_kept_across_processes_and_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "references.npz"
    first = SentenceEncoder(cache_file=cache, shipped=None)
    vectors = first.reference(["Attention weighs the relevance of every token.", "A canary release."])
    first.save()
    assert cache.is_file()
    second = SentenceEncoder(cache_file=cache, shipped=None)
    assert set(second._references) == set(first._references)  # read back, not encoded again
    assert np.allclose(second.reference(["A canary release."])[0], vectors[1])
    cache.write_bytes(b"not a numpy archive")
    third = SentenceEncoder(cache_file=cache, shipped=None)
    assert third._references == {}
    assert np.allclose(third.reference(["A canary release."])[0], vectors[1], atol=1e-6)


def test_a_fresh_forward_pass_reproduces_the_shipped_vectors(services: Services) -> None:
    """The packed forward pass (no padding in the per-token layers) computes what the shipped
    vectors hold, for texts of very different lengths in one batch."""
    import hashlib

    from knowledge.sentence_encoder import SHIPPED, _read_cache

    shipped = _read_cache(SHIPPED)
    bank = services.question_bank.questions
    texts = [bank[0].question, bank[0].key_points[0].point, *bank[1].model_answer, bank[2].key_points[-1].point]
    fresh = services.sentence_encoder._forward(texts)
    expected = np.stack([shipped[hashlib.sha1(t.encode()).hexdigest()] for t in texts])
    assert len({len(t) for t in texts}) == len(texts)
    np.testing.assert_allclose(fresh, expected, atol=1e-5)


def test_the_shipped_vectors_cover_every_text_of_the_bank(services: Services) -> None:
    """After an edit of the bank, run `python -m eval.build_references`."""
    import hashlib

    from eval.build_references import bank_texts
    from knowledge.sentence_encoder import SHIPPED, _read_cache

    shipped = _read_cache(SHIPPED)
    missing = [t for t in bank_texts(services.question_bank) if hashlib.sha1(t.encode()).hexdigest() not in shipped]
    assert not missing, f"{len(missing)} bank texts are not in {SHIPPED.name}, e.g. {missing[:1]}"


def test_the_users_cache_holds_only_what_the_package_does_not_ship(tmp_path: Path) -> None:
    cache = tmp_path / "references.npz"
    encoder = SentenceEncoder(cache_file=cache)
    encoder.reference(["A sentence that no question of the bank contains, for this test only."])
    encoder.save()
    from knowledge.sentence_encoder import _read_cache

    assert len(_read_cache(cache)) == 1


def test_gelu_matches_the_exact_erf_form() -> None:
    import math

    from knowledge.sentence_encoder import GELU_ROWS, _gelu_

    x = np.linspace(-8, 8, (GELU_ROWS + 7) * 33, dtype=np.float32).reshape(GELU_ROWS + 7, 33)  # blocks and a remainder
    exact = np.vectorize(lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2))))(x.astype(np.float64))
    _gelu_(x)
    np.testing.assert_allclose(x, exact, atol=1e-6)


def test_sentences_are_shared_between_threads_by_token_count() -> None:
    from knowledge.sentence_encoder import GROUP_SLACK, GROUP_STRETCH, SPLIT_FROM_TOKENS, _by_length, _shares

    lengths = [90, 10, 12, 40, 38, 5, 60]
    shares = _shares(lengths, 2)
    assert sorted(i for share in shares for i in share) == list(range(len(lengths)))
    loads = [sum(lengths[i] for i in share) for share in shares]
    assert len(shares) == 2 and max(loads) - min(loads) <= 10
    assert _shares([SPLIT_FROM_TOKENS // 4] * 3, 2) == [[0, 1, 2]]  # too small to be worth a thread
    groups = _by_length(np.array(lengths))
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))
    grouped = [sorted(lengths[i] for i in g) for g in groups]
    assert all(g[-1] <= GROUP_STRETCH * g[0] + GROUP_SLACK for g in grouped)  # a 5-token one is not padded to 90
    assert len(grouped) > 1


def test_two_threads_and_length_groups_reproduce_the_shipped_vectors() -> None:
    """A batch large enough to be split between two threads, with sentences of very different
    lengths (several attention groups), gives the vectors of the reference forward pass."""
    import hashlib

    from knowledge.question_bank import load_bank
    from knowledge.sentence_encoder import SHIPPED, SPLIT_FROM_TOKENS, _read_cache

    shipped = _read_cache(SHIPPED)
    bank = load_bank().questions
    texts = list(dict.fromkeys([*bank[3].model_answer, *(kp.point for kp in bank[3].key_points), bank[3].question]))
    encoder = SentenceEncoder(shipped=None, workers=2)
    lengths = [len(e.ids) for e in encoder.tokenizer.encode_batch(texts)]
    assert sum(lengths) >= SPLIT_FROM_TOKENS and max(lengths) > 2 * min(lengths) + 8
    fresh = encoder._forward(texts)
    expected = np.stack([shipped[hashlib.sha1(t.encode()).hexdigest()] for t in texts])
    np.testing.assert_allclose(fresh, expected, atol=1e-5)
    assert encoder._pool is not None  # the batch was split
