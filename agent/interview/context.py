"""What every node may use, built once by the composition root and passed per run."""

from __future__ import annotations

from dataclasses import dataclass

from agent.examiner.seam import Examiner
from agent.store.memory import WeakAreaMemory
from agent.store.transcripts import Transcripts
from knowledge.question_bank import QuestionBank


@dataclass(frozen=True)
class InterviewContext:
    bank: QuestionBank
    examiner: Examiner
    memory: WeakAreaMemory
    transcripts: Transcripts
    stream_replies: bool = False  # set per run by a caller that displays the reply as it arrives
