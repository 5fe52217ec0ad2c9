"""Chroma collections kept in step with their source chunks, re-embedding only what changed.

Each chunk's id is the hash of its content, so syncing is set arithmetic: ids that are
gone are deleted, new ids are embedded and added, and nothing unchanged is embedded
again. A collection remembers which embedding model built it; opening it with another
model rebuilds it from its own stored documents instead of failing with Chroma's
"embedding function conflict".
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from knowledge.errors import EmbeddingUnavailable, redact
from knowledge.markdown_chunks import Chunk, search_text

if TYPE_CHECKING:
    from knowledge.shared_chroma import ChromaStore, SharedCollection

log = logging.getLogger(__name__)
ADD_BATCH = 256
# Bump when what is embedded for a chunk changes, so existing indexes are rebuilt.
INDEX_FORMAT = "search-text-v1"


class NamedEmbeddingFunction(Protocol):
    """A Chroma embedding function that can say which model it is."""

    @property
    def model_id(self) -> str: ...

    def __call__(self, input: list[str]) -> Any: ...


@dataclass(frozen=True)
class SyncReport:
    added: int
    removed: int
    unchanged: int
    rebuilt: bool = False


def embed(embedding_function: NamedEmbeddingFunction, texts: list[str]) -> Any:
    """Embed, turning any failure of the model (network, key, quota) into one clear line."""
    try:
        return embedding_function(texts)
    except Exception as exc:  # noqa: BLE001 - remote models fail in many ways
        first = (str(exc).splitlines() or [""])[0][:160]
        raise EmbeddingUnavailable(
            redact(f"the embedding model {embedding_function.model_id} failed: {type(exc).__name__}: {first}")
        ) from None


def chunk_metadata(chunk: Chunk, **extra: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "source": chunk.source,
        "section": chunk.section,
        "position": chunk.position,
        **extra,
    }
    if chunk.topics:  # Chroma rejects empty lists as metadata values
        meta["topics"] = list(chunk.topics)
    return meta


def open_collection(
    client: ChromaStore, name: str, embedding_function: NamedEmbeddingFunction
) -> tuple[SharedCollection, bool]:
    """The collection ``name`` bound to ``embedding_function``; True if it had to be rebuilt.
    Held under the folder's write lock: two processes opening a fresh folder create it once."""
    model = f"{embedding_function.model_id}|{INDEX_FORMAT}"
    with client.writing():
        try:
            collection = client.get_or_create_collection(
                name, embedding_function=embedding_function, metadata={"embedding_model": model}
            )
        except ValueError as exc:
            if "embedding function conflict" not in str(exc).lower():
                raise
            collection = None
        if collection is not None and (collection.metadata or {}).get("embedding_model") == model:
            return collection, False
        return _rebuild(client, name, embedding_function, model), True


def _rebuild(
    client: ChromaStore, name: str, embedding_function: NamedEmbeddingFunction, model: str
) -> SharedCollection:
    """Re-embed a collection's stored documents with a new model, keeping the same name.

    Everything is embedded into a staging collection first; the old collection is only
    deleted once the new one holds every record, so a failing model loses nothing.
    """
    old = client.get_collection(name)
    stored = old.get(include=["documents", "metadatas"])
    ids, docs, metas = stored["ids"], stored["documents"] or [], stored["metadatas"] or []
    log.info("re-indexing %s (%d records) for %s", name, len(ids), model)
    staging_name = f"{name}-rebuild"
    with contextlib.suppress(Exception):  # Chroma raises various types for a missing collection
        client.delete_collection(staging_name)  # a leftover of an interrupted rebuild
    staging = client.create_collection(
        staging_name, embedding_function=embedding_function, metadata={"embedding_model": model}
    )
    try:
        for start in range(0, len(ids), ADD_BATCH):
            end = start + ADD_BATCH
            texts = [
                search_text(str(m.get("section", "")), d)
                for d, m in zip(docs[start:end], metas[start:end], strict=True)
            ]
            staging.add(
                ids=ids[start:end],
                embeddings=embed(embedding_function, texts),
                documents=docs[start:end],
                metadatas=metas[start:end],
            )
    except BaseException:
        client.delete_collection(staging_name)
        raise
    client.delete_collection(name)
    staging.modify(name=name)
    return client.get_collection(name, embedding_function=embedding_function)


def sync_chunks(
    collection: SharedCollection,
    embedding_function: NamedEmbeddingFunction,
    chunks: list[Chunk],
    where: dict[str, Any] | None = None,
    **extra_metadata: str,
) -> SyncReport:
    """Make the records matching ``where`` equal to ``chunks``, embedding only new content
    (under the folder's write lock, so another process sees all of it or none)."""
    with collection.writing():
        return _sync(collection, embedding_function, chunks, where, **extra_metadata)


def _sync(
    collection: SharedCollection,
    embedding_function: NamedEmbeddingFunction,
    chunks: list[Chunk],
    where: dict[str, Any] | None,
    **extra_metadata: str,
) -> SyncReport:
    wanted = {c.content_hash: c for c in chunks}
    existing = collection.get(where=where, include=["metadatas"])
    have = dict(zip(existing["ids"], existing["metadatas"] or [], strict=True))
    stale = [i for i in have if i not in wanted]
    if stale:
        collection.delete(ids=stale)
    new = [c for h, c in wanted.items() if h not in have]
    for start in range(0, len(new), ADD_BATCH):
        batch = new[start : start + ADD_BATCH]
        collection.add(
            ids=[c.content_hash for c in batch],
            embeddings=embed(embedding_function, [c.search_text for c in batch]),
            documents=[c.text for c in batch],
            metadatas=[chunk_metadata(c, **extra_metadata) for c in batch],
        )
    # Unchanged text whose position moved keeps its embedding; only metadata is rewritten.
    moved = [c for h, c in wanted.items() if h in have and have[h].get("position") != c.position]
    if moved:
        collection.update(
            ids=[c.content_hash for c in moved],
            metadatas=[chunk_metadata(c, **extra_metadata) for c in moved],
        )
    return SyncReport(added=len(new), removed=len(stale), unchanged=len(wanted) - len(new))
