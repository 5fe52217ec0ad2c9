"""Damaged or missing files in the data folder: one line naming the file and what to do,
``doctor --repair`` to start fresh with what can be read, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from conftest import ROOT, assert_one_line_error, make_settings, run_cli

from agent.services import Services

CANDIDATE = str(ROOT / "eval" / "data" / "candidates" / "cand-1.yaml")


@pytest.fixture(scope="module")
def used_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder after one whole simulated session."""
    home = tmp_path_factory.mktemp("used") / "home"
    result = run_cli("simulate", "--user", "asha", "--role", "product", "--candidate", CANDIDATE,
                     "--questions", "2", home=home)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return home


def _random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size or 4096))


def _truncated(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(max(1, path.stat().st_size // 3))


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "something").write_text("x")


def _one_byte(path: Path) -> None:
    path.write_bytes(b"\x01")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "random": _random_bytes,
    "truncated": _truncated,
    "directory": _directory,
    "one-byte": _one_byte,
}


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("sessions.sqlite", "random"),
        ("sessions.sqlite", "truncated"),
        ("sessions.sqlite", "directory"),
        ("checkpoints.sqlite", "random"),
        ("checkpoints.sqlite", "truncated"),
        ("checkpoints.sqlite", "directory"),
        ("memory-outbox.sqlite", "random"),
    ],
)
def test_a_damaged_database_is_one_line_and_doctor_repairs_it(
    used_home: Path, tmp_path: Path, name: str, damage: str
) -> None:
    home = tmp_path / "home"
    shutil.copytree(used_home, home)
    target = home / name
    for side in ("-wal", "-shm"):
        target.with_name(name + side).unlink(missing_ok=True)
    DAMAGE[damage](target)
    again = ["simulate", "--user", "asha", "--role", "product", "--candidate", CANDIDATE, "--questions", "1"]
    result = run_cli(*again, home=home)
    assert_one_line_error(result, 2, f"{target}: the ")
    assert "is damaged" in result.stderr and "doctor --repair" in result.stderr

    checked = run_cli("doctor", home=home)
    assert checked.returncode == 1 and f"{target}: the " in checked.stdout
    repaired = run_cli("doctor", "--repair", home=home)
    assert repaired.returncode == 0, repaired.stderr
    assert f"{name}: damaged; moved to {name}.damaged-" in repaired.stdout
    assert any(p.name.startswith(f"{name}.damaged-") for p in home.iterdir())  # the backup is kept
    assert run_cli("doctor", home=home).returncode == 0
    result = run_cli(*again, home=home)
    assert result.returncode == 0, result.stderr


def test_a_one_byte_memory_queue_is_taken_as_empty(used_home: Path, tmp_path: Path) -> None:
    """SQLite reads a file shorter than its header as an empty database: nothing is lost."""
    home = tmp_path / "home"
    shutil.copytree(used_home, home)
    _one_byte(home / "memory-outbox.sqlite")
    result = run_cli("progress", "--user", "asha", "--json", home=home)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert json.loads(result.stdout)["mastery"]
    assert run_cli("doctor", home=home).returncode == 0


def test_a_repair_keeps_the_rows_that_can_be_read(used_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(used_home, home)
    sessions = home / "sessions.sqlite"
    assert not sessions.with_name("sessions.sqlite-wal").exists()  # every page is in the file
    with closing(sqlite3.connect(sessions)) as db:
        (page_size,) = db.execute("PRAGMA page_size").fetchone()
        (root,) = db.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'turns'"
        ).fetchone()
    # The turns' index page becomes noise. Not "the last page": that can be an overflow page
    # of the session row (its report is written last), and then no session can be read.
    with sessions.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(os.urandom(page_size))
    assert "is damaged" in run_cli("doctor", home=home).stdout
    repaired = run_cli("doctor", "--repair", home=home)
    assert repaired.returncode == 0, repaired.stderr
    assert "kept 1 sessions" in repaired.stdout, repaired.stdout
    listing = json.loads(run_cli("sessions", "list", "--json", home=home).stdout)
    assert [s["user"] for s in listing] == ["asha"]


def test_a_session_whose_checkpoint_is_gone_can_be_ended_and_keeps_its_answers(tmp_path: Path) -> None:
    home = tmp_path / "home"
    services = Services(make_settings(home))
    view = services.interviewer.start("asha", "product", 2, seed=3)
    services.interviewer.send(view.session_id, "My answer about evaluation: offline metrics, then an A/B test.")
    services.close()
    for side in ("", "-wal", "-shm"):
        (home / f"checkpoints.sqlite{side}").unlink(missing_ok=True)

    listed = json.loads(run_cli("sessions", "list", "--json", home=home).stdout)
    assert [s["status"] for s in listed] == ["active"]
    ended = run_cli("sessions", "end", view.session_id, home=home)
    assert ended.returncode == 0, ended.stderr
    assert "answers are kept" in ended.stdout
    listed = json.loads(run_cli("sessions", "list", "--json", home=home).stdout)
    assert [s["status"] for s in listed] == ["completed"]
    shown = run_cli("sessions", "show", view.session_id, home=home)
    assert "offline metrics, then an A/B test" in shown.stdout
