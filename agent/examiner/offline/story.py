"""The project-story judge: a deep dive ("Walk me through <project>") judged by the guide's
story framework, offline.

A story is read for its parts (``STORY_PARTS``): the problem stated, a decision of the
candidate's own, the alternative not chosen (the tradeoff), a measured result with
before/after numbers, how it was measured, and reflection (what broke, what they would
change). With how much of it is told in the first person, how much of it is about the asked
project and its length, these features map to 0–10 by a small logistic model fitted on blind
ratings of project stories (``story_calibration.json``, fitted by ``python -m eval.fit_story``).
The follow-up asks for the first thin part, in the order a panel would: the missing number,
the alternative not chosen, how it was measured, what broke. Answers that game the grader
are capped as any answer is (``agent.examiner.gaming``).

The whole thread is judged each time: a number given in reply to "what was the number?"
completes the story it belongs to.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from agent import prompts
from agent.examiner.answer_text import AnswerText
from agent.examiner.citer import Citer
from agent.examiner.gaming import cap_for, grader_instruction_sentences, is_no_attempt, looks_like_keyword_list
from agent.examiner.language import is_not_english
from agent.examiner.models import Assessment, Citation
from agent.examiner.offline.calibration import Calibration
from agent.examiner.phrases import MatchText, stems
from agent.examiner.seam import MAX_FOLLOW_UPS, ExamRequest, ExamResult
from agent.records import Backend, Dimension, Flag
from knowledge.question_bank import KeyPoint

CALIBRATION_PATH = Path(__file__).with_name("story_calibration.json")
STORY_PARTS = ("problem", "decision", "tradeoff", "result", "measurement", "reflection")
FOLLOW_UP_ORDER = ("result", "tradeoff", "measurement", "reflection", "problem", "decision")
FEATURES = (*STORY_PARTS, "numbers", "first_person", "on_project", "length", "hype")
LOWERING = frozenset({"hype"})  # grand claims and buzzwords with nothing behind them can only lower a story
BANK = "story_follow_ups"

CUES: dict[str, tuple[str, ...]] = {
    "problem": (
        "problem", "issue", "pain", "challenge", "goal", "needed", "struggled", "complained", "too slow",
        "too expensive", "took too long", "was costing", "manual", "bottleneck", "backlog", "wanted", "failing",
        "couldnt", "were losing", "churn", "risk",
    ),
    "decision": (
        "i decided", "we decided", "i chose", "we chose", "went with", "i built", "we built", "i designed",
        "i picked", "we picked", "opted", "switched to", "replaced", "i proposed", "i pushed", "i led", "i wrote",
        "i trained", "i fine tuned", "i set up", "my call", "i moved", "we moved", "i added", "we added",
    ),
    "tradeoff": (
        "instead of", "rather than", "tradeoff", "trade off", "at the cost of", "downside", "we considered",
        "i considered", "alternative", "ruled out", "rejected", "gave up", "in exchange", "versus", "vs", "not",
        "because", "but",
    ),
    "measurement": (
        "measured", "a b test", "ab test", "held out", "golden set", "eval set", "test set", "benchmark",
        "dashboard", "tracked", "offline eval", "backtest", "baseline", "control group", "shadow", "canary",
        "p95", "p99", "confidence interval", "significant", "labelled", "labeled", "annotated", "pilot",
        "over weeks", "per week", "per month",
    ),
    "reflection": (
        "in hindsight", "next time", "would change", "differently", "learned", "lesson", "broke", "went wrong",
        "mistake", "surprised", "didnt work", "did not work", "regret", "should have", "wish", "failed",
        "if i did it again", "looking back", "the catch", "gamed",
    ),
}  # fmt: skip
# The tradeoff cues "not", "because" and "but" count only beside a decision word: "not X because".
WEAK_TRADEOFF = frozenset({"not", "because", "but"})
NUMBER = re.compile(r"(?<![\w.])[$€£]?\d+(?:[.,]\d+)?\s*(?:%|x|×|ms|s|k|m|bps|pp|points?|minutes?|hours?|days?)?")
BEFORE_AFTER = re.compile(
    r"(?:\bfrom\s+(?:about\s+|around\s+|roughly\s+)?[$€£~]?\d[^.;]{0,40}?\s(?:to|down to|up to)\s+"
    r"(?:about\s+|around\s+|roughly\s+)?[$€£~]?\d)"
    r"|(?:\d[\d.,]*\s*(?:%|x|ms|s|bps|pp)?\s+(?:versus|vs\.?|compared with|compared to|against)\s+[^.;]{0,20}?\d)"
    r"|(?:\d[\d.,]*\s*\S{0,8}\s*(?:→|->|=>|–>)\s*[$€£~]?\d)"
    r"|(?:\b(?:down|up)\s+from\s+[$€£~]?\d)"
    r"|(?:\bvs\.?\s+[$€£~]?\d[\d.,]*.{0,40}\bbaseline)",
    re.IGNORECASE,
)
CHANGE = re.compile(
    r"\b(?:by|cut|reduced|improved|increased|decreased|rose|fell|dropped|raised|lifted|saved|gained|lowered|"
    r"more|less|fewer|faster|slower|higher|lower)\b[^.]{0,40}\d|[+−-]\d[\d.,]*\s*(?:%|pp|points?)",
    re.IGNORECASE,
)
HYPE = (
    "solved the problem", "basically solved", "by a wide margin", "zero hallucinations", "no hallucinations",
    "millions", "game changer", "revolutionized", "revolutionised", "transformed the", "massive", "huge impact",
    "perfect", "flawless", "always", "never fails", "dont need", "no need for", "shocked", "world class",
    "best in class", "cutting edge", "state of the art", "leveraged", "leverage", "synergy", "synergies",
    "holistic", "seamless", "seamlessly", "best practices", "robust", "scalable", "innovative", "transformative",
    "end to end", "next level", "paradigm", "unlock", "empower", "drove alignment", "stakeholder alignment",
    "10x", "100 %", "100%",
)  # fmt: skip
MANY_HYPE = 4
FIRST_PERSON = re.compile(r"\b(?:i|we|my|our|me|us|i'm|i've|we've|i'd|we'd)\b", re.IGNORECASE)
LONG_STORY_WORDS = 250
MANY_NUMBERS = 8


class StoryCalibration(Calibration):
    """The story judge's fitted model: the examiner's logistic link over ``FEATURES``."""

    @classmethod
    def load(cls, path: Path = CALIBRATION_PATH) -> Self:
        return cls.read(path, FEATURES, "the story judge's calibration")

    def save(self, path: Path = CALIBRATION_PATH) -> None:  # its own file, never the examiner's
        super().save(path)


@dataclass(frozen=True)
class StoryReading:
    parts: dict[str, float]  # each story part: 0 (absent) to 1
    features: dict[str, float]
    flags: list[Flag]


def _has_cue(sentence: MatchText, cues: tuple[str, ...]) -> bool:
    return any(sentence.find(cue) is not None for cue in cues)


def project_name(question_text: str) -> str:
    """The project a deep-dive question names (its wording is prompts/deep_dive_ask.txt)."""
    before, _, after = prompts.load("deep_dive_ask").template.partition("$project")
    text = question_text.removeprefix(before)
    return text[: len(text) - len(after)] if after and text.endswith(after) else text


def read_story(text: str, project: str) -> StoryReading:
    """The parts and features of a story, with the flags that cap it."""
    answer = AnswerText.prepare(text)
    injected = grader_instruction_sentences(answer.text, answer.sentences)
    sentences = [s for s in answer.sentences if s not in injected]
    flags: list[Flag] = []
    if not answer.words:
        flags.append("empty")
    elif is_not_english(answer):
        flags.append("not_english")
    else:
        if injected:
            flags.append("grader_instruction")
        if is_no_attempt(answer):
            flags.append("no_attempt")
        elif looks_like_keyword_list(answer):
            flags.append("keyword_list")
    prepared = [MatchText(s) for s in sentences]
    parts = dict.fromkeys(STORY_PARTS, 0.0)
    for part in ("problem", "decision", "measurement", "reflection"):
        parts[part] = 1.0 if any(_has_cue(s, CUES[part]) for s in prepared) else 0.0
    strong = tuple(c for c in CUES["tradeoff"] if c not in WEAK_TRADEOFF)
    if any(_has_cue(s, strong) for s in prepared):
        parts["tradeoff"] = 1.0
    elif any(_has_cue(s, tuple(WEAK_TRADEOFF)) and _has_cue(s, CUES["decision"]) for s in prepared):
        parts["tradeoff"] = 0.5
    body = " ".join(sentences)
    if BEFORE_AFTER.search(body):
        parts["result"] = 1.0
    elif CHANGE.search(body):
        parts["result"] = 0.5
    numbers = {m.group(0).strip() for m in NUMBER.finditer(body)}
    words = len(body.split())
    first_person = sum(1 for s in sentences if FIRST_PERSON.search(s)) / len(sentences) if sentences else 0.0
    named = set(stems(project)) - {"and", "of", "for", "the", "a", "to", "in", "on", "with", "at"}
    told = set(stems(body))
    features = {
        **parts,
        "numbers": min(1.0, math.log1p(len(numbers)) / math.log1p(MANY_NUMBERS)),
        "first_person": min(1.0, first_person / 0.5),
        "on_project": len(named & told) / len(named) if named else 1.0,
        "length": min(1.0, math.log1p(words) / math.log1p(LONG_STORY_WORDS)),
        "hype": min(1.0, sum(1 for s in prepared for cue in HYPE if s.find(cue) is not None) / MANY_HYPE),
    }
    return StoryReading(parts, features, flags)


def _dimensions(parts: dict[str, float]) -> dict[Dimension, int]:
    two = {k: round(2 * v) for k, v in parts.items()}
    return {
        "definition": two["problem"],
        "intuition": two["decision"],
        "example": two["result"],
        "tradeoffs": two["tradeoff"],
        "measurement": two["measurement"],
    }


def _label(part: str) -> str:
    return prompts.render_phrasing(prompts.phrasings("story_labels")[part][0])


class StoryJudge:
    """Judges a project deep dive; the offline examiner hands it every project-story request."""

    name: Backend = "offline"

    def __init__(self, calibration: StoryCalibration, citer: Citer | None = None) -> None:
        self.calibration = calibration
        self.citer = citer

    def examine(self, request: ExamRequest) -> ExamResult:
        question = request.question
        project = project_name(question.question)
        reading = read_story(request.answer, project)
        score = self.calibration.score(reading.features)
        cap = cap_for(reading.flags)
        score = round((score if cap is None else min(score, cap)) * 2) / 2
        covered = [kp for kp in question.key_points if reading.parts.get(kp.id, 0.0) >= 1.0]
        missed = [kp for kp in question.key_points if kp not in covered]
        follow_up, probe_id = self._follow_up(request, reading, project)
        assessment = Assessment(
            question_id=question.id,
            topic=question.topic,
            score=score,
            dimensions=_dimensions(reading.parts),
            covered=[kp.point for kp in covered],
            missed=[kp.point for kp in missed],
            covered_ids=[kp.id for kp in covered],
            missed_ids=[kp.id for kp in missed],
            critique=self._critique(reading),
            citations=self._citations(missed),
            follow_up=follow_up,
            flags=reading.flags,
        )
        return ExamResult(assessment, self.name, probe_id=probe_id, wording=(follow_up,) if follow_up else ())

    def _follow_up(self, request: ExamRequest, reading: StoryReading, project: str) -> tuple[str | None, str | None]:
        if request.follow_ups_asked >= MAX_FOLLOW_UPS or {"empty", "no_attempt", "not_english"} & set(reading.flags):
            return None, None
        asked = set(request.asked_probes)
        thin = [p for p in FOLLOW_UP_ORDER if reading.parts[p] < 1.0 and f"story:{p}" not in asked]
        kind = thin[0] if thin else ("deeper" if "story:deeper" not in asked else None)
        if kind is None:
            return None, None
        options = prompts.phrasings(BANK)[kind]
        fresh = [o for o in options if prompts.render_phrasing(o, project=project) not in request.recent_wording]
        text = prompts.render_phrasing((fresh or list(options))[0], project=project)
        return text, f"story:{kind}"

    def _critique(self, reading: StoryReading) -> str:
        made = [_label(p) for p in STORY_PARTS if reading.parts[p] >= 1.0]
        thin = [_label(p) for p in FOLLOW_UP_ORDER if reading.parts[p] < 1.0]
        if not made:
            return prompts.render("story_critique_empty")
        if not thin:
            return prompts.render("story_critique_complete", made=", ".join(made))
        return prompts.render("story_critique", made=", ".join(made), thin=", ".join(thin))

    def _citations(self, missed: list[KeyPoint]) -> list[Citation]:
        if self.citer is None:
            return []
        out: list[Citation] = []
        for kp in missed:
            found = self.citer.cite(kp)
            if found is not None and found not in out:
                out.append(found)
        return out
