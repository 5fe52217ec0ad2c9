"""Who may log in how often, and who may fetch or use which file.

- :class:`LoginThrottle`: after 5 failures for a user name or from an address, each further
  attempt must wait 1 s, then 2, 4, … (at most 5 minutes) after the last failure; failures
  are forgotten 15 minutes after the last one. A refused attempt costs no password hash.
- :class:`PrivateFiles`: every file the page hands out (an export) or receives (an upload)
  is recorded with its owner, by the folder Gradio keeps it in; a file URL of another
  user's file is refused, and an upload can be ingested only by a user who uploaded it.
- :class:`RequestGuard`: the ASGI middleware that applies both (the login route of Gradio
  does not see the client's address, so the middleware hands it over in a context variable).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

FREE_FAILURES = 5
FIRST_WAIT = 1.0
LONGEST_WAIT = 300.0
FORGET_AFTER = 900.0
MAX_TRACKED = 10_000  # names and addresses remembered at once (an attacker may invent many)

client_address: ContextVar[str] = ContextVar("client_address", default="unknown")

Scope = MutableMapping[str, Any]  # free-form: the ASGI spec's connection scope
Message = MutableMapping[str, Any]  # free-form: an ASGI message
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class TooManyAttempts(Exception):
    def __init__(self, wait: float) -> None:
        self.wait = max(1, int(wait + 0.999))
        super().__init__(f"Too many login attempts: wait {self.wait} s and try again.")


@dataclass
class _Failures:
    count: int
    last: float


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def _wait(self, key: str, now: float) -> float:
        entry = self._failures.get(key)
        if entry is None:
            return 0.0
        if now - entry.last > FORGET_AFTER:
            del self._failures[key]
            return 0.0
        if entry.count < FREE_FAILURES:
            return 0.0
        delay = min(LONGEST_WAIT, FIRST_WAIT * 2 ** (entry.count - FREE_FAILURES))
        return float(max(0.0, entry.last + delay - now))

    def check(self, keys: list[str]) -> None:
        """Raise TooManyAttempts if any key must still wait."""
        with self._lock:
            now = self.clock()
            wait = max(self._wait(key, now) for key in keys)
        if wait > 0:
            raise TooManyAttempts(wait)

    def failed(self, keys: list[str]) -> None:
        with self._lock:
            now = self.clock()
            for key in keys:
                entry = self._failures.pop(key, None) or _Failures(0, now)
                self._failures[key] = _Failures(entry.count + 1, now)
            while len(self._failures) > MAX_TRACKED:
                self._failures.popitem(last=False)

    def succeeded(self, user_key: str) -> None:
        """A right password clears that name's failures (not the address's: one's own account
        must not reset the count of guesses at others)."""
        with self._lock:
            self._failures.pop(user_key, None)


class PrivateFiles:
    """Owners of the files the page hands out or receives, by the folder Gradio keeps them in
    (``<cache>/<hash>/<name>``: Gradio names that folder after the file's content)."""

    def __init__(self) -> None:
        self._owners: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def own(self, user: str, folder: str) -> None:
        with self._lock:
            self._owners.setdefault(folder, set()).add(user)

    def own_file(self, user: str, path: str | Path) -> None:
        """Record a file the page is about to hand to ``user`` (before Gradio copies it)."""
        from gradio.processing_utils import hash_file

        self.own(user, hash_file(path))

    def owners(self, path: str | Path) -> set[str] | None:
        """Who owns the file at ``path`` (a path in Gradio's cache); None if nobody claimed it."""
        with self._lock:
            found = self._owners.get(Path(path).parent.name)
            return set(found) if found is not None else None

    def may_use(self, user: str, path: str | Path) -> bool:
        owners = self.owners(path)
        return owners is not None and user in owners


def _login_user(scope: Scope) -> str | None:
    """The logged-in user of a request to the Gradio app, from its access-token cookie."""
    app = scope.get("app")
    tokens, cookie_id = getattr(app, "tokens", None), getattr(app, "cookie_id", None)
    if not tokens or cookie_id is None:
        return None
    cookies: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                cookies[key] = val
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    return tokens.get(token) if token else None


class RequestGuard:
    """Pure ASGI middleware (a Starlette ``BaseHTTPMiddleware`` would buffer streamed replies)."""

    def __init__(self, app: ASGIApp, files: PrivateFiles, login: bool) -> None:
        self.app = app
        self.files = files
        self.login = login

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        reset = client_address.set(str(client[0]) if client else "unknown")
        try:
            path = unquote(scope.get("path", ""))
            if "/file=" in path and not self._may_fetch(scope, path.split("/file=", 1)[1]):
                await _refuse(send, 403, "This file belongs to another user.")
                return
            if self.login and scope.get("method") == "POST" and path.rstrip("/").endswith("/upload"):
                await self.app(scope, receive, self._recording_uploads(scope, send))
                return
            await self.app(scope, receive, send)
        finally:
            client_address.reset(reset)

    def _may_fetch(self, scope: Scope, file_path: str) -> bool:
        owners = self.files.owners(file_path)
        if owners is None:
            return True  # not a private file: Gradio's own checks apply
        user = _login_user(scope) if self.login else None
        return not self.login or user in owners

    def _recording_uploads(self, scope: Scope, send: Send) -> Send:
        """Bind every file of an upload reply to the user who sent it."""
        user = _login_user(scope)
        body = bytearray()

        async def recording(message: Message) -> None:
            if message["type"] == "http.response.body" and user is not None:
                body.extend(message.get("body", b""))
                if not message.get("more_body"):
                    try:
                        paths = json.loads(bytes(body))
                    except ValueError:
                        paths = []
                    for path in paths if isinstance(paths, list) else []:
                        self.files.own(user, Path(str(path)).parent.name)
            await send(message)

        return recording


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
