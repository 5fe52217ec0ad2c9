"""The transcript store in Postgres: the same SQL as the SQLite store (``Transcripts``), run
through the shared pool, each write one transaction."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg

from agent.store.pg.database import Database
from agent.store.transcripts import Row, Transcripts


class _Translated:
    """A connection that takes the store's ``?`` placeholders (no statement has a literal ``?``)."""

    def __init__(self, conn: psycopg.Connection[dict[str, Any]]) -> None:
        self._conn = conn

    def execute(self, sql: str, args: Sequence[Any] = ()) -> psycopg.Cursor[dict[str, Any]]:
        return self._conn.execute(sql.replace("?", "%s").encode(), args)  # the store's constant SQL


class PgTranscriptStore(Transcripts):
    ORDER_COLUMN = "ord"

    def __init__(self, database: Database) -> None:
        self.database = database

    @contextlib.contextmanager
    def _tx(self) -> Iterator[_Translated]:
        with self.database.connection() as conn, conn.transaction():
            yield _Translated(conn)

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        with self.database.connection() as conn:
            rows = _Translated(conn).execute(sql, args).fetchall()
        for row in rows:
            row.pop("ord", None)
        return rows

    def close(self) -> None:
        pass  # the pool belongs to the Database
