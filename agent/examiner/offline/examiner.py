"""The offline examiner: judges an answer with no model and no network.

It measures what the answer shows in the candidate's own words (``evidence.py``, put into
numbers by ``features.py``: key points made or contradicted, relevance to the question, domain
concepts, numbers, misconceptions asserted, how much it explains, the guide's five framework
dimensions) and maps that to 0–10 with a linear model fitted on blind expert ratings
(``calibration.py``). A reply to a follow-up is judged on its own, against what the follow-up
asked. Answers that game the grader are capped whatever they contain (``agent.examiner.gaming``),
and the critique says why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from agent import prompts
from agent.examiner.answer_text import MAX_ASSESSED_CHARS, AnswerText
from agent.examiner.citer import Citer
from agent.examiner.gaming import GamingDetector, GamingVerdict, cap_for
from agent.examiner.models import Assessment, Citation, Correction
from agent.examiner.offline.calibration import Calibration
from agent.examiner.offline.critique import REASON_FROM, CritiqueParts, flag_lines, score_reasons, write_critique
from agent.examiner.offline.evidence import HABITS, Evidence, EvidenceFinder, PointEvidence
from agent.examiner.offline.features import features
from agent.examiner.offline.follow_up import FollowUp, FollowUpWriter, Thread, best_dimensions, own_words
from agent.examiner.offline.framework import score_dimensions
from agent.examiner.offline.story import StoryJudge
from agent.examiner.seam import ExamRequest, ExamResult
from agent.records import Backend, Dimension
from knowledge.lexical import tokenize
from knowledge.project_story import is_project_story
from knowledge.question_bank import KeyPoint, Question

# A main answer is also read against the rubrics of this many neighbouring bank questions (the
# ones its sentences are closest to): one that makes more of a neighbour's key points than of
# its own answers the neighbour (chosen over 1, 2, 3 and 6 by cross-validation within the tune
# half; the closest one alone is often not the question it answers).
NEIGHBOURS = 4
# Neighbouring rubrics overlap ("a KL penalty" is a point of RLHF, DPO and reward hacking): a lead
# under this share of the key points' weight is that overlap, not an answer to the neighbour (the
# bank's own model answers lead by up to 0.18; chosen over 0, 0.05 and 0.2 within the tune half).
ELSEWHERE_FROM = 0.1
# Questions that ask for a story of one's own work are neither read for it nor read against: a
# good story about shipping a drift monitor makes the drift question's points as it should.
STORY_TOPICS = frozenset({"behavioural", "role_fit"})


@dataclass(frozen=True)
class Measured:
    """Everything the score and the critique are made from."""

    answer: AnswerText
    evidence: Evidence
    dimensions: dict[Dimension, int]
    verdict: GamingVerdict
    features: dict[str, float]
    probed: KeyPoint | None  # the key point a follow-up asked about
    neighbour: Question | None = None  # the neighbouring question it answers more of, if any


class OfflineExaminer:
    name: Backend = "offline"
    uses_similar_misses = False

    def __init__(
        self,
        finder: EvidenceFinder,
        gaming: GamingDetector,
        citer: Citer,
        calibration: Calibration,
        story: StoryJudge | None = None,
    ) -> None:
        self.finder = finder
        self.gaming = gaming
        self.citer = citer
        self.calibration = calibration
        self.story = story  # judges project deep dives (by the story framework, not a rubric's aliases)
        self.follow_ups = FollowUpWriter(finder.encoder)

    def measure(self, request: ExamRequest) -> Measured:
        question, asked = request.question, request.follow_up
        text, chars = (request.latest, None) if asked else (request.answer, request.answer_chars)
        answer = AnswerText.prepare(text, chars)
        injected = self.gaming.injected(answer)
        sentences = [s for s in answer.sentences if s not in injected]
        probed = None
        if asked is not None and asked.probe_id and asked.probe_id.startswith("kp:"):
            probed = next((kp for kp in question.key_points if f"kp:{kp.id}" == asked.probe_id), None)
        targets = None if asked is None else [asked.text, *([probed.point] if probed else [])]
        evidence = self.finder.find(question, sentences, targets)
        dimensions = score_dimensions(sentences, set(tokenize(question.question)))
        verdict = self.gaming.verdict(
            question, answer, injected, evidence.named_coverage, evidence.explained, asked is not None
        )
        elsewhere, neighbour = (0.0, None) if asked is not None else self._elsewhere(question, evidence)
        measured = features(evidence) | {
            "framework": sum(dimensions.values()) / 10,
            "follow_up": 1.0 if asked is not None else 0.0,
            "elsewhere": elsewhere,
            "likeness": self.calibration.likeness_of(evidence.wording, evidence.content_words),
        }
        return Measured(answer, evidence, dimensions, verdict, measured, probed, neighbour)

    def _elsewhere(self, question: Question, evidence: Evidence) -> tuple[float, Question | None]:
        """How much more of a neighbouring question's rubric the answer makes than of its own
        (the share of its key points' weight, less ``ELSEWHERE_FROM``), and that question;
        (0, None) when it makes no neighbour's more by that much. An answer to the question next
        door ("multi-head attention" given to "self- versus cross-attention") reads as on topic
        to every other measure."""
        if evidence.vectors is None or question.topic in STORY_TOPICS:
            return 0.0, None
        best: tuple[float, Question | None] = (0.0, None)
        own = evidence.coverage
        for other in self.gaming.topics.neighbours(evidence.vectors, question, NEIGHBOURS, STORY_TOPICS):
            more = self.finder.coverage_for(other, evidence) - own - ELSEWHERE_FROM
            if more > best[0]:
                best = (more, other)
        return best

    def examine(self, request: ExamRequest) -> ExamResult:
        question = request.question
        if self.story is not None and is_project_story(question):
            return self.story.examine(request)
        m = self.measure(request)
        flags = m.verdict.flags
        score = self.calibration.score(m.features)
        cap = cap_for(flags)
        score = score if cap is None else min(score, cap)
        score = round(score * 2) / 2  # half points: finer would be false precision
        points = m.evidence.points
        if m.probed is not None:  # a follow-up reply answers for its probed point only
            points = [e for e in points if e.covered or e.key_point.id == m.probed.id]
        elif request.follow_up is not None:
            points = [e for e in points if e.covered]
        # A capped score is explained by its flag; an uncapped one by what held it down.
        reasons = (
            score_reasons(self.calibration, m.features, m.evidence, score, self.habit_changes(m), m.neighbour)
            if cap is None
            else []
        )
        parts = CritiqueParts(
            score=score,
            evidence=points,
            dimensions=m.dimensions,
            flags=flags,
            tendencies=request.tendencies,
            topic=question.topic,
            answered_instead=m.verdict.answered_instead,
            truncated_from=m.answer.truncated_from,
            limit=MAX_ASSESSED_CHARS,
            misconceptions=[(a.sentence, a.misconception.correction) for a in m.evidence.misconceptions],
            reasons=reasons,
        )
        follow_up = None
        if not {"empty", "no_attempt", "not_english"} & set(flags):
            follow_up = self._follow_up(request, m)
        missed = [e for e in points if not e.covered]
        assessment = Assessment(
            question_id=question.id,
            topic=question.topic,
            score=score,
            dimensions=m.dimensions,
            covered=[e.key_point.point for e in points if e.covered],
            missed=[e.key_point.point for e in missed],
            covered_ids=[e.key_point.id for e in points if e.covered],
            missed_ids=[e.key_point.id for e in missed],
            critique=write_critique(parts),
            citations=self._citations(missed, m.evidence),
            follow_up=follow_up.text if follow_up else None,
            flags=flags,
            notes=[note] if (note := _truncation_note(m.answer)) else [],
            said=list(dict.fromkeys(w for e in points if e.covered and (w := own_words(e)))),
            corrections=[
                Correction(said=a.sentence, correction=a.misconception.correction, section=a.misconception.section)
                for a in m.evidence.misconceptions
            ],
            held=reasons,
        )
        return ExamResult(
            assessment,
            backend=self.name,
            probe_id=follow_up.probe_id if follow_up else None,
            flag_lines=tuple(flag_lines(parts)),
            wording=follow_up.wording if follow_up else (),
        )

    def habit_changes(self, m: Measured) -> dict[str, dict[str, float]]:
        """For each habit the answer shows (``evidence.HABITS``), the features it would have
        without it: the habit's share at 0 and the likeness of the wording with those phrases
        deleted, so a habit's stated cost is what dropping its words gains. A habit whose share
        alone is worth less than a quarter of a line (``REASON_FROM / 4``) is not encoded again:
        on the tune half none of those cost a line with the wording counted too (the lowest
        share that did was 0.2 points), and the rewrites are a quarter of an assessment's time."""
        shown = {name: pattern for name, pattern in HABITS.items() if m.evidence.habits.get(name)}
        changes = {name: {name: 0.0} for name in shown}
        worth = {n: p for n, p in shown.items() if self.calibration.gain(m.features, changes[n]) >= REASON_FROM / 4}
        wordings = self.finder.wording_without(m.evidence, worth) if worth else {}
        for name, (wording, words) in wordings.items():
            changes[name]["likeness"] = self.calibration.likeness_of(wording, words)
        return changes

    def _follow_up(self, request: ExamRequest, m: Measured) -> FollowUp | None:
        """The next probe, judged on the whole thread: what any answer on it made counts."""
        question = request.question
        whole, dimensions = m.evidence, m.dimensions
        if request.follow_up is not None:
            answer = AnswerText.prepare(request.answer, request.answer_chars)
            injected = self.gaming.injected(answer)
            sentences = [s for s in answer.sentences if s not in injected]
            whole = self.finder.find(question, sentences, wording=False)  # the thread's points, not its score
            dimensions = best_dimensions(dimensions, score_dimensions(sentences, set(tokenize(question.question))))
        thread = Thread(
            points=[replace(e, credit=1.0) if e.key_point.id in request.covered_before else e for e in whole.points],
            latest=m.evidence.points,
            latest_sentences=m.evidence.explained,
            sentences=whole.explained,
            misconceptions=m.evidence.misconceptions,
            dimensions=dimensions,
        )
        said_before = " ".join(line["content"] for line in request.history if line["role"] == "assistant")
        return self.follow_ups.choose(
            question, thread, request.asked_probes, request.tendencies, request.recent_wording, said_before
        )

    def _citations(self, missed: list[PointEvidence], evidence: Evidence) -> list[Citation]:
        """One citation per missed point's section sentence and per misconception's correction."""
        out: list[Citation] = []
        for e in missed:
            found = self.citer.cite(e.key_point)
            if found is not None and found not in out:
                out.append(found)
        for asserted in evidence.misconceptions:
            m = asserted.misconception
            found = self.citer.cite_statement(m.section, m.correction)
            if found is not None and found not in out:
                out.append(found)
        return out


def _truncation_note(answer: AnswerText) -> str | None:
    if answer.truncated_from is None:
        return None
    return prompts.render("note_truncated", limit=f"{MAX_ASSESSED_CHARS:,}", chars=f"{answer.truncated_from:,}")
