"""The interviewer's notes on one assessed answer: a verdict line, what was strong in the
candidate's own words, what was missing or wrong (each with its guide citation, every
citation once), and one tip. Built from the assessment record, so both examiners' results
read the same way in the terminal, the web app and the export."""

from __future__ import annotations

from typing import TypedDict

from agent import prompts
from agent.examiner.bands import band_label
from agent.records import DIMENSIONS, AssessmentRecord, CitationRecord, QuestionView
from knowledge.errors import QuestionBankError
from knowledge.lexical import tokenize
from knowledge.question_bank import Question, QuestionBank

MAX_ITEMS = 3
SHORT_CHARS = 110


class NoteLine(TypedDict):
    text: str
    section: str | None
    quote: str | None  # the guide's sentence, shown once per section


class FeedbackNotes(TypedDict):
    verdict: str
    strong: list[str]
    missing: list[NoteLine]
    tip: str | None
    held: list[str]  # what held the score down, with what it cost


def short(text: str, limit: int = SHORT_CHARS) -> str:
    """A rubric statement cut to its first clause, for a note line."""
    text = " ".join(text.split()).rstrip(".")
    for stop in ("; ", " — ", ": "):
        head = text.split(stop, 1)[0]
        if 25 <= len(head) < len(text):
            text = head
            break
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _question(bank: QuestionBank, assessment: AssessmentRecord) -> Question | None:
    if assessment["question_id"] is None:
        return None
    try:
        return bank.get(assessment["question_id"])
    except QuestionBankError:
        return None


class _Citations:
    """Each guide citation quoted once, found by the section a note line belongs to."""

    def __init__(self, citations: list[CitationRecord]) -> None:
        self.left = list(citations)

    def take(self, section: str | None, text: str) -> tuple[str | None, str | None]:
        """The unused citation of ``section`` that shares most words with ``text``."""
        wanted = set(tokenize(text))
        fits = [c for c in self.left if section is None or c["section"] == section]
        if not fits:
            return section, None
        best = max(fits, key=lambda c: len(wanted & set(tokenize(c["quote"]))))
        self.left.remove(best)
        return best["section"], best["quote"].strip('"“”')  # the note puts its own quotation marks


def feedback_notes(assessment: AssessmentRecord, bank: QuestionBank) -> FeedbackNotes:
    question = _question(bank, assessment)
    covered, missed = assessment["covered"], assessment["missed"]
    total = len(question.key_points) if question is not None else len(covered) + len(missed)
    coverage = prompts.render("notes_coverage", covered=len(assessment["covered_ids"] or covered), total=total)
    score = float(assessment["score"])
    verdict = prompts.render("notes_verdict", score=f"{score:g}", band=band_label(score), coverage=coverage)
    said = assessment.get("said") or []
    strong = [f"“{s}”" for s in said[:MAX_ITEMS]] or [short(p) for p in covered[:MAX_ITEMS]]
    citations = _Citations(assessment["citations"])
    missing: list[NoteLine] = []
    for correction in assessment.get("corrections") or []:
        text = prompts.render("notes_wrong", said=short(correction["said"], 90), correction=correction["correction"])
        section, quote = citations.take(correction["section"], correction["correction"])
        missing.append(NoteLine(text=text, section=section, quote=quote))
    sections = {kp.id: kp.section for kp in question.key_points} if question is not None else {}
    ids: list[str | None] = list(assessment["missed_ids"])
    if len(ids) != len(missed):
        ids = [None] * len(missed)
    for point_id, point in list(zip(ids, missed, strict=True))[:MAX_ITEMS]:
        section, quote = citations.take(sections.get(point_id) if point_id else None, point)
        missing.append(NoteLine(text=short(point), section=section, quote=quote))
    weakest = [d for d in DIMENSIONS if assessment["dimensions"].get(d, 0) == 0]
    tip = prompts.render(f"tip_{weakest[0]}") if weakest else None
    held = list(assessment.get("held") or [])
    return FeedbackNotes(verdict=verdict, strong=strong, missing=missing, tip=tip, held=held)


def reply_line(assessment: AssessmentRecord) -> str:
    """One line after a follow-up reply: its score and the points it added."""
    added = [short(p, 60) for p in assessment["covered"][:2]]
    change = prompts.render("notes_reply_covers", points="; ".join(added)) if added else ""
    return prompts.render("notes_reply", score=f"{float(assessment['score']):g}", change=change)


def retry_change(before: QuestionView, after: QuestionView, question: Question) -> str:
    """How a second try compares with the best attempt before it: "6.5 → 8.5, now covers X"."""
    new = [
        kp.point for kp in question.key_points if kp.id in after["covered_ids"] and kp.id not in before["covered_ids"]
    ]
    covers = prompts.render("notes_reply_covers", points="; ".join(short(p, 60) for p in new[:2])) if new else ""
    return prompts.render("notes_retry", before=f"{before['score']:g}", after=f"{after['score']:g}", covers=covers)
