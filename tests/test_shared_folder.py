"""Several processes on one data folder: nothing fails, nothing typed is lost."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import GUARD_DIR, ROOT
from shared_load import run_load
from ui_server import launch

from agent.services import Services


@pytest.fixture
def web(llm_services: Services) -> Iterator[str]:
    """The app with the LLM examiner (the local stub): its turns query the memory's vectors."""
    app, url = launch(llm_services)
    yield url
    app.close()


def test_web_users_and_two_simulate_runs_share_one_folder(llm_services: Services, web: str) -> None:
    report = run_load(llm_services, web, users=3, answers=8, cli_users=2, cli_runs=2, think=1.6)
    print(report.summary())
    assert report.turns >= 24
    assert report.failures == []
    assert report.lost == []
    assert report.cli_runs == 4 and report.cli_failures == []


# Imports first, then every worker opens the folder at the same moment (when "go" appears).
OPEN_AND_SEARCH = """
import sys, time
from pathlib import Path
sys.path[:0] = [{root!r}, {tests!r}]
from conftest import make_settings
from agent.services import Services
import chromadb, knowledge.knowledge_base, agent.store.memory
services = Services(make_settings(Path(sys.argv[1])))
services.embedding_function, services.question_bank
print("ready", flush=True)
while not Path(sys.argv[2]).exists():
    time.sleep(0.005)
passages = services.knowledge.retriever.search("mode collapse", 1)
services.memory.record_question("u", "s", services.question_bank.get("gans-mode-collapse"), 3.0, [], [])
print(passages[0].section, services.memory.mastery("u"))
services.close()
"""


def test_processes_opening_a_fresh_folder_at_once(tmp_path: Path) -> None:
    script = OPEN_AND_SEARCH.format(root=str(ROOT), tests=str(ROOT / "tests"))
    env = {"PYTHONPATH": str(GUARD_DIR)}
    for round_ in range(3):
        home, go = tmp_path / f"fresh-{round_}", tmp_path / f"go-{round_}"
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(home), str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for _ in range(3)
        ]
        for worker in workers:
            assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
        go.touch()
        for worker in workers:
            out, err = worker.communicate(timeout=120)
            assert worker.returncode == 0, err[-600:]
            assert "Mode collapse" in out and "'gans': 3.0" in out, out


def test_memory_reads_while_other_processes_write_the_same_folder(interview_services: Services) -> None:
    """The vector reads of the memory (the LLM examiner's similar misses), interleaved with
    this process's own writes, while two other processes write the same collection."""
    memory, bank = interview_services.memory, interview_services.question_bank
    question = bank.get("gans-mode-collapse")
    for user in ("asha", "ravi"):
        memory.record_question(user, "earlier", question, 3.0, [question.key_points[0].id], [])
    memory.outbox.flush()
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests" / "memory_writer.py"),
                str(interview_services.settings.home),
                user,
                "12",
            ],
            env={**os.environ, "PYTHONPATH": str(GUARD_DIR)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for user in ("cli", "asha")
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    failures: list[str] = []
    reads = 0
    while any(w.poll() is None for w in writers):
        reads += 1
        try:
            assert memory.similar_misses("asha", "mode collapse", flush=False)
            memory.tendencies("ravi", question)
            if reads % 10 == 0:
                memory.record_question("ravi", f"s{reads}", question, 4.0, [question.key_points[1].id], [])
                memory.outbox.flush()
        except Exception as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.05)
    for writer in writers:
        assert writer.wait(timeout=60) == 0, writer.stderr.read() if writer.stderr else ""
    assert reads >= 20  # each foreign write holds the lock ~0.3 s and makes the next read reopen (~25 ms)
    assert failures == [], f"{len(failures)} of {reads} reads failed, first: {failures[0]}"
    assert "gans" in memory.mastery("cli") and "gans" in memory.mastery("ravi")  # every process's writes are there


def test_stress_eight_web_users_and_a_cli_run(interview_services: Services) -> None:
    """8 web users × 10 answers through the real queue while simulate runs share the folder."""
    app, url = launch(interview_services)
    try:
        report = run_load(interview_services, url, users=8, answers=10, cli_users=1, cli_runs=2)
    finally:
        app.close()
    summary = report.summary()
    print(summary)
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    (out / "stress.txt").write_text(summary + "\n", encoding="utf-8")
    assert report.turns == 80
    assert report.failures == [] and report.lost == []
    assert report.cli_runs == 2 and report.cli_failures == []


def test_the_web_app_killed_mid_turn_loses_no_saved_answer(tmp_path: Path, services: Services) -> None:
    """kill -9 of ``mock-interview ui`` while answers are in flight, three times over one folder."""
    from conftest import copy_index, make_settings, run_cli
    from gradio_client import Client
    from ui_server import free_port

    home = copy_index(services, tmp_path / "home")
    exe = str(Path(sys.executable).with_name("mock-interview"))
    acknowledged: list[str] = []
    for round_ in range(3):
        port = free_port()
        server = subprocess.Popen(
            [exe, "ui", "--port", str(port)],
            env={**os.environ, "MOCK_INTERVIEW_HOME": str(home), "PYTHONPATH": str(GUARD_DIR)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stderr is not None
            while "examiner ready" not in (line := server.stderr.readline()):
                assert line, "the app exited before it was ready"
            client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            chat = client.predict("kim", "ml_engineer", 5, "mixed", api_name="/start")[0]
            for n in range(2):
                text = f"Answer {n} of round {round_}: offline metrics first, then an A/B test on latency and cost."
                chat = client.predict(text, chat, "kim", api_name="/send")[0]
                acknowledged.append(text)
            client.submit(f"Answer in flight in round {round_}.", chat, "kim", api_name="/send")
            time.sleep(0.05 + 0.1 * round_)
        finally:
            server.kill()  # SIGKILL: no cleanup runs
            server.wait(timeout=30)
    after = Services(make_settings(home))
    try:
        stored = {t["answer"] for s in after.transcripts.sessions(user="kim") for t in after.transcripts.turns(s["id"])}
        assert [a for a in acknowledged if a not in stored] == []
        for session in after.transcripts.sessions(user="kim"):
            after.interviewer.history(session["id"])  # every checkpoint still loads and resumes
    finally:
        after.close()
    assert run_cli("doctor", home=home).returncode == 0  # every database passes SQLite's check
