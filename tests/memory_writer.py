"""Run by test_shared_folder.py as another process on the same data folder: writes one
user's question outcomes to the memory, one batch a second (far more often than a real session)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import make_settings

from agent.services import Services

home, user, seconds = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
services = Services(make_settings(home))
bank = services.question_bank
questions = [bank.get("gans-mode-collapse"), bank.get("transformers-attention-qkv")]
print("ready", flush=True)
started, n = time.monotonic(), 0
while time.monotonic() - started < seconds:
    question = questions[n % 2]
    services.memory.record_question(user, f"s{n}", question, 2.0 + n % 5, [question.key_points[n % 3].id], [])
    services.memory.outbox.flush()
    n += 1
    time.sleep(1.0)
services.close()
print(f"wrote {n}", flush=True)
