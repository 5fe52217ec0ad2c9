"""Rich rendering for the terminal: interviewer messages, feedback after an answer, the report."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from agent.examiner.bands import band_of
from agent.examiner.models import DIMENSIONS
from agent.interview.notes import FeedbackNotes
from agent.interview.report import readiness_line
from agent.records import AssessmentRecord, ChatMessage, Report
from knowledge.taxonomy import TOPIC_TITLES, topic_title

BAND_COLORS = {"strong": "green", "solid": "green", "partial": "yellow", "weak": "red"}
STYLE_BY_KIND = {"question": "bold cyan", "follow_up": "bold magenta", "opening": "cyan", "report": "bold green"}


def bar(value: float, maximum: float, width: int = 10) -> str:
    filled = round(width * max(0.0, min(value, maximum)) / maximum) if maximum else 0
    return "█" * filled + "░" * (width - filled)


def interviewer_message(console: Console, message: ChatMessage) -> None:
    kind = message["kind"]
    if kind == "feedback":
        return  # shown as the feedback panel instead
    style = STYLE_BY_KIND.get(kind, "white")
    label = {"question": "Interviewer", "follow_up": "Follow-up", "report": "Wrap-up"}.get(kind, "Interviewer")
    console.print(Text(f"{label}: ", style=style) + Text(message["content"]))
    console.print()


def feedback_panel(
    console: Console, assessment: AssessmentRecord, notes: FeedbackNotes, note: str | None = None
) -> None:
    """The interviewer's notes: verdict, strong, missing or wrong (with the guide), one tip."""
    score = float(assessment["score"])
    color = BAND_COLORS[band_of(score)]
    dims = Table.grid(padding=(0, 1))
    for dimension in DIMENSIONS:
        value = assessment["dimensions"].get(dimension, 0)
        dims.add_row(dimension, f"[{color}]{bar(value, 2, 6)}[/] {value}/2")
    parts: list[Any] = [Text(f"{bar(score, 10)}  {notes['verdict']}", style=f"bold {color}"), dims]
    if notes["strong"]:
        parts.append(Text("Strong", style="bold green"))
        parts.append(Text("  " + ", ".join(notes["strong"])))
    if notes["missing"]:
        parts.append(Text("Missing or wrong", style="bold red"))
        for line in notes["missing"]:
            parts.append(Text(f"  • {line['text']}"))
            if line["section"] and line["quote"]:
                parts.append(Text.from_markup(f"    [dim]📖 {escape(line['section'])}: “{escape(line['quote'])}”[/]"))
    if notes["held"]:
        parts.append(Text("What held the score down", style="bold yellow"))
        for reason in notes["held"]:
            parts.append(Text(f"  • {reason}"))
    if notes["tip"]:
        parts.append(Text("Tip", style="bold cyan"))
        parts.append(Text(f"  {notes['tip']}"))
    for extra in [note, *assessment["notes"]]:
        if extra:
            parts.append(Text(extra, style="yellow"))
    console.print(Panel(Group(*parts), title="Interviewer's notes", border_style=color))


def reply_note(console: Console, line: str, note: str | None = None) -> None:
    """After a follow-up reply: one line, not the whole box again."""
    console.print(Text(line, style="dim"))
    if note:
        console.print(Text(note, style="yellow"))


def report_panel(console: Console, report: Report) -> None:
    table = Table(title=f"Overall {report['overall']:g}/10", show_edge=False)
    table.add_column("topic")
    table.add_column("score", justify="right")
    table.add_column("")
    for topic, score in report["by_topic"].items():
        table.add_row(topic_title(topic), f"{score:g}", bar(score, 10))
    dims = Table(title="Answer framework (0–2)", show_edge=False)
    dims.add_column("dimension")
    dims.add_column("avg", justify="right")
    dims.add_column("")
    for dimension, value in report["dimensions"].items():
        dims.add_row(dimension, f"{value:g}", bar(value, 2))
    parts: list[Any] = [table, dims]
    if report["strengths"]:
        parts.append(Text("Strengths: " + ", ".join(topic_title(t) for t in report["strengths"]), style="green"))
    for item in report["study_plan"]:
        parts.append(Text(f"Study {topic_title(item['topic'])}:", style="bold yellow"))
        parts += [Text(f"  📖 {section}") for section in item["sections"]]
    job = report.get("job")
    if job is not None:
        parts.append(Text(readiness_line(job), style="bold cyan"))
    usage = report.get("usage")
    if usage and usage["llm_turns"]:
        cost = usage["cost_usd"]
        cost_text = f"about ${cost:.4f}" if cost is not None else "cost not estimated (self-hosted or unpriced model)"
        parts.append(
            Text(
                f"LLM: {usage['input_tokens']:,} prompt + {usage['output_tokens']:,} reply tokens "
                f"in {usage['requests']} calls, {cost_text}",
                style="dim",
            )
        )
    best = report["highlights"].get("best")
    if best:
        parts.append(
            Text(f"Your best answer ({best['score']:g}/10, {TOPIC_TITLES[best['topic']]}): “{best['excerpt']}”")
        )
    console.print(Panel(Group(*parts), title="Report", border_style="green"))
