"""The mapping from evidence to a 0–10 score: a linear model fitted on rated answers.

``calibration.json`` holds an intercept and one weight per feature of
``agent.examiner.offline.features.features`` (plus the framework total, whether the reply
answers a follow-up, how much more of a neighbouring question's rubric a main answer makes than
of its own, and the answer's likeness to well-rated answers), on a logistic link, and
the likeness direction itself. It is fitted by ``python -m eval.calibrate`` on the tuning half
of ``eval/data/rated`` only, by ridge regression of the logit of the raters' consensus, and read
here; the score is then capped by any gaming flag.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import numpy as np

from knowledge.errors import StartupError
from knowledge.sentence_encoder import HIDDEN

CALIBRATION_PATH = Path(__file__).with_name("calibration.json")
FEATURES = (
    "coverage",
    "named",
    "relevance",
    "concepts",
    "numbers",
    "explained",
    "misconceptions",
    "contradicted",
    "density",
    "filler",
    "negated",
    "listed",
    "content",
    "notation",
    "hedged",
    "overclaimed",
    "generic",
    "framework",
    "follow_up",
    "elsewhere",
    "likeness",
)
# Each weight's sign is fixed by what its feature means: evidence of knowledge can only raise
# the score; a misconception, a contradicted point, filler, denial, a habit or answering a
# neighbouring question can only lower it.
LOWERING = frozenset(
    {"misconceptions", "contradicted", "filler", "negated", "hedged", "overclaimed", "generic", "elsewhere"}
)


# The likeness feature is 0.5 where the wording predicts the tune half's mean rating, and 0 or 1
# this many logit units below or above it: far enough that no answer is clipped (the tune
# answers span 0.30–0.72 from the 1st to the 99th percentile).
LIKENESS_SPAN = 4.0
# Wording counts in proportion to what is said in it, in full from this many content words: "42",
# "1." or a two-item bullet list would otherwise read like an expert's terse notes. Chosen by
# cross-validation within the tune half (scaling towards 0 over scaling towards the neutral 0.5,
# and 15 over 5, 10 and 30).
LIKENESS_SUBSTANCE = 15


@dataclass(frozen=True)
class Likeness:
    """How much an answer reads like the rated answers that scored well, from its wording alone.

    Each sentence's encoder vector is projected on ``direction``, fitted by ridge regression of
    the logit of the tune half's ratings on the tune answers' sentence vectors (every sentence
    carrying its answer's rating); the answer's projection is the mean of its sentences' (the
    projection of ``Evidence.wording``). It is the rating that wording alone predicts, relative
    to the tune half's mean, and one feature among the others, weighted by the same fit, so the
    rubric evidence and the habits still count beside it.
    """

    center: np.ndarray  # the tune sentences' mean vector (each answer weighing the same)
    direction: np.ndarray
    reference: float  # the reading's median over the tune answers rated 7 or more (out of fold)

    def read(self, wording: np.ndarray | None) -> float:
        """0–1: how the wording reads, however little is said in it (0 for none)."""
        if wording is None:
            return 0.0
        projected = float((wording - self.center) @ self.direction)
        return min(1.0, max(0.0, 0.5 + projected / (2 * LIKENESS_SPAN)))

    def value(self, wording: np.ndarray | None, content_words: int, read: float | None = None) -> float:
        """The feature: the reading of a wording vector (``Evidence.wording``, or ``read`` given
        directly) counted in proportion to the ``content_words`` it was said in; an answer with
        nothing in it reads like nothing (0)."""
        reading = self.read(wording) if read is None else read
        return reading * min(1.0, content_words / LIKENESS_SUBSTANCE)

    def projections(self, vectors: np.ndarray) -> np.ndarray:
        """Each sentence's reading on the direction (lower reads more like a weak answer)."""
        return np.asarray((vectors - self.center) @ self.direction)

    def to_json(self) -> dict[str, Any]:
        return {
            "reference": round(self.reference, 4),
            "center": [round(float(v), 6) for v in self.center],
            "direction": [round(float(v), 6) for v in self.direction],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        center = np.asarray(data["center"], dtype=np.float32)
        direction = np.asarray(data["direction"], dtype=np.float32)
        reference = float(data["reference"])
        if center.shape != (HIDDEN,) or direction.shape != (HIDDEN,):
            raise ValueError(
                f"the likeness center and direction must be {HIDDEN} numbers each (the sentence encoder's)"
            )
        if not (np.isfinite(center).all() and np.isfinite(direction).all()):
            raise ValueError("the likeness center or direction is not finite")
        if not 0.0 <= reference <= 1.0:
            raise ValueError("the likeness reference must lie in 0..1")
        return cls(center, direction, reference)


@dataclass(frozen=True)
class Calibration:
    intercept: float
    weights: dict[str, float]
    fitted_on: str  # what it was fitted on, for the record
    likeness: Likeness | None = None  # required by the examiner's FEATURES; the story judge has none

    @classmethod
    def load(cls, path: Path = CALIBRATION_PATH) -> Self:
        return cls.read(path, FEATURES, "the examiner's calibration")

    @classmethod
    def read(cls, path: Path, features: tuple[str, ...], what: str) -> Self:
        """A fitted model with one weight per name of ``features`` (``what`` names it in errors)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            weights = {name: float(data["weights"][name]) for name in features}
            intercept = float(data["intercept"])
            if not all(math.isfinite(w) for w in (intercept, *weights.values())):
                raise ValueError("a weight or the intercept is not a finite number")
            likeness = Likeness.from_json(data["likeness"]) if "likeness" in features else None
            return cls(intercept, weights, str(data.get("fitted_on", "")), likeness)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StartupError(f"{what} {path} is unusable: {exc}") from None

    def likeness_of(self, wording: np.ndarray | None, content_words: int) -> float:
        return self.likeness.value(wording, content_words) if self.likeness is not None else 0.0

    def score(self, features: dict[str, float]) -> float:
        """10 · sigmoid(intercept + Σ weight · feature): a logistic link keeps the score in
        0–10 and lets clear evidence, good or bad, reach the ends of the scale."""
        z = self.intercept + sum(w * features.get(name, 0.0) for name, w in self.weights.items())
        return 10.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def gain(self, features: dict[str, float], changes: dict[str, float]) -> float:
        """How many points the score would move if the features in ``changes`` had those values."""
        return self.score(features | changes) - self.score(features)

    def save(self, path: Path = CALIBRATION_PATH) -> None:
        data: dict[str, Any] = {
            "intercept": round(self.intercept, 4),
            "weights": {k: round(v, 4) for k, v in self.weights.items()},
            "fitted_on": self.fitted_on,
        }
        text = json.dumps(data, indent=2)
        if self.likeness is not None:  # its vectors one to a line, not one number a line
            fields = ",\n".join(f"    {json.dumps(k)}: {json.dumps(v)}" for k, v in self.likeness.to_json().items())
            text = text[: text.rindex("}")].rstrip() + ',\n  "likeness": {\n' + fields + "\n  }\n}"
        path.write_text(text + "\n", encoding="utf-8")
