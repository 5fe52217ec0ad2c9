"""Several ``mock-interview ui`` processes on one Postgres and one Chroma server, as behind a
load balancer: for the cross-worker tests and the scale benchmark."""

from __future__ import annotations

import os
import subprocess
import sys
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
    """One ``mock-interview ui`` per data folder (each its own caches), serving once all answer."""
    exe = Path(sys.executable).with_name("mock-interview")
    workers = []
    for home in homes:
        port = free_port()
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MOCK_INTERVIEW_"))}
        full_env.update(env, MOCK_INTERVIEW_HOME=str(home), GRADIO_ANALYTICS_ENABLED="False")
        full_env["PYTHONPATH"] = str(GUARD_DIR)  # the network guard, as in every test process
        process = subprocess.Popen(
            [str(exe), "ui", "--port", str(port)], env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        workers.append(Worker(process, f"http://127.0.0.1:{port}/"))
    deadline = time.monotonic() + timeout
    try:
        for worker in workers:
            while True:
                if worker.process.poll() is not None:
                    raise RuntimeError(f"a worker exited with status {worker.process.returncode}")
                try:
                    with urllib.request.urlopen(worker.url, timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"a worker did not serve within {timeout:.0f} s")
                time.sleep(0.2)
    except BaseException:
        for worker in workers:
            worker.stop()
        raise
    return workers
