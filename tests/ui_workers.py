"""Several ``mock-interview ui`` processes on one Postgres and one Chroma server, as behind a
load balancer: for the cross-worker tests and the scale benchmark."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ui_server import free_port

GUARD_DIR = Path(__file__).resolve().parent / "netguard"


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_workers(homes: list[Path], env: dict[str, str], timeout: float = 90) -> list[Worker]:
    """One ``mock-interview ui`` per data folder (each its own caches), started one after the
    other, serving once all answer. A worker refused at start (exit status 2: a free port was
    taken between the check and the start) is started again on another port, twice at most;
    otherwise the error names the worker's last lines of stderr."""
    workers: list[Worker] = []
    try:
        for home in homes:
            workers.append(_start_one(home, env, timeout))
    except BaseException:
        for worker in workers:
            worker.stop()
        raise
    return workers


def _start_one(home: Path, env: dict[str, str], timeout: float, attempts: int = 3) -> Worker:
    exe = Path(sys.executable).with_name("mock-interview")
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MOCK_INTERVIEW_"))}
    full_env.update(env, MOCK_INTERVIEW_HOME=str(home), GRADIO_ANALYTICS_ENABLED="False")
    full_env["PYTHONPATH"] = str(GUARD_DIR)  # the network guard, as in every test process
    for attempt in range(attempts):
        port = free_port()
        with tempfile.TemporaryFile() as stderr:
            process = subprocess.Popen(
                [str(exe), "ui", "--port", str(port)], env=full_env, stdout=subprocess.DEVNULL, stderr=stderr
            )
            worker = Worker(process, f"http://127.0.0.1:{port}/")
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    stderr.seek(0)
                    said = stderr.read().decode(errors="replace").strip().splitlines()[-3:]
                    if process.returncode == 2 and attempt + 1 < attempts:
                        break  # refused at start: try another port
                    raise RuntimeError(f"a worker exited with status {process.returncode}: {' / '.join(said)}")
                try:
                    with urllib.request.urlopen(worker.url, timeout=2) as response:
                        if response.status == 200:
                            return worker
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    worker.stop()
                    raise RuntimeError(f"a worker did not serve within {timeout:.0f} s")
                time.sleep(0.2)
    raise AssertionError("unreachable")
