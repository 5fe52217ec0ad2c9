"""``mock-interview doctor [--repair]``: check the data folder's files; repair damaged ones."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from agent.services import Services
from agent.store.sqlite_files import DATABASES, check, repair


def _create(name: str) -> Callable[[Path], None]:
    """The function that makes a fresh, empty file of this kind (its owner's schema)."""

    def create(path: Path) -> None:
        if name == "sessions.sqlite":
            from agent.store.transcripts import TranscriptStore

            TranscriptStore(path).close()
        elif name == "memory-outbox.sqlite":
            from agent.store.outbox import Outbox

            Outbox(path, lambda jobs: None).close()
        # checkpoints.sqlite: LangGraph creates its tables on the next start

    return create


def doctor(services: Services, args: argparse.Namespace) -> int:
    home = services.settings.home
    damaged = 0
    for name, (what, tables) in DATABASES.items():
        path = home / name
        problem = check(path, what)
        if problem is None:
            print(f"{name}: {'ok' if path.exists() else 'not created yet'}")
            continue
        damaged += 1
        if args.repair:
            print(repair(path, what, tables, _create(name)))
        else:
            print(problem)
    if damaged and not args.repair:
        print("run `mock-interview doctor --repair` to back up the damaged files and start fresh ones")
        return 1
    return 0
