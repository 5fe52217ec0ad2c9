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
from knowledge.errors import UsageError

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_line(name: str, password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return f"{check_user(name)}:{salt.hex()}:{digest.hex()}"


class UsersFile:
    def __init__(self, path: Path) -> None:
        self.entries: dict[str, tuple[bytes, bytes]] = {}
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UsageError(f"cannot read the users file {path}: {exc.strerror}") from None
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                name, salt, digest = line.strip().rsplit(":", 2)
                self.entries[check_user(name)] = (bytes.fromhex(salt), bytes.fromhex(digest))
            except (ValueError, UsageError):
                raise UsageError(f"{path}: line {number} is not name:salt:hash") from None
        if not self.entries:
            raise UsageError(f"{path}: no users in the file")

    def check(self, name: str, password: str) -> bool:
        entry = self.entries.get(name.strip())
        if entry is None:
            return False
        salt, digest = entry
        return hmac.compare_digest(hashlib.scrypt(password.encode(), salt=salt, **SCRYPT), digest)
