"""``mock-interview migrate``: copy the embedded data folder onto a Postgres database (and a
Chroma server), reporting what was copied; running it again copies nothing twice."""

from __future__ import annotations

import argparse

from pydantic import ValidationError

from agent.services import Services
from agent.settings import Settings
from knowledge.errors import UsageError


def _target_settings(source: Settings, to: str, chroma: str | None) -> Settings:
    try:
        values = {**source.model_dump(), "database_url": to, "chroma_url": chroma}
        return Settings.from_values(env_file=False, **values)  # every value given: none from the environment
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UsageError(
            f"invalid --{'to' if first['loc'][0] == 'database_url' else 'chroma'}: {first['msg']}"
        ) from None


def migrate(services: Services, args: argparse.Namespace) -> int:
    from agent.store.pg.move import MoveReport, copy_checkpoints, copy_chroma, copy_rows

    embedded = services.settings.model_copy(update={"database_url": None, "chroma_url": None})
    if not (embedded.home / "sessions.sqlite").exists():
        raise UsageError(f"no embedded data in {embedded.home} (no sessions.sqlite); give --data-dir")
    target_settings = _target_settings(embedded, args.to, args.chroma)
    source, target = Services(embedded), Services(target_settings)
    report = MoveReport()
    try:
        source.memory  # noqa: B018 - opening it applies the queued memory writes to the folder's Chroma
        database = target.database
        assert database is not None
        copy_rows(source.transcripts, database, report)
        unfinished = [s["id"] for s in source.transcripts.sessions(status="active")]
        copy_checkpoints(source.checkpointer, target.checkpointer, unfinished, report)
        if target_settings.chroma_url is not None:
            copy_chroma(source.chroma, target.chroma, source.embedding_function, report)
    finally:
        target.close()
        source.close()
    for line in report.lines():
        print(line)
    if target_settings.chroma_url is None:
        print("chroma: not copied (no --chroma); the index, user material and memory stay in the data folder")
    return 0
