"""One turn of a session at a time, across every worker: a Postgres advisory lock keyed by
the session id, held on its own connection for the whole turn. Inside one process the
thread lock comes first, so a thread waits on its neighbours without holding a connection,
and a nested use (a turn that finishes a pending run) does not lock twice."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from agent.store.pg.database import Database

NAMESPACE = 7_320_002  # the first key of pg_advisory_lock(int, int): session turns


class SessionLocks:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._local: dict[str, threading.RLock] = {}
        self._held: dict[str, int] = {}  # session id -> nesting depth in the holding thread
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def __call__(self, session_id: str) -> Iterator[None]:
        with self._guard:
            local = self._local.setdefault(session_id, threading.RLock())
        with local:
            depth = self._held.get(session_id, 0)
            self._held[session_id] = depth + 1
            try:
                if depth:
                    yield
                else:
                    with self.database.lock_pool.connection() as conn:
                        conn.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (NAMESPACE, session_id))
                        try:
                            yield
                        finally:
                            conn.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (NAMESPACE, session_id))
            finally:
                self._held[session_id] = depth
                if not depth:
                    del self._held[session_id]
