"""Optional login for the web app: a file of users with scrypt-hashed passwords.

Each line is ``name:salt:hash`` (hex). ``mock-interview hash-password NAME`` prints a line
to add. With a users file, the identity comes from the login and cannot be chosen in
the page.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from agent.interview.interviewer import check_user
from knowledge.errors import StartupError, UsageError
from knowledge.files import read_text
from ui.guard import LoginThrottle, TooManyAttempts, client_address

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
USERS_FILE_LIMIT = 1024 * 1024
# Checked against for unknown names, so a wrong name costs the same scrypt as a wrong password.
_DUMMY = (b"mock-interview-no-such-user", hashlib.scrypt(b"", salt=b"mock-interview-no-such-user", **SCRYPT))


def hash_line(name: str, password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return f"{check_user(name)}:{salt.hex()}:{digest.hex()}"


class UsersFile:
    def __init__(self, path: Path, throttle: LoginThrottle | None = None) -> None:
        self.throttle = throttle or LoginThrottle()
        self.entries: dict[str, tuple[bytes, bytes]] = {}
        lines = read_text(path, "users file", USERS_FILE_LIMIT, StartupError).splitlines()
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                name, salt, digest = line.strip().rsplit(":", 2)
                self.entries[check_user(name)] = (bytes.fromhex(salt), bytes.fromhex(digest))
            except (ValueError, UsageError):
                raise StartupError(f"{path}: line {number} is not name:salt:hash") from None
        if not self.entries:
            raise StartupError(f"{path}: no users in the file")

    def check(self, name: str, password: str) -> bool:
        """Gradio's login callback. Too many failures for this name or from this address:
        refused at once with a 429 saying how long to wait. Otherwise the same scrypt work
        whether or not the name exists."""
        name = name.strip()
        keys = [f"user:{name}", f"address:{client_address.get()}"]
        try:
            self.throttle.check(keys)
        except TooManyAttempts as exc:
            from fastapi import HTTPException

            raise HTTPException(status_code=429, detail=str(exc)) from None
        salt, digest = self.entries.get(name, _DUMMY)
        matches = hmac.compare_digest(hashlib.scrypt(password.encode(), salt=salt, **SCRYPT), digest)
        if matches and name in self.entries:
            self.throttle.succeeded(keys[0])
            return True
        self.throttle.failed(keys)
        return False
