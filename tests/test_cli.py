"""The console script as a user runs it: real process, real data dir, network guarded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import assert_one_line_error, run_cli


def test_help_lists_the_commands(cli_home: Path) -> None:
    result = run_cli("--help", home=cli_home)
    assert result.returncode == 0
    for command in ("guide", "ingest", "questions"):
        assert command in result.stdout


def test_guide_search_json_and_text(cli_home: Path) -> None:
    result = run_cli("guide", "search", "how do I stop mode collapse", "--k", "2", "--json", home=cli_home)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 2
    assert all(set(r) == {"section", "text", "score", "source"} for r in rows)
    assert rows[0]["section"].startswith("Master GAN concepts")
    assert (cli_home / "chroma").is_dir()
    assert (cli_home / "chroma" / "chroma.sqlite3").exists()

    text = run_cli("guide", "search", "which vector database for a small team", home=cli_home)
    assert text.returncode == 0
    assert "Choosing a vector DB" in text.stdout and "[guide · score" in text.stdout


def test_data_dir_option_wins_over_the_environment(tmp_path: Path) -> None:
    chosen = tmp_path / "chosen"
    result = run_cli("--data-dir", str(chosen), "guide", "search", "attention", "--k", "1", home=tmp_path / "env-home")
    assert result.returncode == 0, result.stderr
    assert (chosen / "chroma").is_dir()
    assert not (tmp_path / "env-home").exists()


def test_questions_json_has_every_field(cli_home: Path) -> None:
    result = run_cli("questions", "--topic", "diffusion", "--role", "researcher", "--json", home=cli_home)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and all(r["topic"] == "diffusion" for r in rows)
    assert set(rows[0]) == {
        "id",
        "topic",
        "roles",
        "difficulty",
        "question",
        "key_points",
        "probes",
        "model_answer",
        "misconceptions",
        "scenario",
    }
    assert set(rows[0]["key_points"][0]) == {"id", "point", "aliases", "section", "weight", "probe"}
    listing = run_cli("questions", "--role", "product", home=cli_home)
    assert listing.returncode == 0 and "for Product / consultant" in listing.stdout


def test_ingest_then_search_cites_the_file(cli_home: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Interview notes\n\n## Team\n\nThe team runs vLLM behind a Triton gateway.\n", encoding="utf-8")
    result = run_cli("ingest", str(notes), "--user", "asha", home=cli_home)
    assert result.returncode == 0, result.stderr
    assert "Ingested notes.md: 1 chunk" in result.stdout
    found = json.loads(
        run_cli("guide", "search", "vLLM Triton gateway", "--user", "asha", "--json", home=cli_home).stdout
    )
    assert {"source": "notes.md", "section": "Interview notes > Team"}.items() <= found[0].items()


def test_user_mistakes_get_one_line_errors(cli_home: Path, tmp_path: Path) -> None:
    assert_one_line_error(run_cli("ingest", str(tmp_path / "nope.md"), home=cli_home), 1, "no such file or directory")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02")
    assert_one_line_error(run_cli("ingest", str(tmp_path / "bin.txt"), home=cli_home), 1, "binary")
    assert_one_line_error(run_cli("guide", "search", "x", "--k", "0", home=cli_home), 2, "must be at least 1")
    assert_one_line_error(run_cli("guide", "search", "   ", home=cli_home), 1, "the search query is empty")
    assert_one_line_error(run_cli("questions", "--topic", "cooking", home=cli_home), 2, "invalid choice")
    assert_one_line_error(run_cli("nonsense", home=cli_home), 2, "invalid choice")
    bad_env = {"MOCK_INTERVIEW_EMBEDDINGS": "bert"}
    assert_one_line_error(run_cli("guide", "search", "x", home=cli_home, env=bad_env), 2, "invalid setting")
    no_key = {"MOCK_INTERVIEW_EMBEDDINGS": "openai:text-embedding-3-small"}
    assert_one_line_error(run_cli("guide", "search", "x", home=cli_home, env=no_key), 2, "needs OPENAI_API_KEY")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert_one_line_error(
        run_cli("--data-dir", str(blocker / "home"), "guide", "search", "x", home=cli_home),
        2,
        "cannot write to the data directory",
    )


def test_commands_that_do_not_need_the_ui_never_import_gradio(cli_home: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "agent.cli.main", "questions", "--json"],
        capture_output=True,
        text=True,
        env={"MOCK_INTERVIEW_HOME": str(cli_home), "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "json" in imported
    assert not {m for m in imported if m.split(".")[0] in ("gradio", "chromadb", "langchain_openai")}


def test_the_web_app_will_not_serve_beyond_loopback_without_login(cli_home: Path) -> None:
    assert_one_line_error(
        run_cli("ui", "--host", "0.0.0.0", home=cli_home), 1, "refusing to serve on 0.0.0.0 without login"
    )
    bad = cli_home.parent / "users.txt"
    bad.write_text("not a valid line\n", encoding="utf-8")
    assert_one_line_error(
        run_cli("ui", home=cli_home, env={"MOCK_INTERVIEW_USERS": str(bad)}), 2, "is not name:salt:hash"
    )


def test_generic_environment_variables_do_not_steer_the_settings(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from agent.settings import Settings

    monkeypatch.setenv("HOME", "/tmp/not-the-data-dir")
    monkeypatch.setenv("MODEL", "not-the-model")
    monkeypatch.setenv("OFFLINE", "true")
    settings = Settings.from_values(env_file=False)
    assert settings.home == Path("/tmp/not-the-data-dir/.local/share/mock-interview")  # HOME only as the user's home
    assert settings.model == "gpt-4.1-mini" and settings.offline is False
    monkeypatch.setenv("MOCK_INTERVIEW_MODEL", "chosen")
    assert Settings.from_values(env_file=False).model == "chosen"
