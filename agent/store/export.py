"""A session as a document: Markdown for reading, JSON for tools. Used by the CLI and the UI."""

from __future__ import annotations

from typing import Any

from agent.store.transcripts import TranscriptStore
from knowledge.taxonomy import ROLE_TITLES, TOPIC_TITLES


def session_json(store: TranscriptStore, session_id: str) -> dict[str, Any]:
    session = store.session(session_id)
    turns = [
        {
            "seq": t["seq"],
            "kind": t["kind"],
            "topic": t["topic"],
            "question_id": t["question_id"],
            "question": t["prompt"],
            "answer": t["answer"],
            "assessment": t["assessment"],
            "backend": t["backend"],
            "backend_note": t["backend_note"],
            "asked_at": t["asked_at"],
            "answered_at": t["answered_at"],
        }
        for t in store.turns(session_id)
    ]
    return {
        "session_id": session["id"],
        "user": session["user"],
        "role": session["role"],
        "status": session["status"],
        "created_at": session["created_at"],
        "backend": session["backend"],
        "turns": turns,
        "report": session["report"],
    }


def _quote_block(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines()) or "> (no answer)"


def session_markdown(store: TranscriptStore, session_id: str) -> str:
    data = session_json(store, session_id)
    out = [
        f"# Mock interview {data['session_id']}",
        "",
        f"- Candidate: {data['user']}",
        f"- Track: {ROLE_TITLES.get(data['role'], data['role'])}",
        f"- Started: {data['created_at']}",
        f"- Status: {data['status']}",
        "",
    ]
    for turn in data["turns"]:
        label = "Question" if turn["kind"] == "question" else "Follow-up"
        out += [f"## {label} {turn['seq']}: {TOPIC_TITLES.get(turn['topic'], turn['topic'])}", "", turn["question"], ""]
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
        out += [f"| {TOPIC_TITLES.get(t, t)} | {s:g} |" for t, s in report["by_topic"].items()]
        out += ["", "| dimension | average (0–2) |", "|---|---|"]
        out += [f"| {d} | {v:g} |" for d, v in report["dimensions"].items()]
        usage = report.get("usage") or {}
        if usage.get("llm_turns"):
            cost = usage.get("cost_usd")
            cost_text = f", estimated cost ${cost:.4f}" if cost is not None else ""
            out += [
                "",
                f"LLM use: {usage['input_tokens']:,} prompt and {usage['output_tokens']:,} reply tokens "
                f"in {usage['requests']} calls{cost_text}.",
            ]
        if report["weak_areas"]:
            out += ["", "### Study plan", ""]
            for item in report["study_plan"]:
                out.append(f"- {TOPIC_TITLES.get(item['topic'], item['topic'])}: read " + "; ".join(item["sections"]))
        out.append("")
    return "\n".join(out)
