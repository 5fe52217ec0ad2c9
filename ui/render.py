"""HTML and tables for the web app. Every piece of candidate or model text is escaped here,
so an answer containing markup is shown as text and never runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import TypedDict

from agent import prompts
from agent.examiner.bands import band_of
from agent.examiner.models import DIMENSIONS
from agent.interview.notes import FeedbackNotes
from agent.interview.report import LONG_MINUTES, WORDS_PER_MINUTE, readiness_line
from agent.records import AssessmentRecord, Dimension, Report
from knowledge.taxonomy import TOPIC_TITLES, cited_source, topic_title


def as_text(text: str) -> str:
    """Chat bubbles render Markdown; escaping the markup shows an answer's HTML as the
    characters the candidate typed, instead of elements (even sanitised ones)."""
    return escape(text, quote=False)


def as_markdown_text(text: str) -> str:
    """Text shown through a Markdown component: "<" escaped, so markup in an answer or a
    user's file stays visible as text while the Markdown itself still renders."""
    return text.replace("<", "&lt;")


def _topic(topic: str) -> str:
    return escape(topic_title(topic))


def _bar(value: float, maximum: float) -> str:
    width = 0 if maximum <= 0 else max(0.0, min(100.0, 100.0 * value / maximum))
    return f'<span class="mi-bar"><span style="width:{width:.0f}%"></span></span>'


def pace_line(answer: str) -> str:
    words = len(answer.split())
    minutes = words / WORDS_PER_MINUTE
    verdict = "over the guide's three-minute mark" if minutes > LONG_MINUTES else "within three minutes"
    return f"About {minutes:.1f} min spoken ({words} words), {verdict}."


def feedback_html(
    assessment: AssessmentRecord | None,
    note: str | None = None,
    pace: str | None = None,
    notes: FeedbackNotes | None = None,
    change: str | None = None,
) -> str:
    """The interviewer's notes as headed sections; empty sections are left out."""
    if not assessment or notes is None:
        return '<div class="mi-feedback mi-empty">Feedback on your last answer appears here.</div>'
    score = float(assessment["score"])
    tone = band_of(score)
    rows = "".join(
        f"<tr><td>{escape(d)}</td><td>{_bar(assessment['dimensions'].get(d, 0), 2)}</td>"
        f"<td>{assessment['dimensions'].get(d, 0)}/2</td></tr>"
        for d in DIMENSIONS
    )
    sections = [f'<p class="mi-verdict">{escape(notes["verdict"])}</p>', f'<table class="mi-dims">{rows}</table>']
    if change:
        sections.insert(0, f'<p class="mi-change">{escape(change)}</p>')
    if notes["strong"]:
        sections.append(f"<h4>Strong</h4><p>{escape(', '.join(notes['strong']))}</p>")
    if notes["missing"]:
        items = "".join(
            f"<li>{escape(line['text'])}"
            + (
                f'<details class="mi-citation"><summary>{escape(": ".join(cited_source(line["section"])))}</summary>'
                f"<blockquote>{escape(line['quote'])}</blockquote></details>"
                if line["section"] and line["quote"]
                else ""
            )
            + "</li>"
            for line in notes["missing"]
        )
        sections.append(f"<h4>Missing or wrong</h4><ul>{items}</ul>")
    if notes["held"]:
        reasons = "".join(f"<li>{escape(reason)}</li>" for reason in notes["held"])
        sections.append(f"<h4>What held the score down</h4><ul>{reasons}</ul>")
    if notes["tip"]:
        sections.append(f"<h4>Tip</h4><p>{escape(notes['tip'])}</p>")
    extras = "".join(f'<p class="mi-note">{escape(n)}</p>' for n in [note, *assessment["notes"]] if n)
    pace_html = f'<p class="mi-pace">Pace: {escape(pace)}</p>' if pace else ""
    return (
        f'<div class="mi-feedback mi-{tone}">'
        f'<div class="mi-score">{score:g}<small>/10</small></div>'
        f"{''.join(sections)}{extras}{pace_html}</div>"
    )


def report_html(report: Report | None) -> str:
    if not report:
        return ""
    strengths = ", ".join(_topic(t) for t in report["strengths"]) or escape(prompts.render("report_no_strengths"))
    weak = "".join(
        f"<li><b>{_topic(w['topic'])}</b> ({w['score']:g}/10): "
        f"{escape('; '.join(m.rstrip('.') for m in w['missed'][:3]))}</li>"
        for w in report["weak_areas"]
    )
    plan = "".join(
        f"<li><b>{_topic(item['topic'])}</b>: read " + "; ".join(escape(s) for s in item["sections"]) + "</li>"
        for item in report["study_plan"]
    )
    pace = report["pace"]
    pace_items = [
        f"<li>{_topic(p['topic'])}: about {p['minutes']:g} min, over three minutes</li>" for p in pace["long"]
    ] + [f"<li>{_topic(p['topic'])}: only {p['words']} words, too thin</li>" for p in pace["thin"]]
    job = report.get("job")
    job_html = f'<p class="mi-job-readiness"><b>{escape(readiness_line(job))}</b></p>' if job is not None else ""
    usage = report.get("usage")
    usage_html = ""
    if usage and usage["llm_turns"]:
        cost = usage["cost_usd"]
        usage_html = (
            f"<p>LLM: {usage['input_tokens']:,} prompt + {usage['output_tokens']:,} reply tokens in "
            f"{usage['requests']} calls{'' if cost is None else f', about ${cost:.4f}'}.</p>"
        )
    return (
        f'<div class="mi-report"><h3>Report: {report["overall"]:g}/10</h3>'
        f"<p><b>Strengths:</b> {strengths}</p>{job_html}"
        f"{'<h4>Weak areas</h4><ul>' + weak + '</ul>' if weak else ''}"
        f"{'<h4>Study plan</h4><ul>' + plan + '</ul>' if plan else ''}"
        f"{'<h4>Pace</h4><ul>' + ''.join(pace_items) + '</ul>' if pace_items else ''}"
        f"{usage_html}</div>"
    )


class TopicScore(TypedDict):
    topic: str
    score: float


class DimensionScore(TypedDict):
    dimension: str
    score: float


def mastery_html(rows: Sequence[Mapping[str, object]]) -> str:
    """Mastery per topic as horizontal bars: one row per topic, its full name on its own line
    of the chart, so names never overlap however many topics there are."""
    if not rows:
        return '<div class="mi-hbars mi-empty">Mastery by topic appears after your first interview.</div>'
    body = "".join(
        f'<div class="mi-hbar"><span class="mi-hbar-label">{escape(str(r["topic"]))}</span>'
        f"{_bar(float(r['mastery']), 10)}"  # type: ignore[arg-type]
        f'<span class="mi-hbar-value">{float(r["mastery"]):g}/10</span></div>'  # type: ignore[arg-type]
        for r in sorted(rows, key=lambda r: -float(r["mastery"]))  # type: ignore[arg-type]
    )
    return f'<div class="mi-hbars"><h4>Mastery by topic</h4>{body}</div>'


def topic_scores(report: Report | None) -> list[TopicScore]:
    by_topic = report["by_topic"] if report else {}
    return [TopicScore(topic=TOPIC_TITLES[t], score=s) for t, s in by_topic.items()]


def dimension_scores(values: Mapping[Dimension, float] | None) -> list[DimensionScore]:
    return [DimensionScore(dimension=d, score=float((values or {}).get(d, 0))) for d in DIMENSIONS]


CSS = """
.mi-feedback {font-size: 0.92rem}
.mi-score {font-size: 2.2rem; font-weight: 700}
.mi-strong .mi-score, .mi-solid .mi-score {color: #15803d} .mi-partial .mi-score {color: #b45309}
.mi-weak .mi-score {color: #b91c1c}
.mi-bar {display: inline-block; width: 90px; height: 8px; background: #e5e7eb; border-radius: 4px}
.mi-bar > span {display: block; height: 8px; background: #6366f1; border-radius: 4px}
.mi-dims td {padding: 1px 6px}
.mi-citation summary {cursor: pointer}
.mi-note {color: #b45309}
.mi-hbars {width: 100%}
.mi-hbar {display: grid; grid-template-columns: minmax(12rem, 1fr) 90px 3.5rem; gap: 0.5rem; align-items: center;
  margin: 0.2rem 0}
.mi-hbar-label {overflow-wrap: anywhere}
.mi-hbar-value {text-align: right; font-variant-numeric: tabular-nums}
.mi-change {font-weight: 700; color: #1d4ed8}
.mi-feedback ul {padding-left: 1.1rem; list-style: disc}
.mi-feedback h4 {margin: 0.6rem 0 0.2rem}
"""
