"""Each mistake a user can make on the command line: one line, exit status 2 (or 1 for a
bad file), nothing read without a bound, no traceback."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from conftest import assert_one_line_error, run_cli

from knowledge.files import UnreadableFile, read_text


def test_small_mistakes_are_rejected_at_parse_time(cli_home: Path) -> None:
    assert_one_line_error(run_cli("ui", "--port", "70000", home=cli_home), 2, "a port must be between 1 and 65535")
    assert_one_line_error(run_cli("--data-dir", "", "questions", home=cli_home), 2, "argument --data-dir: is empty")
    assert_one_line_error(
        run_cli("questions", home=cli_home, env={"MOCK_INTERVIEW_HOME": ""}), 2, "MOCK_INTERVIEW_HOME"
    )
    long_name = "x/" * 5000
    result = run_cli("practice", "--user", long_name, home=cli_home)
    assert_one_line_error(result, 2, "invalid user name 'x/x/x/")
    assert "(10,000 characters)" in result.stderr and len(result.stderr) < 400
    bad_url = {"OPENAI_API_KEY": "sk-test-key-0123456789", "OPENAI_BASE_URL": "not a url"}
    result = run_cli("guide", "search", "x", home=cli_home, env=bad_url)
    assert_one_line_error(result, 2, "invalid setting OPENAI_BASE_URL")
    assert "None" not in result.stderr and "not a url" in result.stderr
    result = run_cli("simulate", "--user", "a", "--role", "product", "--candidate", "x", "--questions", "100000",
                     home=cli_home, timeout=20)  # fmt: skip
    assert_one_line_error(result, 2, "the number of questions must be between 1 and 20")
    assert not (cli_home / "sessions.sqlite").exists()  # rejected before anything was opened


def test_a_port_in_use_is_one_line(cli_home: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("ui", "--port", str(port), home=cli_home, timeout=60)
    assert_one_line_error(result, 2, f"cannot serve on 127.0.0.1:{port}")


def test_files_the_user_names_are_read_with_a_bound(cli_home: Path, tmp_path: Path) -> None:
    result = run_cli(
        "simulate", "--user", "a", "--role", "product", "--candidate", "/dev/zero", home=cli_home, timeout=60
    )
    assert_one_line_error(result, 1, "/dev/zero: not a regular file")
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    result = run_cli(
        "simulate", "--user", "a", "--role", "product", "--candidate", str(fifo), home=cli_home, timeout=60
    )
    assert_one_line_error(result, 1, "not a regular file")
    latin = tmp_path / "users.txt"
    latin.write_bytes("asha:café:00\n".encode("latin-1"))
    assert_one_line_error(
        run_cli("ui", home=cli_home, env={"MOCK_INTERVIEW_USERS": str(latin)}, timeout=60), 2, "not valid UTF-8"
    )
    assert_one_line_error(
        run_cli("ui", home=cli_home, env={"MOCK_INTERVIEW_USERS": "/dev/zero"}, timeout=60), 2, "not a regular file"
    )


def test_the_guarded_reader_enforces_the_limit_while_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("a" * 2000, encoding="utf-8")
    with pytest.raises(UnreadableFile, match="limit is 1,000 bytes"):
        read_text(big, "notes", limit=1000)
    assert read_text(big, "notes", limit=2000) == "a" * 2000
    with pytest.raises(UnreadableFile, match="is a directory"):
        read_text(tmp_path, "notes")
    with pytest.raises(UnreadableFile, match="no such file"):
        read_text(tmp_path / "missing.txt", "notes")
