"""The memory queue in Postgres, drained by any worker and each job applied once: a drain
locks a batch with ``FOR UPDATE SKIP LOCKED`` (other workers take the next batch instead of
waiting), applies it and deletes it in the same transaction. A worker killed mid-batch
releases its locks with its connection, and another worker applies the batch again, which
the jobs' idempotence allows."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from agent.store.outbox import BATCH
from agent.store.pg.database import Database

log = logging.getLogger(__name__)
WAIT_FOR_OTHERS = 30.0  # seconds a flush waits for batches other workers are applying


class PgJobs:
    def __init__(self, database: Database) -> None:
        self.database = database

    def insert(self, payload: str) -> None:
        with self.database.connection() as conn:
            conn.execute("INSERT INTO memory_jobs (payload) VALUES (%s)", (payload,))

    def payloads(self) -> list[str]:
        with self.database.connection() as conn:
            return [r["payload"] for r in conn.execute("SELECT payload FROM memory_jobs ORDER BY id").fetchall()]

    def count(self) -> int:
        with self.database.connection() as conn:
            row = conn.execute("SELECT count(*) AS n FROM memory_jobs").fetchone()
        return int(row["n"]) if row else 0

    def drain(self, apply: Callable[[list[str]], None]) -> None:
        """Apply every job queued before the call; batches another worker holds are waited
        for (not taken), so a reader that flushes sees them applied."""
        with self.database.connection() as conn:
            row = conn.execute("SELECT max(id) AS top FROM memory_jobs").fetchone()
        top = row["top"] if row else None
        if top is None:
            return
        deadline = time.monotonic() + WAIT_FOR_OTHERS
        while True:
            if self._drain_batch(apply, int(top)):
                continue
            with self.database.connection() as conn:
                left = conn.execute("SELECT 1 FROM memory_jobs WHERE id <= %s LIMIT 1", (top,)).fetchone()
            if left is None:
                return
            if time.monotonic() > deadline:
                log.warning("queued memory writes held by another worker for %.0f s; not waiting", WAIT_FOR_OTHERS)
                return
            time.sleep(0.05)

    def _drain_batch(self, apply: Callable[[list[str]], None], top: int) -> bool:
        with self.database.connection() as conn, conn.transaction():
            rows = conn.execute(
                "SELECT id, payload FROM memory_jobs WHERE id <= %s ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
                (top, BATCH),
            ).fetchall()
            if not rows:
                return False
            apply([r["payload"] for r in rows])
            conn.execute("DELETE FROM memory_jobs WHERE id = ANY(%s)", ([r["id"] for r in rows],))
        return True

    def close(self) -> None:
        pass  # the pool belongs to the Database
