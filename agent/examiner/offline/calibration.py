"""The mapping from evidence to a 0–10 score: a linear model fitted on rated answers.

``calibration.json`` holds an intercept and one weight per feature of
``agent.examiner.offline.evidence.features`` (plus the framework total and whether the
reply answers a follow-up), on a logistic link. It is fitted by ``python -m eval.calibrate``
on the tuning half of ``eval/data/rated`` only, by ridge regression of the logit of the
raters' consensus, and read here; the score is then capped by any gaming flag.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from knowledge.errors import StartupError

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
)
# Each weight's sign is fixed by what its feature means: evidence of knowledge can only raise
# the score; a misconception, a contradicted point, filler or denial can only lower it.
LOWERING = frozenset({"misconceptions", "contradicted", "filler", "negated", "hedged", "overclaimed", "generic"})


@dataclass(frozen=True)
class Calibration:
    intercept: float
    weights: dict[str, float]
    fitted_on: str  # what it was fitted on, for the record

    @classmethod
    def load(cls, path: Path = CALIBRATION_PATH) -> Self:
        return cls.read(path, FEATURES, "the examiner's calibration")

    @classmethod
    def read(cls, path: Path, features: tuple[str, ...], what: str) -> Self:
        """A fitted model with one weight per name of ``features`` (``what`` names it in errors)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            weights = {name: float(data["weights"][name]) for name in features}
            return cls(float(data["intercept"]), weights, str(data.get("fitted_on", "")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StartupError(f"{what} {path} is unusable: {exc}") from None

    def score(self, features: dict[str, float]) -> float:
        """10 · sigmoid(intercept + Σ weight · feature): a logistic link keeps the score in
        0–10 and lets clear evidence, good or bad, reach the ends of the scale."""
        z = self.intercept + sum(w * features.get(name, 0.0) for name, w in self.weights.items())
        return 10.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def gain(self, features: dict[str, float], changes: dict[str, float]) -> float:
        """How many points the score would move if the features in ``changes`` had those values."""
        return self.score(features | changes) - self.score(features)

    def save(self, path: Path = CALIBRATION_PATH) -> None:
        data = {
            "intercept": round(self.intercept, 4),
            "weights": {k: round(v, 4) for k, v in self.weights.items()},
            "fitted_on": self.fitted_on,
        }
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
