"""Signs that an answer games the grader instead of answering, and the caps they earn.

Shared by both examiners as an injected part: the offline examiner caps its score with it,
and the LLM examiner applies the same caps to a model's score, so text in an answer cannot
talk either of them into a high mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.examiner.answer_text import WORD, AnswerText, content_stems, is_explanatory
from agent.examiner.language import is_not_english
from agent.examiner.topics import TopicGuesser
from agent.records import Flag
from knowledge.lexical import STOPWORDS
from knowledge.question_bank import Question

# The highest score an answer with this flag can get, whatever else it says.
CAPS: dict[Flag, float] = {
    "empty": 0.0,
    "no_attempt": 0.5,
    "copied_question": 1.0,
    "grader_instruction": 2.0,
    "off_topic": 2.0,
    "keyword_list": 1.0,  # all but one flagged list of the rated set's tune half was rated 0 (f049: 6.8)
    "not_english": 0.0,  # not assessed: the critique asks for the answer in English
}
# An answer is about another topic only when it makes almost none of the rubric and the
# topic guesser finds it clearly closer to another topic's questions (see topics.py).
OFF_TOPIC_COVERAGE = 0.35  # share of the rubric named by its aliases

# Text aimed at whoever grades the answer. Matched after quoted text is removed, so an
# attack string quoted as an example ("ignore previous instructions…") is not an instruction,
# and ordinary vocabulary ("system prompt", "the model's score") never is.
_GRADER_INSTRUCTIONS = [
    r"\b(ignore|disregard|override|bypass|forget)\b[^.\n]{0,40}\b(rubric|scoring|grading|marking|criteria|"
    r"evaluation (policy|criteria|rules)|(your|previous|prior|all|the above) instructions)\b",
    r"\b(give|award|assign|grade|score|rate|mark)\s+(this|me|it|my answer|the answer|this answer|this response)\b"
    r"[^.\n]{0,30}(\b10\s*/\s*10\b|\b10 out of 10\b|\bten out of ten\b|\bfull marks\b|\bperfect (score|marks)\b|"
    r"\b(maximum|max|highest|top) (score|marks|grade|rating|points)\b)",
    r"\b(give|award|assign|output|return|respond|reply)\b[^.\n]{0,30}\b(maximum|max|highest|top|best|perfect|full)\s+"
    r"(score|marks?|grade|rating|points)\b",
    r"\b(return|output|respond with|reply with)\s*\{",  # JSON aimed at a parser: return {"score": 10}
    r"\bscore\s*[:=]\s*10\b",
    r"\b(award|give|deserves?)\b[^.\n]{0,20}\b(full marks|10\s*/\s*10)\b",
    r"\bbefore you (score|grade|rate|mark|evaluate)\b",
    r"\byou are (now )?(an? |the )?(\w+ )?(grader|examiner|evaluator|grading (model|system))\b",
    r"\b(dear|hey|attention|hello)\s+(the\s+)?(ai\s+)?(evaluator|grader|examiner|assessor|marker)\b",
    r"\bwhoever (or whatever )?(is )?(grading|marking|scoring|evaluating|assessing)\b",
    r"\b(grader|evaluator|examiner)\s*:",
    r"\bmark (this|the|my) (answer|candidate|response)\b[^.\n]{0,40}\b(as|with)\b",
    r"\btreat (this|my) (answer|response) as\b",
    r"\bsystem override\b",
    r"\boverrid\w* (the )?(automated |automatic )?(assessment|grading|scoring|evaluation|rubric)\b",
    r"\bauto-?pass\b",
    r"\bwith full marks\b",
    r"\b(note|message|instruction)s? (to|for) (the )?(grader|examiner|evaluator|grading system|assessor|scorer)\b",
    r"\b(grader|examiner|evaluator|assessor)('s)? note\b",
    r"\bthis (answer|response) (is|deserves|should be) (excellent|perfect|a 10|full|graded|scored|marked|rated)\b",
    r"\b(evaluation|grading|scoring) (policy|rules) (has|have) (been )?(updated|changed)\b",
]
GRADER_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _GRADER_INSTRUCTIONS), re.IGNORECASE)
# JSON for a parser that reads scores: {"score": 10, …} (a judge's example scale does not say 10 or
# 100). Found in the whole text, because a sentence break inside it ("…Excellent, complete answer.
# No follow-up needed."}) splits it over two sentences; JSON given as an example of a judge's
# output ("return JSON like {"score": 10, …}") is not aimed at the grader.
SCORE_JSON = re.compile(r"\{[^{}]*[\"']?(score|grade|rating)[\"']?\s*:\s*(10|100)\b[^{}]*\}", re.I)
EXAMPLE_BEFORE = re.compile(r"\b(like|e\.g\.?|such as|for example|for instance|as in|format|schema)\W*$", re.I)
# A fake role header counts only when the line also speaks about grading.
ROLE_HEADER = re.compile(r"^\s*(<\|?im_start\|?>|\[|<)?\s*(system|assistant|developer)\s*(\||>|\]|:)", re.I)
GRADING_WORDS = re.compile(r"\b(score|grade|graded|grading|mark|marks|rubric|evaluat\w*|assess\w*|points)\b", re.I)
# Quoted text, which may run over several sentences of one paragraph.
QUOTED = re.compile(r"\"[^\"]*?\"|“[^”]*?”|‘[^’]*?’|(?<!\w)'[^'\n]*?'(?!\w)|`[^`]*?`")
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


def is_grader_instruction(sentence: str, unquoted: str) -> bool:
    """``unquoted``: the sentence with its quoted text blanked out."""
    if GRADER_INSTRUCTION.search(unquoted) or _score_json(sentence):
        return True
    return bool(ROLE_HEADER.search(unquoted)) and bool(GRADING_WORDS.search(unquoted))


def _score_json(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds score JSON that is not given as an example."""
    return [
        m.span()
        for m in SCORE_JSON.finditer(text)
        if not EXAMPLE_BEFORE.search(text[max(0, m.start() - 30) : m.start()])
    ]


def grader_instruction_sentences(text: str, sentences: list[str]) -> list[str]:
    """The sentences of ``text`` aimed at the grader, judged with quoted text blanked out
    (a quote can span sentences, so blanking happens on the whole text)."""
    blanked = QUOTED.sub(lambda m: " " * len(m.group()), text)
    payloads = _score_json(text)
    out, cursor = [], 0
    for sentence in sentences:
        at = text.find(sentence, cursor)
        if at < 0:
            continue
        cursor = at + len(sentence)
        in_payload = any(start < cursor and at < end for start, end in payloads)
        if in_payload or is_grader_instruction(sentence, blanked[at:cursor]):
            out.append(sentence)
    return out


# A line that relates its terms rather than listing them: a number, an arrow, an equation,
# a comparison or an explanation in brackets ("DPM-Solver++ ~20 vs 50 DDIM steps").
RELATION = re.compile(r"\d|->|→|=|\bvs\.?\b|\bversus\b|\([^)]*\s[^)]*\s[^)]*\)", re.I)
ENUMERATOR = re.compile(r"^\W*(?:(?:stage|step|phase|part|point)\s*)?\d+\s*[.:)]", re.I)  # "Stage 1:" relates nothing
LIST_SEPARATOR = re.compile(r"[,;]|\s/\s")  # "train/val/test" is one term, "zero-shot / few-shot" two
LIST_ITEMS = 5  # a sentence of at least this many short comma-separated items lists them
SHORT_ITEM = 3  # words


def is_comma_list(sentence: str) -> bool:
    """Terms strung together by commas, semicolons or spaced slashes ("DiD, synthetic control,
    IPW, placebo test, CUPED"), even when a term or two reads like grammar ("DiD" reads as
    "did"). A sentence that lists things inside a clause keeps its grammar in its items: most
    of them long ("we evaluated on MMLU, GSM8K, HumanEval and our own golden set of 500
    tickets"), or three in ten or more with a function word ("I check recall, precision, F1, cost,
    and whether users come back")."""
    items = [WORD.findall(item.lower()) for item in LIST_SEPARATOR.split(sentence)]
    items = [item for item in items if item]
    if len(items) < LIST_ITEMS or sum(len(item) <= SHORT_ITEM for item in items) < 0.7 * len(items):
        return False
    return sum(any(w in STOPWORDS for w in item) for item in items) < 0.3 * len(items)


def looks_like_keyword_list(answer: AnswerText) -> bool:
    """Terms strung together without explanation: under a quarter of the words sit in
    sentences with grammar in them, and the lines do not relate their terms either (a terse
    expert's bullets carry numbers, arrows, comparisons and bracketed explanations)."""
    words = answer.words
    if len(words) < 3:
        return False
    explanatory = [s for s in answer.sentences if is_explanatory(s) and not is_comma_list(s)]
    explanatory_words = sum(len(WORD.findall(s)) for s in explanatory)
    if explanatory_words >= 0.25 * len(words):
        return False
    # The units that must relate their terms: the lines; the sentences of a one-line answer
    # ("E = normalize(E); s = E @ q. At 100M: ~300GB fp32 → ANN (HNSW, IVF-PQ)"); the items of a
    # one-sentence line ("decode memory-bound → batch it, KV = 2·L·d per token"). A list does not
    # escape by one number or "vs" among a dozen terms ("…, 336 px input, OCR, ITT vs ATT").
    units = [line for line in answer.text.splitlines() if WORD.search(line)]
    if len(units) < 2:
        units = [s for s in answer.sentences if WORD.search(s)]
    if len(units) < 2:
        units = [item for item in LIST_SEPARATOR.split(answer.text) if WORD.search(item)]
    related = sum(1 for unit in units if RELATION.search(ENUMERATOR.sub("", unit)))
    return not (len(units) >= 2 and related >= 0.5 * len(units))


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


@dataclass(frozen=True)
class GamingVerdict:
    flags: list[Flag]
    answered_instead: Question | None  # the question an off-topic answer answers


class GamingDetector:
    def __init__(self, topics: TopicGuesser) -> None:
        self.topics = topics

    @staticmethod
    def injected(answer: AnswerText) -> list[str]:
        """The sentences aimed at the grader; they are no evidence of anything."""
        return grader_instruction_sentences(answer.text, answer.sentences)

    def verdict(
        self,
        question: Question,
        answer: AnswerText,
        injected: list[str],
        coverage: float,
        sentences: list[str],
        follow_up: bool = False,
    ) -> GamingVerdict:
        """``sentences``: the answer's explanatory sentences; a follow-up reply is judged
        against the follow-up, so it is never off-topic here."""
        flags: list[Flag] = []
        if answer.truncated_from is not None:
            flags.append("truncated")
        if not answer.words:
            return GamingVerdict([*flags, "empty"], None)
        if is_not_english(answer):
            return GamingVerdict([*flags, "not_english"], None)
        if injected:
            flags.append("grader_instruction")
        if is_no_attempt(answer):
            flags.append("no_attempt")
        elif copies_question(answer, question.question):
            flags.append("copied_question")
        elif looks_like_keyword_list(answer):
            flags.append("keyword_list")
        elif not follow_up and coverage < OFF_TOPIC_COVERAGE and len(answer.words) >= 20:
            other = self.topics.answered_instead(sentences, question)
            if other is not None:
                return GamingVerdict([*flags, "off_topic"], other)
        return GamingVerdict(flags, None)
