"""The team's supplement to the guide: ``knowledge/supplement/*.md``, indexed beside the guide.

The guide stays the primary source and is never edited. Where it says nothing about a topic
interviews ask today (serving, post-training, agents, experimentation, ...), the supplement
holds short notes, and key points cite them as "Supplement > Top > Sub".
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from knowledge.markdown_chunks import Chunk, chunk_markdown, split_sections
from knowledge.taxonomy import SUPPLEMENT_PREFIX, SUPPLEMENT_TOPICS

SUPPLEMENT_DIR = Path(__file__).with_name("supplement")
SUPPLEMENT_SOURCE = "supplement"


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.md"))


def supplement_chunks(directory: Path = SUPPLEMENT_DIR) -> list[Chunk]:
    """Chunks of every supplement file, their sections prefixed with "Supplement > "."""
    chunks: list[Chunk] = []
    for path in _files(directory):
        for chunk in chunk_markdown(path.read_text(encoding="utf-8"), SUPPLEMENT_SOURCE, topics_for=SUPPLEMENT_TOPICS):
            if not chunk.section:  # a file's leading comment is not a citable section
                continue
            section = f"{SUPPLEMENT_PREFIX}{chunk.section}"
            chunks.append(dataclasses.replace(chunk, section=section, position=len(chunks)))
    return chunks


def supplement_sections(directory: Path = SUPPLEMENT_DIR) -> list[str]:
    """Every heading path of the supplement that holds text, prefixed with "Supplement > "."""
    return [
        f"{SUPPLEMENT_PREFIX}{path}"
        for file in _files(directory)
        for path, _ in split_sections(file.read_text(encoding="utf-8"))
        if path
    ]
