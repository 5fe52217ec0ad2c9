"""Trust, but verify: a checked model reply and the offline evidence made into one Assessment.

- citations must name a passage that was in the prompt and quote it; others are dropped,
  and a missed point without a valid citation gets the offline citation of its section;
- a key point counts as covered only if the model's evidence is the candidate's own
  words, and for an answer the offline examiner flags as gaming, its evidence stands;
- the model's score stands, except where a gaming detector fires (grader instructions,
  keyword lists, copied question, off-topic, no attempt, empty, not English): their caps
  apply, so text in the answer cannot talk the grader into a high score. Only detectors
  with no false flag on the rated evaluation set's genuine answers are used this way; the
  offline score itself never caps the model (its mistakes would drag a good model down).
"""

from __future__ import annotations

import re

from agent.examiner.citer import Citer
from agent.examiner.gaming import cap_for
from agent.examiner.llm.schema import InterviewerTurn
from agent.examiner.models import DIMENSIONS, Assessment, Citation
from agent.examiner.seam import MAX_FOLLOW_UPS, ExamRequest, ExamResult
from knowledge.lexical import tokenize

EVIDENCE_OVERLAP = 0.6
Passage = tuple[str, str, str]  # (id, section, text)


def _quoted_from(evidence: str, answer_stems: set[str]) -> bool:
    """A covered point must come with the candidate's own words: most of the evidence's
    content words have to be in the answer (a model may trim or re-case a quote)."""
    words = tokenize(evidence)
    return len(words) >= 2 and sum(w in answer_stems for w in words) / len(words) >= EVIDENCE_OVERLAP


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("“", '"').replace("”", '"').replace("’", "'")).strip().lower()


def verified_citations(turn: InterviewerTurn, passages: list[Passage]) -> list[Citation]:
    by_id = {pid: (section, text) for pid, section, text in passages}
    out: list[Citation] = []
    for citation in turn.citations:
        found = by_id.get(citation.passage.strip().strip("[]"))
        quote = citation.quote.strip().strip('"“”')
        if found is None or len(quote) < 8 or _normalise(quote) not in _normalise(found[1]):
            continue  # not words from the passage it names
        if all(c.quote != quote for c in out):
            out.append(Citation(section=found[0], quote=quote))
    return out


def reconcile(
    request: ExamRequest,
    turn: InterviewerTurn,
    fallback: ExamResult,
    passages: list[Passage],
    notes: list[str],
    citer: Citer,
) -> Assessment:
    """The assessment of a reply that passed ``checks`` (ranges and ids are already valid)."""
    question = request.question
    offline, flag_lines = fallback.assessment, list(fallback.flag_lines)
    cap = cap_for(offline.flags)
    dimensions = {d: int(turn.dimensions[d]) for d in DIMENSIONS}
    if cap is not None:
        # A gaming answer: the model's claims are not trusted; the offline evidence stands.
        said_covered = set(offline.covered_ids)
        dimensions = {d: min(v, offline.dimensions.get(d, 0)) for d, v in dimensions.items()}
    else:
        said = set(tokenize(request.answer))
        said_covered = {rid for rid, j in turn.key_points.items() if j.covered and _quoted_from(j.evidence, said)}
    covered = [kp for kp in question.key_points if kp.id in said_covered]
    missed = [kp for kp in question.key_points if kp.id not in said_covered]
    score = float(turn.score) if cap is None else min(float(turn.score), cap)
    score = round(score * 2) / 2
    citations = verified_citations(turn, passages)
    cited_sections = {c.section for c in citations}
    for kp in missed:  # a missed point the model did not cite gets its section's own sentence
        fallback_citation = citer.cite(kp) if kp.section not in cited_sections else None
        if fallback_citation is not None:
            citations.append(fallback_citation)
            cited_sections.add(kp.section)
    critique = " ".join([*flag_lines, turn.critique.strip()])  # why a cap applied comes first
    follow_up = None
    if turn.next_action == "follow_up" and request.follow_ups_asked < MAX_FOLLOW_UPS and turn.message.strip():
        follow_up = turn.message.strip()
    return Assessment(
        question_id=question.id,
        topic=question.topic,
        score=score,
        dimensions=dimensions,
        covered=[kp.point for kp in covered],
        missed=[kp.point for kp in missed],
        covered_ids=[kp.id for kp in covered],
        missed_ids=[kp.id for kp in missed],
        critique=critique,
        citations=citations,
        follow_up=follow_up,
        flags=offline.flags,
        notes=[*offline.notes, *notes],
    )
