"""The user's own material (a job description, notes): validated, chunked and indexed.

Every file is checked before anything is written, so a bad file in a batch leaves the
index exactly as it was. Records carry the user id and are filtered by it on every read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.errors import IngestError
from knowledge.files import read_text
from knowledge.markdown_chunks import Chunk, chunk_markdown
from knowledge.retrieval import Corpus, Record
from knowledge.vector_index import NamedEmbeddingFunction, open_collection, sync_chunks

if TYPE_CHECKING:
    from knowledge.shared_chroma import ChromaStore

TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".text"})
MAX_BYTES = 5 * 1024 * 1024
COLLECTION = "user_material"


@dataclass(frozen=True)
class MaterialFile:
    path: Path
    text: str

    @property
    def name(self) -> str:
        return self.path.name

    def chunks(self) -> list[Chunk]:
        return chunk_markdown(self.text, self.name, default_section=self.path.stem)


def _read_text_file(path: Path) -> MaterialFile:
    text = read_text(path, "file", MAX_BYTES, IngestError)
    return MaterialFile(path.resolve(), text)


def collect_files(paths: list[Path]) -> list[MaterialFile]:
    """Read and validate every file named or found under the given paths, or raise."""
    if not paths:
        raise IngestError("no files given")
    found: list[MaterialFile] = []
    for path in paths:
        if not path.exists():
            raise IngestError(f"{path}: no such file or directory")
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
            if not inside:
                raise IngestError(f"{path}: directory has no Markdown or text files (.md, .txt)")
            found.extend(_read_text_file(p) for p in inside)
        elif path.is_file():
            found.append(_read_text_file(path))
        else:
            raise IngestError(f"{path}: not a regular file")
    return found


@dataclass(frozen=True)
class IngestedFile:
    name: str
    chunks: int
    added: int


@dataclass(frozen=True)
class StoredFile:
    """One of a user's ingested files, as the index holds it."""

    name: str
    path: str
    chunks: int


class UserMaterial:
    """One collection for everybody's material; every read and write is scoped to a user."""

    def __init__(
        self,
        client: ChromaStore,
        embedding_function: NamedEmbeddingFunction,
    ) -> None:
        self.collection, _ = open_collection(client, COLLECTION, embedding_function)
        self.embedding_function = embedding_function
        self._corpora: dict[str, Corpus] = {}

    def ingest(self, user: str, paths: list[Path]) -> list[IngestedFile]:
        files = collect_files(paths)
        done = []
        for f in files:
            # The owner and the file's path are part of each chunk's id, so two users (or two
            # copies of a file) with the same text never share a record.
            chunks = [replace(c, scope=f"{user}\x1f{f.path}") for c in f.chunks()]
            where = {"$and": [{"user": user}, {"path": str(f.path)}]}
            report = sync_chunks(self.collection, self.embedding_function, chunks, where, user=user, path=str(f.path))
            done.append(IngestedFile(f.name, len(chunks), report.added))
        self._corpora.pop(user, None)
        return done

    def files(self, user: str) -> list[StoredFile]:
        """The user's ingested files, by name (only theirs: the read is filtered by user)."""
        got = self.collection.get(where={"user": user}, include=["metadatas"])
        counts: dict[str, int] = {}
        for meta in got["metadatas"] or []:
            path = str(meta.get("path", ""))
            counts[path] = counts.get(path, 0) + 1
        return sorted((StoredFile(Path(p).name, p, n) for p, n in counts.items()), key=lambda f: (f.name, f.path))

    def _named(self, user: str, name: str) -> list[StoredFile]:
        return [f for f in self.files(user) if name in (f.name, f.path)]

    def text(self, user: str, name: str) -> str | None:
        """An ingested file's text rebuilt from its chunks (sections as headings), or None."""
        named = self._named(user, name)
        if not named:
            return None
        where = {"$and": [{"user": user}, {"path": named[0].path}]}
        got = self.collection.get(where=where, include=["documents", "metadatas"])
        parts = sorted(
            zip(got["metadatas"] or [], got["documents"] or [], strict=True),
            key=lambda m: int(str(m[0].get("position", 0))),
        )
        lines = []
        for meta, doc in parts:
            section = str(meta.get("section", "")).split(" > ")[-1]
            lines += [f"## {section}", doc] if section else [doc]
        return "\n\n".join(lines)

    def delete(self, user: str, name: str | None = None) -> list[StoredFile]:
        """Remove one of the user's files (by name or path), or all of them; what was removed."""
        if name is None:
            gone = self.files(user)
            where: dict[str, object] = {"user": user}
        else:
            gone = self._named(user, name)
            if not gone:
                held = ", ".join(f.name for f in self.files(user)) or "none"
                raise IngestError(f"{name}: no ingested file of that name (yours: {held})")
            where = {"$and": [{"user": user}, {"path": {"$in": [f.path for f in gone]}}]}
        if gone:
            with self.collection.writing():
                self.collection.delete(where=where)
        self._corpora.pop(user, None)
        return gone

    def corpus(self, user: str) -> Corpus:
        if user not in self._corpora:
            got = self.collection.get(where={"user": user}, include=["documents", "metadatas"])
            records = [
                Record(i, doc, dict(meta))
                for i, doc, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)
            ]
            self._corpora[user] = Corpus(self.collection, records, where={"user": user})
        return self._corpora[user]
