"""One question's thread: the first answer and the replies to its follow-ups.

Each reply is assessed on its own (against the follow-up it answers); the question's
result is the best evidence across the thread: a key point made in any reply counts, each
framework dimension takes its best value, and a reply scoring above the thread so far lifts
the question halfway toward it. A gaming reply is capped for itself, so it cannot lift the
question, and a weak reply does not erase what an earlier answer showed.
"""

from __future__ import annotations

from agent.examiner.seam import AskedFollowUp
from agent.interview.state import InterviewState
from agent.records import AssessmentRecord, Dimension, ExamRecord, QuestionView

LIFT = 0.5  # how far a better reply moves the question's score toward its own


def asked_follow_up(state: InterviewState) -> AskedFollowUp | None:
    """The follow-up the incoming message answers, if it answers one."""
    exam = state.get("last_exam")
    if state.get("prompt_kind") != "follow_up" or exam is None or not exam["assessment"]["follow_up"]:
        return None
    probes = state.get("asked_probes", [])
    return AskedFollowUp(exam["assessment"]["follow_up"], probes[-1] if probes else None)


def covered_so_far(exam: ExamRecord | None) -> tuple[str, ...]:
    if exam is None:
        return ()
    standing = exam.get("question")
    return tuple(standing["covered_ids"] if standing else exam["assessment"]["covered_ids"])


def question_view(previous: ExamRecord | None, assessment: AssessmentRecord, follow_up: bool) -> QuestionView:
    """The question's standing after ``assessment`` (of the first answer, or of a reply)."""
    if not follow_up or previous is None:
        return QuestionView(
            score=assessment["score"],
            covered_ids=list(assessment["covered_ids"]),
            dimensions=dict(assessment["dimensions"]),
        )
    before = previous.get("question") or QuestionView(
        score=previous["assessment"]["score"],
        covered_ids=list(previous["assessment"]["covered_ids"]),
        dimensions=dict(previous["assessment"]["dimensions"]),
    )
    reply = assessment["score"]
    score = before["score"] + LIFT * max(0.0, reply - before["score"])
    covered = list(dict.fromkeys([*before["covered_ids"], *assessment["covered_ids"]]))
    dims: dict[Dimension, int] = {
        d: max(before["dimensions"].get(d, 0), assessment["dimensions"].get(d, 0))
        for d in {*before["dimensions"], *assessment["dimensions"]}
    }
    return QuestionView(score=round(score * 2) / 2, covered_ids=covered, dimensions=dims)
