"""Load on one data folder from several processes: web users through the real queue of a
launched app (this process) and ``mock-interview simulate`` runs (other processes).

Every answer a web user sends carries a unique marker, so afterwards each one can be looked
for in the transcript store (as a turn's answer, or as the session's saved draft).
"""

from __future__ import annotations

import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conftest import ROOT, run_cli

from agent.services import Services

ANSWER = (
    "Tokenization splits text into subword pieces, so rare words still encode compactly. In my project a long "
    "product name became five tokens. Token count drives latency and billing, so we budgeted the context and "
    "truncated old turns, at the cost of some recall; we measured cost per request and p95 latency."
)
CANDIDATES = ROOT / "eval" / "data" / "candidates"


@dataclass
class LoadReport:
    turns: int = 0
    failures: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    turn_seconds: list[float] = field(default_factory=list)
    cli_runs: int = 0
    cli_failures: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0

    @property
    def p95(self) -> float:
        if len(self.turn_seconds) < 2:
            return max(self.turn_seconds, default=0.0)
        return statistics.quantiles(self.turn_seconds, n=20)[-1]

    def summary(self) -> str:
        return (
            f"{self.turns} web turns, {len(self.failures)} failed, {len(self.lost)} lost answers, "
            f"p95 turn {self.p95:.2f} s, {self.cli_runs} CLI runs ({len(self.cli_failures)} failed), "
            f"{self.wall_seconds:.0f} s in all"
        )


def _web_user(url: str, user: str, answers: int, think: float, report: LoadReport, lock: threading.Lock) -> list[str]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    sent: list[str] = []
    chat: Any = None
    for n in range(answers):
        if chat is None:
            chat = client.predict(user, "ml_engineer", 5, "mixed", api_name="/start")[0]
        text = f"{ANSWER} (answer {n} of {user})"
        started = time.perf_counter()
        try:
            out = client.predict(text, chat, user, api_name="/send")
        except Exception as exc:
            with lock:
                report.failures.append(f"{user} answer {n}: {exc}")
            sent.append(text)
            continue
        with lock:
            report.turns += 1
            report.turn_seconds.append(time.perf_counter() - started)
        sent.append(text)
        chat = None if out[4] else out[0]  # a report ends the session: the next answer starts a new one
        time.sleep(think)  # long enough for the app to write the memory between answers, as it does for people
    return sent


def _cli_loop(home: Path, user: str, runs: int, report: LoadReport, lock: threading.Lock) -> None:
    for run in range(runs):
        candidate = CANDIDATES / f"cand-{run % 5 + 1}.yaml"
        try:
            result = run_cli(
                "simulate", "--user", user, "--role", "ml_engineer", "--candidate", str(candidate),
                "--questions", "4", "--seed", str(run), home=home, timeout=300,
            )  # fmt: skip
            failed = result.returncode != 0
            detail = result.stderr.strip()[-300:]
        except subprocess.TimeoutExpired:
            failed, detail = True, "timed out"
        with lock:
            report.cli_runs += 1
            if failed:
                report.cli_failures.append(f"{user} run {run}: {detail}")


def saved_answers(services: Services, user: str) -> set[str]:
    """Every answer of ``user`` the transcript store holds: turns' answers and sessions' drafts."""
    store = services.transcripts
    found: set[str] = set()
    for session in store.sessions(user=user):
        if session["draft"]:
            found.add(session["draft"])
        found.update(t["answer"] for t in store.turns(session["id"]) if t["answer"])
    return found


def run_load(
    services: Services, url: str, users: int, answers: int, cli_users: int, cli_runs: int, think: float = 0.0
) -> LoadReport:
    """``users`` web users sending ``answers`` each (``think`` seconds apart) while
    ``cli_users`` simulate loops of ``cli_runs`` runs share the data folder; then look for
    every answer sent."""
    report = LoadReport()
    lock = threading.Lock()
    sent: dict[str, list[str]] = {}
    names = [f"web{i}" for i in range(users)]

    def web(name: str) -> None:
        try:
            sent[name] = _web_user(url, name, answers, think, report, lock)
        except Exception as exc:
            with lock:
                report.failures.append(f"{name}: {exc}")

    for name in names:  # returning users: their reads of the memory go through the vector index
        for question_id in ("gans-mode-collapse", "transformers-attention-qkv"):
            question = services.question_bank.get(question_id)
            services.memory.record_question(name, "earlier", question, 3.0, [question.key_points[0].id], [])
    services.memory.outbox.flush()
    started = time.perf_counter()
    threads = [threading.Thread(target=_cli_loop, args=(services.settings.home, f"cli{i}", cli_runs, report, lock))
               for i in range(cli_users)]  # fmt: skip
    threads += [threading.Thread(target=web, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    report.wall_seconds = time.perf_counter() - started
    for name in names:
        stored = saved_answers(services, name)
        report.lost.extend(text[-30:] for text in sent.get(name, []) if text not in stored)
    return report
