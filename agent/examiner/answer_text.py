"""Reading a candidate's answer: preparation, sentences and phrase matching.

Deterministic text analysis shared by both examiners and the gaming detector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from knowledge.lexical import STOPWORDS, tokenize

MAX_ASSESSED_CHARS = 20_000
SENTENCE_END = re.compile(r"(?<=[.!?।])\s+|\n+")
WORD = re.compile(r"\w+(?:['’-]\w+)*", re.UNICODE)


@dataclass(frozen=True)
class AnswerText:
    """An answer prepared for assessment (truncated if huge)."""

    raw: str
    text: str
    truncated_from: int | None

    @classmethod
    def prepare(cls, raw: str, original_length: int | None = None) -> AnswerText:
        """``original_length``: the size before a caller trimmed ``raw`` (see join_thread)."""
        text = raw.strip()
        if len(text) > MAX_ASSESSED_CHARS:
            return cls(raw, text[:MAX_ASSESSED_CHARS], original_length or len(text))
        if original_length is not None and original_length > MAX_ASSESSED_CHARS:
            return cls(raw, text, original_length)
        return cls(raw, text, None)

    @cached_property
    def sentences(self) -> list[str]:
        return split_sentences(self.text)

    @cached_property
    def words(self) -> list[str]:
        return WORD.findall(self.text.lower())


def join_thread(answers: list[str], limit: int = MAX_ASSESSED_CHARS) -> tuple[str, int]:
    """Everything said on one question, within ``limit`` characters, and its full length.

    When it is too long the latest answer keeps its place (a follow-up answer is always
    assessed) and the earlier ones are cut.
    """
    joined = "\n\n".join(answers)
    if len(joined) <= limit or not answers:
        return joined, len(joined)
    latest = answers[-1][:limit]
    room = limit - len(latest) - 2
    earlier = "\n\n".join(answers[:-1])[: max(0, room)]
    return (f"{earlier}\n\n{latest}" if earlier else latest), len(joined)


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s and WORD.search(s)]


def content_stems(text: str) -> set[str]:
    return set(tokenize(text))


@lru_cache(maxsize=16384)
def _phrase_stems(phrase: str) -> list[str]:
    return tokenize(phrase)


def phrase_in(phrase: str, text_stems: list[str]) -> bool:
    """True if the (stemmed) words of ``phrase`` appear consecutively in ``text_stems``."""
    needle = _phrase_stems(phrase)
    if not needle:
        return False
    n = len(needle)
    return any(text_stems[i : i + n] == needle for i in range(len(text_stems) - n + 1))


def is_explanatory(sentence: str) -> bool:
    """A sentence that explains rather than lists: long enough and with grammar in it."""
    words = WORD.findall(sentence.lower())
    if len(words) < 6:
        return False
    function_words = sum(1 for w in words if w in STOPWORDS)
    return function_words >= 2 and function_words / len(words) >= 0.12
