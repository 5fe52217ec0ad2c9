"""Fit the offline examiner's score (``agent/examiner/offline/calibration.json``) on the
tuning half of the rated set: ``python -m eval.calibrate``.

Ridge regression of the logit of the raters' consensus on the examiner's features, over the tuning
answers that no gaming flag caps (a capped answer's score is the cap, whatever the model
says) and that are in English. The test half is never read here.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

from agent.examiner.offline.calibration import FEATURES, Calibration
from agent.examiner.offline.evidence import EvidenceFinder
from agent.examiner.offline.examiner import OfflineExaminer
from agent.services import Services
from agent.settings import Settings
from eval.rated import load_items, request_for
from knowledge.concepts import ConceptLexicon

RIDGE = 1.0  # shrinks the weights toward 0: ~100 answers do not support sharp ones
FLOOR = 0.05  # consensus 0 and 10 are fitted as 0.5 and 9.5: the logit of 0 is infinite


def fit(examiner: OfflineExaminer, services: Services) -> Calibration:
    rows, targets = [], []
    for item in load_items():
        if item.split != "tune" or item.intent == "non_english":
            continue
        measured = examiner.measure(request_for(item, services.question_bank))
        if any(f != "truncated" for f in measured.verdict.flags):
            continue
        rows.append([1.0, *(measured.features[name] for name in FEATURES)])
        targets.append(item.consensus)
    x = np.array(rows)
    share = np.clip(np.array(targets) / 10.0, FLOOR, 1.0 - FLOOR)
    y = np.log(share / (1.0 - share))  # the logit of the consensus: the score is 10 · sigmoid(x · w)
    penalty = RIDGE * np.eye(x.shape[1])
    penalty[0, 0] = 0.0  # the intercept is not shrunk
    w = np.linalg.solve(x.T @ x + penalty, x.T @ y)
    return Calibration(
        float(w[0]),
        {name: float(v) for name, v in zip(FEATURES, w[1:], strict=True)},
        f"eval/data/rated tune half: {len(targets)} uncapped English answers, ridge {RIDGE}",
    )


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="mi-calibrate-"))
    services = Services(Settings.from_values(env_file=False, home=home))
    try:
        # Built by hand: measuring needs no calibration, and there may be none yet.
        finder = EvidenceFinder(services.sentence_encoder.encode, ConceptLexicon.load())
        unfitted = Calibration(0.0, dict.fromkeys(FEATURES, 0.0), "unfitted")
        examiner = OfflineExaminer(finder, services.gaming, services.citer, unfitted)
        calibration = fit(examiner, services)
        calibration.save()
        print(f"intercept {calibration.intercept:.2f}")
        for name, weight in calibration.weights.items():
            print(f"{name:>15} {weight:+.2f}")
        print(calibration.fitted_on)
    finally:
        services.close()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
