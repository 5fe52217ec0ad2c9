"""The transcript store: every session and every turn, in one SQLite file (or in Postgres,
see ``agent.store.pg``).

A candidate's answer is written here before any assessment starts, so it survives a
crash, a timeout or a bug in the examiner. Writes are idempotent (keyed by session and
turn number), so a graph step that re-runs after a crash does not duplicate anything.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, cast

from agent.records import AssessmentRecord, Backend, CallUsage, PlannedQuestion, PromptKind, Report, SessionRow, TurnRow
from agent.store.sqlite_files import open_database
from knowledge.errors import NotFound
from knowledge.taxonomy import Role, Topic

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    questions INTEGER NOT NULL,
    backend TEXT NOT NULL DEFAULT 'offline',
    plan TEXT NOT NULL DEFAULT '[]',
    overall REAL,
    report TEXT,
    draft TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user, created_at);
CREATE TABLE IF NOT EXISTS turns (
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
"""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SessionNotFound(NotFound):
    """No session has this id."""


Row = dict[str, Any]  # free-form: a row as the database returns it, decoded by _session_dict / turns()


class Sql(Protocol):
    """The one call the store makes inside a transaction (SQLite's connection or an adapter)."""

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any: ...


class Transcripts(ABC):
    """The transcript store's logic in SQL both engines run (``?`` placeholders; the Postgres
    store translates them). Subclasses supply the transaction and the reads."""

    # The column that orders two sessions created in the same second (SQLite's rowid, a serial in Postgres).
    ORDER_COLUMN = "rowid"

    @abstractmethod
    def _tx(self) -> contextlib.AbstractContextManager[Sql]:
        """A write transaction; commits at the end of the block, rolls back on an error."""

    @abstractmethod
    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        """The rows of a read, as dicts."""

    @abstractmethod
    def close(self) -> None: ...

    # --- writes -----------------------------------------------------------------------

    def create_session(
        self, session_id: str, user: str, role: Role, questions: int, plan: list[PlannedQuestion]
    ) -> None:
        stamp = now()
        with self._tx() as db:
            db.execute(
                'INSERT INTO sessions (id, "user", role, created_at, updated_at, questions, plan)'
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                (session_id, user, role, stamp, stamp, questions, json.dumps(plan)),
            )

    def record_prompt(
        self, session_id: str, seq: int, kind: PromptKind, topic: Topic, question_id: str | None, prompt: str
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO turns (session_id, seq, kind, topic, question_id, prompt, asked_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (session_id, seq) DO UPDATE SET kind = excluded.kind, topic = excluded.topic,"
                " question_id = excluded.question_id, prompt = excluded.prompt",
                (session_id, seq, kind, topic, question_id, prompt, now()),
            )
            self._touch(db, session_id)

    def record_answer(self, session_id: str, seq: int, answer: str) -> None:
        with self._tx() as db:
            updated = db.execute(
                "UPDATE turns SET answer = ?, answered_at = ? WHERE session_id = ? AND seq = ?",
                (answer, now(), session_id, seq),
            ).rowcount
            if not updated:
                raise SessionNotFound(f"no turn {seq} in session {session_id}")
            db.execute("UPDATE sessions SET draft = '' WHERE id = ?", (session_id,))
            self._touch(db, session_id)

    def record_assessment(
        self,
        session_id: str,
        seq: int,
        assessment: AssessmentRecord,
        backend: Backend,
        note: str | None,
        usage: CallUsage | None = None,
    ) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE turns SET assessment = ?, backend = ?, backend_note = ?, usage = ?"
                " WHERE session_id = ? AND seq = ?",
                (json.dumps(assessment), backend, note, json.dumps(usage) if usage else None, session_id, seq),
            )
            if backend == "llm":
                db.execute("UPDATE sessions SET backend = 'llm' WHERE id = ?", (session_id,))
            self._touch(db, session_id)

    def complete(self, session_id: str, report: Report) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE sessions SET status = 'completed', overall = ?, report = ? WHERE id = ?",
                (report["overall"], json.dumps(report), session_id),
            )
            self._touch(db, session_id)

    def end_without_report(self, session_id: str) -> bool:
        """Close an active session whose checkpoint is gone; its answers stay. False if it was
        not active."""
        with self._tx() as db:
            ended = db.execute(
                "UPDATE sessions SET status = 'completed' WHERE id = ? AND status = 'active'", (session_id,)
            ).rowcount
            self._touch(db, session_id)
        return bool(ended)

    def save_draft(self, session_id: str, text: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE sessions SET draft = ? WHERE id = ?", (text, session_id))

    @staticmethod
    def _touch(db: Sql, session_id: str) -> None:
        db.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (now(), session_id))

    # --- reads ------------------------------------------------------------------------

    def session(self, session_id: str) -> SessionRow:
        rows = self._rows("SELECT * FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise SessionNotFound(f"no session {session_id!r}")
        return _session_dict(rows[0])

    def sessions(self, user: str | None = None, status: str | None = None) -> list[SessionRow]:
        query = "SELECT * FROM sessions"
        clauses, args = [], []
        if user is not None:
            clauses.append('"user" = ?')
            args.append(user)
        if status is not None:
            clauses.append("status = ?")
            args.append(status)
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        rows = self._rows(query + f" ORDER BY created_at DESC, {self.ORDER_COLUMN} DESC", args)
        return [_session_dict(r) for r in rows]

    def turns(self, session_id: str) -> list[TurnRow]:
        out = []
        for turn in self._rows("SELECT * FROM turns WHERE session_id = ? ORDER BY seq", (session_id,)):
            turn["assessment"] = json.loads(turn["assessment"]) if turn["assessment"] else None
            turn["usage"] = json.loads(turn["usage"]) if turn.get("usage") else None
            out.append(cast(TurnRow, turn))  # the columns are TurnRow's fields
        return out

    def all_rows(self, table: str) -> list[Row]:
        """Every stored row of ``sessions`` or ``turns`` as the database holds it (for moving)."""
        assert table in ("sessions", "turns"), table
        return self._rows(f"SELECT * FROM {table}")

    def recent_question_ids(self, user: str, sessions: int = 3) -> set[str]:
        rows = self._rows(
            "SELECT DISTINCT t.question_id FROM turns t WHERE t.question_id IS NOT NULL AND t.kind = 'question'"
            ' AND t.session_id IN (SELECT s.id FROM sessions s WHERE s."user" = ? AND EXISTS'
            " (SELECT 1 FROM turns a WHERE a.session_id = s.id AND a.answer IS NOT NULL)"
            f" ORDER BY s.created_at DESC, s.{self.ORDER_COLUMN} DESC LIMIT ?)",
            (user, sessions),
        )
        return {r["question_id"] for r in rows}


class TranscriptStore(Transcripts):
    """The embedded store: one SQLite file in the data folder."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = open_database(path, "transcript store", isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(turns)")}
        if "usage" not in columns:  # files written before token accounting existed
            self._db.execute("ALTER TABLE turns ADD COLUMN usage TEXT")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        with self._lock:
            return [dict(r) for r in self._db.execute(sql, args).fetchall()]

    def close(self) -> None:
        self._db.close()


def _session_dict(row: Row) -> SessionRow:
    data = dict(row)
    data["plan"] = json.loads(data["plan"])
    data["report"] = json.loads(data["report"]) if data["report"] else None
    return cast(SessionRow, data)  # the columns are SessionRow's fields
