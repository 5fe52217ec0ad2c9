"""Follow-ups that listen, checked on whole simulated interviews of the scripted candidates:
no follow-up asks for a point the thread already made, every phrase an opener quotes is the
candidate's own, no opener is said twice in a row, and a session uses many of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent import prompts
from agent.examiner.answer_text import split_sentences
from agent.examiner.offline.follow_up import ANSWERED, BANK
from agent.interview.simulation import SimulationResult, load_script, simulate
from agent.services import Services

CANDIDATES = sorted((Path(__file__).resolve().parent.parent / "eval" / "data" / "candidates").glob("cand-*.yaml"))
OPENER_KINDS = ("acknowledge", "neutral", "harder", "correct")


def _openers() -> list[tuple[str, re.Pattern[str]]]:
    """Every opener of the bank as a pattern that captures what it quotes."""
    out = []
    for kind in OPENER_KINDS:
        for i, template in enumerate(prompts.phrasings(BANK)[kind]):
            literal = re.escape(template.template.strip())
            pattern = re.sub(r"\\\$(phrase|said)", r"(?P<quoted>.+?)", literal)
            out.append((f"{kind}:{i}", re.compile(pattern)))
    return out


def _opener(text: str, openers: list[tuple[str, re.Pattern[str]]]) -> tuple[str, str | None, str]:
    """(opener id, quoted phrase, the rest) of a follow-up; the longest opener that fits."""
    found = []
    for name, pattern in openers:
        if name.startswith("correct"):
            m = pattern.fullmatch(text)
        else:
            m = pattern.match(text)
        if m:
            found.append((m.end() - len(m.groupdict().get("quoted") or ""), name, m))
    assert found, f"follow-up opens with no opener of the bank: {text!r}"
    _, name, m = max(found, key=lambda f: f[0])
    return name, m.groupdict().get("quoted"), text[m.end() :].strip()


def _norm(text: str) -> str:
    return " ".join(text.split())


def _check_session(result: SimulationResult, services: Services) -> list[str]:
    openers = _openers()
    encoder = services.examiner.finder.encoder  # type: ignore[attr-defined]
    bank = services.question_bank
    used: list[str] = []
    said: list[str] = []  # the candidate's answers on the current question
    covered: set[str] = set()
    for turn in result["turns"]:
        if turn["kind"] == "question":
            said, covered = [], set()
        else:
            text = turn["question"]
            name, quoted, rest = _opener(text, openers)
            if quoted is not None:
                assert _norm(quoted) in _norm(" ".join(said)), f"{quoted!r} is not in the answer: {text}"
            assert not used or used[-1] != name, f"opener {name} twice in a row: {text}"
            used.append(name)
            question = bank.get(turn["question_id"])
            asked_point = [kp for kp in question.key_points if kp.probe in text]
            assert not [kp.id for kp in asked_point if kp.id in covered], f"asks for a covered point: {text}"
            sentences = [s for a in said for s in split_sentences(a)]
            if rest and sentences and not name.startswith("correct"):
                closest = float((encoder.encode(sentences) @ encoder.reference([rest]).T).max())
                assert closest < ANSWERED, f"asks what was just said ({closest:.2f}): {text}"
        said.append(turn["answer"] or "")
        if turn["assessment"]:
            covered |= set(turn["assessment"]["covered_ids"])
    return used


@pytest.mark.parametrize("candidate", CANDIDATES, ids=lambda p: p.stem)
def test_follow_ups_listen_over_a_ten_question_session(candidate: Path, interview_services: Services) -> None:
    result = simulate(interview_services.interviewer, "lee", "ml_engineer", load_script(candidate), 10, seed=7)
    follow_ups = [t for t in result["turns"] if t["kind"] == "follow_up"]
    assert len(follow_ups) >= 8
    used = _check_session(result, interview_services)
    assert len(set(used)) >= 6, used
    praise = [t["question"] for t in follow_ups if "strong answer" in t["question"].lower()]
    assert not praise


def test_the_checks_catch_a_repeated_opener_and_a_phrase_never_said(interview_services: Services) -> None:
    """The session check fails on the defects it is there to catch."""
    result = simulate(interview_services.interviewer, "kim", "ml_engineer", load_script(CANDIDATES[0]), 2, seed=3)
    turns = result["turns"]
    first = next(i for i, t in enumerate(turns) if t["kind"] == "follow_up")
    doubled = [*turns[: first + 1], {**turns[first]}, *turns[first + 1 :]]
    with pytest.raises(AssertionError, match="twice in a row"):
        _check_session({**result, "turns": doubled}, interview_services)  # type: ignore[typeddict-item]
    invented = [
        {**t, "question": "You mentioned “what we can audit”. Why?"} if i == first else t for i, t in enumerate(turns)
    ]
    with pytest.raises(AssertionError, match="is not in the answer"):
        _check_session({**result, "turns": invented}, interview_services)  # type: ignore[typeddict-item]
