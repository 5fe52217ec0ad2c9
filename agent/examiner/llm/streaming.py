"""Streaming one string field out of a JSON object that arrives in pieces.

The LLM returns its whole turn as JSON; only the ``message`` field is for the candidate's
eyes. :class:`JsonFieldStream` is fed the raw text as it streams and yields the decoded
characters of that field as soon as they are complete (escapes included).
"""

from __future__ import annotations

import json
import re

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class JsonFieldStream:
    def __init__(self, field: str) -> None:
        self._start = re.compile(r'"' + re.escape(field) + r'"\s*:\s*"')
        self._buffer = ""
        self._position: int | None = None  # index in the buffer of the next undecoded char
        self.done = False

    def feed(self, piece: str) -> str:
        """Add raw JSON text; return the newly decoded characters of the field."""
        if self.done or not piece:
            return ""
        self._buffer += piece
        if self._position is None:
            match = self._start.search(self._buffer)
            if match is None:
                return ""
            self._position = match.end()
        out = []
        i = self._position
        while i < len(self._buffer):
            char = self._buffer[i]
            if char == '"':
                self.done = True
                i += 1
                break
            if char != "\\":
                out.append(char)
                i += 1
                continue
            if i + 1 >= len(self._buffer):
                break  # the escape is split across pieces: wait for more
            code = self._buffer[i + 1]
            if code == "u":
                if i + 6 > len(self._buffer):
                    break
                decoded, used = self._unicode(i)
                if decoded is None:
                    break
                out.append(decoded)
                i += used
                continue
            out.append(_ESCAPES.get(code, code))
            i += 2
        self._position = i
        return "".join(out)

    def _unicode(self, i: int) -> tuple[str | None, int]:
        """Decode ``\\uXXXX`` (and a following low surrogate) starting at ``i``."""
        first = int(self._buffer[i + 2 : i + 6], 16)
        if 0xD800 <= first <= 0xDBFF:
            if i + 12 > len(self._buffer):
                return None, 0
            pair = self._buffer[i : i + 12]
            return json.loads(f'"{pair}"'), 12
        return chr(first), 6
