"""One Postgres database shared by every worker: a connection pool, and the schema brought
up to date at start under an advisory lock, so two workers starting at once migrate once.

Migrations are numbered SQL scripts; ``mock_interview_migrations`` records which have run.
LangGraph's checkpoint tables are migrated by ``PostgresSaver.setup()`` under the same lock.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any, cast
from urllib.parse import urlsplit

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from knowledge.errors import StartupError

MIGRATION_LOCK = 7_320_001  # pg_advisory_lock key held while any worker migrates
MIGRATIONS: list[str] = [
    # 1: the transcript store and the memory queue (as the SQLite files hold them)
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        ord BIGSERIAL,
        "user" TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active',
        questions INTEGER NOT NULL,
        backend TEXT NOT NULL DEFAULT 'offline',
        plan TEXT NOT NULL DEFAULT '[]',
        overall DOUBLE PRECISION,
        report TEXT,
        draft TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX sessions_by_user ON sessions ("user", created_at);
    CREATE TABLE turns (
        session_id TEXT NOT NULL REFERENCES sessions (id),
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        topic TEXT NOT NULL,
        question_id TEXT,
        prompt TEXT NOT NULL,
        answer TEXT,
        assessment TEXT,
        backend TEXT,
        backend_note TEXT,
        usage TEXT,
        asked_at TEXT NOT NULL,
        answered_at TEXT,
        PRIMARY KEY (session_id, seq)
    );
    CREATE TABLE memory_jobs (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL);
    """,
]


def shown(url: str) -> str:
    """The URL without its password, fit for an error line."""
    parsed = urlsplit(url)
    netloc = parsed.hostname or ""
    if parsed.username:
        netloc = f"{parsed.username}@{netloc}"
    if parsed.port:
        netloc = f"{netloc}:{parsed.port}"
    return parsed._replace(netloc=netloc).geturl()


class Database:
    """The pool every store draws from, plus a second one for the session locks (a lock
    holds its connection for a whole turn, and must not starve the turn's own queries)."""

    def __init__(self, url: str, max_size: int = 16, connect_timeout: float = 5.0) -> None:
        self.url = url
        try:
            psycopg.connect(url, connect_timeout=int(connect_timeout)).close()
        except psycopg.Error as exc:
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise StartupError(
                f"cannot use the database at {shown(url)} (MOCK_INTERVIEW_DATABASE_URL): {reason}"
            ) from None
        # PostgresSaver needs autocommit and dict rows; the stores open their own transactions.
        kwargs: dict[str, Any] = {"autocommit": True, "prepare_threshold": None, "row_factory": dict_row}
        self.pool = ConnectionPool(url, min_size=1, max_size=max_size, kwargs=kwargs, open=False, name="stores")
        self.lock_pool = ConnectionPool(
            url, min_size=0, max_size=max_size, kwargs={"autocommit": True}, open=False, name="locks"
        )
        self.pool.open(wait=True, timeout=connect_timeout)
        self.lock_pool.open()
        self.migrate()

    def connection(self) -> contextlib.AbstractContextManager[psycopg.Connection[dict[str, Any]]]:
        # the pool's connections make dict rows (row_factory above); its type cannot say so
        return cast("contextlib.AbstractContextManager[psycopg.Connection[dict[str, Any]]]", self.pool.connection())

    @contextlib.contextmanager
    def migration_lock(self, timeout: float = 120.0) -> Iterator[None]:
        """Held by one worker at a time, across processes (a session-level advisory lock).
        Waiting is a loop of tries, not a blocking statement: LangGraph's migrations build
        indexes CONCURRENTLY, which wait for every statement in progress, a blocked lock
        request included."""
        with self.lock_pool.connection() as conn:
            deadline = time.monotonic() + timeout
            while not conn.execute("SELECT pg_try_advisory_lock(%s)", (MIGRATION_LOCK,)).fetchone()[0]:  # type: ignore[index]
                if time.monotonic() > deadline:
                    raise StartupError(
                        f"another worker has held the migration lock of {shown(self.url)} for {timeout:.0f} s"
                    )
                time.sleep(0.05)
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))

    def migrate(self, then: Callable[[], None] | None = None) -> int:
        """Run the migrations this database has not seen (and ``then``, e.g. a saver's setup)
        under the migration lock; returns how many ran."""
        with self.migration_lock():
            with self.connection() as conn, conn.transaction():
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS mock_interview_migrations"
                    " (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                )
                row = conn.execute("SELECT coalesce(max(version), 0) AS v FROM mock_interview_migrations").fetchone()
                done = int(row["v"]) if row else 0
                for version, script in enumerate(MIGRATIONS[done:], start=done + 1):
                    conn.execute(script.encode())  # our own constant SQL
                    conn.execute("INSERT INTO mock_interview_migrations (version) VALUES (%s)", (version,))
            if then is not None:  # after the commit: no transaction of ours is open while it runs
                then()
        return len(MIGRATIONS) - done

    def close(self) -> None:
        self.lock_pool.close()
        self.pool.close()
