"""Signs that an answer games the grader instead of answering, and the caps they earn.

Shared by both examiners as an injected part: the offline examiner caps its score with it,
and the LLM examiner applies the same caps to a model's score, so text in an answer cannot
talk either of them into a high mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.examiner.answer_text import WORD, AnswerText, content_stems, is_explanatory
from agent.records import Flag
from knowledge.lexical import LexicalIndex
from knowledge.question_bank import Question, QuestionBank
from knowledge.taxonomy import Topic

# The highest score an answer with this flag can get, whatever else it says.
CAPS: dict[Flag, float] = {
    "empty": 0.0,
    "no_attempt": 0.5,
    "copied_question": 1.0,
    "grader_instruction": 2.0,
    "off_topic": 2.0,
    "keyword_list": 2.5,
}
OFF_TOPIC_BELOW = 0.15  # rubric coverage under which an answer may be about another topic

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


def cap_for(flags: list[Flag]) -> float | None:
    """The lowest cap among ``flags``, or None when no flag caps the score."""
    caps = [CAPS[f] for f in flags if f in CAPS]
    return min(caps) if caps else None


class TopicGuesser:
    """Which bank question (and so which topic) a text is most about, by BM25 over rubrics."""

    def __init__(self, bank: QuestionBank) -> None:
        self.questions = bank.questions
        texts = [
            " ".join([q.question, *(kp.point for kp in q.key_points), *(a for kp in q.key_points for a in kp.aliases)])
            for q in self.questions
        ]
        self.index = LexicalIndex(texts)

    def best_topic(self, text: str) -> Topic | None:
        ranked = self.index.rank(text, 1)
        return self.questions[ranked[0][0]].topic if ranked else None


@dataclass(frozen=True)
class GamingVerdict:
    flags: list[Flag]
    other_topic: Topic | None  # what an off-topic answer is about


class GamingDetector:
    def __init__(self, bank: QuestionBank) -> None:
        self.topics = TopicGuesser(bank)

    @staticmethod
    def injected(answer: AnswerText) -> list[str]:
        """The sentences aimed at the grader; they are no evidence of anything."""
        return grader_instruction_sentences(answer.sentences)

    def verdict(self, question: Question, answer: AnswerText, injected: list[str], coverage: float) -> GamingVerdict:
        flags: list[Flag] = []
        if answer.truncated_from is not None:
            flags.append("truncated")
        if not answer.words:
            return GamingVerdict([*flags, "empty"], None)
        if injected:
            flags.append("grader_instruction")
        if is_no_attempt(answer):
            flags.append("no_attempt")
        elif copies_question(answer, question.question):
            flags.append("copied_question")
        elif looks_like_keyword_list(answer):
            flags.append("keyword_list")
        elif coverage < OFF_TOPIC_BELOW and len(answer.words) >= 20:
            guess = self.topics.best_topic(answer.text)
            if guess is not None and guess != question.topic:
                return GamingVerdict([*flags, "off_topic"], guess)
        return GamingVerdict(flags, None)
