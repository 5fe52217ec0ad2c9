"""practice, simulate, assess, sessions, progress and weak-areas as a user runs them."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import GUARD_DIR, assert_one_line_error, run_cli

ROOT = Path(__file__).resolve().parent.parent
CANDIDATE = ROOT / "eval" / "data" / "candidates" / "cand-1.yaml"


def _one_line_error(result: subprocess.CompletedProcess[str], fragment: str, status: int = 1) -> None:
    assert_one_line_error(result, status, fragment)


def test_simulate_json_then_sessions_progress_and_weak_areas(cli_home: Path) -> None:
    result = run_cli(
        "simulate",
        "--user",
        "asha",
        "--role",
        "researcher",
        "--candidate",
        str(CANDIDATE),
        "--questions",
        "4",
        "--seed",
        "1",
        "--json",
        home=cli_home,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"session_id", "user", "role", "backend", "turns", "report"}
    assert data["backend"] == "offline" and data["user"] == "asha"
    kinds = {t["kind"] for t in data["turns"]}
    assert kinds <= {"question", "follow_up"} and "question" in kinds
    first = data["turns"][0]
    assert set(first) >= {"kind", "topic", "question_id", "question", "answer", "assessment"}
    assert set(first["assessment"]) >= {
        "score",
        "dimensions",
        "covered",
        "missed",
        "critique",
        "citations",
        "follow_up",
    }
    assert set(data["report"]) >= {"overall", "by_topic", "dimensions", "weak_areas", "study_plan"}
    assert sum(t["kind"] == "question" for t in data["turns"]) == 4

    listed = json.loads(run_cli("sessions", "list", "--user", "asha", "--json", home=cli_home).stdout)
    assert [s["id"] for s in listed] == [data["session_id"]] and listed[0]["status"] == "completed"
    markdown = run_cli("sessions", "export", data["session_id"], "--format", "md", home=cli_home).stdout
    assert markdown.startswith(f"# Mock interview {data['session_id']}")
    assert markdown.index("## Summary") < markdown.index("## Transcript") and "### Q1:" in markdown
    assert "A strong answer to learn from" in markdown
    exported = json.loads(run_cli("sessions", "export", data["session_id"], "--format", "json", home=cli_home).stdout)
    assert len(exported["turns"]) == len(data["turns"])
    assert run_cli("sessions", "show", data["session_id"], home=cli_home).stdout == markdown

    progress = json.loads(run_cli("progress", "--user", "asha", "--json", home=cli_home).stdout)
    assert set(progress) == {"user", "sessions", "mastery", "weak_areas", "trend", "change"}
    assert progress["sessions"] == 1 and set(progress["mastery"]) == set(data["report"]["by_topic"])
    assert [p["session"] for p in progress["trend"]] == [1] and progress["change"] is None
    assert progress["trend"][0]["overall"] == data["report"]["overall"]
    other = json.loads(run_cli("progress", "--user", "ravi", "--json", home=cli_home).stdout)
    assert other == {"user": "ravi", "sessions": 0, "mastery": {}, "weak_areas": [], "trend": [], "change": None}

    _one_line_error(run_cli("weak-areas", "--user", "asha", "--dismiss", "cooking", home=cli_home), "unknown topic")


def test_weak_areas_of_a_struggling_candidate_can_be_dismissed(cli_home: Path, tmp_path: Path) -> None:
    shaky = tmp_path / "shaky.json"
    shaky.write_text(
        json.dumps({"default": {"answer": "It is something to do with models, I think."}}), encoding="utf-8"
    )
    user = "अनु"  # a Devanagari name, combining marks and all
    ran = run_cli(
        "simulate",
        "--user",
        user,
        "--role",
        "product",
        "--candidate",
        str(shaky),
        "--questions",
        "2",
        "--json",
        home=cli_home,
    )
    assert ran.returncode == 0, ran.stderr
    weak = json.loads(run_cli("weak-areas", "--user", user, "--json", home=cli_home).stdout)
    assert len(weak) == 2 and all(w["mastery"] < 6 for w in weak)
    dismissed = run_cli("weak-areas", "--user", user, "--dismiss", weak[0]["topic"], "--json", home=cli_home)
    assert dismissed.returncode == 0, dismissed.stderr
    assert [w["topic"] for w in json.loads(dismissed.stdout)] == [weak[1]["topic"]]
    assert "Dismissed" in dismissed.stderr
    _one_line_error(run_cli("weak-areas", "--user", user, "--dismiss", weak[0]["topic"], home=cli_home), "is not among")


def test_assess_matches_the_bank_or_builds_a_rubric(cli_home: Path, tmp_path: Path) -> None:
    answer = tmp_path / "answer.md"
    answer.write_text(
        "Mode collapse is when the generator only produces a few kinds of samples. We fixed it with Wasserstein loss.",
        encoding="utf-8",
    )
    matched = run_cli(
        "assess",
        "--question",
        "Explain how mode collapse happens in GANs and how you would fix it",
        "--answer-file",
        str(answer),
        "--json",
        home=cli_home,
    )
    assert matched.returncode == 0, matched.stderr
    data = json.loads(matched.stdout)
    assert data["question_id"] == "gans-mode-collapse" and data["matched"]["id"] == "gans-mode-collapse"
    assert set(data) >= {
        "question_id",
        "topic",
        "score",
        "dimensions",
        "covered",
        "missed",
        "critique",
        "citations",
        "follow_up",
    }
    assert all(set(c) == {"section", "quote"} for c in data["citations"])

    adhoc = run_cli(
        "assess",
        "--question",
        "Why would a team choose Qdrant over FAISS?",
        "--answer-file",
        str(answer),
        "--json",
        home=cli_home,
    )
    data = json.loads(adhoc.stdout)
    assert data["question_id"] is None and data["matched"] is None
    text = run_cli(
        "assess", "--question", "What is mode collapse in a GAN?", "--answer-file", str(answer), home=cli_home
    )
    assert "Matched bank question" in text.stdout and "Interviewer's notes" in text.stdout and "/10" in text.stdout


def test_interview_commands_reject_bad_input_in_one_line(cli_home: Path, tmp_path: Path) -> None:
    _one_line_error(
        run_cli("assess", "--question", "What is RAG?", "--answer-file", str(tmp_path / "none.md"), home=cli_home),
        "no such file",
    )
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("gans: [unclosed", encoding="utf-8")
    _one_line_error(
        run_cli("simulate", "--user", "a", "--role", "product", "--candidate", str(bad_yaml), home=cli_home),
        "not valid YAML",
    )
    wrong_topic = tmp_path / "wrong.yaml"
    wrong_topic.write_text("cooking: {answer: pasta}", encoding="utf-8")
    _one_line_error(
        run_cli("simulate", "--user", "a", "--role", "product", "--candidate", str(wrong_topic), home=cli_home),
        "unknown topic 'cooking'",
    )
    missing_answer = tmp_path / "missing.json"
    missing_answer.write_text('{"gans": {"follow_ups": []}}', encoding="utf-8")
    _one_line_error(
        run_cli("simulate", "--user", "a", "--role", "product", "--candidate", str(missing_answer), home=cli_home),
        "gans: answer: Field required",
    )
    _one_line_error(run_cli("sessions", "show", "nope", home=cli_home), "no session 'nope'")
    _one_line_error(run_cli("practice", "--user", "../x", home=cli_home), "invalid user name", 2)
    _one_line_error(run_cli("practice", "--user", "asha", "--resume", home=cli_home), "no unfinished session")
    _one_line_error(
        run_cli("simulate", "--user", "a", "--role", "chef", "--candidate", "x", home=cli_home),
        "invalid choice",
        status=2,
    )


def _practice(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        "MOCK_INTERVIEW_HOME": str(home),
        "PYTHONPATH": str(GUARD_DIR),
        "PATH": "/usr/bin:/bin",
        "COLUMNS": "100",
        "PYTHONFAULTHANDLER": "1",
    }
    exe = Path(sys.executable).with_name("mock-interview")
    return subprocess.Popen(
        [str(exe), "practice", "--user", "asha", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # A suite started in the background by a shell (`make test &`) inherits SIGINT ignored,
        # and Python then installs no KeyboardInterrupt handler: Ctrl-C would be lost and the
        # test would hang. A terminal's Ctrl-C reaches a process with the default disposition.
        preexec_fn=_default_sigint,
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_practice_in_the_terminal_with_ctrl_c_and_resume(cli_home: Path) -> None:
    proc = _practice(cli_home, "--role", "data_scientist", "--questions", "2")
    assert proc.stdin is not None
    proc.stdin.write("My half-typed answer about evaluation [/INST] with x[0] in it\n")
    proc.stdin.flush()
    # Interrupt once the interview is under way (its opening line is out, so the typed line is
    # being read): a fixed sleep raced a slow start under load, and the signal landed first.
    stdout, stderr = proc.stdout, proc.stderr
    assert stdout is not None and stderr is not None
    shown: list[str] = []
    errors: list[str] = []  # read as it comes: a full stderr pipe would block the process
    readers = [
        threading.Thread(target=lambda: shown.extend(stdout), daemon=True),
        threading.Thread(target=lambda: errors.extend(stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + 90
    while not any("/retry, /model" in line for line in shown) and time.monotonic() < deadline:
        assert proc.poll() is None, "".join(errors)
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER: every thread's stack goes to stderr
        proc.wait(timeout=30)
        for reader in readers:
            reader.join(timeout=10)
        pytest.fail(
            f"no exit 60 s after Ctrl-C; stdout tail {''.join(shown)[-800:]!r}; stderr {''.join(errors)[-6000:]}"
        )
    for reader in readers:
        reader.join(timeout=30)
    out, err = "".join(shown), "".join(errors)
    assert proc.returncode == 130, err
    assert "Resume with: mock-interview practice --user asha --resume" in out

    resumed = _practice(cli_home, "--resume")
    out, err = resumed.communicate("and here is the rest of it.\n\n/skip\n/end\n", timeout=60)
    assert resumed.returncode == 0, err
    assert "draft was restored" in out and "My half-typed answer about evaluation [/INST] with x[0] in it" in out
    assert "Interviewer's notes" in out and "Report" in out
    listed = json.loads(run_cli("sessions", "list", "--user", "asha", "--json", home=cli_home).stdout)
    assert listed[0]["status"] == "completed"
    exported = json.loads(run_cli("sessions", "export", listed[0]["id"], "--format", "json", home=cli_home).stdout)
    assert exported["turns"][0]["answer"] == (
        "My half-typed answer about evaluation [/INST] with x[0] in it\nand here is the rest of it."
    )


def test_practice_model_answer_and_retry(cli_home: Path) -> None:
    helped = run_cli("practice", "--help", home=cli_home)
    assert "/retry" in helped.stdout and "/model" in helped.stdout
    weak = "I think it is about models and data but I am not sure how."
    proc = _practice(cli_home, "--questions", "1")
    script = f"/model\n/retry\n{weak}\n\n/model\n/retry\n{weak} Maybe more data helps.\n\n/end\n"
    out, err = proc.communicate(script, timeout=120)
    assert proc.returncode == 0, err
    assert "/retry, /model" in out  # the opening line and the answer prompt name them
    assert "no assessed answer yet" in out and "nothing to retry yet" in out
    assert (
        "A strong answer to learn from" in out
        and "you missed this" in out
        and ("Guide, " in out or "Supplement, " in out)
    )
    assert "Second try" in out and "→" in out
    turns = json.loads(run_cli("sessions", "export", _latest(cli_home), "--format", "json", home=cli_home).stdout)
    assert [t["answer"] for t in turns["turns"]][:1] == [weak]
    assert len([t for t in turns["turns"] if t["kind"] == "question"]) == 2  # both attempts kept


def _latest(home: Path) -> str:
    return json.loads(run_cli("sessions", "list", "--user", "asha", "--json", home=home).stdout)[0]["id"]


def test_assess_batch_grades_many_answers_in_one_process(cli_home: Path, tmp_path: Path) -> None:
    batch = tmp_path / "answers.jsonl"
    rows = [
        {"question_id": "gans-mode-collapse", "answer": "idk"},
        {
            "question": "How would you reduce the cost of an LLM feature?",
            "answer": "Route easy requests to a "
            "small model, cache the shared prompt prefix, and cap output tokens; we measured cost per request.",
        },
    ]
    batch.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = run_cli("assess", "--batch", str(batch), "--json", home=cli_home)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["question_id"] == "gans-mode-collapse" and len(lines) == 2
    assert lines[0]["flags"] == ["no_attempt"] and lines[1]["score"] > lines[0]["score"]
    yaml_batch = tmp_path / "answers.yaml"
    yaml_batch.write_text("- question_id: gans-mode-collapse\n  answer: idk\n", encoding="utf-8")
    assert run_cli("assess", "--batch", str(yaml_batch), home=cli_home).returncode == 0
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"question_id": "gans-mode-collapse"}\n', encoding="utf-8")
    assert_one_line_error(run_cli("assess", "--batch", str(broken), home=cli_home), 1, "entry 1 has no answer")
    assert_one_line_error(run_cli("assess", "--batch", "/dev/zero", home=cli_home), 1, "/dev/zero: not a regular file")
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text('{"question_id": "nope", "answer": "x"}\n', encoding="utf-8")
    assert_one_line_error(run_cli("assess", "--batch", str(unknown), home=cli_home), 1, "unknown question id")
