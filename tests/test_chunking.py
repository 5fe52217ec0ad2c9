from __future__ import annotations

from knowledge.guide_source import guide_chunks, guide_sections
from knowledge.markdown_chunks import chunk_markdown


def test_guide_chunks_never_span_two_sections_and_carry_paths_and_topics() -> None:
    chunks = guide_chunks()
    sections = set(guide_sections())
    assert chunks
    for chunk in chunks:
        assert chunk.section in sections
        assert "\n## " not in chunk.text and "\n### " not in chunk.text
        assert not chunk.text.startswith("#")
        assert chunk.topics, chunk.section
    assert [c.position for c in chunks] == list(range(len(chunks)))
    gan = [c for c in chunks if c.section.endswith("Mode collapse, instability, and mitigation techniques")]
    assert gan and gan[0].topics == ("gans",)
    assert "Wasserstein loss" in gan[0].text


def test_every_guide_section_with_text_has_a_chunk() -> None:
    covered = {c.section for c in guide_chunks()}
    # Top-level sections whose text all sits in subsections have no chunk of their own.
    missing = [s for s in guide_sections() if s not in covered]
    assert all(" > " not in s for s in missing), missing


def test_long_sections_split_between_paragraphs_and_keep_tables_whole() -> None:
    table = "| a | b |\n|---|---|\n" + "\n".join(f"| row {i} | value {i} |" for i in range(30))
    paragraphs = [f"Paragraph {i}" + " word" * 60 for i in range(6)]
    text = "## Big\n\n" + "\n\n".join(paragraphs[:3]) + "\n\n" + table + "\n\n" + "\n\n".join(paragraphs[3:])
    chunks = chunk_markdown(text, "notes.md", limit=700)
    assert len(chunks) > 2
    assert all(c.section == "Big" for c in chunks)
    assert sum(table in c.text for c in chunks) == 1
    rebuilt = "\n\n".join(c.text for c in chunks)
    assert rebuilt == text.split("\n\n", 1)[1]


def test_user_markdown_paths_use_every_heading_level_and_default_to_the_file() -> None:
    text = "Intro line before any heading.\n\n# Job\n\nWe build RAG.\n\n## Requirements\n\n- Python\n\n### Nice to have\n\nDiffusion."
    chunks = chunk_markdown(text, "jd.md", default_section="jd")
    assert [c.section for c in chunks] == ["jd", "Job", "Job > Requirements", "Job > Requirements > Nice to have"]


def test_content_hash_changes_with_text_and_section_only() -> None:
    a = chunk_markdown("## A\n\nSame text.", "guide")[0]
    b = chunk_markdown("## A\n\nSame text.", "guide")[0]
    c = chunk_markdown("## B\n\nSame text.", "guide")[0]
    d = chunk_markdown("## A\n\nOther text.", "guide")[0]
    assert a.content_hash == b.content_hash
    assert len({a.content_hash, c.content_hash, d.content_hash}) == 3
