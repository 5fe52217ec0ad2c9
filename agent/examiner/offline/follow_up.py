"""The offline interviewer's next question: chosen from the whole thread's evidence, worded
from ``prompts/follow_ups.yaml`` around the candidate's own words.

Order of preference: a misconception the latest answer asserted (quoted, so the candidate
can correct it); then the weightiest key point the thread has not touched; then, for an
answer that covers the rubric, a harder probe (the bank's own tradeoff or measurement
probe when that dimension is still thin, otherwise a failure, scale, cost or tradeoff
question about something the candidate said). A probe that the thread already answers,
by its words or in meaning, is never asked.
"""

from __future__ import annotations

import re
import string
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from agent import prompts
from agent.examiner.answer_text import WORD
from agent.examiner.offline.evidence import AssertedMisconception, PointEvidence
from agent.examiner.phrases import MatchText, signal_parts
from agent.records import Dimension
from knowledge.question_bank import Probe, Question
from knowledge.sentence_encoder import TextEncoder

BANK = "follow_ups"
TOUCHED = 0.5  # thread credit from which a key point counts as raised (never asked for again)
ANSWERED = 0.62  # a probe this close in meaning to a sentence already said is answered
QUOTE_CHARS = 90
# A number with what it counts ("2,000 synthetic examples", "5 % rollout"): the number, then up
# to two words that are not function words, verbs in -ed/-ing or adverbs.
NUMBER_THEN_WORDS = re.compile(r"\b(\d[\d,.]*\d|\d)\s?(%|x|ms|k|m|b)?((?:\s+[A-Za-z][\w-]*){1,2})")
NOT_COUNTED = frozenset(
    {
        "to",
        "of",
        "and",
        "or",
        "the",
        "a",
        "an",
        "in",
        "on",
        "at",
        "for",
        "by",
        "per",
        "with",
        "from",
        "after",
        "before",
        "than",
        "over",
        "into",
        "vs",
        "is",
        "are",
        "was",
        "were",
    }
)
HARDER_KINDS = ("failure", "scale", "tradeoffs", "cost")


@dataclass(frozen=True)
class FollowUp:
    probe_id: str  # "kp:<id>", "probe:<index>", "mis:<id>", "push:<kind>"
    text: str
    wording: tuple[str, ...]  # the phrasings used ("acknowledge:3"), so they rotate


@dataclass(frozen=True)
class Thread:
    """What the candidate has said on the question so far, as the examiner measured it."""

    points: list[PointEvidence]  # thread-wide credit per key point
    latest: list[PointEvidence]  # the latest answer's own evidence
    latest_sentences: list[str]
    sentences: list[str]  # explanatory sentences of the whole thread
    misconceptions: list[AssertedMisconception]  # asserted in the latest answer
    dimensions: dict[Dimension, int]  # best per dimension over the thread


def candidate_phrases(points: list[PointEvidence], sentences: list[str]) -> list[str]:
    """Words of the candidate worth quoting, exactly as written (case and all): the words that
    made a key point first, then numbers with what they count."""
    found = []
    for e in points:
        if e.named and e.sentence is not None and e.matched is not None:
            span = _written(e.sentence, e.matched)
            if span:
                found.append(span)
    found.extend(counted for s in sentences for counted in _counted(s))
    return [p for p in dict.fromkeys(found) if 3 <= len(p) <= QUOTE_CHARS]


def own_words(e: PointEvidence) -> str | None:
    """How the candidate made a point, in their words: the words an alias matched, or the
    start of the sentence that paraphrased it."""
    if e.sentence is None:
        return None
    if e.named and e.matched is not None:
        return _written(e.sentence, e.matched)
    sentence = " ".join(e.sentence.split()).rstrip(".!?")
    return sentence if len(sentence) <= QUOTE_CHARS else sentence[:QUOTE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _counted(sentence: str) -> list[str]:
    out = []
    for m in NUMBER_THEN_WORDS.finditer(sentence):
        number, unit, tail = m.group(1), m.group(2) or "", m.group(3)
        kept = []
        for word in tail.split():
            if word.lower() in NOT_COUNTED or word.lower().endswith(("ed", "ing", "ly")):
                break
            kept.append(word)
        if kept and (unit or len(number) > 1):
            start = m.start()
            out.append(sentence[start : sentence.index(kept[-1], start) + len(kept[-1])])
    return out


def _written(sentence: str, alias: str) -> str | None:
    """The words of ``sentence`` that ``alias`` matched, as the candidate wrote them."""
    text = MatchText(sentence)
    hit = text.find(alias)
    spans = list(WORD.finditer(sentence))
    if hit is None or len(spans) != len(text.words):
        return None
    return sentence[spans[hit.start].start() : spans[hit.end - 1].end()]


def _asserting(asserted: AssertedMisconception) -> str:
    """The words of the candidate's sentence that assert the misconception, with a little
    context, as written; the whole sentence when it is short."""
    sentence = asserted.sentence.strip().rstrip(".!?")
    if len(sentence) <= QUOTE_CHARS:
        return sentence
    text = MatchText(sentence)
    spans = list(WORD.finditer(sentence))
    for signal in asserted.misconception.signals:
        hits = [text.find(part) for part in signal_parts(signal)]
        if all(h is not None and not h.negated for h in hits) and len(spans) == len(text.words):
            first = max(0, min(h.start for h in hits if h) - 3)
            last = min(len(spans), max(h.end for h in hits if h) + 3)
            quoted = sentence[spans[first].start() : spans[last - 1].end()]
            if len(quoted) <= 2 * QUOTE_CHARS:
                return quoted
    return sentence[:QUOTE_CHARS].rsplit(" ", 1)[0].rstrip(",;:")


class FollowUpWriter:
    def __init__(self, encoder: TextEncoder) -> None:
        self.encoder = encoder

    def choose(
        self,
        question: Question,
        thread: Thread,
        asked: tuple[str, ...],
        tendencies: tuple[str, ...],
        recent_wording: tuple[str, ...],
        quoted_before: str = "",
    ) -> FollowUp | None:
        """The next follow-up, or None if there is nothing worth asking."""
        words = _Wording(recent_wording, question.id, len(asked))
        fresh = [p for p in candidate_phrases(thread.latest, thread.latest_sentences) if p not in quoted_before]
        named = [p for p in candidate_phrases(thread.latest, []) if p not in quoted_before]
        for asserted in thread.misconceptions:
            probe_id = f"mis:{asserted.misconception.id}"
            if probe_id not in asked:
                return FollowUp(probe_id, *words.say("correct", said=_asserting(asserted)))
        missed = [e for e in thread.points if e.credit < TOUCHED and f"kp:{e.key_point.id}" not in asked]
        # A point the matcher missed but whose probe the thread already answers in other words
        # is not asked for again.
        answered = self._answered_by(thread)
        missed = [e for e in missed if not answered(e.key_point.probe)]
        if missed:
            order = {kp.id: i for i, kp in enumerate(question.key_points)}
            missed.sort(key=lambda e: (-e.key_point.weight, e.key_point.id not in tendencies, order[e.key_point.id]))
            target = missed[0].key_point
            return FollowUp(f"kp:{target.id}", *words.lead(fresh, target.probe))
        return self._push(question, thread, asked, named, words, answered)

    def _push(
        self,
        question: Question,
        thread: Thread,
        asked: tuple[str, ...],
        fresh: list[str],
        words: _Wording,
        answered: Callable[[str], bool],
    ) -> FollowUp | None:
        """A harder probe for a thread that covers the rubric; ``fresh``: techniques the latest
        answer named, which a failure, scale, cost or tradeoff question can be about."""
        open_probes = [(i, p) for i, p in enumerate(question.probes) if f"probe:{i}" not in asked]
        unanswered = [(i, p) for i, p in open_probes if not answered(p.text)]
        thin = [(i, p) for i, p in unanswered if thread.dimensions.get(p.kind, 0) < 2]
        if thin:
            return self._bank_probe(thin, thread, words)
        kinds = [k for k in HARDER_KINDS if f"push:{k}" not in asked]
        if fresh and kinds:
            kind = kinds[zlib.crc32(question.id.encode()) % len(kinds)] if len(asked) == 0 else kinds[0]
            body, used = words.pick(kind)
            text, lead = words.say("acknowledge", phrase=fresh[0])
            return FollowUp(f"push:{kind}", text + body, (*lead, used))
        if unanswered:
            return self._bank_probe(unanswered, thread, words)
        for kind in ("generic_failure", "generic_scale"):
            if f"push:{kind}" not in asked:
                return FollowUp(f"push:{kind}", *words.lead([], words.pick(kind)[0], opener="harder"))
        return None

    @staticmethod
    def _bank_probe(probes: list[tuple[int, Probe]], thread: Thread, words: _Wording) -> FollowUp:
        index, probe = min(probes, key=lambda ip: thread.dimensions.get(ip[1].kind, 0))
        return FollowUp(f"probe:{index}", *words.lead([], probe.text, opener="harder"))

    def _answered_by(self, thread: Thread) -> Callable[[str], bool]:
        """Whether the thread already says what a probe asks for: a sentence of it, or a key
        point it made, is as close in meaning as a paraphrase. The thread's vectors are
        gathered once for all the probes weighed for one follow-up."""
        covered = [e.key_point.point for e in thread.points if e.credit >= TOUCHED]
        parts = [self.encoder.reference(covered)] if covered else []
        if thread.sentences:
            parts.append(self.encoder.encode(thread.sentences))
        said = np.vstack(parts) if parts else None

        def answered(probe: str) -> bool:
            return said is not None and float((said @ self.encoder.reference([probe]).T).max()) >= ANSWERED

        return answered


class _Wording:
    """Phrasings from the bank, least recently used first, so none is said twice in a row."""

    def __init__(self, recent: tuple[str, ...], salt: str, turn: int) -> None:
        self.recent = list(recent)
        self.salt = zlib.crc32(f"{salt}:{turn}".encode())

    def pick(self, kind: str) -> tuple[str, str]:
        """(text of one phrasing of ``kind`` with no variables, its id)."""
        template, used = self._template(kind)
        return prompts.render_phrasing(template), used

    def say(self, kind: str, **values: str) -> tuple[str, tuple[str, ...]]:
        template, used = self._template(kind)
        return prompts.render_phrasing(template, **values), (used,)

    def lead(self, phrases: list[str], probe: str, opener: str = "neutral") -> tuple[str, tuple[str, ...]]:
        """``probe`` after an opener: one that quotes the candidate when there is a phrase."""
        if phrases:
            text, used = self.say("acknowledge", phrase=phrases[0])
        else:
            text, used = self.say(opener)
        return text + probe, used

    def _template(self, kind: str) -> tuple[string.Template, str]:
        options = prompts.phrasings(BANK)[kind]
        last = {name: i for i, name in enumerate(self.recent)}
        ids = [f"{kind}:{i}" for i in range(len(options))]
        start = self.salt % len(options)
        rotated = ids[start:] + ids[:start]
        chosen = min(rotated, key=lambda name: last.get(name, -1))
        self.recent.append(chosen)
        return options[ids.index(chosen)], chosen


def best_dimensions(*scored: dict[Dimension, int]) -> dict[Dimension, int]:
    out: dict[Dimension, int] = {}
    for dims in scored:
        for d, v in dims.items():
            out[d] = max(out.get(d, 0), v)
    return out
