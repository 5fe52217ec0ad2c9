"""The server backends across workers: migrations when workers start at once, the memory
queue drained exactly once by two workers, one session's turns serialised across workers,
and a session started on one web worker finished on another. Each "worker" is its own pool
of connections (or its own process), as separate app processes are to Postgres."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg
import pytest
from conftest import ROOT, assert_one_line_error, make_settings, run_cli
from examiners import SlowExaminer
from ui_workers import start_workers

from agent.interview.context import InterviewContext
from agent.interview.graph import build_graph
from agent.interview.interviewer import Interviewer
from agent.services import Services
from agent.store.outbox import Outbox
from agent.store.pg.database import MIGRATIONS, Database, shown
from agent.store.pg.jobs import PgJobs
from benchmarks.sse_client import QueueClient

ANSWER = (
    "Tokenization splits text into subword pieces, so rare words still encode compactly. In my project a long "
    "product name became five tokens. Token count drives latency and billing, at the cost of some recall."
)


def test_workers_starting_at_once_migrate_the_schema_once(server_urls: tuple[str, str]) -> None:
    from agent.store.pg.checkpoints import open_saver

    database_url, _ = server_urls
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    opened: list[Database] = []

    def start() -> None:
        barrier.wait()
        try:
            database = Database(database_url)
            opened.append(database)
            open_saver(database)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    try:
        assert errors == []
        with psycopg.connect(database_url) as conn:
            versions = [r[0] for r in conn.execute("SELECT version FROM mock_interview_migrations ORDER BY version")]
            saver_versions = conn.execute("SELECT count(*), count(DISTINCT v) FROM checkpoint_migrations").fetchone()
        assert versions == list(range(1, len(MIGRATIONS) + 1))
        assert saver_versions is not None and saver_versions[0] == saver_versions[1] > 0
        assert opened[0].migrate() == 0  # a later start finds nothing to do
    finally:
        for database in opened:
            database.close()


def test_two_workers_draining_the_queue_apply_each_job_exactly_once(server_urls: tuple[str, str]) -> None:
    database_url, _ = server_urls
    applied: list[int] = []
    lock = threading.Lock()

    def apply(batch: list[dict[str, int]]) -> None:
        time.sleep(0.01)  # long enough for the other worker to come for the same rows
        with lock:
            applied.extend(job["n"] for job in batch)

    databases = [Database(database_url), Database(database_url)]
    outboxes = [Outbox(PgJobs(d), apply, idle_seconds=3600) for d in databases]
    try:
        for n in range(1000):
            outboxes[n % 2].put({"n": n})
        threads = [threading.Thread(target=o.flush) for o in outboxes for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(applied) == list(range(1000))  # every job once: none twice, none lost
        assert all(o.pending() == 0 for o in outboxes)
    finally:
        for outbox, database in zip(outboxes, databases, strict=True):
            outbox.close()
            database.close()


def test_one_sessions_turns_are_serialised_across_workers(tmp_path: Path, server_urls: tuple[str, str]) -> None:
    """Two workers (separate pools, as separate processes) get answers for one session at once."""
    database_url, chroma_url = server_urls
    workers = [
        Services(make_settings(tmp_path / f"w{i}", database_url=database_url, chroma_url=chroma_url)) for i in range(2)
    ]
    try:
        interviewers = []
        for services in workers:
            context = InterviewContext(
                services.question_bank,
                SlowExaminer(services.offline_examiner, 0.5),
                services.memory,
                services.transcripts,
            )
            graph = build_graph(services.checkpointer)
            interviewers.append(Interviewer(graph, context, services.transcripts, services.interviewer.session_lock))
        view = interviewers[0].start("asha", "product", 4, seed=1)
        answers = ["An answer about rollout plans and ROI.", "/skip", "An answer about risk.", "About metrics."]
        threads = [
            threading.Thread(target=interviewers[i % 2].send, args=(view.session_id, a)) for i, a in enumerate(answers)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        said = [t["answer"] for t in workers[1].transcripts.turns(view.session_id) if t["answer"] is not None]
        assert sorted(said) == sorted(answers)  # every answer in its own turn, none overwritten
        state = interviewers[1].state(view.session_id)
        assert sorted(m["content"] for m in state["messages"] if m["role"] == "user") == sorted(answers)
    finally:
        for services in workers:
            services.close()


@pytest.mark.slow
def test_a_session_started_on_one_web_worker_finishes_on_another(tmp_path: Path, server_urls: tuple[str, str]) -> None:
    database_url, chroma_url = server_urls
    env = {"MOCK_INTERVIEW_DATABASE_URL": database_url, "MOCK_INTERVIEW_CHROMA_URL": chroma_url}
    services = Services(make_settings(tmp_path / "check", database_url=database_url, chroma_url=chroma_url))
    first, second = start_workers([tmp_path / "worker-1", tmp_path / "worker-2"], env)
    try:
        client = QueueClient(first.url)
        chat = client.call("start", "asha", "ml_engineer", 2, "mixed")[1]
        client.call("send", ANSWER + " (first answer, on worker 1)", chat, "asha")
        client.close()
        first.stop()  # worker 1 is gone; the browser's next request reaches worker 2
        session_id = services.transcripts.sessions(user="asha")[0]["id"]

        client = QueueClient(second.url)
        loaded = client.load({"user": "asha"})  # the page reloads: the session resumes from the checkpoint
        chat, done = loaded[2], None
        assert f"Resuming your session {session_id}" in str(chat)
        for n in range(8):
            out = client.call("send", f"{ANSWER} (answer {n + 2}, on worker 2)", chat, "asha")
            chat, done = out[0], out[4]
            if done:
                break
        client.close()
        assert done, "the interview did not reach its report"
    finally:
        first.stop()
        second.stop()
    try:
        session = services.transcripts.session(session_id)
        assert session["status"] == "completed" and session["report"] is not None
        answers = [t["answer"] or "" for t in services.transcripts.turns(session_id)]
        assert "on worker 1" in answers[0] and any("on worker 2" in a for a in answers[1:])
    finally:
        services.close()


def test_a_bad_or_unreachable_server_is_one_line_at_start(cli_home: Path) -> None:
    for env, fragment in [
        ({"MOCK_INTERVIEW_DATABASE_URL": "mysql://db/x"}, "MOCK_INTERVIEW_DATABASE_URL"),
        ({"MOCK_INTERVIEW_DATABASE_URL": "postgresql://u:hunter2@127.0.0.1:1/x"}, "cannot use the database"),
        ({"MOCK_INTERVIEW_CHROMA_URL": "ftp://host"}, "MOCK_INTERVIEW_CHROMA_URL"),
        ({"MOCK_INTERVIEW_CHROMA_URL": "http://127.0.0.1:1"}, "cannot use the Chroma server"),
    ]:
        result = run_cli("sessions", "list", home=cli_home, env=env)
        assert_one_line_error(result, 2, fragment)
        assert "hunter2" not in result.stderr


def test_doctor_checks_the_servers_instead_of_the_files_they_replace(
    cli_home: Path, server_urls: tuple[str, str]
) -> None:
    database_url, chroma_url = server_urls
    env = {"MOCK_INTERVIEW_DATABASE_URL": database_url, "MOCK_INTERVIEW_CHROMA_URL": chroma_url}
    candidate = str(ROOT / "eval" / "data" / "candidates" / "cand-1.yaml")
    simulated = run_cli("simulate", "--user", "asha", "--role", "product", "--candidate", candidate,
                        "--questions", "1", home=cli_home, env=env)  # fmt: skip
    assert simulated.returncode == 0, simulated.stderr
    checked = run_cli("doctor", home=cli_home, env=env)
    assert checked.returncode == 0, checked.stderr
    lines = checked.stdout.splitlines()
    postgres = next(line for line in lines if line.startswith("postgres "))
    assert postgres.startswith(
        f"postgres {shown(database_url)}: ok, schema {len(MIGRATIONS)} of {len(MIGRATIONS)}, 1 sessions"
    )
    chroma = next(line for line in lines if line.startswith("chroma "))
    assert chroma.startswith(f"chroma {chroma_url}: ok, collections: ") and "guide" in chroma
    assert "sessions.sqlite: not used (MOCK_INTERVIEW_DATABASE_URL is set)" in lines
    assert not (cli_home / "sessions.sqlite").exists()  # nothing written where the servers stand in
