"""Opening the data folder's SQLite files, and repairing one that is damaged.

A file filled with random bytes, truncated, replaced by a directory or cut to one byte
gives one line that names it and says what to do, never a traceback:
``mock-interview doctor --repair`` moves it aside (``<name>.damaged-<time>``) and starts a
fresh one holding every row that could still be read.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from knowledge.errors import StartupError

# The data folder's databases, with what the user knows them as, and the tables whose rows
# a repair copies over (checkpoints are not copied: a session without one can be ended).
DATABASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "sessions.sqlite": ("transcript store", ("sessions", "turns")),
    "checkpoints.sqlite": ("interview checkpoints", ()),
    "memory-outbox.sqlite": ("memory queue", ("jobs",)),
}


class DamagedFile(StartupError):
    def __init__(self, path: Path, what: str, reason: str) -> None:
        super().__init__(
            f"{path}: the {what} is damaged ({reason}); run `mock-interview doctor --repair` to back it up "
            "and start a fresh one with what can be read, or move it aside"
        )


def _reason(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:120]


def open_database(path: Path, what: str, **connect: Any) -> sqlite3.Connection:
    """A connection to ``path`` that passed SQLite's quick check, or DamagedFile."""
    if path.is_dir():
        raise DamagedFile(path, what, "it is a directory")
    try:
        db: sqlite3.Connection = sqlite3.connect(path, check_same_thread=False, **connect)
    except sqlite3.Error as exc:
        raise DamagedFile(path, what, _reason(exc)) from None
    try:
        verdict = db.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise sqlite3.DatabaseError(verdict)
        db.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:
        db.close()
        raise DamagedFile(path, what, _reason(exc)) from None
    return db


def check(path: Path, what: str) -> str | None:
    """None if ``path`` is missing or healthy, else why it is damaged."""
    if not path.exists():
        return None
    try:
        open_database(path, what).close()
    except DamagedFile as exc:
        return str(exc)
    return None


def _readable_rows(source: Path, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The columns and every row of ``table`` that can still be read (row by row if need be)."""
    try:
        db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    except sqlite3.Error:
        return [], []
    try:
        try:
            cursor = db.execute(f"SELECT * FROM {table}")
            return [c[0] for c in cursor.description], cursor.fetchall()
        except sqlite3.Error:
            pass
        try:
            columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
            top = int(db.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0)
        except sqlite3.Error:
            return [], []
        rows = []
        for rowid in range(1, top + 1):
            with contextlib.suppress(sqlite3.Error):
                rows.extend(db.execute(f"SELECT * FROM {table} WHERE rowid = ?", (rowid,)).fetchall())
        return columns, rows
    finally:
        db.close()


def repair(path: Path, what: str, tables: tuple[str, ...], create: Callable[[Path], None]) -> str:
    """Move the damaged ``path`` aside and make a fresh one (``create(path)`` builds the
    schema) holding the rows of ``tables`` that could be read; a one-line account."""
    backup = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    shutil.move(str(path), backup)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            shutil.move(str(side), backup.with_name(backup.name + suffix))
    create(path)
    kept = []
    if backup.is_file():
        db = sqlite3.connect(path)
        try:
            for table in tables:
                columns, rows = _readable_rows(backup, table)
                wanted = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
                columns_kept = [c for c in columns if c in wanted]
                if rows and columns_kept:
                    index = [columns.index(c) for c in columns_kept]
                    marks = ", ".join("?" for _ in columns_kept)
                    db.executemany(
                        f"INSERT OR IGNORE INTO {table} ({', '.join(columns_kept)}) VALUES ({marks})",
                        [tuple(row[i] for i in index) for row in rows],
                    )
                kept.append(f"{len(rows)} {table}")
            db.commit()
        finally:
            db.close()
    saved = f", kept {', '.join(kept)}" if kept else ""
    return f"{path.name}: damaged; moved to {backup.name} and started fresh{saved}"
