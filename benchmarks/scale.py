"""Scale benchmark: N simulated candidates interviewing at once over HTTP against
`mock-interview ui` workers, on the embedded default (1 worker, SQLite + Chroma folder) and
on a real Postgres and Chroma server (`scripts/dev-services`) with 1 and then 2 workers.

Each candidate is one browser-like client (`benchmarks/sse_client.py`, the web app's tests'
client): it starts an interview, then, once every candidate has started, sends a fixed number
of answers back to back (no thinking time). With two workers the client assigns candidates
round-robin (candidate i to worker i mod 2) and keeps each on its worker, as a sticky load
balancer does. An answer counts as acknowledged when the app completes the turn; afterwards
the transcripts in the database are read, and an acknowledged answer missing there is lost.

Run with ``make bench``; writes ``benchmarks/results/scale.md``. Loopback only, the offline
examiner, every configuration capped in time.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from benchmarks.common import percentile, write_markdown
from benchmarks.sse_client import QueueClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import Servers  # noqa: E402
from ui_workers import Worker, start_workers  # noqa: E402

NS = (10, 50, 200)
TURNS = 5  # answers per candidate
QUESTIONS = 20  # asked for at start, so TURNS answers never reach the report
CAP_SECONDS = 240.0  # per configuration and N: no new answer is sent after this
REQUEST_TIMEOUT = 60.0
ANSWER = (
    "Tokenization splits text into subword pieces, so rare words still encode compactly. For example, in my project a "
    "long product name became five tokens. Token count drives latency and billing, at the cost of some recall."
)
MARKER = re.compile(r"\[bench [^\]]+\]")
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Candidate:
    start_seconds: float | None = None
    latencies: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    failed: int = 0
    not_sent: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Load:
    candidates: list[Candidate]
    seconds: float  # wall time of the answering phase

    @property
    def latencies(self) -> list[float]:
        return [x for c in self.candidates for x in c.latencies]

    @property
    def acknowledged(self) -> set[str]:
        return {m for c in self.candidates for m in c.acknowledged}

    @property
    def failed(self) -> int:
        return sum(c.failed for c in self.candidates)

    @property
    def not_sent(self) -> int:
        return sum(c.not_sent for c in self.candidates)

    @property
    def not_started(self) -> int:
        return sum(1 for c in self.candidates if c.start_seconds is None)


def marker(tag: str, candidate: int, answer: int) -> str:
    return f"[bench {tag} c{candidate} a{answer}]"


def drive(
    urls: list[str],
    n: int,
    tag: str,
    turns: int = TURNS,
    cap: float = CAP_SECONDS,
    on_answering: Callable[[], None] = lambda: None,
) -> Load:
    """N candidates, candidate i on ``urls[i % len(urls)]``: all start, then all answer;
    ``on_answering`` runs between the two phases."""
    configs = {url: httpx.get(f"{url.rstrip('/')}/config", timeout=REQUEST_TIMEOUT).json() for url in urls}
    results = [Candidate() for _ in range(n)]
    started = threading.Semaphore(0)
    go = threading.Event()
    deadline = [0.0]

    def candidate(i: int) -> None:
        result, url, user = results[i], urls[i % len(urls)], f"bench-{tag}-c{i}"
        client = QueueClient(url, configs[url], timeout=REQUEST_TIMEOUT)
        chat = None
        try:
            begin = time.perf_counter()
            chat = client.call("start", user, "ml_engineer", QUESTIONS, "mixed")[1]
            result.start_seconds = time.perf_counter() - begin
        except Exception as exc:  # noqa: BLE001 - counted and reported
            result.errors.append(f"start: {exc}"[:200])
        finally:
            started.release()
        go.wait()
        for k in range(turns):
            if chat is None or time.perf_counter() > deadline[0]:
                result.not_sent += turns - k
                break
            mark = marker(tag, i, k)
            begin = time.perf_counter()
            try:
                chat = client.call("send", f"{ANSWER} {mark}", chat, user)[0]
            except Exception as exc:  # noqa: BLE001 - counted and reported
                result.failed += 1
                result.errors.append(f"send: {exc}"[:200])
                continue
            result.latencies.append(time.perf_counter() - begin)
            result.acknowledged.append(mark)
        client.close()

    threads = [threading.Thread(target=candidate, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    start_deadline = time.monotonic() + cap
    for _ in range(n):
        started.acquire(timeout=max(0.0, start_deadline - time.monotonic()))
    on_answering()
    begin = time.perf_counter()
    deadline[0] = begin + cap
    go.set()
    for t in threads:
        t.join(timeout=max(0.0, deadline[0] + REQUEST_TIMEOUT + 5 - time.perf_counter()))
    seconds = time.perf_counter() - begin
    if any(t.is_alive() for t in threads):
        raise RuntimeError(f"candidates still running {seconds:.0f} s after the start of the answers")
    return Load(results, seconds)


def stored_markers_postgres(database_url: str, tag: str) -> set[str]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            'SELECT t.answer FROM turns t JOIN sessions s ON s.id = t.session_id WHERE s."user" LIKE %s',
            (f"bench-{tag}-%",),
        ).fetchall()
    return {m for (answer,) in rows if answer for m in MARKER.findall(answer)}


def stored_markers_sqlite(home: Path, tag: str) -> set[str]:
    conn = sqlite3.connect(f"file:{home / 'sessions.sqlite'}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT t.answer FROM turns t JOIN sessions s ON s.id = t.session_id WHERE s.user LIKE ?",
            (f"bench-{tag}-%",),
        ).fetchall()
    finally:
        conn.close()
    return {m for (answer,) in rows if answer for m in MARKER.findall(answer)}


def lost_answers(acknowledged: set[str], stored: set[str]) -> set[str]:
    """Answers the app acknowledged that the transcripts do not hold."""
    return acknowledged - stored


# --- CPU accounting from /proc, to say which process was busy -----------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # fields from the state on: [0]=state, [1]=ppid, [11..14]=times


def tree_cpu_seconds(root: int) -> float:
    """CPU time of a process, its live descendants and the children it has reaped."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            stats[int(entry.name)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    if root not in stats:
        return 0.0
    total = int(stats[root][13]) + int(stats[root][14])  # reaped children
    todo = [root]
    while todo:
        pid = todo.pop()
        total += int(stats[pid][11]) + int(stats[pid][12])
        todo.extend(children.get(pid, []))
    return total / CLOCK_TICK


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


class LoadAverage:
    """The 1-minute load average, sampled each second while a load runs."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(1.0)

    def __enter__(self) -> LoadAverage:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- configurations ------------------------------------------------------------------------


@dataclass
class Row:
    config: str
    n: int
    load: Load
    lost: int
    cpu: dict[str, float]  # cores used per process group during the answering phase
    load_average: tuple[float, float]  # 1-minute load average: at the start, highest seen


def measure(
    config: str, urls: list[str], groups: dict[str, list[int]], stored: Callable[[str], set[str]], n: int
) -> Row:
    tag = f"{config.split()[0]}{len(urls)}n{n}"
    before: dict[str, float] = {}

    def count_from_here() -> None:  # CPU of the answering phase only, not of the starts
        before.update({name: sum(tree_cpu_seconds(p) for p in pids) for name, pids in groups.items()})
        before["benchmark client"] = own_cpu_seconds()

    with LoadAverage() as averages:
        load = drive(urls, n, tag, on_answering=count_from_here)
    cpu = {
        name: (sum(tree_cpu_seconds(p) for p in pids) - before[name]) / load.seconds for name, pids in groups.items()
    }
    cpu["benchmark client"] = (own_cpu_seconds() - before["benchmark client"]) / load.seconds
    in_db = stored(tag)
    acknowledged = load.acknowledged
    row = Row(
        config,
        n,
        load,
        lost=len(lost_answers(acknowledged, in_db)),
        cpu=cpu,
        load_average=(averages.samples[0], max(averages.samples)),
    )
    print(summary(row), flush=True)
    return row


def warm_up(urls: list[str]) -> None:
    """One interview per worker before measuring: the index opens and the examiner loads."""
    load = drive(urls, len(urls), f"warm{len(urls)}x{int(time.time())}", turns=1, cap=120)
    if load.failed or load.not_started:
        raise RuntimeError(f"warm-up failed: {[e for c in load.candidates for e in c.errors]}")


@contextmanager
def dev_services() -> Iterator[tuple[Servers, int, int]]:
    """A Postgres and a Chroma server for this run (their state in a temporary folder), stopped after."""
    state = Path(tempfile.mkdtemp(prefix="mi-bench-services-"))
    env = {**os.environ, "DEV_SERVICES_DIR": str(state / "services")}
    script = str(ROOT / "scripts" / "dev-services")
    try:
        out = subprocess.run([script, "up"], env=env, capture_output=True, text=True, timeout=180, check=True).stdout
        pgdir = Path((state / "services" / "pgdir").read_text().strip())
        postmaster = int((pgdir / "data" / "postmaster.pid").read_text().split()[0])
        chroma = int((state / "services" / "chroma.pid").read_text().strip())
        yield Servers.from_exports(out), postmaster, chroma
    finally:
        subprocess.run([script, "down"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(state, ignore_errors=True)


def stopping(workers: list[Worker]) -> None:
    for worker in workers:
        worker.stop()


def run_embedded(scratch: Path) -> list[Row]:
    home = scratch / "embedded"
    workers = start_workers([home], {})
    try:
        warm_up([w.url for w in workers])
        groups = {"app workers": [w.process.pid for w in workers]}
        return [
            measure(
                "embedded (SQLite + Chroma folder)",
                [w.url for w in workers],
                groups,
                lambda tag: stored_markers_sqlite(home, tag),
                n,
            )
            for n in NS
        ]
    finally:
        stopping(workers)


def run_servers(scratch: Path, servers: Servers, postmaster: int, chroma: int, count: int) -> list[Row]:
    """``count`` workers on a fresh Postgres database and Chroma database."""
    with servers.fresh() as (database_url, chroma_url):
        env = {"MOCK_INTERVIEW_DATABASE_URL": database_url, "MOCK_INTERVIEW_CHROMA_URL": chroma_url}
        workers: list[Worker] = []
        try:
            # One at a time: the first builds the guide index on the fresh Chroma database
            # (re-indexing is not locked across workers; the README says to start one first).
            for i in range(count):
                workers += start_workers([scratch / f"servers{count}-w{i}"], env)
                warm_up([workers[-1].url])
            urls = [w.url for w in workers]
            groups = {
                "app workers": [w.process.pid for w in workers],
                "Postgres": [postmaster],
                "Chroma server": [chroma],
            }
            label = f"Postgres + Chroma server, {count} worker{'s' if count > 1 else ''}"
            return [measure(label, urls, groups, lambda tag: stored_markers_postgres(database_url, tag), n) for n in NS]
        finally:
            stopping(workers)


# --- report --------------------------------------------------------------------------------


def summary(row: Row) -> str:
    lat = row.load.latencies
    p50 = percentile(lat, 50) * 1000 if lat else float("nan")
    p95 = percentile(lat, 95) * 1000 if lat else float("nan")
    return (
        f"{row.config}, N={row.n}: {len(lat) / row.load.seconds:.1f} turns/s, p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
        f"failed {row.load.failed}, lost {row.lost}, cores {row.cpu}, load {row.load_average}"
    )


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| configuration | N | turns/s | p50 turn | p95 turn | failed turns | not sent (cap) | lost answers "
        "| start p95 | cores used: workers / Postgres / Chroma / client | load avg (1 min) start → peak |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lat, starts = row.load.latencies, [c.start_seconds for c in row.load.candidates if c.start_seconds]
        cores = " / ".join(
            f"{row.cpu[k]:.2f}" if k in row.cpu else "–"
            for k in ("app workers", "Postgres", "Chroma server", "benchmark client")
        )
        lines.append(
            f"| {row.config} | {row.n} | {len(lat) / row.load.seconds:.1f} "
            f"| {percentile(lat, 50) * 1000:.0f} ms | {percentile(lat, 95) * 1000:.0f} ms "
            f"| {row.load.failed} | {row.load.not_sent} | {row.lost} "
            f"| {percentile(starts, 95) * 1000:.0f} ms | {cores} "
            f"| {row.load_average[0]:.1f} → {row.load_average[1]:.1f} |"
        )
    return lines


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="mi-bench-scale-"))
    rows: list[Row] = []
    idle_load = os.getloadavg()
    try:
        rows += run_embedded(scratch)
        with dev_services() as (servers, postmaster, chroma):
            rows += run_servers(scratch, servers, postmaster, chroma, 1)
            rows += run_servers(scratch, servers, postmaster, chroma, 2)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    errors = sorted({e for row in rows for c in row.load.candidates for e in c.errors})
    lines = [
        f"{TURNS} answers per candidate after all have started, sent back to back (no thinking time); "
        f"each configuration and N capped at {CAP_SECONDS:.0f} s of answering, {REQUEST_TIMEOUT:.0f} s per request. "
        "Offline examiner, loopback, one fresh database per configuration (N = 10, 50, 200 run one after another on it).",
        "Two workers: the client assigns candidate i to worker i mod 2 and keeps it there (sticky, as a load balancer "
        "keyed by browser). Lost answers: acknowledged by the app, absent from the transcripts in the database "
        "afterwards. Cores used: CPU seconds of each process tree during the answering phase over its wall time.",
        f"Load average (1, 5, 15 min) before the run: {idle_load[0]:.1f}, {idle_load[1]:.1f}, {idle_load[2]:.1f} "
        f"on {os.cpu_count()} cores shared with other work.",
        "",
        *table(rows),
    ]
    if errors:
        lines += ["", "Errors seen (distinct):", "", *[f"- `{e}`" for e in errors[:20]]]
    out = write_markdown("scale", "Scale benchmark: concurrent candidates over HTTP", lines)
    print(out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
