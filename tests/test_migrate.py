"""``mock-interview migrate`` moves a real embedded folder (made by a real simulate run and an
interview left unfinished) onto the servers, with counts, and copies nothing twice."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT, make_settings, run_cli

from agent.services import Services

CANDIDATE = ROOT / "eval" / "data" / "candidates" / "cand-1.yaml"


def _counts(stdout: str) -> dict[str, tuple[int, int]]:
    found = re.findall(r"^(.+): (\d+) copied, (\d+) already there$", stdout, re.MULTILINE)
    return {what: (int(copied), int(there)) for what, copied, there in found}


def test_migrate_moves_a_real_folder_with_counts_and_copies_nothing_twice(
    tmp_path: Path, server_urls: tuple[str, str]
) -> None:
    home = tmp_path / "home"
    simulated = run_cli("simulate", "--user", "asha", "--role", "ml_engineer", "--candidate", str(CANDIDATE),
                        "--questions", "2", "--seed", "3", home=home, timeout=300)  # fmt: skip
    assert simulated.returncode == 0, simulated.stderr
    embedded = Services(make_settings(home))
    try:
        unfinished = embedded.interviewer.start("ravi", "product", 3, seed=1)
        embedded.interviewer.send(unfinished.session_id, "An answer about rollout plans, ROI and risk.")
        sessions = embedded.transcripts.sessions()
        turns = sum(len(embedded.transcripts.turns(s["id"])) for s in sessions)
        mastery = embedded.memory.mastery("asha")
        guide = embedded.knowledge  # noqa: F841 - the guide index exists in the folder
        records = {name: embedded.chroma.get_collection(name).count() for name in ("guide", "weak_areas")}
    finally:
        embedded.close()
    assert len(sessions) == 2 and mastery

    database_url, chroma_url = server_urls
    moved = run_cli("migrate", "--to", database_url, "--chroma", chroma_url, home=home)
    assert moved.returncode == 0, moved.stderr
    counts = _counts(moved.stdout)
    assert counts["sessions"] == (2, 0) and counts["turns"] == (turns, 0)
    assert counts["checkpoints of unfinished sessions"] == (1, 0)
    assert counts["chroma guide"] == (records["guide"], 0)
    assert counts["chroma weak_areas"] == (records["weak_areas"], 0)

    again = run_cli("migrate", "--to", database_url, "--chroma", chroma_url, home=home)
    assert again.returncode == 0, again.stderr
    assert all(copied == 0 for copied, _ in _counts(again.stdout).values()), again.stdout
    assert _counts(again.stdout)["turns"] == (0, turns)

    served = Services(make_settings(tmp_path / "worker", database_url=database_url, chroma_url=chroma_url))
    try:
        assert {s["id"] for s in served.transcripts.sessions()} == {s["id"] for s in sessions}
        assert served.memory.mastery("asha") == mastery
        # the unfinished interview continues on the servers from its copied checkpoint
        assert served.interviewer.latest_unfinished("ravi") == unfinished.session_id
        view = served.interviewer.send(unfinished.session_id, "A second answer, about metrics and adoption.")
        assert view.messages and served.transcripts.turns(unfinished.session_id)[-1]["prompt"]
    finally:
        served.close()


def test_migrate_refuses_a_bad_target_in_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    result = run_cli("migrate", "--to", "mysql://x/y", home=home)
    assert result.returncode != 0 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
