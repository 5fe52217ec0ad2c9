"""The interviewer's notes on an answer, and the study plan's sections."""

from __future__ import annotations

from sample_answers import HEDGED

from agent.examiner.offline.examiner import OfflineExaminer
from agent.examiner.seam import ExamRequest
from agent.interview.notes import feedback_notes, reply_line
from agent.interview.report import study_sections
from agent.services import Services
from knowledge.taxonomy import SECTION_TOPICS, SUPPLEMENT_PREFIX, SUPPLEMENT_TOPICS, TOPICS

PARTIAL = (
    "Mode collapse is when a GAN's generator produces only a few kinds of outputs, so sample diversity drops. "
    "In my project the sample grid filled with near-identical sneakers. We added batch norm and batch norm fixes "
    "mode collapse."
)


def test_notes_quote_the_candidate_cite_each_section_once_and_give_one_tip(services: Services) -> None:
    examiner = services.offline_examiner
    assert isinstance(examiner, OfflineExaminer)
    question = services.question_bank.get("gans-mode-collapse")
    assessment = examiner.examine(ExamRequest(question=question, answer=PARTIAL, latest=PARTIAL)).assessment.record()
    notes = feedback_notes(assessment, services.question_bank)
    assert notes["verdict"].startswith(f"{assessment['score']:g}/10")
    assert f"of {len(question.key_points)} key points" in notes["verdict"]
    assert notes["strong"] and all(s.strip("“”").rstrip("…") in PARTIAL for s in notes["strong"])
    wrong = [line for line in notes["missing"] if line["text"].startswith("You said")]
    assert wrong and wrong[0]["section"] and wrong[0]["quote"], notes["missing"]
    quotes = [line["quote"] for line in notes["missing"] if line["quote"]]
    assert quotes and len(quotes) == len(set(quotes)), "a guide sentence cited twice"
    assert all("“““" not in line["text"] for line in notes["missing"])
    assert notes["tip"] and len(notes["missing"]) <= 4
    assert reply_line(assessment).startswith(f"Reply: {assessment['score']:g}/10")


def test_the_study_plan_reads_only_sections_of_the_weak_topic_each_once() -> None:
    chapters = [
        *SECTION_TOPICS.items(),
        *((SUPPLEMENT_PREFIX + chapter, topics) for chapter, topics in SUPPLEMENT_TOPICS.items()),
    ]
    for topic in TOPICS:  # the guide's topics and the ones only the supplement covers
        own = next(chapter for chapter, topics in chapters if topic in topics)
        foreign = next(chapter for chapter, topics in chapters if topic not in topics)
        picked = study_sections(topic, [f"{own} > A", f"{foreign} > B", f"{own} > A", f"{own} > C"])
        assert picked == [f"{own} > A", f"{own} > C"], topic
        assert study_sections(topic, [f"{foreign} > B"]) == [own]  # nothing of its own: its chapter


def test_progress_trend_and_the_change_since_the_previous_session(interview_services: Services) -> None:
    from pathlib import Path

    from agent.interview.simulation import load_script, simulate
    from agent.store.trend import change_line, session_trend

    root = Path(__file__).resolve().parent.parent / "eval" / "data" / "candidates"
    interviewer = interview_services.interviewer
    first = simulate(interviewer, "tara", "product", load_script(root / "cand-1.yaml"), 1, seed=1)
    assert change_line(session_trend(interview_services.transcripts, "tara")) is None
    second = simulate(interviewer, "tara", "product", load_script(root / "cand-2.yaml"), 1, seed=2)
    trend = session_trend(interview_services.transcripts, "tara")
    assert [p["session"] for p in trend] == [1, 2]
    assert first["report"] and second["report"]
    before, after = first["report"]["overall"], second["report"]["overall"]
    assert [p["overall"] for p in trend] == [before, after]
    line = change_line(trend)
    assert line is not None and line.startswith(f"Since session 1: {before:g} → {after:g} ({after - before:+.1f})")


def test_the_notes_say_what_held_the_score_down_in_the_terminal_the_web_app_and_the_export(
    services: Services,
) -> None:
    from io import StringIO

    from rich.console import Console

    from agent.cli.terminal import feedback_panel
    from ui.render import feedback_html

    question = services.question_bank.get("exp-llm-feature-metrics")
    assessment = services.offline_examiner.examine(ExamRequest(question=question, answer=HEDGED, latest=HEDGED))
    record = assessment.assessment.record()
    notes = feedback_notes(record, services.question_bank)
    assert notes["held"] and notes["held"] == record["held"]
    hedging = next(line for line in notes["held"] if line.startswith("Hedging cost about"))
    assert hedging in record["critique"]  # the same words as the critique
    out = StringIO()
    feedback_panel(Console(file=out, width=200), record, notes)
    assert "What held the score down" in out.getvalue() and "Hedging cost about" in out.getvalue()
    assert "What held the score down" in feedback_html(record, notes=notes)
    from agent.store.export import _notes_markdown

    assert f"- Held the score down: {hedging}" in _notes_markdown(record, services.question_bank)
    old = {k: v for k, v in record.items() if k != "held"}  # saved before the field existed
    assert feedback_notes(old, services.question_bank)["held"] == []  # type: ignore[arg-type]
