"""The question a candidate is asked: the bank's, worded for their session."""

from __future__ import annotations

from agent import prompts
from agent.records import PlannedQuestion
from knowledge.project_story import STORY_ID
from knowledge.question_bank import Question, QuestionBank


def deep_dive_wording(project: str) -> str:
    """How a project deep dive is asked (prompts/deep_dive_ask.txt)."""
    return prompts.render("deep_dive_ask", project=project)


def ask_about(bank: QuestionBank, project: str) -> Question:
    """The bank's project-story rubric, asked about ``project``."""
    return bank.get(STORY_ID).model_copy(update={"question": deep_dive_wording(project)})


def asked_question(bank: QuestionBank, planned: PlannedQuestion) -> Question:
    """The planned question as put to this candidate: framed in the job's product, or a deep
    dive into their project. The rubric is the bank's."""
    question = bank.get(planned["question_id"])
    wording = planned.get("asked_as")
    return question if wording is None else question.model_copy(update={"question": wording})
