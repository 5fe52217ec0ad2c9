"""One Chroma folder shared safely by several processes (the web app, ``practice``, ``simulate``).

Chroma's ``PersistentClient`` keeps each collection's vector index in the memory of the
process that opened it. When another process writes, that copy is stale and the next
filtered query fails ("Error finding id"); two processes creating a fresh folder at once
race in its migrations ("table collections already exists"). A lock alone does not cure
the first, so every operation goes through :class:`SharedChroma`:

- a file lock (``flock`` on ``<data>/chroma.lock``): exclusive for every write and for
  opening the client, shared for reads, so a read never overlaps a write;
- the lock file holds a generation token, replaced by every write; an operation that finds
  a token other than the one it last saw reopens the client first (~25 ms), so no process
  reads through a stale index. A process alone on its folder never reopens.

A thread lock serialises the process's own threads (``flock`` does not tell threads of one
process apart), which also lets a reopen swap the client under everybody's feet safely.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from knowledge.errors import StartupError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import GetResult, QueryResult

    from knowledge.vector_index import NamedEmbeddingFunction

log = logging.getLogger(__name__)
TOKEN_BYTES = 32
LOCK_NAME = "chroma.lock"


def open_persistent_client(path: Path) -> ClientAPI:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    # Chroma logs telemetry failures at ERROR level even with telemetry off; keep them out of the CLI.
    logging.getLogger("chromadb.telemetry").setLevel(logging.CRITICAL)
    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def open_server(url: str) -> ServerChroma:
    """The Chroma server at ``http(s)://host:port[/database]`` (the database is made if it is
    missing), or one line saying why it cannot be used."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from chromadb.errors import NotFoundError

    logging.getLogger("chromadb.telemetry").setLevel(logging.CRITICAL)
    parsed = urlsplit(url)
    ssl = parsed.scheme == "https"
    host, port = parsed.hostname or "localhost", parsed.port or (443 if ssl else 8000)
    database = parsed.path.strip("/") or "default_database"
    try:
        admin = chromadb.AdminClient(
            ChromaSettings(
                chroma_api_impl="chromadb.api.fastapi.FastAPI",
                chroma_server_host=host,
                chroma_server_http_port=port,
                chroma_server_ssl_enabled=ssl,
                anonymized_telemetry=False,
            )
        )
        try:
            admin.get_database(database)
        except NotFoundError:
            admin.create_database(database)
        client = chromadb.HttpClient(
            host, port, ssl, settings=ChromaSettings(anonymized_telemetry=False), database=database
        )
        client.heartbeat()
    except Exception as exc:  # noqa: BLE001 - connection errors, HTTP errors and Chroma's own
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
        raise StartupError(f"cannot use the Chroma server at {url} (MOCK_INTERVIEW_CHROMA_URL): {reason}") from None
    return ServerChroma(client)


class ChromaStore(ABC):
    """What the product asks of Chroma: a client used inside ``reading()`` / ``writing()``
    blocks (a folder shared by processes needs the lock; a server does not), and the few
    collection calls below. ``epoch`` changes whenever the client is replaced."""

    epoch = 0

    @abstractmethod
    def reading(self) -> contextlib.AbstractContextManager[None]: ...

    @abstractmethod
    def writing(self) -> contextlib.AbstractContextManager[None]:
        """Hold the store for a compound write (read, decide, write) in one go."""

    @property
    @abstractmethod
    def client(self) -> ClientAPI: ...

    @abstractmethod
    def close(self) -> None: ...

    def get_or_create_collection(
        self, name: str, embedding_function: NamedEmbeddingFunction, metadata: dict[str, Any]
    ) -> SharedCollection:
        with self.writing():
            self.client.get_or_create_collection(
                name,
                embedding_function=embedding_function,  # type: ignore[arg-type]
                metadata=metadata,
            )
        return SharedCollection(self, name, embedding_function)

    def create_collection(
        self, name: str, embedding_function: NamedEmbeddingFunction, metadata: dict[str, Any]
    ) -> SharedCollection:
        with self.writing():
            self.client.create_collection(name, embedding_function=embedding_function, metadata=metadata)  # type: ignore[arg-type]
        return SharedCollection(self, name, embedding_function)

    def get_collection(self, name: str, embedding_function: NamedEmbeddingFunction | None = None) -> SharedCollection:
        collection = SharedCollection(self, name, embedding_function)
        with self.reading():
            collection.current()  # raises if there is no such collection
        return collection

    def delete_collection(self, name: str) -> None:
        with self.writing():
            self.client.delete_collection(name)


class ServerChroma(ChromaStore):
    """A Chroma server (``chroma run``) through ``chromadb.HttpClient``. The server orders the
    writes of every worker, so there is no file lock; the thread lock keeps this process's
    compound writes (read, decide, write) in one piece, as the folder's lock does."""

    def __init__(self, client: ClientAPI) -> None:
        self._client = client
        self._thread_lock = threading.RLock()

    def reading(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        with self._thread_lock:
            yield

    @property
    def client(self) -> ClientAPI:
        return self._client

    def close(self) -> None:
        pass  # an HTTP client holds no files; its connections close with the process


class SharedChroma(ChromaStore):
    """The few client calls the product makes, each under the cross-process lock."""

    def __init__(
        self,
        path: Path,
        lock_path: Path | None = None,
        open_client: Callable[[Path], ClientAPI] = open_persistent_client,
    ) -> None:
        self.path = path
        self._open_client = open_client
        lock_path = lock_path or path.parent / LOCK_NAME
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        self._thread_lock = threading.RLock()
        self._depth = 0  # nesting of held() in the thread that holds the thread lock
        self._exclusive = False
        self._seen: bytes | None = None
        self._client: ClientAPI | None = None
        self.epoch = 0  # bumped by every (re)open, so collections know to look themselves up again
        with self.writing():  # the first open (Chroma's migrations) under the exclusive lock
            pass

    # --- the lock ---------------------------------------------------------------------

    def reading(self) -> contextlib.AbstractContextManager[None]:
        return self._held(exclusive=False)

    def writing(self) -> contextlib.AbstractContextManager[None]:
        """Hold the exclusive lock for a compound write (read, decide, write) in one go."""
        return self._held(exclusive=True)

    @contextlib.contextmanager
    def _held(self, exclusive: bool) -> Iterator[None]:
        with self._thread_lock:
            if self._depth:
                if exclusive and not self._exclusive:
                    raise RuntimeError("a Chroma write inside a read block: open the block with writing()")
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._acquire(exclusive)
            self._depth = 1
            try:
                yield
            finally:
                self._depth = 0
                try:
                    if exclusive:
                        self._publish()
                finally:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _acquire(self, exclusive: bool) -> None:
        """Take the lock with an up-to-date client. A stale reader first takes the exclusive
        lock to reopen (opening writes to Chroma's files), then comes back for a shared one."""
        while True:
            fcntl.flock(self._fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            token = os.pread(self._fd, TOKEN_BYTES, 0)
            if self._client is not None and token == self._seen:
                self._exclusive = exclusive
                return
            if exclusive:
                self._reopen(token)
                self._exclusive = True
                return
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                self._reopen(os.pread(self._fd, TOKEN_BYTES, 0))
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _reopen(self, token: bytes) -> None:
        if self._client is not None:
            log.debug("another process wrote to %s; reopening", self.path)
            with contextlib.suppress(Exception):  # a client that cannot close cleanly is dropped anyway
                self._client.close()  # type: ignore[attr-defined]
            self._client = None
        self._client = self._open_client(self.path)
        self._seen = token
        self.epoch += 1

    def _publish(self) -> None:
        """Tell the other processes that the folder changed (after every exclusive block)."""
        token = os.urandom(TOKEN_BYTES // 2).hex().encode()
        os.pwrite(self._fd, token, 0)
        self._seen = token

    @property
    def client(self) -> ClientAPI:
        """The current client; only to be used inside reading() or writing()."""
        assert self._client is not None and self._depth, "use the client inside reading() or writing()"
        return self._client

    def close(self) -> None:
        with self._thread_lock:
            if self._client is not None:
                with contextlib.suppress(Exception):
                    self._client.close()  # type: ignore[attr-defined]
                self._client = None
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


class SharedCollection:
    """A Chroma collection whose every call holds the folder's lock; after a reopen it looks
    itself up again by name."""

    def __init__(self, store: ChromaStore, name: str, embedding_function: NamedEmbeddingFunction | None = None) -> None:
        self.store = store
        self.name = name
        self.embedding_function = embedding_function
        self._collection: Collection | None = None
        self._epoch = -1

    def current(self) -> Collection:
        """The underlying collection of the current client (inside the store's lock)."""
        if self._collection is None or self._epoch != self.store.epoch:
            if self.embedding_function is None:
                self._collection = self.store.client.get_collection(self.name)
            else:
                self._collection = self.store.client.get_collection(
                    self.name,
                    embedding_function=self.embedding_function,  # type: ignore[arg-type]
                )
            self._epoch = self.store.epoch
        return self._collection

    def writing(self) -> contextlib.AbstractContextManager[None]:
        return self.store.writing()

    @property
    def metadata(self) -> dict[str, Any] | None:
        with self.store.reading():
            return dict(self.current().metadata or {})

    def get(self, **kwargs: Any) -> GetResult:
        with self.store.reading():
            return self.current().get(**kwargs)

    def query(self, **kwargs: Any) -> QueryResult:
        with self.store.reading():
            return self.current().query(**kwargs)

    def count(self) -> int:
        with self.store.reading():
            return self.current().count()

    def add(self, **kwargs: Any) -> None:
        with self.store.writing():
            self.current().add(**kwargs)

    def upsert(self, **kwargs: Any) -> None:
        with self.store.writing():
            self.current().upsert(**kwargs)

    def update(self, **kwargs: Any) -> None:
        with self.store.writing():
            self.current().update(**kwargs)

    def delete(self, **kwargs: Any) -> None:
        with self.store.writing():
            self.current().delete(**kwargs)

    def modify(self, **kwargs: Any) -> None:
        with self.store.writing():
            self.current().modify(**kwargs)
