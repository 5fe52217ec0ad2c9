"""The LLM path from the command line: backend reporting, --require-llm, and the key kept secret."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import run_cli
from openai_stub import Behaviour, OpenAIStub

ROOT = Path(__file__).resolve().parent.parent
CANDIDATE = ROOT / "eval" / "data" / "candidates" / "cand-4.yaml"
KEY = "sk-test-SUPERSECRET-0123456789"


def _env(stub: OpenAIStub, **extra: str) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": KEY,
        "OPENAI_BASE_URL": stub.base_url,
        "MOCK_INTERVIEW_LLM_TIMEOUT": "3",
        "MOCK_INTERVIEW_LLM_RETRIES": "1",
        **extra,
    }


def test_simulate_reports_the_llm_backend_and_per_turn_backends(cli_home: Path, stub: OpenAIStub) -> None:
    stub.script(Behaviour(), Behaviour(kind="status", status=500), Behaviour(kind="status", status=500))
    result = run_cli(
        "simulate",
        "--user",
        "asha",
        "--role",
        "ml_engineer",
        "--candidate",
        str(CANDIDATE),
        "--questions",
        "3",
        "--seed",
        "4",
        "--json",
        home=cli_home,
        env=_env(stub),
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["backend"] == "llm"
    backends = [t["backend"] for t in data["turns"]]
    assert backends[0] == "llm" and backends[1] == "offline" and set(backends) == {"llm", "offline"}
    assert data["report"]["usage"]["llm_turns"] >= 1 and data["report"]["usage"]["offline_turns"] == 1
    assert [t["fallback_reason"] for t in data["turns"][:2]] == [None, "server_error"]  # defect 3
    assert data["turns"][1]["usage"]["requests"] == 2 and data["turns"][0]["usage"]["output_tokens"] > 0
    exported = json.loads(run_cli("sessions", "export", data["session_id"], "--format", "json", home=cli_home).stdout)
    assert "server error (HTTP 500)" in exported["turns"][1]["backend_note"]


def test_require_llm_means_every_answer(cli_home: Path, stub: OpenAIStub, tmp_path: Path) -> None:
    """Defect 2: a run in which answers fell back offline exited 0 under --require-llm."""
    stub.script(Behaviour(), Behaviour(kind="nonsense"), Behaviour(kind="nonsense"))
    args = ("simulate", "--user", "asha", "--role", "ml_engineer", "--candidate", str(CANDIDATE))
    result = run_cli("--require-llm", *args, "--questions", "2", "--seed", "4", "--json", home=cli_home, env=_env(stub))
    assert result.returncode == 2
    data = json.loads(result.stdout)  # the run's output is still printed in full
    fell_back = [t for t in data["turns"] if t["backend"] == "offline"]
    assert fell_back and fell_back[0]["fallback_reason"] == "nonsense_reply"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert f"1 of {sum(1 for t in data['turns'] if t['assessment'])} answers fell back" in lines[0]
    assert f"turn {fell_back[0]['seq']} (nonsense_reply)" in lines[0]

    answer = tmp_path / "a.md"
    answer.write_text("Mode collapse means the generator produces few kinds of outputs.", encoding="utf-8")
    stub.script(Behaviour(kind="length"), Behaviour(kind="length"))
    assess = ("assess", "--question", "What is mode collapse in a GAN?", "--answer-file", str(answer), "--json")
    strict = run_cli("--require-llm", *assess, home=cli_home, env=_env(stub))
    assert strict.returncode == 2 and "answer 1 (token_limit)" in strict.stderr
    printed = json.loads(strict.stdout)
    assert printed["backend"] == "offline" and printed["fallback_reason"] == "token_limit"
    assert "token_limit" in printed["backend_note"] and printed["usage"]["output_tokens"] > 0
    fine = run_cli("--require-llm", *assess, home=cli_home, env=_env(stub))
    assert fine.returncode == 0 and json.loads(fine.stdout)["fallback_reason"] is None


def test_practice_shows_the_fallback_note_once(cli_home: Path, stub: OpenAIStub) -> None:
    """Defect 10: the note was printed in the feedback panel and again as an Interviewer line."""
    stub.script(Behaviour(kind="status", status=500), Behaviour(kind="status", status=500))
    answer = "Mode collapse is when the generator produces only a few kinds of outputs, so diversity drops."
    result = run_cli(
        "practice", "--user", "asha", "--questions", "1", home=cli_home, env=_env(stub), stdin=f"{answer}\n\n/end\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("it was assessed offline") == 1, result.stdout


def test_offline_flag_and_require_llm(cli_home: Path, stub: OpenAIStub, tmp_path: Path) -> None:
    answer = tmp_path / "a.md"
    answer.write_text("Mode collapse means the generator produces few kinds of outputs.", encoding="utf-8")
    offline = run_cli(
        "--offline",
        "assess",
        "--question",
        "What is mode collapse in a GAN?",
        "--answer-file",
        str(answer),
        "--json",
        home=cli_home,
        env=_env(stub),
    )
    assert json.loads(offline.stdout)["backend"] == "offline" and len(stub.requests) == 0
    online = run_cli(
        "assess",
        "--question",
        "What is mode collapse in a GAN?",
        "--answer-file",
        str(answer),
        "--json",
        home=cli_home,
        env=_env(stub),
    )
    assert json.loads(online.stdout)["backend"] == "llm" and len(stub.requests) == 1

    down = _env(stub, OPENAI_BASE_URL="http://127.0.0.1:9/v1")
    fallback = run_cli(
        "assess",
        "--question",
        "What is mode collapse?",
        "--answer-file",
        str(answer),
        "--json",
        home=cli_home,
        env=down,
    )
    assert fallback.returncode == 0 and json.loads(fallback.stdout)["backend"] == "offline"
    warning = fallback.stderr.strip().splitlines()
    assert (
        len(warning) == 1 and "could not connect" in warning[0] and "continuing with the offline examiner" in warning[0]
    )
    strict = run_cli(
        "--require-llm",
        "assess",
        "--question",
        "What is mode collapse?",
        "--answer-file",
        str(answer),
        home=cli_home,
        env=down,
    )
    assert (
        strict.returncode == 2 and len(strict.stderr.strip().splitlines()) == 1 and "could not connect" in strict.stderr
    )
    tiny = run_cli(
        "assess",
        "--question",
        "What is mode collapse?",
        "--answer-file",
        str(answer),
        home=cli_home,
        env=_env(stub, MOCK_INTERVIEW_CONTEXT_TOKENS="600"),
    )
    assert tiny.returncode == 2 and "MOCK_INTERVIEW_CONTEXT_TOKENS=600 is too small" in tiny.stderr
    assert "Traceback" not in tiny.stderr


def test_the_api_key_never_leaves_the_process(cli_home: Path, stub: OpenAIStub, tmp_path: Path) -> None:
    stub.script(
        Behaviour(),
        Behaviour(kind="status", status=429, retry_after=0.1),
        Behaviour(kind="status", status=429, retry_after=0.1),
        Behaviour(kind="malformed"),
        Behaviour(kind="malformed"),
    )
    outputs = []
    sim = run_cli(
        "simulate",
        "--user",
        "asha",
        "--role",
        "researcher",
        "--candidate",
        str(CANDIDATE),
        "--questions",
        "3",
        "--seed",
        "1",
        "--json",
        home=cli_home,
        env=_env(stub),
    )
    outputs += [sim.stdout, sim.stderr]
    session = json.loads(sim.stdout)["session_id"]
    for fmt in ("md", "json"):
        exported = run_cli("sessions", "export", session, "--format", fmt, home=cli_home)
        outputs += [exported.stdout, exported.stderr]
    wrong = run_cli(
        "--require-llm",
        "simulate",
        "--user",
        "a",
        "--role",
        "product",
        "--candidate",
        str(CANDIDATE),
        home=cli_home,
        env=_env(stub, OPENAI_API_KEY="sk-wrong-SECRET-key-999999"),
    )
    outputs += [wrong.stdout, wrong.stderr]
    assert wrong.returncode == 2 and "API key was rejected" in wrong.stderr
    for text in outputs:
        assert KEY not in text and "sk-wrong-SECRET" not in text
    for path in cli_home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert KEY.encode() not in data, path
            assert b"SUPERSECRET" not in data, path


def test_only_settings_read_the_environment() -> None:
    readers = []
    for package in ("agent", "knowledge", "ui"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            # Writing a library's switch (tiktoken's cache, Gradio's analytics and file folder) is allowed; reading is not.
            if re.search(
                r"os\.environ(?!\[\"(TIKTOKEN_CACHE_DIR|GRADIO_ANALYTICS_ENABLED|GRADIO_TEMP_DIR)\"\] =)|os\.getenv|environ\.get",
                text,
            ):
                readers.append(path.relative_to(ROOT).as_posix())
    assert readers == []
