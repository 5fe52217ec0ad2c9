"""Turning coverage evidence into words: the critique and the follow-up."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from agent import prompts
from agent.examiner.answer_text import split_sentences
from agent.examiner.bands import band_label
from agent.examiner.models import DIMENSIONS
from agent.examiner.offline.calibration import Calibration, Likeness
from agent.examiner.offline.evidence import HABITS, Evidence, PointEvidence, content_words
from agent.records import Dimension, Flag
from knowledge.question_bank import Question
from knowledge.taxonomy import TOPIC_TITLES, Topic


def _clip(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _join(items: list[str]) -> str:
    items = [i.rstrip(".") for i in items]
    if len(items) <= 1:
        return "".join(items)
    return "; ".join(items[:-1]) + "; and " + items[-1]


@dataclass(frozen=True)
class CritiqueParts:
    score: float
    evidence: list[PointEvidence]
    dimensions: dict[Dimension, int]
    flags: list[Flag]
    tendencies: tuple[str, ...]
    topic: Topic
    answered_instead: Question | None = None
    truncated_from: int | None = None
    limit: int = 0
    misconceptions: list[tuple[str, str]] = field(default_factory=list)  # (the candidate's sentence, correction)
    reasons: list[str] = field(default_factory=list)  # what held the score down (``score_reasons``)


# What can hold a score down, each with its line in prompts/critique_held_<reason>.txt: the
# habits of evidence.HABITS, denial, answering a neighbouring question, and the gaps
# (substance, specifics, and wording unlike the well-rated answers', quoting its weakest
# sentence or, when none reads weak on its own, of the wording as a whole).
HELD_REASONS = (*HABITS, "negated", "elsewhere", "thin", "general", "unlike", "unlike_overall")
REASON_FROM = 0.75  # points: what moved the score by less is not worth a line
MAX_REASONS = 2
SOLID = 7.0  # the gaps ("thin", "general", "unlike…") are said only of an answer below this
QUOTABLE = 3  # content words a sentence needs for the "unlike" line to quote it
# What "concrete" asks for: two numbers, or one token in twenty carrying notation. The features
# saturate far above (four numbers, one in five), which no plain-prose answer needs to reach.
CONCRETE = {"numbers": 0.5, "notation": 0.25}


def asked_part(question: str, limit: int = 140) -> str:
    """The question, or when it is longer than ``limit`` what it asks: its last sentence with a
    question mark, else its last sentence (a scenario question opens with its setting: "You are
    launching… Design the A/B test: …"), clipped."""
    question = " ".join(question.split())
    if len(question) <= limit:
        return question
    sentences = split_sentences(question)
    asks = [s for s in sentences if s.endswith("?")] or sentences[-1:]
    return _clip(asks[-1] if asks else question, limit)


def _quote(phrases: tuple[str, ...]) -> str:
    """The first three distinct ones, as the template quotes them: “a”, “b”, “c”."""
    distinct: dict[str, str] = {}
    for phrase in phrases:
        distinct.setdefault(phrase.lower(), phrase)
    return "”, “".join(list(distinct.values())[:3])


def _weakest(likeness: Likeness, evidence: Evidence, named: set[str]) -> str | None:
    """The answer's sentence that reads lowest on the likeness direction, among those that say
    something (three content words or more), read below the tune half's mean, and hold none of
    the phrases of a habit that may be ``named`` (its line quotes them already)."""
    if evidence.vectors is None:
        return None
    quoted = [pattern for name, pattern in HABITS.items() if name in named]
    eligible = [
        i
        for i, sentence in enumerate(evidence.encoded)
        if content_words(sentence) >= QUOTABLE and not any(p.search(sentence) for p in quoted)
    ]
    if not eligible:
        return None
    readings = likeness.projections(evidence.vectors[eligible])
    lowest = int(np.argmin(readings))
    return evidence.encoded[eligible[lowest]] if readings[lowest] < 0 else None


def score_reasons(
    calibration: Calibration,
    features: dict[str, float],
    evidence: Evidence,
    shown: float,
    without: dict[str, dict[str, float]] | None = None,
    neighbour: Question | None = None,
) -> list[str]:
    """The critique's account of what held the score down, from the calibrated model itself:
    each line names what the answer did or lacked, by how much it moved the score (the score
    with that habit gone or that gap filled, everything else equal), largest first, at most
    two and only one of them a gap, none under ``REASON_FROM``; ``shown`` is the score the
    candidate sees; ``without`` gives, per habit shown, the features the answer would have
    without it (``OfflineExaminer.habit_changes``; by default only the habit's own share drops);
    ``neighbour`` is the neighbouring question the answer makes more of than its own. A habit to
    drop (hedging, absolutes, generic praise, denial, answering the question next door) is given
    its cost in points; a gap to fill (substance,
    specifics, wording like the well-rated answers') is not, because how much more is enough is not
    a number the answer tells."""
    without = without or {}
    habits = [
        (name, without.get(name, {name: 0.0}), {"phrases": _quote(evidence.habits.get(name, ()))}) for name in HABITS
    ]
    habits.append(("negated", {"negated": 0.0}, {}))
    if neighbour is not None and shown < SOLID:  # a solid answer that also covers the neighbour's is not told
        habits.append(("elsewhere", {"elsewhere": 0.0}, {"other_question": asked_part(neighbour.question)}))
    costs = [(calibration.gain(features, changes), name, values, True) for name, changes, values in habits]
    # An answer with two numbers or a twentieth of its tokens in notation is concrete: short, not
    # thin, and not general; the gaps are named only for an answer that is neither solid nor concrete.
    concrete = any(features.get(name, 0.0) >= floor for name, floor in CONCRETE.items())
    if shown < SOLID and not concrete:
        more = {name: max(features.get(name, 0.0), floor) for name, floor in CONCRETE.items()}
        costs.append((calibration.gain(features, {"content": 1.0}), "thin", {}, False))
        costs.append((calibration.gain(features, more), "general", {}, False))
    # Wording unlike the well-rated answers' (its reading below the median of the tune answers
    # rated 7 or more): the gap lifts the reading to that median with what is said held as it is
    # (saying too little is "thin", not a matter of wording), and the line quotes the sentence
    # that reads least like theirs, of those that read below the tune half's mean.
    likeness = calibration.likeness
    named = {name for cost, name, _, _ in costs if cost >= REASON_FROM}
    reading = likeness.read(evidence.wording) if likeness is not None else 1.0
    if shown < SOLID and likeness is not None and reading < likeness.reference:
        weakest = _weakest(likeness, evidence, named)
        lifted = likeness.value(None, evidence.content_words, read=likeness.reference)
        gain = calibration.gain(features, {"likeness": lifted})
        if weakest is not None:
            costs.append((gain, "unlike", {"sentence": _clip(weakest, 90)}, False))
        elif reading < 0.5:  # below the tune mean, with no one sentence to quote
            costs.append((gain, "unlike_overall", {}, False))
    # The gaps overlap (a thin answer is also general, and reads unlike a worked one): only the
    # largest is said, and the other line goes to a habit.
    gaps = sorted((c for c in costs if not c[3]), key=lambda c: -c[0])[:1]
    kept = sorted([c for c in costs if c[3]] + gaps, key=lambda c: -c[0])
    lines = []
    for cost, name, values, quantified in kept[:MAX_REASONS]:
        if cost < REASON_FROM:
            break
        half = round(cost * 2) / 2
        points = {"points": f"{half:g} point{'' if half == 1 else 's'}"} if quantified else {}
        lines.append(prompts.render(f"critique_held_{name}", **points, **values))
    return lines


def flag_lines(parts: CritiqueParts) -> list[str]:
    return [_flag_line(flag, parts) for flag in parts.flags]


def write_critique(parts: CritiqueParts) -> str:
    lines = [prompts.render("critique_verdict", score=f"{parts.score:g}", band=band_label(parts.score))]
    lines.extend(flag_lines(parts))
    covered = [e.key_point.point for e in parts.evidence if e.covered]
    missed = [e.key_point.point for e in parts.evidence if not e.covered]
    strong_dims = [d for d in DIMENSIONS if parts.dimensions.get(d, 0) == 2]
    good = covered + [prompts.render("critique_clear_step", dimension=d) for d in strong_dims if d != "definition"]
    if good and "grader_instruction" not in parts.flags:
        lines.append(prompts.render("critique_good", items=_join(good)))
    for said, correction in parts.misconceptions:
        lines.append(prompts.render("critique_misconception", said=_clip(said), correction=correction))
    lines.extend(parts.reasons)
    if missed:
        lines.append(prompts.render("critique_missed", items=_join(missed)))
    again = [e.key_point.point for e in parts.evidence if not e.covered and e.key_point.id in parts.tendencies]
    if again:
        lines.append(prompts.render("critique_tendency", items=_join(again)))
    weakest = [d for d in DIMENSIONS if parts.dimensions.get(d, 0) == 0][:2]
    lines.extend(prompts.render(f"tip_{d}") for d in weakest)
    return " ".join(lines)


def _flag_line(flag: Flag, parts: CritiqueParts) -> str:
    if flag == "off_topic":
        other = parts.answered_instead
        if other is not None and other.topic == parts.topic:
            return prompts.render("critique_flag_other_question", other_question=other.question)
        title = TOPIC_TITLES[other.topic] if other is not None else "another topic"
        return prompts.render("critique_flag_off_topic", other_topic=title, topic=TOPIC_TITLES[parts.topic])
    if flag == "truncated":
        return prompts.render("critique_flag_truncated", chars=f"{parts.truncated_from:,}", limit=f"{parts.limit:,}")
    return prompts.render(f"critique_flag_{flag}")
