"""A durable write-behind queue: jobs are committed to SQLite (or Postgres) at once (sub-millisecond)
and applied later, in batches, by a background thread, so slow writes stay off the
interview's critical path. A Chroma upsert costs ~200 ms on this disk and its bindings
hold the GIL for much of it, so the worker also waits for a quiet moment (no new job for
``idle_seconds``) before writing: between answers the candidate is thinking.

A job survives a crash: it is deleted only after it has been applied, and pending jobs
are applied again on the next start. Jobs must therefore be idempotent. Readers that
need every write call :meth:`flush` first.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from agent.store.sqlite_files import open_database

log = logging.getLogger(__name__)
Payload = dict[str, Any]  # free-form: whatever JSON the owner queues (memory: a question's outcome)
Apply = Callable[[list[Payload]], None]
BATCH = 200


class Jobs(Protocol):
    """Where the queued jobs are kept: a SQLite file here, a Postgres table in ``agent.store.pg``."""

    def insert(self, payload: str) -> None: ...

    def payloads(self) -> list[str]:
        """Every queued payload, oldest first."""
        ...

    def count(self) -> int: ...

    def drain(self, apply: Callable[[list[str]], None]) -> None:
        """Apply and delete every job queued when the call began, oldest first, in batches."""
        ...

    def close(self) -> None: ...


class SqliteJobs:
    """The embedded queue: one SQLite file, drained by the one process that owns it."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = open_database(path, "memory queue", isolation_level=None)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT NOT NULL)"
        )
        self._lock = threading.Lock()

    def insert(self, payload: str) -> None:
        with self._lock:
            self._db.execute("INSERT INTO jobs (payload) VALUES (?)", (payload,))

    def payloads(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT payload FROM jobs ORDER BY id").fetchall()]

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0])

    def drain(self, apply: Callable[[list[str]], None]) -> None:
        while True:
            with self._lock:
                rows = self._db.execute("SELECT id, payload FROM jobs ORDER BY id LIMIT ?", (BATCH,)).fetchall()
            if not rows:
                return
            apply([r[1] for r in rows])
            with self._lock:
                self._db.execute("DELETE FROM jobs WHERE id <= ?", (rows[-1][0],))

    def close(self) -> None:
        with self._lock:
            self._db.close()


class Outbox:
    def __init__(self, jobs: Jobs | Path, apply: Apply, idle_seconds: float = 1.5) -> None:
        self._jobs: Jobs = SqliteJobs(jobs) if isinstance(jobs, Path) else jobs
        self._apply = apply
        self.idle_seconds = idle_seconds
        self._last_put = 0.0
        self._apply_lock = threading.Lock()  # one drain at a time in this process, in order
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None

    def put(self, payload: Payload) -> None:
        self._jobs.insert(json.dumps(payload))
        self._last_put = time.monotonic()
        self._ensure_worker()
        self._wake.set()

    def pending_payloads(self) -> list[Payload]:
        """Jobs not yet applied, oldest first (for readers that merge them instead of flushing)."""
        return [json.loads(p) for p in self._jobs.payloads()]

    def pending(self) -> int:
        return self._jobs.count()

    def flush(self) -> None:
        """Apply every pending job now, in order (raises if a job fails)."""
        with self._apply_lock:
            self._jobs.drain(lambda batch: self._apply([json.loads(p) for p in batch]))

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._run, name="outbox", daemon=True)
            self._worker.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            while not self._stop.is_set() and (quiet := time.monotonic() - self._last_put) < self.idle_seconds:
                self._stop.wait(self.idle_seconds - quiet)  # close() interrupts the wait
            if self._stop.is_set():
                return
            try:
                self.flush()
            except Exception:
                log.exception("background write failed; it stays queued")

    def close(self) -> None:
        """Apply what is pending, stop the worker and close the file."""
        try:
            self.flush()
        finally:
            self._stop.set()
            self._wake.set()
            if self._worker is not None:
                self._worker.join(timeout=5)
            self._jobs.close()
