"""LangGraph checkpoints in Postgres (``langgraph-checkpoint-postgres``), and keeping a
finished session down to its last checkpoint, as the SQLite file does."""

from __future__ import annotations

from langgraph.checkpoint.postgres import PostgresSaver

from agent.store.pg.database import Database


def open_saver(database: Database) -> PostgresSaver:
    """A saver on the shared pool; its tables are migrated under the migration lock."""
    saver = PostgresSaver(database.pool)  # type: ignore[arg-type]  # the pool's rows are dicts, as the saver needs
    database.migrate(then=saver.setup)
    return saver


def keep_only_latest(database: Database, thread_id: str) -> int:
    """Delete every checkpoint of ``thread_id`` but the newest, with the writes and channel
    values only they referred to; returns how many checkpoints were removed."""
    with database.connection() as conn, conn.transaction():
        row = conn.execute(
            "SELECT checkpoint_id FROM checkpoints WHERE thread_id = %s AND checkpoint_ns = ''"
            " ORDER BY checkpoint_id DESC LIMIT 1",
            (thread_id,),
        ).fetchone()
        if row is None:
            return 0
        latest = row["checkpoint_id"]
        removed = conn.execute(
            "DELETE FROM checkpoints WHERE thread_id = %s AND checkpoint_id != %s", (thread_id, latest)
        ).rowcount
        conn.execute("DELETE FROM checkpoint_writes WHERE thread_id = %s AND checkpoint_id != %s", (thread_id, latest))
        conn.execute(
            "DELETE FROM checkpoint_blobs b WHERE b.thread_id = %s AND NOT EXISTS (SELECT 1 FROM checkpoints c"
            " WHERE c.thread_id = b.thread_id AND c.checkpoint_ns = b.checkpoint_ns"
            " AND c.checkpoint -> 'channel_versions' ->> b.channel = b.version)",
            (thread_id,),
        )
    return int(removed)
