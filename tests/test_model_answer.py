"""The model answer is assembled, never written: outline lines of the question and guide
sentences of each key point's section, with the candidate's missed points marked."""

from __future__ import annotations

from pathlib import Path

from agent.examiner.citer import Citer
from agent.interview.model_answer import build_model_answer, model_answer_markdown
from agent.records import DIMENSIONS
from agent.services import Services

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
GUIDE = KNOWLEDGE / "guide.md"


def _flat(text: str) -> str:
    return " ".join(text.replace("*", "").replace("`", "").split())


def test_every_sentence_comes_from_the_bank_or_the_guide(services: Services) -> None:
    guide = _flat(GUIDE.read_text(encoding="utf-8"))
    supplement = _flat(" ".join(p.read_text(encoding="utf-8") for p in sorted((KNOWLEDGE / "supplement").glob("*.md"))))
    citer = services.citer
    assert isinstance(citer, Citer)
    for question in services.question_bank.questions[::9]:
        missed = [question.key_points[0].id]
        answer = build_model_answer(question, citer, missed)
        assert [s["dimension"] for s in answer["steps"]] == sorted(
            (s["dimension"] for s in answer["steps"]), key=DIMENSIONS.index
        )
        assert all(any(s["text"] in line for line in question.model_answer) for s in answer["steps"])
        assert [p["missed"] for p in answer["points"]] == [kp.id in missed for kp in question.key_points]
        quotes = [p["quote"] for p in answer["points"] if p["quote"]]
        assert quotes, question.id
        for point in answer["points"]:
            if point["quote"]:  # quoted from the source its section names
                source = supplement if point["section"].startswith("Supplement > ") else guide
                assert _flat(point["quote"].rstrip("…"))[:80] in source, (question.id, point["quote"])
        text = model_answer_markdown(answer)
        cited = text.count("  - Guide, ") + text.count("  - Supplement, ")
        assert text.count("you missed this") == 1 and cited == len(set(quotes))


def test_the_markdown_export_reads_like_a_report(interview_services: Services) -> None:
    from agent.interview.model_answer import export_writer
    from agent.interview.simulation import load_script, simulate
    from agent.store.export import session_markdown

    script = load_script(Path(__file__).resolve().parent.parent / "eval" / "data" / "candidates" / "cand-1.yaml")
    result = simulate(interview_services.interviewer, "ola", "ml_engineer", script, 2, seed=11)
    bank = interview_services.question_bank
    text = session_markdown(
        interview_services.transcripts, result["session_id"], bank, export_writer(bank, interview_services.citer)
    )
    assert text.index("## Summary") < text.index("## Transcript")
    assert "### Q1:" in text and "### Q2:" in text and "**Q1.a Follow-up:**" in text
    assert text.count("A strong answer to learn from") == 2  # one per question, after its thread
    follow_ups = sum(1 for t in result["turns"] if t["kind"] == "follow_up")
    assert text.count("*Reply: ") == follow_ups  # each follow-up shows the assessment of that reply
    assert "What worked" not in text and "Score " not in text  # no critique paragraph on every turn
