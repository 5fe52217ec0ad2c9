"""Moving an embedded data folder onto the servers (``mock-interview migrate``).

Everything is copied by key, skipping what the target already holds, so a re-run (or a run
after an interrupted one) copies nothing twice:

- sessions and turns: rows inserted with ``ON CONFLICT DO NOTHING``;
- checkpoints: the latest checkpoint of each unfinished session (finished ones need only
  their transcript and report), with its pending writes, unless the target has the thread;
- Chroma: every collection (guide, user material, weak-area memory) record by record, with
  its stored embedding, into a collection of the same name, metadata and embedding function.
  The memory queue is applied to the folder's Chroma first, so memory arrives in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver

from agent.store.pg.database import Database
from agent.store.transcripts import Transcripts
from knowledge.shared_chroma import ChromaStore
from knowledge.vector_index import NamedEmbeddingFunction

PAGE = 500  # Chroma records read and written per call
TABLES: dict[str, tuple[str, ...]] = {"sessions": ("id",), "turns": ("session_id", "seq")}


@dataclass
class MoveReport:
    copied: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # already in the target

    def add(self, what: str, copied: int, skipped: int) -> None:
        self.copied[what] = self.copied.get(what, 0) + copied
        self.skipped[what] = self.skipped.get(what, 0) + skipped

    def lines(self) -> list[str]:
        return [f"{what}: {n} copied, {self.skipped.get(what, 0)} already there" for what, n in self.copied.items()]


def copy_rows(source: Transcripts, target: Database, report: MoveReport) -> None:
    with target.connection() as conn, conn.transaction():
        for table in TABLES:
            rows = source.all_rows(table)
            copied = 0
            for row in rows:
                row.pop("rowid", None)
                columns = list(row)
                quoted = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join("%s" for _ in columns)
                sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks}) ON CONFLICT DO NOTHING"
                copied += conn.execute(sql.encode(), [row[c] for c in columns]).rowcount
            report.add(table, copied, len(rows) - copied)


def copy_checkpoints(
    source: BaseCheckpointSaver[Any], target: BaseCheckpointSaver[Any], thread_ids: Sequence[str], report: MoveReport
) -> None:
    copied = 0
    for thread_id in thread_ids:
        config: RunnableConfig = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
        if target.get_tuple(config) is not None:
            continue
        saved = source.get_tuple(config)
        if saved is None:
            continue
        checkpoint = saved.checkpoint
        written = target.put(config, checkpoint, saved.metadata, dict(checkpoint["channel_versions"]))
        by_task: dict[str, list[tuple[str, Any]]] = {}
        for task_id, channel, value in saved.pending_writes or []:
            by_task.setdefault(task_id, []).append((channel, value))
        for task_id, writes in by_task.items():
            target.put_writes(written, writes, task_id)
        copied += 1
    report.add("checkpoints of unfinished sessions", copied, len(thread_ids) - copied)


def copy_chroma(
    source: ChromaStore, target: ChromaStore, embedding_function: NamedEmbeddingFunction, report: MoveReport
) -> None:
    with source.reading():
        collections = [(c.name, dict(c.metadata or {})) for c in source.client.list_collections()]
    for name, metadata in collections:
        if name.endswith("-rebuild"):
            continue  # the leftover of an interrupted re-index
        into = target.get_or_create_collection(name, embedding_function, metadata)
        origin = source.get_collection(name, embedding_function)
        total = origin.count()
        copied = 0
        for offset in range(0, total, PAGE):
            page = origin.get(limit=PAGE, offset=offset, include=["embeddings", "documents", "metadatas"])
            have = set(into.get(ids=page["ids"], include=[])["ids"])
            keep = [i for i, record_id in enumerate(page["ids"]) if record_id not in have]
            if keep:
                embeddings, documents, metadatas = page["embeddings"], page["documents"], page["metadatas"]
                assert embeddings is not None and documents is not None and metadatas is not None
                into.add(
                    ids=[page["ids"][i] for i in keep],
                    embeddings=[embeddings[i] for i in keep],
                    documents=[documents[i] for i in keep],
                    metadatas=[metadatas[i] for i in keep],
                )
            copied += len(keep)
        report.add(f"chroma {name}", copied, total - copied)
