"""Fit the project-story judge (``agent/examiner/offline/story_calibration.json``) on the tune
half of ``eval/data/stories``: ``python -m eval.fit_story``.

The same method as the examiner's calibration (``eval.calibrate``): ridge regression of the
logit of the raters' consensus on the judge's features, each weight held to its feature's sign
(the story's parts raise the score, hype can only lower it), the shrinkage chosen by cross-validation grouped by
project. Stories a gaming flag caps, and non-English ones, are left out; the test half is
never read here.
"""

from __future__ import annotations

import numpy as np

from agent.examiner.offline.story import FEATURES, LOWERING, StoryCalibration, read_story
from eval.calibrate import FOLDS, _logit, _solve, choose_ridge
from eval.stories import load_stories


def fit() -> StoryCalibration:
    rows, targets, groups = [], [], []
    for item in load_stories():
        if item.split != "tune" or item.non_english:
            continue
        reading = read_story(item.answer, item.project)
        if reading.flags:
            continue
        rows.append([1.0, *(reading.features[name] for name in FEATURES)])
        targets.append(item.consensus)
        groups.append(item.project)
    x, consensus = np.array(rows), np.array(targets)
    signs = np.array([-1.0 if name in LOWERING else 1.0 for name in FEATURES])
    ridge, _, _ = choose_ridge(x, consensus, groups, signs)
    w = _solve(x, _logit(consensus), ridge, signs)
    return StoryCalibration(
        float(w[0]),
        {name: float(v) for name, v in zip(FEATURES, w[1:], strict=True)},
        f"eval/data/stories tune half: {len(targets)} uncapped stories; ridge {ridge:g} "
        f"chosen by {FOLDS}-fold cross-validation grouped by project",
    )


def main() -> None:
    calibration = fit()
    calibration.save()
    print(f"intercept {calibration.intercept:.2f}")
    for name, weight in calibration.weights.items():
        print(f"{name:>13} {weight:+.2f}")
    print(calibration.fitted_on)


if __name__ == "__main__":
    main()
