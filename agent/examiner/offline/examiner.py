"""The offline examiner: judges an answer against its rubric with no model and no network.

Coverage (aliases, restatement, embedding similarity) gives most of the score; the
guide's five-step framework gives the rest. Answers that try to game a grader — a bare
list of terms, the question copied back, an answer to another question, instructions
aimed at the grader — are capped low whatever they contain, and the critique says why.
"""

from __future__ import annotations

from agent import prompts
from agent.examiner.answer_text import MAX_ASSESSED_CHARS, AnswerText
from agent.examiner.citer import Citer
from agent.examiner.gaming import GamingDetector, cap_for
from agent.examiner.models import Assessment
from agent.examiner.offline.coverage import assess_coverage, coverage_ratio
from agent.examiner.offline.critique import CritiqueParts, choose_follow_up, flag_lines, write_critique
from agent.examiner.offline.framework import score_dimensions
from agent.examiner.seam import ExamRequest, ExamResult
from agent.records import Backend
from knowledge.lexical import Embed, tokenize

COVERAGE_SHARE = 0.7


class OfflineExaminer:
    name: Backend = "offline"
    uses_similar_misses = False

    def __init__(self, embed: Embed, gaming: GamingDetector, citer: Citer) -> None:
        self.embed = embed
        self.gaming = gaming
        self.citer = citer

    def examine(self, request: ExamRequest) -> ExamResult:
        question = request.question
        answer = AnswerText.prepare(request.answer, request.answer_chars)
        injected = self.gaming.injected(answer)
        sentences = [s for s in answer.sentences if s not in injected]
        evidence = assess_coverage(question, sentences, self.embed)
        dimensions = score_dimensions(sentences, set(tokenize(question.question)))
        raw = 10 * (COVERAGE_SHARE * coverage_ratio(evidence) + (1 - COVERAGE_SHARE) * sum(dimensions.values()) / 10)
        verdict = self.gaming.verdict(question, answer, injected, coverage_ratio(evidence))
        flags = verdict.flags
        cap = cap_for(flags)
        score = raw if cap is None else min(raw, cap)
        score = round(score * 2) / 2  # half points: finer would be false precision
        parts = CritiqueParts(
            score=score,
            evidence=evidence,
            dimensions=dimensions,
            flags=flags,
            tendencies=request.tendencies,
            topic=question.topic,
            other_topic=verdict.other_topic,
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
            flags=flags,
            notes=[critique_note] if (critique_note := _truncation_note(answer)) else [],
        )
        return ExamResult(
            assessment,
            backend=self.name,
            probe_id=follow_up[0] if follow_up else None,
            flag_lines=tuple(flag_lines(parts)),
        )


def _truncation_note(answer: AnswerText) -> str | None:
    if answer.truncated_from is None:
        return None
    return prompts.render("note_truncated", limit=f"{MAX_ASSESSED_CHARS:,}", chars=f"{answer.truncated_from:,}")
