"""The question a candidate is asked: the bank's, worded for their session."""

from __future__ import annotations

from agent.records import PlannedQuestion
from knowledge.question_bank import Question, QuestionBank


def asked_question(bank: QuestionBank, planned: PlannedQuestion) -> Question:
    """The planned question as put to this candidate: framed in the job's product, or a deep
    dive into their project. The rubric is the bank's."""
    question = bank.get(planned["question_id"])
    wording = planned.get("asked_as")
    return question if wording is None else question.model_copy(update={"question": wording})
