"""The guide index is incremental and survives a change of embedding model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fake_embeddings import HashingEmbeddingFunction

from knowledge.embeddings import StaticEmbedder, WordLlamaEmbeddingFunction
from knowledge.guide_source import guide_chunks
from knowledge.knowledge_base import GUIDE_COLLECTION, KnowledgeBase
from knowledge.shared_chroma import SharedChroma


def _client(path: Path) -> SharedChroma:
    return SharedChroma(path)


def test_unchanged_guide_is_not_re_embedded(tmp_path: Path) -> None:
    embedder = StaticEmbedder()
    first = HashingEmbeddingFunction()
    kb = KnowledgeBase(_client(tmp_path), first, embedder)
    assert kb.sync_report.added == len(kb.chunks) > 40
    assert first.embedded == len(kb.chunks)

    again = HashingEmbeddingFunction()
    kb2 = KnowledgeBase(_client(tmp_path), again, embedder)
    assert (kb2.sync_report.added, kb2.sync_report.removed, kb2.sync_report.unchanged) == (0, 0, len(kb.chunks))
    assert again.embedded == 0


def test_a_changed_guide_updates_only_what_changed(tmp_path: Path) -> None:
    embedder = StaticEmbedder()
    chunks = guide_chunks()
    KnowledgeBase(_client(tmp_path), HashingEmbeddingFunction(), embedder, chunks=chunks)

    edited = list(chunks)
    edited[10] = replace(edited[10], text=edited[10].text + " An extra sentence about evaluation.")
    del edited[20]
    edited = [replace(c, position=i) for i, c in enumerate(edited)]
    ef = HashingEmbeddingFunction()
    kb = KnowledgeBase(_client(tmp_path), ef, embedder, chunks=edited)
    assert (kb.sync_report.added, kb.sync_report.removed) == (1, 2)
    assert ef.embedded == 1
    stored = _client(tmp_path).get_collection(GUIDE_COLLECTION).get(include=["metadatas"])
    assert len(stored["ids"]) == len(edited)
    positions = sorted(int(m["position"]) for m in stored["metadatas"] or [])
    assert positions == list(range(len(edited)))


def test_switching_the_embedding_model_re_indexes_instead_of_failing(tmp_path: Path) -> None:
    embedder = StaticEmbedder()
    KnowledgeBase(_client(tmp_path), HashingEmbeddingFunction(), embedder)
    kb = KnowledgeBase(_client(tmp_path), WordLlamaEmbeddingFunction(embedder=embedder), embedder)
    assert kb.sync_report.rebuilt
    assert kb.sync_report.added == 0  # the stored documents were re-embedded by the rebuild
    collection = _client(tmp_path).get_collection(GUIDE_COLLECTION)
    assert collection.count() == len(kb.chunks)
    assert "wordllama" in str((collection.metadata or {}).get("embedding_model"))
    assert kb.retriever.search("mode collapse in GANs", 1, mode="dense")[0].section.startswith("Master GAN")

    back = KnowledgeBase(_client(tmp_path), HashingEmbeddingFunction(), embedder)
    assert back.sync_report.rebuilt and back.sync_report.unchanged == len(kb.chunks)


class _BrokenEmbeddings(HashingEmbeddingFunction):
    """A model that fails every call, like an unreachable embeddings API."""

    def __call__(self, input):  # type: ignore[no-untyped-def]
        raise ConnectionError("embeddings endpoint unreachable")

    @staticmethod
    def name() -> str:
        return "test-broken"

    @property
    def model_id(self) -> str:
        return "test/broken"


def test_a_failing_new_model_leaves_the_stored_records_intact(tmp_path: Path) -> None:
    import pytest

    from knowledge.errors import EmbeddingUnavailable
    from knowledge.user_material import UserMaterial

    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\nOur team serves models with vLLM.\n", encoding="utf-8")
    UserMaterial(_client(tmp_path / "db"), HashingEmbeddingFunction()).ingest("asha", [notes])
    with pytest.raises(EmbeddingUnavailable, match="embeddings endpoint unreachable"):
        UserMaterial(_client(tmp_path / "db"), _BrokenEmbeddings())
    survivor = UserMaterial(_client(tmp_path / "db"), HashingEmbeddingFunction())
    assert survivor.collection.count() == 1
    assert survivor.corpus("asha").records[0].text == "Our team serves models with vLLM."
