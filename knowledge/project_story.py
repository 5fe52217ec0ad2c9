"""The rubric of a project deep dive: one shipped question, asked about the candidate's own project.

The bank holds it by id (so memory, the report and the transcript resolve it like any
question) but never plans it from the pool: a session asks it only when the candidate gave
their projects, worded with the project's name (``agent.interview.asked.ask_about``).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from knowledge.errors import QuestionBankError
from knowledge.question_bank import Question
from knowledge.yaml_files import load_yaml

STORY_PATH = Path(__file__).with_name("project_story.yaml")
STORY_ID = "project-story"


def load_story_question(path: Path = STORY_PATH) -> Question:
    try:
        return Question.model_validate(load_yaml(path.read_text(encoding="utf-8")))
    except (OSError, ValidationError) as exc:
        raise QuestionBankError(f"{path.name}: {exc}".splitlines()[0]) from None


def is_project_story(question: Question) -> bool:
    return question.id == STORY_ID
