"""The offline examiner: judges an answer against its rubric with no model and no network.

Coverage (aliases, restatement, embedding similarity) gives most of the score; the
guide's five-step framework gives the rest. Answers that try to game a grader — a bare
list of terms, the question copied back, an answer to another question, instructions
aimed at the grader — are capped low whatever they contain, and the critique says why.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from agent import prompts
from agent.examiner.answer_text import (
    MAX_ASSESSED_CHARS,
    AnswerText,
    copies_question,
    grader_instruction_sentences,
    is_no_attempt,
    looks_like_keyword_list,
)
from agent.examiner.models import Assessment
from agent.examiner.offline.coverage import PointEvidence, assess_coverage, coverage_ratio
from agent.examiner.offline.critique import Citer, CritiqueParts, choose_follow_up, flag_lines, write_critique
from agent.examiner.offline.framework import score_dimensions
from agent.examiner.seam import ExamRequest, ExamResult
from knowledge.lexical import LexicalIndex, tokenize
from knowledge.question_bank import Question, QuestionBank
from knowledge.retrieval import HybridRetriever

Embed = Callable[[list[str]], np.ndarray]
COVERAGE_SHARE = 0.7
CAPS = {
    "empty": 0.0,
    "no_attempt": 0.5,
    "copied_question": 1.0,
    "grader_instruction": 2.0,
    "off_topic": 2.0,
    "keyword_list": 2.5,
}


class TopicGuesser:
    """Which bank question (and so which topic) a text is most about, by BM25 over rubrics."""

    def __init__(self, bank: QuestionBank) -> None:
        self.questions = bank.questions
        texts = [
            " ".join([q.question, *(kp.point for kp in q.key_points), *(a for kp in q.key_points for a in kp.aliases)])
            for q in self.questions
        ]
        self.index = LexicalIndex(texts)

    def best_topic(self, text: str) -> str | None:
        ranked = self.index.rank(text, 1)
        return self.questions[ranked[0][0]].topic if ranked else None


class OfflineExaminer:
    name = "offline"
    uses_similar_misses = False

    def __init__(self, bank: QuestionBank, retriever: HybridRetriever, embed: Embed) -> None:
        self.embed = embed
        self.citer = Citer(retriever)
        self.topics = TopicGuesser(bank)

    def examine(self, request: ExamRequest) -> ExamResult:
        question = request.question
        answer = AnswerText.prepare(request.answer, request.answer_chars)
        injected = grader_instruction_sentences(answer.sentences)
        sentences = [s for s in answer.sentences if s not in injected]
        evidence = assess_coverage(question, sentences, self.embed)
        dimensions = score_dimensions(sentences, set(tokenize(question.question)))
        raw = 10 * (COVERAGE_SHARE * coverage_ratio(evidence) + (1 - COVERAGE_SHARE) * sum(dimensions.values()) / 10)
        flags, other_topic = self._flags(question, answer, injected, evidence)
        score = min([raw, *(CAPS[f] for f in flags if f in CAPS)])
        score = round(score * 2) / 2  # half points: finer would be false precision
        parts = CritiqueParts(
            score=score,
            evidence=evidence,
            dimensions=dimensions,
            flags=flags,
            tendencies=request.tendencies,
            topic=question.topic,
            other_topic=other_topic,
            truncated_from=answer.truncated_from,
            limit=MAX_ASSESSED_CHARS,
        )
        critique = write_critique(parts)
        follow_up = None
        if not {"empty", "no_attempt"} & set(flags):
            follow_up = choose_follow_up(question, evidence, dimensions, request.asked_probes, request.tendencies)
        missed = [e for e in evidence if not e.covered]
        citations = [c for c in (self.citer.cite(e.key_point) for e in missed) if c is not None]
        assessment = Assessment(
            question_id=question.id,
            topic=question.topic,
            score=score,
            dimensions=dimensions,
            covered=[e.key_point.point for e in evidence if e.covered],
            missed=[e.key_point.point for e in missed],
            covered_ids=[e.key_point.id for e in evidence if e.covered],
            missed_ids=[e.key_point.id for e in missed],
            critique=critique,
            citations=citations,
            follow_up=follow_up[1] if follow_up else None,
            flags=flags,  # type: ignore[arg-type]
            notes=[critique_note] if (critique_note := _truncation_note(answer)) else [],
        )
        return ExamResult(
            assessment,
            backend=self.name,
            probe_id=follow_up[0] if follow_up else None,
            flag_lines=tuple(flag_lines(parts)),
        )

    def _flags(
        self, question: Question, answer: AnswerText, injected: list[str], evidence: list[PointEvidence]
    ) -> tuple[list[str], str | None]:
        flags: list[str] = []
        other_topic = None
        if answer.truncated_from is not None:
            flags.append("truncated")
        if not answer.words:
            return [*flags, "empty"], None
        if injected:
            flags.append("grader_instruction")
        if is_no_attempt(answer):
            flags.append("no_attempt")
        elif copies_question(answer, question.question):
            flags.append("copied_question")
        elif looks_like_keyword_list(answer):
            flags.append("keyword_list")
        elif coverage_ratio(evidence) < 0.15 and len(answer.words) >= 20:
            guess = self.topics.best_topic(answer.text)
            if guess is not None and guess != question.topic:
                flags.append("off_topic")
                other_topic = guess
        return flags, other_topic


def _truncation_note(answer: AnswerText) -> str | None:
    if answer.truncated_from is None:
        return None
    return prompts.render("note_truncated", limit=f"{MAX_ASSESSED_CHARS:,}", chars=f"{answer.truncated_from:,}")
