"""The guide index, the user's material and hybrid search over both, built from one client."""

from __future__ import annotations

from typing import TYPE_CHECKING

from knowledge.guide_source import guide_chunks
from knowledge.lexical import QueryExpander, load_glossary
from knowledge.retrieval import Corpus, HybridRetriever, Record
from knowledge.supplement_source import supplement_chunks
from knowledge.user_material import UserMaterial
from knowledge.vector_index import (
    NamedEmbeddingFunction,
    SyncReport,
    chunk_metadata,
    open_collection,
    sync_chunks,
)

if TYPE_CHECKING:
    from knowledge.embeddings import StaticEmbedder
    from knowledge.markdown_chunks import Chunk
    from knowledge.shared_chroma import ChromaStore

GUIDE_COLLECTION = "guide"


def knowledge_chunks() -> list[Chunk]:
    """What the index holds: the guide first (the primary source), then the team's supplement."""
    return [*guide_chunks(), *supplement_chunks()]


class KnowledgeBase:
    """Opens (and, if the guide changed, incrementally updates) the index on construction.

    ``static_embedder`` is the local word-vector model used to expand BM25 queries; it is
    separate from ``embedding_function`` (the dense model), which may be a remote one.
    """

    def __init__(
        self,
        client: ChromaStore,
        embedding_function: NamedEmbeddingFunction,
        static_embedder: StaticEmbedder,
        chunks: list[Chunk] | None = None,
    ) -> None:
        self.chunks = knowledge_chunks() if chunks is None else chunks
        collection, rebuilt = open_collection(client, GUIDE_COLLECTION, embedding_function)
        report = sync_chunks(collection, embedding_function, self.chunks)
        self.sync_report = SyncReport(report.added, report.removed, report.unchanged, rebuilt)
        glossary = load_glossary()

        def expander(vocabulary: set[str]) -> QueryExpander:
            return QueryExpander(vocabulary, static_embedder.embed, glossary)

        records = [Record(c.content_hash, c.text, chunk_metadata(c)) for c in self.chunks]
        self.material = UserMaterial(client, embedding_function)
        self.retriever = HybridRetriever(Corpus(collection, records), self.material.corpus, expander)
