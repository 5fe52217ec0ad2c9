"""The calibrated score's inputs: an answer's evidence (``evidence.Evidence``) as numbers on a
0..1-ish scale, each saturating where more of it stops meaning more knowledge. The examiner adds
the framework total, whether it answers a follow-up, the neighbouring-question lead and the
likeness; ``calibration.FEATURES`` lists them all.
"""

from __future__ import annotations

import math

from agent.examiner.offline.evidence import HABITS, NAMED_ONLY, Evidence

EXPLAINED_ENOUGH = 150  # explanatory words
# Content words (not function words) in the whole answer, prose and terse lines alike: the
# amount said. Saturates at 150 (chosen over 80–300, a log and a square-root scale by
# cross-validation within the tune half): past that, more words are not more knowledge.
CONTENT_ENOUGH = 150
NOTATION_FULL = 0.2  # a fifth of the tokens carrying notation is as specific as it gets
HABIT_FULL = 0.05  # one phrase of a habit (``evidence.HABITS``) in twenty words


def features(evidence: Evidence) -> dict[str, float]:
    """The calibrated score's inputs, each on a 0..1-ish scale."""
    contradicted = sum(e.key_point.weight for e in evidence.points if e.contradicted and e.credit == 0)
    named = sum(1 for e in evidence.points if e.named)
    listed = sum(1 for e in evidence.points if e.named and e.credit == NAMED_ONLY)
    total = sum(e.key_point.weight for e in evidence.points) or 1
    said = evidence.explained_words + evidence.filler_words
    return {
        "coverage": evidence.coverage,
        "named": evidence.named_coverage,
        "relevance": evidence.relevance,
        "concepts": math.log1p(len(evidence.concepts)) / math.log(16),
        "numbers": min(evidence.numbers, 4) / 4,
        # Saturates at 150 words: past that, more words are not more knowledge (chosen over a
        # log scale by cross-validation within the tune half).
        "explained": min(evidence.explained_words, EXPLAINED_ENOUGH) / EXPLAINED_ENOUGH,
        "misconceptions": float(min(len(evidence.misconceptions), 2)),
        "contradicted": contradicted / total,
        # Terse experts name many points in few words: key points named per 100 words, up to 5.
        "density": min(5.0, 100 * named / max(evidence.words, 20)) / 5,
        "filler": evidence.filler_words / max(1, said),
        # An answer that says "not" about most things ("X does not…, Y is not needed") denies
        # rather than explains.
        "negated": min(evidence.negated_words, said) / max(1, said),
        # Points named in terse lines or bullets ("Fix: WGAN-GP, spectral norm"): the terse
        # expert's way of answering, credited beside the explained ones.
        "listed": listed / max(1, len(evidence.points)),
        "content": min(evidence.content_words, CONTENT_ENOUGH) / CONTENT_ENOUGH,
        "notation": min(1.0, evidence.notation / max(1, evidence.tokens) / NOTATION_FULL),
        **{name: min(1.0, len(evidence.habits.get(name, ())) / max(1, evidence.words) / HABIT_FULL) for name in HABITS},
    }
