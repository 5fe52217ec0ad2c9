"""Reading a candidate's answer: sentences, phrase matching, and the signs of gaming.

Everything here is deterministic text analysis; the examiner decides what the signs mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from knowledge.lexical import STOPWORDS, tokenize

MAX_ASSESSED_CHARS = 20_000
SENTENCE_END = re.compile(r"(?<=[.!?।])\s+|\n+")
WORD = re.compile(r"\w+(?:['’-]\w+)*", re.UNICODE)

_GRADER_INSTRUCTIONS = [
    r"\bignore\b[^.\n]{0,40}\b(instructions?|rubric|rules|guidelines|prompt|criteria)\b",
    r"\b(disregard|override|bypass|forget)\b[^.\n]{0,40}\b(instructions?|rubric|rules|scoring|criteria|prompt)\b",
    r"\b(give|award|assign|grade|score|rate|mark)\s+(this|me|it|my answer|the answer|this answer)\b[^.\n]{0,30}"
    r"\b(10|ten|full marks|perfect|maximum|max|highest|top)\b",
    r"\b(give|award|assign|output|return)\b[^.\n]{0,30}\b(maximum|max|highest|top|best|perfect|full)\s+"
    r"(score|marks?|grade|rating|points)\b",
    r"^\s*(<\s*)?(system|assistant|developer)\s*(>|:)",
    r"\b(override|jailbreak|developer) mode\b",
    r"\bbefore you (score|grade|rate|mark|evaluate)\b",
    r"\b10\s*/\s*10\b",
    r"\bfull (marks|score)\b",
    r"[\"']score[\"']\s*:\s*\d",  # JSON aimed at a parser: {"score": 10}
    r"\bscore\s*[:=]\s*10\b",
    r"\bsystem prompt\b",
    r"\byou are (now )?(an? |the )?(grader|examiner|evaluator|assistant|ai)\b",
    r"\b(note|message|instruction)s? (to|for) (the )?(grader|examiner|evaluator|ai|model|assistant)\b",
    r"\b(grader|examiner|evaluator)('s)? note\b",
    r"\bas an? (ai )?language model\b",
    r"\bthis answer (is|deserves) (excellent|perfect|a 10|full)\b",
]
GRADER_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _GRADER_INSTRUCTIONS), re.IGNORECASE)
NO_ATTEMPT = re.compile(
    r"\b(i\s+(really\s+)?(do\s*n[o']?t|dont)\s+know|no\s+idea|not\s+sure|no\s+clue|idk|pass|skip)\b",
    re.IGNORECASE,
)
# Words that may surround "I don't know" without making it an attempt.
_FILLER = frozenset(
    {
        "i",
        "im",
        "i'm",
        "am",
        "is",
        "it",
        "this",
        "that",
        "sorry",
        "honestly",
        "really",
        "actually",
        "to",
        "be",
        "the",
        "one",
        "question",
        "about",
        "on",
        "here",
        "please",
        "next",
        "move",
        "can",
        "we",
        "let's",
        "lets",
    }
)


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

    @property
    def sentences(self) -> list[str]:
        return split_sentences(self.text)

    @property
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


def grader_instruction_sentences(sentences: list[str]) -> list[str]:
    return [s for s in sentences if GRADER_INSTRUCTION.search(s)]


def looks_like_keyword_list(answer: AnswerText) -> bool:
    """Terms strung together without explanation: under a quarter of the words sit in
    sentences with grammar in them (a terse bulleted answer still explains in its lines)."""
    words = answer.words
    if len(words) < 3:
        return False
    explanatory = [s for s in answer.sentences if is_explanatory(s)]
    explanatory_words = sum(len(WORD.findall(s)) for s in explanatory)
    return explanatory_words < 0.25 * len(words)


def is_no_attempt(answer: AnswerText) -> bool:
    """The whole answer is a version of "I don't know" (with nothing else said)."""
    if len(answer.words) > 12:
        return False
    remainder = NO_ATTEMPT.sub(" ", answer.text.lower())
    return bool(NO_ATTEMPT.search(answer.text)) and all(w in _FILLER for w in WORD.findall(remainder))


def copies_question(answer: AnswerText, question: str) -> bool:
    """Most of what the answer says is the question's own words."""
    said = content_stems(answer.text)
    asked = content_stems(question)
    shared = said & asked
    if len(shared) < 3:
        return False
    return len(said - asked) <= max(2, 0.2 * len(said))
