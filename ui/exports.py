"""Export files of the web app: one private folder per user under ``<data>/exports/``,
files of mode 0600, removed a day after they were written."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

KEEP_SECONDS = 24 * 3600


def export_folder_name(user: str) -> str:
    """A file-system-safe folder name for a user (names may hold spaces, @ or any script)."""
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in user)[:40]
    return f"{safe}-{hashlib.sha256(user.encode()).hexdigest()[:10]}"


def write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def remove_old_exports(root: Path, now: float | None = None) -> int:
    """Delete export folders older than a day; how many were removed."""
    cutoff = (time.time() if now is None else now) - KEEP_SECONDS
    removed = 0
    for folder in root.glob("*/export-*"):
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue  # another process removed it first
    return removed
