"""The Postgres and Chroma servers the server-backed tests run against, and a fresh database
on each for every test (a Postgres database made and dropped; a Chroma database by name)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg


@dataclass(frozen=True)
class Servers:
    database_url: str  # the maintenance database, where test databases are made
    chroma_url: str

    @classmethod
    def from_environment(cls) -> Servers | None:
        database = os.environ.get("MOCK_INTERVIEW_TEST_DATABASE_URL")
        chroma = os.environ.get("MOCK_INTERVIEW_TEST_CHROMA_URL")
        return cls(database, chroma) if database and chroma else None

    @classmethod
    def from_exports(cls, text: str) -> Servers:
        values = dict(line.removeprefix("export ").split("=", 1) for line in text.splitlines() if "=" in line)
        return cls(values["MOCK_INTERVIEW_DATABASE_URL"], values["MOCK_INTERVIEW_CHROMA_URL"])

    def database(self, name: str) -> str:
        return urlsplit(self.database_url)._replace(path=f"/{name}").geturl()

    @contextlib.contextmanager
    def fresh(self) -> Iterator[tuple[str, str]]:
        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.database_url, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}".encode())
        try:
            yield self.database(name), f"{self.chroma_url}/{name.replace('_', '-')}"
        finally:
            with psycopg.connect(self.database_url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)".encode())
