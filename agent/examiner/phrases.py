"""Phrase matching the way practitioners write: forms, hyphens and notation matched as one.

"self-attention", "self attention" and "selfattention" match each other, as do
"fine-tune" / "finetuning", "roll back" / "rollback" and "smaller" / "small". Words are
lowercased, split at hyphens and slashes, and reduced by a light suffix stemmer; a phrase
matches when its stems, joined, equal the joined stems of 1–8 consecutive words of the
text (articles skipped). Notation keeps its symbols ("p(y|x)" → "p ( y | x )"), so formulas match too.

A match is *negated* when a negator ("not", "no", "never", "n't", "without"…) or a verb
turning it down ("remove", "skip", "avoid") stands in the few words before it, or a
dismissal follows it ("isn't needed", "is counterproductive"): "transformers do not process
tokens in parallel" does not make the point "transformers process tokens in parallel".
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

WORD = re.compile(r"[a-z0-9]+|[()|^²/*+=<>≥≤]")
CLAUSE = re.compile(r"[,;:]|\b(?:but|whereas|however|although|though)\b", re.I)
NEGATORS = frozenset(
    {"not", "no", "never", "without", "neither", "nor", "cannot", "cant", "dont", "doesnt", "isnt", "arent"}
    | {"wasnt", "werent", "wont", "shouldnt", "didnt", "hardly", "nothing", "none", "nobody", "lack", "lacks"}
)
NEGATION_WINDOW = 4  # words before a match that can negate it
# Verbs that turn a practice down: "remove dropout", "skip the eval set", "avoid versioning".
REVERSALS = frozenset({"remove", "removing", "drop", "dropping", "skip", "skipping", "avoid", "avoiding", "disable"})
AFTER_WINDOW = 3  # words after a match that can negate it: "versioning isn't needed"
DISMISSALS = frozenset(
    {"unnecessary", "counterproductive", "useless", "overkill", "pointless", "harmful", "irrelevant", "optional"}
)
NEEDS = frozenset({"needed", "necessary", "required", "important", "matter", "matters", "help", "helps", "useful"})
MAX_SPAN = 8  # longest run of text words one phrase can match (p ( y | x ) is six)
ARTICLES = frozenset({"a", "an", "the"})  # skipped: "llm as a judge" matches "llm-as-judge"
SUFFIXES = (
    "izations",
    "ization",
    "isation",
    "ational",
    "fulness",
    "iveness",
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "ies",
    "ied",
    "ers",
    "er",
    "est",
    "ed",
    "es",
    "ly",
    "s",
)
REPLACE = {"izations": "iz", "ization": "iz", "isation": "iz", "ational": "at", "ations": "at", "ation": "at"}
KEEP = frozenset({"bias", "loss", "less", "class", "gas", "ness", "ss", "this", "is", "was", "has", "its", "us"})


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if len(word) <= 3 or word in KEEP or word.isdigit():
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix in ("ies", "ied"):
                word = word[:-3] + "y"
            elif suffix in REPLACE:
                word = word[: -len(suffix)] + REPLACE[suffix]
            elif suffix == "s" and word.endswith("ss"):
                break
            else:
                word = word[: -len(suffix)]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # running -> runn -> run
    return word


def words(text: str) -> list[str]:
    """Lowercased words and notation symbols; apostrophes dropped so "don't" → "dont"."""
    lowered = text.lower().replace("’", "'").replace("'", "").replace("²", "^2")
    return WORD.findall(lowered)


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in ARTICLES]


def _squash(joined: str) -> str:
    # Without its e's, "fine"+"tun" and "finetun" are one key (a stem may or may not keep an e).
    return joined.replace("e", "")


@lru_cache(maxsize=32768)
def phrase_key(phrase: str) -> str:
    """A phrase's comparable form: its stems joined with nothing between them."""
    return _squash("".join(stems(phrase)))


@dataclass(frozen=True)
class Found:
    start: int  # index of the first matched word
    end: int  # one past the last
    negated: bool


class MatchText:
    """A text prepared for phrase look-ups (built once per sentence)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = words(text)
        self.positions = [i for i, w in enumerate(self.words) if w not in ARTICLES]
        self.stems = [stem(self.words[i]) for i in self.positions]
        self.spans: dict[str, tuple[int, int]] = {}  # squashed stems of a run → (first, last) content index
        for start in range(len(self.stems)):
            joined = ""
            for end in range(start, min(start + MAX_SPAN, len(self.stems))):
                joined += self.stems[end]
                self.spans.setdefault(_squash(joined), (start, end))

    def find(self, phrase: str) -> Found | None:
        key = phrase_key(phrase)
        if not key:
            return None
        span = self.spans.get(key)
        if span is None:
            return None
        start, end = self.positions[span[0]], self.positions[span[1]] + 1
        before = self.words[max(0, start - NEGATION_WINDOW) : start]
        after = self.words[end : end + AFTER_WINDOW + 1]
        negated = any(_negates(w) or w in REVERSALS for w in before) or _dismissed(after)
        return Found(start, end, negated)

    def has(self, phrase: str) -> bool:
        found = self.find(phrase)
        return found is not None and not found.negated

    def asserts(self, signal: str) -> bool:
        """Whether the text asserts ``signal``: a phrase, or parts joined by " ... " that must
        all stand in the text, none of them negated ("fid ... higher is better")."""
        return all(self.has(part) for part in signal_parts(signal))

    @property
    def negated(self) -> bool:
        """Whether most of the text sits in clauses that say "not" (or another negator):
        "Not sure of the number, but collapse is when…" is not a negated statement."""
        clauses = [words(c) for c in CLAUSE.split(self.text)]
        total = sum(len(c) for c in clauses) or 1
        return sum(len(c) for c in clauses if any(_negates(w) for w in c)) / total > 0.5


ALL_OF = " ... "  # joins the parts of a signal that must all stand in one sentence


@lru_cache(maxsize=65536)
def signal_parts(signal: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in signal.split(ALL_OF.strip()) if part.strip())


Named = TypeVar("Named", bound=Hashable)


class PhraseIndex(Generic[Named]):
    """Many phrases looked up in one pass over a text: each phrase's comparable form maps to
    what it names, and a text is read once for the forms it holds, rather than once per
    phrase. ``found`` gives what ``MatchText.has`` would find, phrase by phrase."""

    def __init__(self, phrases: Iterable[tuple[str, Named]]) -> None:
        self._by_key: dict[str, list[tuple[str, Named]]] = {}
        for phrase, named in phrases:
            if key := phrase_key(phrase):
                self._by_key.setdefault(key, []).append((phrase, named))

    def found(self, text: MatchText) -> set[Named]:
        """What the phrases standing in ``text`` (not negated) name."""
        out: set[Named] = set()
        for key in text.spans.keys() & self._by_key.keys():
            for phrase, named in self._by_key[key]:
                if named not in out and text.has(phrase):
                    out.add(named)
        return out


_AUX = frozenset(
    {"do", "does", "did", "is", "are", "was", "were", "wo", "ca", "could", "would", "should", "have", "has"}
)


def says_not(text: str) -> bool:
    """Whether any word of ``text`` is a negator ("not", "without", "isn't"...)."""
    return any(_negates(w) for w in words(text))


def _negates(word: str) -> bool:
    return word in NEGATORS or (word.endswith("nt") and word[:-2] in _AUX)


def _dismissed(after: list[str]) -> bool:
    """ "X isn't needed", "X is not necessary", "X is counterproductive" right after a match."""
    if any(w in DISMISSALS for w in after):
        return True
    return any(_negates(w) for w in after) and any(w in NEEDS for w in after)
