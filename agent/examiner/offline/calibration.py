"""The mapping from evidence to a 0–10 score: a linear model fitted on rated answers.

``calibration.json`` holds an intercept and one weight per feature of
``agent.examiner.offline.evidence.features`` (plus the framework total, whether the reply
answers a follow-up, and the answer's likeness to well-rated answers), on a logistic link, and
the likeness direction itself. It is fitted by ``python -m eval.calibrate`` on the tuning half
of ``eval/data/rated`` only, by ridge regression of the logit of the raters' consensus, and read
here; the score is then capped by any gaming flag.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import numpy as np

from knowledge.errors import StartupError

if TYPE_CHECKING:
    from agent.examiner.offline.evidence import Evidence

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
    "likeness",
)
# Each weight's sign is fixed by what its feature means: evidence of knowledge can only raise
# the score; a misconception, a contradicted point, filler or denial can only lower it.
LOWERING = frozenset({"misconceptions", "contradicted", "filler", "negated", "hedged", "overclaimed", "generic"})


# The likeness feature is 0.5 where the wording predicts the tune half's mean rating, and 0 or 1
# this many logit units below or above it: far enough that no answer is clipped (the tune
# answers span 0.30–0.72 from the 1st to the 99th percentile).
LIKENESS_SPAN = 4.0


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
    reference: float  # the feature's median over the tune answers rated 7 or more

    def value(self, wording: np.ndarray | None) -> float:
        """0–1 for a wording vector (``Evidence.wording``); an answer with no sentence at all
        reads like nothing (0)."""
        if wording is None or wording.shape != self.direction.shape:
            return 0.0
        projected = float((wording - self.center) @ self.direction)
        return min(1.0, max(0.0, 0.5 + projected / (2 * LIKENESS_SPAN)))

    def weakest(self, evidence: Evidence) -> str | None:
        """The sentence that reads least like a well-rated answer's (the lowest projection)."""
        if evidence.vectors is None or not len(evidence.vectors) or not evidence.encoded:
            return None
        return evidence.encoded[int(np.argmin(evidence.vectors @ self.direction))]

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
        if center.ndim != 1 or center.shape != direction.shape or not center.size:
            raise ValueError("the likeness center and direction must be vectors of one length")
        if not (np.isfinite(center).all() and np.isfinite(direction).all()):
            raise ValueError("the likeness direction is not finite")
        return cls(center, direction, float(data["reference"]))


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
            likeness = Likeness.from_json(data["likeness"]) if "likeness" in features else None
            return cls(float(data["intercept"]), weights, str(data.get("fitted_on", "")), likeness)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StartupError(f"{what} {path} is unusable: {exc}") from None

    def likeness_of(self, wording: np.ndarray | None) -> float:
        return self.likeness.value(wording) if self.likeness is not None else 0.0

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
        if self.likeness is not None:
            data["likeness"] = self.likeness.to_json()
        text = json.dumps(data, indent=2)
        # A vector on one line, not one number a line.
        text = re.sub(r"\[([^\[\]{}]*)\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
        path.write_text(text + "\n", encoding="utf-8")
