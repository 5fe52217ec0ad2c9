"""guide.md is the guide, word for word, with real Markdown structure added."""

from __future__ import annotations

import re
from pathlib import Path

from knowledge.guide_source import GUIDE_PATH, guide_sections

SOURCE = Path(__file__).resolve().parents[2] / "shared" / "guide" / "genai-interview-guide.txt"
ADDED_HEADINGS = {"# Generative AI interview prep guide", "## Introduction"}


def _source_lines() -> list[str]:
    candidates = [SOURCE, Path(__file__).resolve().parent / "data" / "genai-interview-guide.txt"]
    for path in candidates:
        if path.exists():
            return [line.rstrip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    raise AssertionError(f"guide source not found in {candidates}")


def _markdown_lines_without_markup() -> list[str]:
    lines = []
    for line in GUIDE_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line in ADDED_HEADINGS:
            continue
        lines.append(re.sub(r"^(#{2,3} |> )", "", line))
    return lines


def test_every_line_of_the_source_is_kept_verbatim_and_in_order() -> None:
    assert _markdown_lines_without_markup() == _source_lines()


def test_no_sentence_of_the_source_is_lost_or_altered() -> None:
    markdown = GUIDE_PATH.read_text(encoding="utf-8")
    sentences = [s for line in _source_lines() for s in re.split(r"(?<=[.!?])\s+", line) if s]
    missing = [s for s in sentences if s not in markdown]
    assert not missing


def test_heading_hierarchy_has_19_sections_and_their_subsections() -> None:
    text = GUIDE_PATH.read_text(encoding="utf-8")
    tops = re.findall(r"^## (.+)$", text, flags=re.M)
    subs = re.findall(r"^### (.+)$", text, flags=re.M)
    assert len(tops) == 19
    assert len(subs) == 35
    assert "Master GAN concepts that come up in interviews" in tops
    assert "Mode collapse, instability, and mitigation techniques" in subs
    assert (
        "Master GAN concepts that come up in interviews > Mode collapse, instability, and mitigation techniques"
        in guide_sections()
    )


def test_tables_and_quotes_are_markdown() -> None:
    text = GUIDE_PATH.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    tables = [b for b in blocks if b.startswith("| ")]
    assert len(tables) == 10
    for table in tables:
        rows = table.splitlines()
        assert re.fullmatch(r"\|(---\|)+", rows[1]), rows[1]
        assert len({row.count("|") for row in rows}) == 1
    quotes = [b for b in blocks if b.startswith("> “")]
    assert len(quotes) == 10
