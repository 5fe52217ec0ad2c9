"""The one way a file the user names is read: regular files only, a byte limit enforced
while reading (a device such as /dev/zero reports a size of 0), and a one-line error that
names the file and says what is wrong.

The file is opened first and checked through its descriptor (no race between a check and
the read), without blocking, so a FIFO cannot hang the program.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from knowledge.errors import UserError

MB = 1024 * 1024
DEFAULT_LIMIT = 5 * MB
CHUNK = 64 * 1024


class UnreadableFile(UserError, ValueError):
    """A file the user named cannot be used; the message names it."""


def _size_label(limit: int) -> str:
    return f"{limit / MB:g} MB" if limit >= MB else f"{limit:,} bytes"


def read_bytes(
    path: Path, what: str = "file", limit: int = DEFAULT_LIMIT, error: type[UserError] = UnreadableFile
) -> bytes:
    """The bytes of ``path`` (at most ``limit``), or ``error`` with a one-line message."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory; give the {what} itself") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{path}: is a directory; give the {what} itself")
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{path}: not a regular file; give the {what} as a file")
        if info.st_size > limit:
            raise error(f"{path}: the {what} is {info.st_size / MB:.1f} MB; the limit is {_size_label(limit)}")
        pieces: list[bytes] = []
        total = 0
        while total <= limit:  # a file that grows while it is read is still bounded
            piece = os.read(fd, min(CHUNK, limit + 1 - total))
            if not piece:
                break
            pieces.append(piece)
            total += len(piece)
        if total > limit:
            raise error(f"{path}: the {what} is larger than the limit of {_size_label(limit)}")
        return b"".join(pieces)
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise error(f"{path}: is a directory; give the {what} itself") from None
        raise error(f"{path}: cannot read the {what}: {exc.strerror}") from None
    finally:
        os.close(fd)


def read_text(
    path: Path,
    what: str = "file",
    limit: int = DEFAULT_LIMIT,
    error: type[UserError] = UnreadableFile,
    allow_empty: bool = False,
) -> str:
    """The UTF-8 text of ``path`` (a BOM is dropped), or ``error``: binary, not UTF-8, empty."""
    data = read_bytes(path, what, limit, error)
    if b"\x00" in data[:8192]:
        raise error(f"{path}: looks like a binary file; the {what} must be text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: the {what} is not valid UTF-8 (byte {exc.start}); save it as UTF-8 and retry") from None
    if not allow_empty and not text.strip():
        raise error(f"{path}: the {what} is empty")
    return text
