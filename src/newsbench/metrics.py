"""Binary classification metrics as pure functions, with seeded bootstrap confidence intervals.

Labels: 0 = real, 1 = fake (the positive class). ``prob`` is P(fake). Every metric is computed
from per-row weights: a row of ones gives the point estimate, a row of bootstrap counts gives
one resample, so estimates and intervals share one code path (vectorised over resamples).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from newsbench.results import Metrics

# The metric names are the fields of the result type, so the two cannot drift apart.
METRICS = tuple(f.name for f in dataclasses.fields(Metrics))
ECE_BINS = 10
BIASED = ("ece",)  # metrics whose bootstrap intervals are bias-corrected (see bootstrap)


@dataclass(frozen=True)
class McNemar:
    """Exact McNemar test of two detectors on the same rows.

    ``only_a``: rows A got right and B got wrong; ``only_b``: the reverse. The p-value is the
    two-sided binomial test of only_a vs only_b at 0.5 (exact, no continuity correction needed).
    """

    only_a: int
    only_b: int
    p_value: float


def compute(y: np.ndarray, prob: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Point estimates of every metric in METRICS.

    Args:
        y: true labels, shape (n,), 0 real / 1 fake.
        prob: P(fake), shape (n,).
        threshold: predict fake when ``prob >= threshold``.

    Returns:
        metric name -> value (nan where undefined, e.g. ROC AUC with one class).
    """
    table = _table(np.asarray(y), np.asarray(prob, float), threshold, np.ones((1, len(y))))
    return {name: float(values[0]) for name, values in table.items()}


def bootstrap(
    y: np.ndarray, prob: np.ndarray, threshold: float = 0.5, n_resamples: int = 1000,
    seed: int = 0, level: float = 0.95, max_cells: int = 2_000_000,
) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap confidence intervals for every metric in METRICS.

    Rows are resampled with replacement ``n_resamples`` times (seeded). A resample where a
    metric is undefined (e.g. no fake rows for ROC AUC) is left out of that metric's interval.
    Metrics in BIASED get the percentile interval shifted by the bootstrap bias estimate.

    Resamples are processed in chunks of at most ``max_cells`` (resamples x rows) weights, so
    memory stays bounded (about ten float64 arrays of that size, ~160 MB) however many rows
    there are. The chunking does not change the resamples: the draws come from one seeded stream
    in the same order (BLAS may round a product of fewer rows differently in the last bits).

    Returns:
        metric name -> (low, high); (nan, nan) when no resample defines the metric.
    """
    y, prob = np.asarray(y), np.asarray(prob, float)
    n = len(y)
    chunk = max(1, min(250, max_cells // max(n, 1)))
    rng = np.random.default_rng(seed)
    collected: dict[str, list[np.ndarray]] = {name: [] for name in METRICS}
    for start in range(0, n_resamples, chunk):
        b = min(chunk, n_resamples - start)
        draws = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
        weights = np.bincount(draws.ravel(), minlength=b * n).reshape(b, n).astype(float)
        for name, values in _table(y, prob, threshold, weights).items():
            collected[name].append(values)
    alpha = (1 - level) / 2
    point = compute(y, prob, threshold) if BIASED else {}
    out = {}
    for name, parts in collected.items():
        values = np.concatenate(parts)
        values = values[~np.isnan(values)]
        if not len(values):
            out[name] = (float("nan"), float("nan"))
            continue
        lo, hi = np.quantile(values, alpha), np.quantile(values, 1 - alpha)
        if name in BIASED:
            # Resampling duplicates rows, which adds noise that ECE reads as miscalibration: its
            # bootstrap distribution sits above the estimate. Shift it back by the bias.
            bias = values.mean() - point[name]
            lo, hi = max(lo - bias, 0.0), hi - bias
        out[name] = (float(lo), float(hi))
    return out


def mcnemar(y: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray) -> McNemar:
    """Exact McNemar test between two detectors' predictions on the same rows."""
    from scipy.stats import binomtest

    y = np.asarray(y)
    right_a, right_b = np.asarray(pred_a) == y, np.asarray(pred_b) == y
    only_a, only_b = int((right_a & ~right_b).sum()), int((~right_a & right_b).sum())
    p = 1.0 if only_a + only_b == 0 else binomtest(only_a, only_a + only_b, 0.5).pvalue
    return McNemar(only_a, only_b, float(p))


def roc_points(y: np.ndarray, prob: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ROC curve: (fpr, tpr, thresholds) at every distinct score, starting at (0, 0)."""
    tps, fps, thresholds = _cumulative(np.asarray(y), np.asarray(prob, float), np.ones((1, len(y))))
    tpr = np.concatenate([[0.0], tps[0] / max(tps[0, -1], 1)])
    fpr = np.concatenate([[0.0], fps[0] / max(fps[0, -1], 1)])
    return fpr, tpr, np.concatenate([[np.inf], thresholds])


def pr_points(y: np.ndarray, prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Precision-recall curve: (recall, precision) at every distinct score, fake as positive."""
    tps, fps, _ = _cumulative(np.asarray(y), np.asarray(prob, float), np.ones((1, len(y))))
    recall = tps[0] / max(tps[0, -1], 1)
    precision = tps[0] / np.maximum(tps[0] + fps[0], 1e-12)
    return np.concatenate([[0.0], recall]), np.concatenate([[1.0], precision])


def reliability(y: np.ndarray, prob: np.ndarray, bins: int = ECE_BINS) -> list[tuple[float, float, float, int]]:
    """Reliability diagram bins: (bin low edge, mean P(fake), fraction fake, count), non-empty only."""
    y, prob = np.asarray(y, float), np.asarray(prob, float)
    index = np.minimum((prob * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            out.append((b / bins, float(prob[mask].mean()), float(y[mask].mean()), int(mask.sum())))
    return out


def _table(y: np.ndarray, prob: np.ndarray, threshold: float, w: np.ndarray) -> dict[str, np.ndarray]:
    """Every metric for each row of weights ``w`` (shape (b, n)); returns name -> shape (b,)."""
    yb = y.astype(bool)
    pred = prob >= threshold
    indicators = np.stack([~yb & ~pred, ~yb & pred, yb & ~pred, yb & pred], axis=1).astype(float)
    tn, fp, fn, tp = (w @ indicators).T
    n = tn + fp + fn + tp
    real, fake = tn + fp, fn + tp
    with np.errstate(invalid="ignore", divide="ignore"):
        recall_fake, recall_real = tp / fake, tn / real
        precision_fake, precision_real = tp / (tp + fp), tn / (tn + fn)
        f1_fake = 2 * tp / (2 * tp + fp + fn)
        f1_real = 2 * tn / (2 * tn + fn + fp)
        out = {
            "accuracy": (tp + tn) / n,
            "balanced_accuracy": (recall_fake + recall_real) / 2,
            "precision_real": precision_real, "recall_real": recall_real, "f1_real": f1_real,
            "precision_fake": precision_fake, "recall_fake": recall_fake, "f1_fake": f1_fake,
            "fpr": fp / real, "fnr": fn / fake,
        }
        # scikit-learn's conventions: an undefined precision/recall/F1 counts as 0 in the
        # averages; macro averages the classes that occur in the labels or the predictions.
        pr_r, pr_f = np.nan_to_num(precision_real), np.nan_to_num(precision_fake)
        rc_r, rc_f = np.nan_to_num(recall_real), np.nan_to_num(recall_fake)
        f_r, f_f = np.nan_to_num(f1_real), np.nan_to_num(f1_fake)
        has_r, has_f = (real + tn + fn) > 0, (fake + tp + fp) > 0
        present = has_r.astype(float) + has_f
        out["precision_macro"] = (pr_r * has_r + pr_f * has_f) / present
        out["recall_macro"] = (rc_r * has_r + rc_f * has_f) / present
        out["f1_macro"] = (f_r * has_r + f_f * has_f) / present
        out["precision_weighted"] = (pr_r * real + pr_f * fake) / n
        out["recall_weighted"] = (rc_r * real + rc_f * fake) / n
        out["f1_weighted"] = (f_r * real + f_f * fake) / n

        tps, fps, _ = _cumulative(y, prob, w)
        tpr, fpr = tps / tps[:, -1:], fps / fps[:, -1:]
        tpr0 = np.concatenate([np.zeros((len(w), 1)), tpr], axis=1)
        fpr0 = np.concatenate([np.zeros((len(w), 1)), fpr], axis=1)
        out["roc_auc"] = np.sum(np.diff(fpr0, axis=1) * (tpr0[:, 1:] + tpr0[:, :-1]) / 2, axis=1)
        precision = tps / np.maximum(tps + fps, 1e-300)
        out["pr_auc"] = np.sum(np.diff(tpr0, axis=1) * precision, axis=1)
        out["pr_auc"][tps[:, -1] == 0] = np.nan

        out["brier"] = w @ (prob - y) ** 2 / n
        index = np.minimum((prob * ECE_BINS).astype(int), ECE_BINS - 1)
        onehot = np.zeros((len(y), ECE_BINS))
        onehot[np.arange(len(y)), index] = 1.0
        count = w @ onehot
        gap = np.abs(w @ (onehot * prob[:, None]) - w @ (onehot * y[:, None]))
        out["ece"] = gap.sum(axis=1) / count.sum(axis=1)
    return out


def _cumulative(y: np.ndarray, prob: np.ndarray, w: np.ndarray):
    """Weighted true/false positive counts at each distinct score, highest score first.

    Returns (tps, fps) of shape (b, k) and the k distinct thresholds (descending).
    """
    order = np.argsort(-prob, kind="mergesort")
    sorted_prob, sorted_y = prob[order], y[order].astype(float)
    ws = w[:, order]
    last = np.r_[np.nonzero(np.diff(sorted_prob))[0], len(sorted_prob) - 1]
    tps = np.cumsum(ws * sorted_y, axis=1)[:, last]
    fps = np.cumsum(ws * (1 - sorted_y), axis=1)[:, last]
    return tps, fps, sorted_prob[last]


def wilson(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score 95% interval for a proportion (sound for small n, unlike the normal one)."""
    if n == 0:
        return float("nan"), float("nan")
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(centre - half), float(centre + half)


def best_threshold(y: np.ndarray, prob: np.ndarray) -> float:
    """The score threshold that maximises balanced accuracy (Youden's J = TPR - FPR).

    Balanced accuracy does not depend on the class ratio, which changes between domains.
    """
    fpr, tpr, thresholds = roc_points(y, prob)
    best = int(np.argmax((tpr - fpr)[1:])) + 1
    return float(thresholds[best])
