"""A strong answer to learn from, assembled only from what the product already holds: the
question's model-answer outline (definition → intuition → example → tradeoffs → measurement)
and, for every key point, the guide's own sentence from the section the point names, with
its citation. The points the candidate missed are marked; nothing is written new."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from agent import prompts
from agent.examiner.citer import Citer
from agent.records import DIMENSIONS, Dimension
from knowledge.errors import QuestionBankError
from knowledge.question_bank import Question, QuestionBank
from knowledge.taxonomy import cited_source


class ModelStep(TypedDict):
    dimension: Dimension
    text: str


class ModelPoint(TypedDict):
    point: str
    missed: bool
    section: str
    quote: str | None  # the guide's sentence that states the point


class ModelAnswer(TypedDict):
    question_id: str
    question: str
    steps: list[ModelStep]
    points: list[ModelPoint]


def _step(line: str, position: int) -> ModelStep:
    """An outline line "Tradeoffs: …" as its framework step (an unlabelled line keeps its place)."""
    label, _, rest = line.partition(": ")
    named = label.strip().lower()
    if rest and named in DIMENSIONS:
        return ModelStep(dimension=named, text=rest.strip())
    return ModelStep(dimension=DIMENSIONS[min(position, len(DIMENSIONS) - 1)], text=line.strip())


def build_model_answer(question: Question, citer: Citer, missed_ids: list[str]) -> ModelAnswer:
    steps = [_step(line, i) for i, line in enumerate(question.model_answer)]
    steps.sort(key=lambda s: DIMENSIONS.index(s["dimension"]))
    points = []
    for kp in question.key_points:
        cited = citer.cite(kp)
        points.append(
            ModelPoint(
                point=kp.point,
                missed=kp.id in missed_ids,
                section=cited.section if cited else kp.section,
                quote=cited.quote.strip('"“”') if cited else None,  # quoted once, by the caller
            )
        )
    return ModelAnswer(question_id=question.id, question=question.question, steps=steps, points=points)


def model_answer_markdown(answer: ModelAnswer, heading: str = "###") -> str:
    title, points, missed = (
        prompts.render("model_answer_title"),
        prompts.render("model_answer_points"),
        prompts.render("model_answer_missed"),
    )
    out = [f"{heading} {title}", "", f"*{answer['question']}*", ""]
    out += [f"- **{s['dimension'].capitalize()}**: {s['text']}" for s in answer["steps"]]
    out += ["", f"**{points}**", ""]
    quoted: set[str] = set()
    for p in answer["points"]:
        mark = f" — **{missed}**" if p["missed"] else ""
        out.append(f"- {p['point']}{mark}")
        if p["quote"] and p["quote"] not in quoted:  # a guide sentence behind two points is quoted once
            quoted.add(p["quote"])
            source, path = cited_source(p["section"])
            out.append(f"  - {source}, *{path}*: “{p['quote']}”")
    return "\n".join(out) + "\n"


def export_writer(bank: QuestionBank, citer: Citer) -> Callable[[str, list[str]], str]:
    """What the Markdown export calls for each question: its model answer, or nothing for a
    question the bank no longer has."""

    def write(question_id: str, missed_ids: list[str]) -> str:
        try:
            question = bank.get(question_id)
        except QuestionBankError:
            return ""
        return model_answer_markdown(build_model_answer(question, citer, missed_ids), heading="####")

    return write
