from __future__ import annotations

from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from tokenizers import Tokenizer

from knowledge.embeddings import WordLlamaEmbeddingFunction, _wordllama_dir


def test_offline_embeddings_match_wordllamas_own_inference_exactly() -> None:
    from wordllama.inference import WordLlamaInference

    ef = WordLlamaEmbeddingFunction()
    texts = ["Mode collapse means low diversity in outputs.", "Chroma is user-friendly", "attention"]
    ours = np.array(ef(texts))
    tokenizer = Tokenizer.from_file(str(_wordllama_dir() / "tokenizers" / "l2_supercat_tokenizer_config.json"))
    reference = WordLlamaInference(ef.embedder.matrix, tokenizer).embed(texts, norm=True)
    assert ours.shape == (3, 256)
    np.testing.assert_allclose(ours, reference, atol=1e-6)


def test_similar_texts_are_closer_than_unrelated_ones() -> None:
    ef = WordLlamaEmbeddingFunction()
    a, b, c = np.array(
        ef(
            [
                "image generation with diffusion",
                "generating images by denoising diffusion",
                "quarterly tax filing deadline",
            ]
        )
    )
    assert a @ b > a @ c


def test_odd_input_never_crashes() -> None:
    ef = WordLlamaEmbeddingFunction()
    vectors = np.array(ef(["", "   ", "🙂🙂", "नमस्ते, attention kya hai?", "x" * 50_000]))
    assert vectors.shape == (5, 256)
    assert np.isfinite(vectors).all()


def test_a_reopened_collection_rebuilds_the_function_from_its_config(tmp_path: Path) -> None:
    settings = ChromaSettings(anonymized_telemetry=False)
    client = chromadb.PersistentClient(path=str(tmp_path), settings=settings)
    client.create_collection("reopen-test", embedding_function=WordLlamaEmbeddingFunction())  # type: ignore[arg-type]
    reopened = chromadb.PersistentClient(path=str(tmp_path), settings=settings).get_collection("reopen-test")
    persisted = reopened.configuration.get("embedding_function")
    assert isinstance(persisted, WordLlamaEmbeddingFunction)
    assert persisted.get_config() == {"config": "l2_supercat", "dim": 256}
    reopened.add(ids=["a"], documents=["mode collapse"])
    assert reopened.query(query_texts=["collapse of modes"], n_results=1)["ids"] == [["a"]]
