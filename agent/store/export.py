"""A session as a document: Markdown for reading, JSON for tools. Used by the CLI and the UI."""

from __future__ import annotations

from typing import Literal, TypedDict

from agent.records import AssessmentRecord, Backend, PromptKind, Report
from agent.store.transcripts import Transcripts
from knowledge.taxonomy import ROLE_TITLES, Role, Topic, topic_title


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


def session_markdown(store: Transcripts, session_id: str) -> str:
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
    for turn in data["turns"]:
        label = "Question" if turn["kind"] == "question" else "Follow-up"
        out += [f"## {label} {turn['seq']}: {topic_title(turn['topic'])}", "", turn["question"], ""]
        if turn["answer"] is None:
            out += ["*Not answered.*", ""]
            continue
        out += ["**Answer**", "", _quote_block(turn["answer"]), ""]
        assessment = turn["assessment"]
        if assessment:
            backend = f" (assessed by the {turn['backend']} examiner)" if turn["backend"] else ""
            out += [f"**Score: {assessment['score']:g}/10**{backend}", "", assessment["critique"], ""]
            dims = ", ".join(f"{d} {v}/2" for d, v in assessment["dimensions"].items())
            out += [f"Framework: {dims}", ""]
            if turn["backend_note"]:
                out += [f"*Note: {turn['backend_note']}*", ""]
            if assessment["citations"]:
                out += ["Read in the guide:", ""]
                out += [f"- **{c['section']}**: “{c['quote']}”" for c in assessment["citations"]]
                out.append("")
    report = data["report"]
    if report:
        out += ["## Report", "", f"Overall: **{report['overall']:g}/10**", "", "| topic | score |", "|---|---|"]
        out += [f"| {topic_title(t)} | {s:g} |" for t, s in report["by_topic"].items()]
        out += ["", "| dimension | average (0–2) |", "|---|---|"]
        out += [f"| {d} | {v:g} |" for d, v in report["dimensions"].items()]
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
        out.append("")
    return "\n".join(out)
