"""Split Markdown into retrieval chunks along its headings.

A chunk never spans two sections: every heading starts a new one, and its ``section``
is the heading path ("Top-level title > Subsection title"). A long section is split
between paragraphs (a table or a list stays whole), so each chunk reads on its own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
MAX_CHUNK_CHARS = 1200


@dataclass(frozen=True)
class Chunk:
    source: str
    section: str
    text: str
    position: int
    topics: tuple[str, ...] = field(default=())
    scope: str = ""  # who owns the chunk (user material): part of its identity

    @property
    def search_text(self) -> str:
        return search_text(self.section, self.text)

    @property
    def content_hash(self) -> str:
        """Stable id: changes when the text, its section, its source or its owner changes."""
        key = f"{self.source}\x1f{self.section}\x1f{self.text}" + (f"\x1f{self.scope}" if self.scope else "")
        digest = hashlib.sha256(key.encode())
        return digest.hexdigest()[:32]


def search_text(section: str, text: str) -> str:
    """What is embedded and BM25-indexed: the heading path gives a short passage its context."""
    return f"{section.replace(' > ', '. ')}\n{text}"


def _blocks(lines: list[str]) -> list[str]:
    """Paragraph blocks: runs of non-blank lines (a table or list is one block)."""
    blocks: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def _pack(blocks: list[str], limit: int) -> list[str]:
    """Greedily join consecutive blocks into pieces of at most ``limit`` characters."""
    pieces: list[str] = []
    current = ""
    for block in blocks:
        if current and len(current) + 2 + len(block) > limit:
            pieces.append(current)
            current = block
        else:
            current = f"{current}\n\n{block}" if current else block
    if current:
        pieces.append(current)
    return pieces


def split_sections(markdown: str, skip_levels: int = 0) -> list[tuple[str, list[str]]]:
    """(heading path, body lines) for each section, in document order.

    Headings at levels ``<= skip_levels`` (e.g. a document title) are not part of the path.
    Text before the first heading gets the empty path.
    """
    sections: list[tuple[str, list[str]]] = []
    stack: list[tuple[int, str]] = []
    body: list[str] = []
    path = ""
    for line in markdown.splitlines():
        match = HEADING.match(line)
        if not match:
            body.append(line)
            continue
        sections.append((path, body))
        body = []
        level, title = len(match.group(1)), match.group(2).strip()
        if level <= skip_levels:
            stack = []
        else:
            stack = [(lv, t) for lv, t in stack if lv < level] + [(level, title)]
        path = " > ".join(t for _, t in stack)
    sections.append((path, body))
    return [(p, b) for p, b in sections if any(line.strip() for line in b)]


def chunk_markdown(
    markdown: str,
    source: str,
    *,
    skip_levels: int = 0,
    default_section: str = "",
    topics_for: Mapping[str, Sequence[str]] | None = None,
    limit: int = MAX_CHUNK_CHARS,
) -> list[Chunk]:
    """Chunks of ``markdown``; ``topics_for`` maps a top-level title to its topic ids."""
    chunks: list[Chunk] = []
    for path, body in split_sections(markdown, skip_levels):
        section = path or default_section
        top = section.split(" > ", 1)[0]
        topics = tuple((topics_for or {}).get(top, ()))
        for piece in _pack(_blocks(body), limit):
            chunks.append(Chunk(source, section, piece, len(chunks), topics))
    return chunks
