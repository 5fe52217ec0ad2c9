"""Run by test_graph.py as a separate process: start a session and answer with a slow
examiner, so the test can SIGKILL this process while the answer is being assessed."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import make_settings
from examiners import SlowExaminer

from agent.interview.context import InterviewContext
from agent.interview.graph import build_graph
from agent.interview.interviewer import Interviewer
from agent.services import Services

home, session_id = Path(sys.argv[1]), sys.argv[2]
servers = {"database_url": sys.argv[4], "chroma_url": sys.argv[5]} if len(sys.argv) > 5 else {}
services = Services(make_settings(home, **servers))
slow = SlowExaminer(services.offline_examiner, 600)
context = InterviewContext(services.question_bank, slow, services.memory, services.transcripts)
interviewer = Interviewer(build_graph(services.checkpointer), context, services.transcripts)
interviewer.start("crashy", "ml_engineer", 2, seed=5, session_id=session_id)
print("started", flush=True)
interviewer.send(session_id, sys.argv[3])
print("finished (should have been killed)", flush=True)
