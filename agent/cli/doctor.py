"""``mock-interview doctor [--repair]``: check the data folder's files and repair damaged ones;
with servers configured, check them instead of the files they replace."""

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


def _postgres(services: Services) -> str:
    """One line on the Postgres database: reachable, schema up to date, what it holds."""
    from agent.store.pg.database import MIGRATIONS, shown
    from agent.store.pg.jobs import PgJobs

    database = services.database
    assert database is not None
    with database.connection() as conn:
        version = conn.execute("SELECT coalesce(max(version), 0) AS v FROM mock_interview_migrations").fetchone()
        sessions = conn.execute("SELECT count(*) AS n FROM sessions").fetchone()
    at = int(version["v"]) if version else 0
    schema = (
        f"schema {at} of {len(MIGRATIONS)}" if at == len(MIGRATIONS) else f"schema {at}, {len(MIGRATIONS)} expected"
    )
    held = f"{sessions['n'] if sessions else 0} sessions, {PgJobs(database).count()} memory jobs queued"
    return f"postgres {shown(database.url)}: ok, {schema}, {held}"


def _chroma_server(services: Services) -> str:
    store = services.chroma
    with store.reading():
        store.client.heartbeat()
        names = sorted(c.name for c in store.client.list_collections())
    listed = ", ".join(names) if names else "none yet"
    return f"chroma {services.settings.chroma_url}: ok, collections: {listed}"


def doctor(services: Services, args: argparse.Namespace) -> int:
    home = services.settings.home
    on_postgres = services.settings.database_url is not None
    if on_postgres:
        print(_postgres(services))
    if services.settings.chroma_url is not None:
        print(_chroma_server(services))
    damaged = 0
    for name, (what, tables) in DATABASES.items():
        path = home / name
        if on_postgres:
            print(f"{name}: not used (MOCK_INTERVIEW_DATABASE_URL is set)")
            continue
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
