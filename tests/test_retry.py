"""A second try: /retry re-asks the question on the real graph, the feedback shows the change,
the transcript keeps both attempts and the result counts the best one."""

from __future__ import annotations

import pytest

from agent.interview.interviewer import parse_command
from agent.services import Services
from knowledge.errors import UsageError

WEAK = "I think it is something about models and data, but I am not sure how it works."


def _strong(services: Services, question_id: str) -> str:
    question = services.question_bank.get(question_id)
    return " ".join(line.split(": ", 1)[-1] for line in question.model_answer)


def test_retry_reassesses_shows_the_change_keeps_both_attempts_and_counts_the_best(
    interview_services: Services,
) -> None:
    interviewer = interview_services.interviewer
    assert parse_command(" /Retry ") == "retry"
    view = interviewer.start("mira", "ml_engineer", 2, seed=4)
    sid = view.session_id
    with pytest.raises(UsageError, match="nothing to retry yet"):
        interviewer.command(sid, "retry")
    question_id = interviewer.state(sid)["plan"][0]["question_id"]
    first = interviewer.send(sid, WEAK)
    assert first.assessment is not None
    retried = interviewer.command(sid, "retry")
    assert retried.question_number == 1 and retried.prompt_kind == "question"
    assert "Second try" in retried.messages[-1]["content"]
    second = interviewer.send(sid, _strong(interview_services, question_id))
    assert second.change is not None and second.assessment is not None
    before, after = first.assessment["score"], second.assessment["score"]
    assert second.change.startswith(f"Second try: {before:g} → {after:g}") and after > before
    assert "now covers" in second.change
    assert any(second.change in m["content"] for m in second.messages if m["kind"] == "feedback")
    while interviewer.state(sid)["index"] == 0 and not second.done:
        second = interviewer.send(sid, "I don't know.")
    view = interviewer.command(sid, "end")
    turns = interview_services.transcripts.turns(sid)
    attempts = [t for t in turns if t["kind"] == "question" and t["question_id"] == question_id]
    assert len(attempts) == 2 and attempts[0]["answer"] == WEAK  # both attempts are kept
    assert view.report is not None
    result = view.report["questions"][0]
    assert result["retried"] is True and result["score"] >= after - 0.5 > before


def test_a_worse_second_try_keeps_the_first_attempt(interview_services: Services) -> None:
    interviewer = interview_services.interviewer
    sid = interviewer.start("noor", "researcher", 1, seed=5).session_id
    question_id = interviewer.state(sid)["plan"][0]["question_id"]
    first = interviewer.send(sid, _strong(interview_services, question_id))
    assert first.assessment is not None
    interviewer.command(sid, "retry")
    worse = interviewer.send(sid, WEAK)
    assert worse.change is not None and "now covers" not in worse.change
    view = interviewer.command(sid, "end")
    assert view.report is not None
    assert view.report["questions"][0]["score"] >= first.assessment["score"]
