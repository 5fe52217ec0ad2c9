from __future__ import annotations

from pathlib import Path

import pytest

from agent.services import Services
from knowledge.user_material import MAX_BYTES, IngestError


def _jd(tmp_path: Path) -> Path:
    path = tmp_path / "job-description.md"
    path.write_text(
        "# Senior ML Engineer\n\nYou will own our retrieval stack.\n\n## Must have\n\n"
        "Experience running Kubernetes autoscaling for GPU inference fleets.\n",
        encoding="utf-8",
    )
    return path


def test_ingested_files_are_searched_alongside_the_guide_and_cited_by_file_and_heading(
    fresh_services: Services, tmp_path: Path
) -> None:
    material = fresh_services.knowledge.material
    done = material.ingest("asha", [_jd(tmp_path)])
    assert [(f.name, f.chunks) for f in done] == [("job-description.md", 2)]
    results = fresh_services.knowledge.retriever.search("kubernetes autoscaling GPU inference", 3, user="asha")
    assert results[0].source == "job-description.md"
    assert results[0].section == "Senior ML Engineer > Must have"
    assert any(r.source == "guide" for r in fresh_services.knowledge.retriever.search("mode collapse", 3, user="asha"))


def test_one_users_material_is_invisible_to_another(fresh_services: Services, tmp_path: Path) -> None:
    fresh_services.knowledge.material.ingest("asha", [_jd(tmp_path)])
    other = fresh_services.knowledge.retriever.search("kubernetes autoscaling GPU inference", 5, user="ravi")
    assert other and all(r.source in ("guide", "supplement") for r in other)  # the shipped sources only


def test_re_ingesting_a_file_replaces_its_chunks(fresh_services: Services, tmp_path: Path) -> None:
    material = fresh_services.knowledge.material
    path = _jd(tmp_path)
    material.ingest("asha", [path])
    again = material.ingest("asha", [path])
    assert again[0].added == 0
    path.write_text("# Senior ML Engineer\n\nNow we want Triton experience.\n", encoding="utf-8")
    material.ingest("asha", [path])
    assert material.collection.count() == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.md", "no such file or directory"),
        (lambda d: (d / "empty-dir").mkdir() or d / "empty-dir", "has no Markdown or text files"),
        (lambda d: (d / "img.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00") and d / "img.md", "binary"),
        (
            lambda d: (d / "latin1.txt").write_bytes("café résumé".encode("latin-1")) and d / "latin1.txt",
            "not valid UTF-8",
        ),
        (lambda d: (d / "blank.md").write_text("  \n\n ") and d / "blank.md", "empty"),
        (lambda d: (d / "huge.txt").write_text("a" * (MAX_BYTES + 1)) and d / "huge.txt", "limit is 5 MB"),
    ],
)
def test_bad_files_fail_with_one_line_and_write_nothing(
    fresh_services: Services, tmp_path: Path, make: object, message: str
) -> None:
    good = _jd(tmp_path)
    bad = make(tmp_path)  # type: ignore[operator]
    material = fresh_services.knowledge.material
    with pytest.raises(IngestError) as caught:
        material.ingest("asha", [good, bad])
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert material.collection.count() == 0


def test_identical_files_of_two_users_or_two_paths_are_separate_records(
    fresh_services: Services, tmp_path: Path
) -> None:
    material = fresh_services.knowledge.material
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    text = "# JD\n\nWe need someone to run Triton inference servers.\n"
    for folder in ("a", "b"):
        (tmp_path / folder / "jd.md").write_text(text, encoding="utf-8")
    assert material.ingest("alice", [tmp_path / "a" / "jd.md"])[0].added == 1
    assert material.ingest("bob", [tmp_path / "a" / "jd.md"])[0].added == 1
    assert material.ingest("alice", [tmp_path / "b" / "jd.md"])[0].added == 1
    (tmp_path / "a" / "jd.md").write_text("# JD\n\nChanged text.\n", encoding="utf-8")
    material.ingest("alice", [tmp_path / "a" / "jd.md"])
    assert len(material.corpus("alice").records) == 2
    assert [r.text for r in material.corpus("bob").records] == ["We need someone to run Triton inference servers."]
    found = fresh_services.knowledge.retriever.search("Triton inference servers", 3, user="bob")
    assert found[0].source == "jd.md"
