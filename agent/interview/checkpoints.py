"""Keeping the LangGraph checkpoint file small: a finished session needs only its last state."""

from __future__ import annotations

from typing import Any


def keep_only_latest(saver: Any, thread_id: str) -> int:
    """Delete every checkpoint of ``thread_id`` but the newest; returns how many were removed.

    Checkpoint ids are time-ordered, which is how the saver itself finds the latest one.
    An unfinished session keeps its history, so a crash can still resume from any step.
    """
    with saver.cursor(transaction=True) as cursor:
        row = cursor.execute(
            "SELECT checkpoint_id FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ''"
            " ORDER BY checkpoint_id DESC LIMIT 1",
            (thread_id,),
        ).fetchone()
        if row is None:
            return 0
        removed = cursor.execute(
            "DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_id != ?", (thread_id, row[0])
        ).rowcount
        cursor.execute("DELETE FROM writes WHERE thread_id = ? AND checkpoint_id != ?", (thread_id, row[0]))
    # The freed pages are reused by later sessions, so the file stays near the size of what
    # is live; no VACUUM, which would rewrite the shared file under the saver's lock.
    return int(removed)
