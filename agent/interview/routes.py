"""Where the interview goes next. Each router's return type lists its possible routes."""

from __future__ import annotations

from typing import Literal

from agent.examiner.seam import MAX_FOLLOW_UPS
from agent.interview.state import InterviewState


def route_turn(
    state: InterviewState,
) -> Literal["plan_session", "record_answer", "skip_question", "retry_question", "end_early", "session_over"]:
    """A run starts here: a new session is planned, otherwise the candidate's message is handled."""
    if not state.get("plan"):
        return "plan_session"
    if state.get("done"):
        return "session_over"
    command = state.get("command")
    if command == "end":
        return "end_early"
    if command == "skip":
        return "skip_question"
    if command == "retry":
        return "retry_question"
    return "record_answer"


def route_after_assessment(state: InterviewState) -> Literal["ask_follow_up", "close_question"]:
    exam = state.get("last_exam")
    wants_more = exam is not None and bool(exam["assessment"]["follow_up"])
    if wants_more and state.get("follow_ups", 0) < MAX_FOLLOW_UPS:
        return "ask_follow_up"
    return "close_question"


def route_after_end(state: InterviewState) -> Literal["close_question", "wrap_up"]:
    """Ending early still counts a question whose answer was already assessed."""
    return "close_question" if state.get("last_exam") or state.get("first_try") else "wrap_up"


def route_after_close(state: InterviewState) -> Literal["ask_question", "wrap_up"]:
    if state.get("ending") or state["index"] + 1 >= len(state["plan"]):
        return "wrap_up"
    return "ask_question"
