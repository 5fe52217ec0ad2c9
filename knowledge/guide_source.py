"""The guide as chunks: read ``guide.md`` (package data) and cut it along its headings."""

from __future__ import annotations

from pathlib import Path

from knowledge.markdown_chunks import Chunk, chunk_markdown
from knowledge.taxonomy import SECTION_TOPICS

GUIDE_PATH = Path(__file__).with_name("guide.md")
GUIDE_SOURCE = "guide"


def guide_chunks(path: Path = GUIDE_PATH) -> list[Chunk]:
    """Chunks of the guide; the document title (``#``) is not part of the heading path."""
    return chunk_markdown(
        path.read_text(encoding="utf-8"),
        GUIDE_SOURCE,
        skip_levels=1,
        topics_for=SECTION_TOPICS,
    )


def guide_sections(path: Path = GUIDE_PATH) -> list[str]:
    """Every heading path of the guide, in order ("Top" and "Top > Sub")."""
    paths: list[str] = []
    top = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            top = line[3:].strip()
            paths.append(top)
        elif line.startswith("### "):
            paths.append(f"{top} > {line[4:].strip()}")
    return paths
