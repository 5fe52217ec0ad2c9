"""Fit the offline examiner's score (``agent/examiner/offline/calibration.json``) on the
tuning half of the rated set: ``python -m eval.calibrate``.

Ridge regression of the logit of the raters' consensus on the examiner's features, each
weight held to the sign its feature's meaning gives it (the shrinkage chosen by
cross-validation within the tune half), over the tuning
answers that no gaming flag caps (a capped answer's score is the cap, whatever the model
says) and that are in English, measured with the shared false beliefs that were written blind
(``blind_finder``). The test half is never read here.

One feature is itself fitted: the likeness direction (``calibration.Likeness``), a ridge
regression of the same logit on the answers' sentence vectors. The weights are fitted on its
out-of-fold values (each answer's likeness from a direction fitted on the other questions'
answers), so the score trusts it as much as it holds on answers it was not fitted on; the
cross-validated figures refit the direction inside each fold as well.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent.examiner.offline.calibration import FEATURES, LIKENESS_SUBSTANCE, LOWERING, Calibration, Likeness
from agent.examiner.offline.evidence import EvidenceFinder, mean_vector
from agent.examiner.offline.examiner import OfflineExaminer
from agent.services import Services
from agent.settings import Settings
from eval.rated import load_items, request_for

RIDGES = (0.1, 0.3, 1.0, 3.0)  # candidate shrinkage, chosen by cross-validation within the tune half
SHRINKS = (1.0, 3.0, 10.0)  # the same for the likeness direction
FOLDS = 5  # grouped by question, so a fold never sees the question it is scored on
FLOOR = 0.05  # consensus 0 and 10 are fitted as 0.5 and 9.5: the logit of 0 is infinite
GOOD = 7.0  # the likeness reference is the median over tune answers rated at least this


STEPS = 20_000


def feature_signs() -> np.ndarray:
    """Each examiner feature's fixed sign: +1 raises the score, -1 lowers it."""
    return np.array([-1.0 if name in LOWERING else 1.0 for name in FEATURES])


def _solve(x: np.ndarray, y: np.ndarray, ridge: float, feature_signs: np.ndarray) -> np.ndarray:
    """Ridge least squares with sign-constrained weights, by projected gradient descent
    (the intercept, column 0, is neither shrunk nor constrained)."""
    w = np.zeros(x.shape[1])
    step = 1.0 / (np.linalg.norm(x, 2) ** 2 / len(y) + ridge / len(y))
    signs = np.concatenate([[0.0], feature_signs])
    for _ in range(STEPS):
        gradient = x.T @ (x @ w - y) / len(y)
        gradient[1:] += ridge * w[1:] / len(y)
        w -= step * gradient
        w[signs > 0] = np.maximum(w[signs > 0], 0.0)
        w[signs < 0] = np.minimum(w[signs < 0], 0.0)
    return w


def _logit(consensus: np.ndarray) -> np.ndarray:
    share = np.clip(consensus / 10.0, FLOOR, 1.0 - FLOOR)
    return np.asarray(np.log(share / (1.0 - share)))


def _folds(groups: list[str]) -> np.ndarray:
    names = sorted(set(groups))
    fold_of = {g: i % FOLDS for i, g in enumerate(names)}
    return np.array([fold_of[g] for g in groups])


# An answer's wording as the fit reads it: its sentences' vectors and its content words.
Wording = tuple[np.ndarray, int]
LIKENESS_COLUMN = 1 + FEATURES.index("likeness")  # after the intercept


def fit_direction(wordings: list[Wording], consensus: np.ndarray, shrink: float) -> Likeness:
    """Ridge regression of the centred logit of each answer's consensus on its sentences'
    vectors: every sentence carries its answer's rating, and an answer weighs the same however
    many sentences it has. An answer's projection is then the mean of its sentences'."""
    sized = [(vectors, rating) for (vectors, _), rating in zip(wordings, consensus, strict=True) if len(vectors)]
    x = np.vstack([vectors for vectors, _ in sized])
    logits = _logit(np.array([rating for _, rating in sized]))
    target = np.concatenate([np.full(len(vectors), logit) for (vectors, _), logit in zip(sized, logits, strict=True)])
    weight = np.concatenate([np.full(len(vectors), 1.0 / len(vectors)) for vectors, _ in sized])
    weight = weight / weight.mean()
    center = weight @ x / weight.sum()
    x = x - center
    target = target - weight @ target / weight.sum()
    direction = np.linalg.solve(
        (x * weight[:, None]).T @ x + shrink * np.eye(x.shape[1]), (x * weight[:, None]).T @ target
    )
    return Likeness(center.astype(np.float32), direction.astype(np.float32), 0.0)


def likeness_values(likeness: Likeness, wordings: list[Wording]) -> np.ndarray:
    """``Likeness.value`` of each answer's wording."""
    return np.array([likeness.value(mean_vector(vectors), words) for vectors, words in wordings])


def _pick(wordings: list[Wording], rows: np.ndarray) -> list[Wording]:
    return [wording for wording, chosen in zip(wordings, rows, strict=True) if chosen]


def out_of_fold(
    wordings: list[Wording], consensus: np.ndarray, folds: np.ndarray, rows: np.ndarray, shrink: float
) -> np.ndarray:
    """Each of ``rows``' likeness from a direction fitted on the other folds among ``rows``."""
    values = np.zeros(len(consensus))
    for k in sorted(set(folds[rows])):
        mine, others = rows & (folds == k), rows & (folds != k)
        likeness = fit_direction(_pick(wordings, others), consensus[others], shrink)
        values[mine] = likeness_values(likeness, _pick(wordings, mine))
    return values


def _with_likeness(x: np.ndarray, column: np.ndarray) -> np.ndarray:
    return np.insert(x, LIKENESS_COLUMN, column, axis=1)


def choose_ridge(
    x: np.ndarray,
    consensus: np.ndarray,
    groups: list[str],
    signs: np.ndarray,
    columns: list[np.ndarray] | None = None,
) -> tuple[float, float, float]:
    """The shrinkage with the lowest cross-validated error on the 0–10 scale, with that error
    and the cross-validated Pearson correlation (both within the tune half). ``columns`` gives,
    per fold, a likeness column to insert into ``x`` (``choose_with_likeness``)."""
    folds = _folds(groups)
    best: tuple[float, float, float] | None = None
    for ridge in RIDGES:
        predicted = np.zeros(len(consensus))
        for k in range(FOLDS):
            train, held = folds != k, folds == k
            xk = x if columns is None else _with_likeness(x, columns[k])
            w = _solve(xk[train], _logit(consensus[train]), ridge, signs)
            predicted[held] = 10.0 / (1.0 + np.exp(-(xk[held] @ w)))
        mae = float(np.mean(np.abs(predicted - consensus)))
        if best is None or mae < best[1]:
            best = (ridge, mae, float(np.corrcoef(predicted, consensus)[0, 1]))
    assert best is not None
    return best


def choose_with_likeness(
    x: np.ndarray, wordings: list[Wording], consensus: np.ndarray, groups: list[str], signs: np.ndarray
) -> tuple[float, float, float, float]:
    """The shrinkage of the weights and of the likeness direction with the lowest cross-validated
    error on the 0–10 scale, with that error and the cross-validated Pearson correlation (both
    within the tune half). In each fold the direction is fitted on the training groups alone,
    and the training answers' likeness is their own out-of-fold value, as in the final fit. The
    error is the lowest of the grid's, so it reads a little better than a fresh fold would."""
    folds = _folds(groups)
    best: tuple[float, float, float, float] | None = None
    for shrink in SHRINKS:
        columns = []
        for k in range(FOLDS):
            train, held = folds != k, folds == k
            column = out_of_fold(wordings, consensus, folds, train, shrink)
            likeness = fit_direction(_pick(wordings, train), consensus[train], shrink)
            column[held] = likeness_values(likeness, _pick(wordings, held))
            columns.append(column)
        ridge, mae, pearson = choose_ridge(x, consensus, groups, signs, columns)
        if best is None or mae < best[2]:
            best = (ridge, shrink, mae, pearson)
    assert best is not None
    return best


@dataclass(frozen=True)
class TuneRows:
    """The tune half as the fit reads it: features without likeness, wordings, ratings, and each
    answer's question, round (its id's letter: each round has its own writers) and topic."""

    x: np.ndarray
    wordings: list[Wording]
    consensus: np.ndarray
    questions: list[str]
    rounds: list[str]
    topics: list[str]


def tune_rows(examiner: OfflineExaminer, services: Services) -> TuneRows:
    rows, wordings, targets, questions, rounds, topics = [], [], [], [], [], []
    for item in load_items():
        if item.split != "tune" or item.intent == "non_english":
            continue
        measured = examiner.measure(request_for(item, services.question_bank))
        if any(f != "truncated" for f in measured.verdict.flags):
            continue
        rows.append([1.0, *(measured.features[name] for name in FEATURES if name != "likeness")])
        vectors = measured.evidence.vectors
        wordings.append((vectors if vectors is not None else np.zeros((0, 0)), measured.evidence.content_words))
        targets.append(item.consensus)
        questions.append(item.question_id)
        rounds.append(item.id[0])
        topics.append(str(services.question_bank.get(item.question_id).topic))
    return TuneRows(np.array(rows), wordings, np.array(targets), questions, rounds, topics)


def fit(rows: TuneRows) -> Calibration:
    signs = feature_signs()
    ridge, shrink, mae, pearson = choose_with_likeness(rows.x, rows.wordings, rows.consensus, rows.questions, signs)
    every = np.ones(len(rows.consensus), dtype=bool)
    column = out_of_fold(rows.wordings, rows.consensus, _folds(rows.questions), every, shrink)
    w = _solve(_with_likeness(rows.x, column), _logit(rows.consensus), ridge, signs)  # score = 10 · sigmoid(x · w)
    direction = fit_direction(rows.wordings, rows.consensus, shrink)
    # The reference is a reading (what is said counted in full), out of fold like the column.
    in_full = [(vectors, LIKENESS_SUBSTANCE) for vectors, _ in rows.wordings]
    reads = out_of_fold(in_full, rows.consensus, _folds(rows.questions), every, shrink)
    likeness = Likeness(direction.center, direction.direction, float(np.median(reads[rows.consensus >= GOOD])))
    return Calibration(
        float(w[0]),
        {name: float(v) for name, v in zip(FEATURES, w[1:], strict=True)},
        f"eval/data/rated tune half: {len(rows.consensus)} uncapped English answers; ridge {ridge:g} and likeness "
        f"shrinkage {shrink:g} chosen by {FOLDS}-fold cross-validation grouped by question (cross-validated "
        f"MAE {mae:.2f}, Pearson {pearson:.3f})",
        likeness,
    )


def compare(rows: TuneRows) -> list[str]:
    """Cross-validated figures with and without likeness, with folds grouped by question, by
    round (writers the fit never saw) and by topic: ``python -m eval.calibrate --compare``."""
    signs = feature_signs()
    plain = np.delete(signs, LIKENESS_COLUMN - 1)
    lines = []
    for label, groups in (("question", rows.questions), ("round", rows.rounds), ("topic", rows.topics)):
        _, base_mae, base_r = choose_ridge(rows.x, rows.consensus, groups, plain)
        _, _, mae, r = choose_with_likeness(rows.x, rows.wordings, rows.consensus, groups, signs)
        lines.append(
            f"folds by {label:8}: without likeness MAE {base_mae:.2f}, Pearson {base_r:.3f}; "
            f"with it MAE {mae:.2f}, Pearson {r:.3f}"
        )
    return lines


def blind_finder(services: Services) -> EvidenceFinder:
    """The evidence finder with only the shared false beliefs written blind. The beliefs written
    from the tune half's wrong answers catch those very answers (in-sample), so a fit that saw
    them would trust a misconception hit more than it deserves on answers it has not seen."""
    finder = copy.copy(services.evidence_finder)
    finder.misbeliefs = finder.misbeliefs.blind()
    return finder


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m eval.calibrate", description=__doc__.split("\n\n")[0], allow_abbrev=False
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="print cross-validated figures with and without likeness (folds by question, round and "
        "topic) and leave the shipped calibration as it is",
    )
    comparing = parser.parse_args().compare
    home = Path(tempfile.mkdtemp(prefix="mi-calibrate-"))
    services = Services(Settings.from_values(env_file=False, home=home))
    try:
        # Built by hand: measuring needs no calibration, and there may be none yet.
        unfitted = Calibration(0.0, dict.fromkeys(FEATURES, 0.0), "unfitted")
        examiner = OfflineExaminer(blind_finder(services), services.gaming, services.citer, unfitted)
        rows = tune_rows(examiner, services)
        if comparing:  # figures only; the shipped calibration is left as it is
            print("\n".join(compare(rows)))
            return
        calibration = fit(rows)
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
