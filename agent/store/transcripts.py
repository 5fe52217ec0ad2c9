"""The transcript store: every session and every turn, in one SQLite file.

A candidate's answer is written here before any assessment starts, so it survives a
crash, a timeout or a bug in the examiner. Writes are idempotent (keyed by session and
turn number), so a graph step that re-runs after a crash does not duplicate anything.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

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


class TranscriptStore:
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

    def close(self) -> None:
        self._db.close()

    # --- writes -----------------------------------------------------------------------

    def create_session(
        self, session_id: str, user: str, role: Role, questions: int, plan: list[PlannedQuestion]
    ) -> None:
        stamp = now()
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO sessions (id, user, role, created_at, updated_at, questions, plan)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
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
    def _touch(db: sqlite3.Connection, session_id: str) -> None:
        db.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (now(), session_id))

    # --- reads ------------------------------------------------------------------------

    def session(self, session_id: str) -> SessionRow:
        with self._lock:
            row = self._db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise SessionNotFound(f"no session {session_id!r}")
        return _session_dict(row)

    def sessions(self, user: str | None = None, status: str | None = None) -> list[SessionRow]:
        query = "SELECT * FROM sessions"
        clauses, args = [], []
        if user is not None:
            clauses.append("user = ?")
            args.append(user)
        if status is not None:
            clauses.append("status = ?")
            args.append(status)
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY created_at DESC, rowid DESC", args).fetchall()
        return [_session_dict(r) for r in rows]

    def turns(self, session_id: str) -> list[TurnRow]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM turns WHERE session_id = ? ORDER BY seq", (session_id,)).fetchall()
        out = []
        for row in rows:
            turn = dict(row)
            turn["assessment"] = json.loads(turn["assessment"]) if turn["assessment"] else None
            turn["usage"] = json.loads(turn["usage"]) if turn.get("usage") else None
            out.append(cast(TurnRow, turn))  # the columns are TurnRow's fields
        return out

    def recent_question_ids(self, user: str, sessions: int = 3) -> set[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT t.question_id FROM turns t WHERE t.question_id IS NOT NULL AND t.kind = 'question'"
                " AND t.session_id IN (SELECT s.id FROM sessions s WHERE s.user = ? AND EXISTS"
                " (SELECT 1 FROM turns a WHERE a.session_id = s.id AND a.answer IS NOT NULL)"
                " ORDER BY s.created_at DESC, s.rowid DESC LIMIT ?)",
                (user, sessions),
            ).fetchall()
        return {r[0] for r in rows}


def _session_dict(row: sqlite3.Row) -> SessionRow:
    data = dict(row)
    data["plan"] = json.loads(data["plan"])
    data["report"] = json.loads(data["report"]) if data["report"] else None
    return cast(SessionRow, data)  # the columns are SessionRow's fields
