"""A session as a document: Markdown for reading, JSON for tools. Used by the CLI and the UI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypedDict

from agent.interview.notes import feedback_notes, reply_line
from agent.interview.report import readiness_line
from agent.records import AssessmentRecord, Backend, PromptKind, Report
from agent.store.transcripts import Transcripts
from knowledge.errors import QuestionBankError
from knowledge.question_bank import QuestionBank
from knowledge.taxonomy import ROLE_TITLES, Role, Topic, cited_source, topic_title


class ExportedTurn(TypedDict):
    seq: int
    kind: PromptKind
    topic: Topic
    question_id: str | None
    question: str
    answer: str | None
    assessment: AssessmentRecord | None
    backend: Backend | None
    backend_note: str | None
    asked_at: str
    answered_at: str | None


class ExportedSession(TypedDict):
    session_id: str
    user: str
    role: Role
    status: Literal["active", "completed"]
    created_at: str
    backend: Backend
    turns: list[ExportedTurn]
    report: Report | None


def session_json(store: Transcripts, session_id: str) -> ExportedSession:
    session = store.session(session_id)
    turns = [
        ExportedTurn(
            seq=t["seq"],
            kind=t["kind"],
            topic=t["topic"],
            question_id=t["question_id"],
            question=t["prompt"],
            answer=t["answer"],
            assessment=t["assessment"],
            backend=t["backend"],
            backend_note=t["backend_note"],
            asked_at=t["asked_at"],
            answered_at=t["answered_at"],
        )
        for t in store.turns(session_id)
    ]
    return ExportedSession(
        session_id=session["id"],
        user=session["user"],
        role=session["role"],
        status=session["status"],
        created_at=session["created_at"],
        backend=session["backend"],
        turns=turns,
        report=session["report"],
    )


def _quote_block(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines()) or "> (no answer)"


def _report_markdown(report: Report) -> list[str]:
    out = ["## Summary", "", f"Overall: **{report['overall']:g}/10**", "", "| topic | score |", "|---|---|"]
    out += [f"| {topic_title(t)} | {s:g} |" for t, s in report["by_topic"].items()]
    out += ["", "| dimension | average (0–2) |", "|---|---|"]
    out += [f"| {d} | {v:g} |" for d, v in report["dimensions"].items()]
    job = report.get("job")
    if job is not None:
        out += ["", readiness_line(job)]
    usage = report.get("usage")
    if usage and usage["llm_turns"]:
        cost = usage["cost_usd"]
        cost_text = f", estimated cost ${cost:.4f}" if cost is not None else ""
        out += [
            "",
            f"LLM use: {usage['input_tokens']:,} prompt and {usage['output_tokens']:,} reply tokens "
            f"in {usage['requests']} calls{cost_text}.",
        ]
    if report["weak_areas"]:
        out += ["", "### Study plan", ""]
        for item in report["study_plan"]:
            out.append(f"- {topic_title(item['topic'])}: read " + "; ".join(item["sections"]))
    return [*out, ""]


def _notes_markdown(assessment: AssessmentRecord, bank: QuestionBank | None) -> list[str]:
    if bank is None:
        return [f"**{assessment['score']:g}/10**", ""]
    notes = feedback_notes(assessment, bank)
    out = [f"**{notes['verdict']}**", ""]
    if notes["strong"]:
        out += [f"- Strong: {', '.join(notes['strong'])}"]
    for line in notes["missing"]:
        source, path = cited_source(line["section"] or "")
        cited = f" ({source.lower()}, {path}: “{line['quote']}”)" if line["section"] and line["quote"] else ""
        out.append(f"- Missing or wrong: {line['text']}{cited}")
    out += [f"- Held the score down: {reason}" for reason in notes["held"]]
    if notes["tip"]:
        out.append(f"- Tip: {notes['tip']}")
    return [*out, ""]


def turn_labels(turns: list[ExportedTurn]) -> list[str]:
    """Q1, Q1.a, Q1.b, Q2 … (a second try of a question keeps its number)."""
    labels, number, letter, last_question = [], 0, 0, None
    for turn in turns:
        if turn["kind"] == "question":
            if turn["question_id"] != last_question or turn["question_id"] is None:
                number += 1
                labels.append(f"Q{number}")
            else:
                labels.append(f"Q{number} (second try)")
            letter, last_question = 0, turn["question_id"]
        else:
            labels.append(f"Q{number}.{chr(ord('a') + letter)}")
            letter += 1
    return labels


def session_markdown(
    store: Transcripts,
    session_id: str,
    bank: QuestionBank | None = None,
    model_answers: Callable[[str, list[str]], str] | None = None,
) -> str:
    """The session as a report: summary and study plan first, then the numbered transcript
    with the interviewer's notes on each answer (and, given ``model_answers``, a strong
    answer to each question with the candidate's missed points marked)."""
    data = session_json(store, session_id)
    out = [
        f"# Mock interview {data['session_id']}",
        "",
        f"- Candidate: {data['user']}",
        f"- Track: {ROLE_TITLES[data['role']]}",
        f"- Started: {data['created_at']}",
        f"- Status: {data['status']}",
        "",
    ]
    report = data["report"]
    if report:
        out += _report_markdown(report)
    out += ["## Transcript", ""]
    turns = data["turns"]
    labels = turn_labels(turns)
    for i, (turn, label) in enumerate(zip(turns, labels, strict=True)):
        if turn["kind"] == "question":
            out += [f"### {label}: {topic_title(turn['topic'])}", "", turn["question"], ""]
        else:
            out += [f"**{label} Follow-up:** {turn['question']}", ""]
        if turn["answer"] is None:
            out += ["*Not answered.*", ""]
            continue
        out += [_quote_block(turn["answer"]), ""]
        assessment = turn["assessment"]
        if assessment:
            if turn["kind"] == "question":
                out += _notes_markdown(assessment, bank)
            else:
                out += [f"*{reply_line(assessment)}*", ""]
            if turn["backend_note"]:
                out += [f"*Note: {turn['backend_note']}*", ""]
        following = turns[i + 1] if i + 1 < len(turns) else None
        closes = following is None or (
            following["kind"] == "question" and following["question_id"] != turn["question_id"]
        )
        if closes and model_answers is not None and turn["question_id"]:
            missed = _missed_on_question(turns[: i + 1], turn["question_id"], bank)
            out += [model_answers(turn["question_id"], missed), ""]
    return "\n".join(out)


def _missed_on_question(turns: list[ExportedTurn], question_id: str, bank: QuestionBank | None) -> list[str]:
    """Key points of ``question_id`` no answer of its thread made."""
    covered = {
        c for t in turns if t["question_id"] == question_id and t["assessment"] for c in t["assessment"]["covered_ids"]
    }
    if bank is None:
        return []
    try:
        return [kp.id for kp in bank.get(question_id).key_points if kp.id not in covered]
    except QuestionBankError:  # a question the bank no longer has
        return []
