"""The question bank: interview questions with rubrics, loaded from YAML and validated.

One YAML file per topic lives in ``knowledge/questions/``; each file is a list of
questions of that topic. Loading fails with a :class:`QuestionBankError` whose message
names the file and the entry, so a typo in a rubric is a one-line fix, not a hunt.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from knowledge.errors import QuestionBankError
from knowledge.taxonomy import ROLES, Role, Topic
from knowledge.yaml_files import load_yaml

QUESTIONS_DIR = Path(__file__).with_name("questions")
PRODUCT_SLOT = "{product}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KeyPoint(_Strict):
    """One thing a good answer must say, with the words that show it was said."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    point: str = Field(min_length=10)
    aliases: list[str] = Field(min_length=1)
    section: str = Field(min_length=3, description="Guide heading path 'Top > Sub'.")
    weight: int = Field(default=2, ge=1, le=3, description="3 = essential, 1 = nice to have.")
    probe: str = Field(min_length=10, description="Follow-up asked when this point is missed.")


class Probe(_Strict):
    """A deep-dive follow-up for a strong answer: push on tradeoffs or measurement."""

    kind: Literal["tradeoffs", "measurement"]
    text: str = Field(min_length=10)


class Misconception(_Strict):
    """A false belief an interviewer listens for, and what to say instead."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    claim: str = Field(min_length=10, description="The false statement, as a candidate would assert it.")
    signals: list[str] = Field(
        min_length=1,
        description='Phrasings that assert the claim; "A ... B" asks for every part in one sentence.',
    )
    correction: str = Field(min_length=10)
    section: str = Field(min_length=3, description="Guide heading path whose text supports the correction.")
    correct_examples: list[str] = Field(
        default_factory=list, description="True sentences a candidate may say that the signals must not fire on."
    )
    false_examples: list[str] = Field(
        default_factory=list, description="Assertions of the claim the signals must catch."
    )


class Question(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]+$")
    topic: Topic
    roles: dict[Role, float]
    difficulty: int = Field(ge=1, le=3)
    question: str = Field(min_length=15)
    key_points: list[KeyPoint] = Field(min_length=3, max_length=6)
    probes: list[Probe] = Field(min_length=1)
    model_answer: list[str] = Field(min_length=3)
    misconceptions: list[Misconception] = Field(default_factory=list)
    scenario: str | None = Field(
        default=None,
        description="The question set in a job's context: it must hold {product} (the job's product or domain).",
    )

    @field_validator("scenario")
    @classmethod
    def _scenario_names_the_product(cls, scenario: str | None) -> str | None:
        if scenario is not None and (PRODUCT_SLOT not in scenario or len(scenario) < 30):
            raise ValueError(f"a scenario must be a question holding {PRODUCT_SLOT}")
        return scenario

    def framed(self, product: str) -> str:
        """The question set in a job's product or domain (the rubric stays the same)."""
        if self.scenario is None:
            return self.question
        return self.scenario.replace(PRODUCT_SLOT, product)

    @field_validator("roles")
    @classmethod
    def _all_roles_weighted(cls, roles: dict[str, float]) -> dict[str, float]:
        missing = [r for r in ROLES if r not in roles]
        if missing:
            raise ValueError(f"missing role weights: {', '.join(missing)}")
        if any(not 0.0 <= w <= 1.0 for w in roles.values()):
            raise ValueError("role weights must be between 0 and 1")
        if max(roles.values()) <= 0.0:
            raise ValueError("at least one role must have a positive weight")
        return roles

    @model_validator(mode="after")
    def _unique_key_point_ids(self) -> Question:
        ids = [kp.id for kp in self.key_points]
        if len(ids) != len(set(ids)):
            raise ValueError("key point ids must be unique within a question")
        return self

    def key_point(self, key_point_id: str) -> KeyPoint:
        for kp in self.key_points:
            if kp.id == key_point_id:
                return kp
        raise KeyError(key_point_id)


class QuestionBank:
    """All questions, in file order, addressable by id."""

    def __init__(self, questions: Iterable[Question], unplanned: Iterable[Question] = ()) -> None:
        """``unplanned`` questions are found by id but never drawn from the pool (the project
        deep dive, asked only about a candidate's own project)."""
        self.questions: list[Question] = list(questions)
        self._by_id: dict[str, Question] = {}
        for q in [*self.questions, *unplanned]:
            if q.id in self._by_id:
                raise QuestionBankError(f"duplicate question id {q.id!r}")
            self._by_id[q.id] = q

    def __len__(self) -> int:
        return len(self.questions)

    def get(self, question_id: str) -> Question:
        try:
            return self._by_id[question_id]
        except KeyError:
            raise QuestionBankError(f"no question with id {question_id!r}") from None

    def filter(self, topic: Topic | None = None, role: Role | None = None) -> list[Question]:
        """Questions of ``topic`` (if given) that serve ``role`` (positive weight), best first."""
        found = [q for q in self.questions if topic is None or q.topic == topic]
        if role is not None:
            found = [q for q in found if q.roles.get(role, 0.0) > 0.0]
            found.sort(key=lambda q: -q.roles[role])
        return found


def _format_error(path: Path, index: int, entry: object, error: ValidationError) -> str:
    name = entry.get("id") if isinstance(entry, dict) else None
    where = f"entry {index + 1}" + (f" ({name})" if name else "")
    first = error.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or "entry"
    more = f" (+{error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{path.name}: {where}: {loc}: {first['msg']}{more}"


def load_file(path: Path) -> list[Question]:
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionBankError(f"{path.name}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise QuestionBankError(f"{path.name}:{line}: invalid YAML") from None
    if not isinstance(raw, list):
        raise QuestionBankError(f"{path.name}: expected a list of questions")
    questions = []
    for index, entry in enumerate(raw):
        try:
            questions.append(Question.model_validate(entry))
        except ValidationError as exc:
            raise QuestionBankError(_format_error(path, index, entry, exc)) from None
    return questions


def load_bank(directory: Path = QUESTIONS_DIR) -> QuestionBank:
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise QuestionBankError(f"no question files in {directory}")
    from knowledge.project_story import load_story_question

    return QuestionBank((q for path in files for q in load_file(path)), unplanned=[load_story_question()])
