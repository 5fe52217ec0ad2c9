"""Examiners for tests. They implement the real Examiner protocol and return real objects."""

from __future__ import annotations

import time

from agent.examiner.seam import Examiner, ExamRequest, ExamResult


class FailingExaminer:
    name = "failing"
    uses_similar_misses = False

    def examine(self, request: ExamRequest) -> ExamResult:
        raise RuntimeError("examiner exploded")


class SlowExaminer:
    """Delegates to a real examiner after a pause, so a test can kill the process mid-assessment."""

    def __init__(self, inner: Examiner, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds
        self.name = inner.name
        self.uses_similar_misses = inner.uses_similar_misses

    def examine(self, request: ExamRequest) -> ExamResult:
        time.sleep(self.seconds)
        return self.inner.examine(request)
