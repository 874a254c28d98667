"""Where and how a detector fails: operating points, per-group metrics, error examples, diagnosis.

All functions take the labels ``y`` (0 real, 1 fake), ``prob`` (P(fake)) and the predictions
at the evaluation threshold for the scored rows of one dataset.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from newsbench import metrics
from newsbench.errors import ConfigError
from newsbench.results import ErrorExample, Errors, Estimate, Evaluation, GroupBreakdown, GroupRow, OperatingPoint

MAX_GROUP_VALUES = 25
SNIPPET_CHARS = 200
AUTO_GROUPS = ("source", "generator", "is_ai", "is_ai+label")


def operating_point(name: str, y: np.ndarray, prob: np.ndarray, threshold: float, note: str = "") -> OperatingPoint:
    """Metrics at one threshold."""
    values = metrics.compute(y, prob, threshold)
    return OperatingPoint(
        name=name, threshold=float(threshold), accuracy=values["accuracy"],
        balanced_accuracy=values["balanced_accuracy"], f1_macro=values["f1_macro"],
        fpr=values["fpr"], fnr=values["fnr"], predicted_fake_rate=float(np.mean(prob >= threshold)),
        note=note,
    )


def threshold_analysis(
    y: np.ndarray, prob: np.ndarray, threshold: float, validation: float | None
) -> list[OperatingPoint]:
    """Metrics at 0.5, at the detector's validation-chosen threshold, at the threshold in use,
    and at the oracle threshold chosen on these very rows (an upper bound, not a result)."""
    points = [operating_point("default", y, prob, 0.5, "argmax of the two class probabilities")]
    if validation is not None:
        points.append(operating_point("validation", y, prob, validation,
                                      "chosen on the detector's own validation split (max balanced accuracy)"))
    if threshold not in (0.5, validation):
        points.append(operating_point("chosen", y, prob, threshold, "given with --threshold"))
    if 0 < y.sum() < len(y):
        points.append(operating_point(
            "oracle", y, prob, metrics.best_threshold(y, prob),
            "ORACLE: best balanced accuracy chosen on the evaluated rows themselves; shows what a "
            "recalibrated threshold could reach, not a deployable result",
        ))
    return points


def resolve_groups(columns: list[str], requested: list[str] | None) -> list[str]:
    """Group specs that apply to a dataset: ``col`` or ``col+col`` whose columns all exist."""
    specs = list(AUTO_GROUPS) if requested is None else requested
    available = set(columns) | {"label"}
    return [s for s in specs if all(part in available for part in s.split("+")) and s != "label"]


def check_groups(requested: list[str] | None, columns: list[list[str]]) -> None:
    """Fail if a requested group column (``--group-by``) is a column of none of the datasets.

    A column that only some datasets have is fine: the others say so in a note.
    """
    known = sorted({c for cols in columns for c in cols} | {"label"})
    for spec in requested or []:
        for part in spec.split("+"):
            if part not in known:
                close = difflib.get_close_matches(part, known, n=1)
                raise ConfigError(
                    f"--group-by {spec}: no dataset has a column '{part}'"
                    + (f"; did you mean '{close[0]}'?" if close else "")
                    + f" Columns: {', '.join(known[:30])}"
                )


def group_breakdown(rows: pd.DataFrame, y: np.ndarray, prob: np.ndarray, pred: np.ndarray, spec: str) -> GroupBreakdown:
    """Metrics per value of a metadata column, or per cell of ``a+b`` (e.g. ``is_ai+label``).

    Accuracy intervals are Wilson 95% intervals. Only the MAX_GROUP_VALUES largest groups are
    listed; ``other_values`` counts the rest.
    """
    parts = spec.split("+")
    frame = rows.assign(label=np.where(y == 1, "fake", "real"))
    keys = frame[parts[0]].astype(str)
    for part in parts[1:]:
        keys = keys + " / " + frame[part].astype(str)
    counts = keys.value_counts()
    out = []
    for value in counts.index[:MAX_GROUP_VALUES]:
        mask = (keys == value).to_numpy()
        gy, gp, gpred = y[mask], prob[mask], pred[mask]
        n, n_fake = int(mask.sum()), int(gy.sum())
        correct = int((gy == gpred).sum())
        out.append(GroupRow(
            value=str(value) if value != "" else "(empty)",
            n=n, n_real=n - n_fake, n_fake=n_fake,
            accuracy=Estimate(correct / n, metrics.wilson(correct, n)),
            fpr=float(np.mean(gpred[gy == 0])) if n_fake < n else None,
            fnr=float(np.mean(1 - gpred[gy == 1])) if n_fake else None,
            roc_auc=metrics.compute(gy, gp)["roc_auc"] if 0 < n_fake < n else None,
            mean_prob_fake=float(gp.mean()),
        ))
    return GroupBreakdown(spec, out, max(0, len(counts) - MAX_GROUP_VALUES))


def error_examples(rows: pd.DataFrame, y: np.ndarray, prob: np.ndarray, pred: np.ndarray, n: int, seed: int) -> Errors:
    """``n`` misclassified rows drawn at random (seeded) and the ``n`` most confident errors."""
    wrong = np.flatnonzero(y != pred)
    rng = np.random.default_rng(seed)
    sample = rng.choice(wrong, size=min(n, len(wrong)), replace=False) if len(wrong) else wrong
    confidence = np.abs(prob[wrong] - 0.5)
    confident = wrong[np.argsort(-confidence, kind="stable")[:n]]
    meta = [c for c in rows.columns if c not in ("id", "text", "label")]

    def example(i: int) -> ErrorExample:
        row = rows.iloc[int(i)]
        text = row["text"]
        return ErrorExample(
            id=str(row["id"]),
            snippet=text[:SNIPPET_CHARS] + ("..." if len(text) > SNIPPET_CHARS else ""),
            label=int(y[i]), pred=int(pred[i]), prob_fake=float(prob[i]),
            metadata={c: str(row[c])[:SNIPPET_CHARS] for c in meta if str(row[c]) != ""},
        )

    return Errors(len(wrong), [example(i) for i in sample], [example(i) for i in confident])


FEW = 30  # articles below which a dataset's intervals are the Wilson interval of its accuracy, in a note


def diagnose(evaluation: Evaluation) -> list[str]:
    """Plain-language reading of the numbers: ranking failure vs operating-point shift, etc."""
    notes = []
    m, c = evaluation.metrics, evaluation.confusion
    if evaluation.n < FEW:  # a bootstrap of 3 articles that are all right reads [1.000, 1.000]
        from scipy.stats import binomtest

        right = c.tp + c.tn
        ci = binomtest(right, evaluation.n).proportion_ci(method="wilson")
        notes.append(f"Few articles: {evaluation.n} ({evaluation.n_real} real, {evaluation.n_fake} fake), too few for "
                     f"bootstrap intervals; {right} of {evaluation.n} right is an accuracy anywhere in "
                     f"[{ci.low:.3f}, {ci.high:.3f}] (Wilson 95%).")
    if evaluation.n_real == 0 or evaluation.n_fake == 0:
        only = "real" if evaluation.n_fake == 0 else "fake"
        notes.append(f"Only {only} articles: ROC/PR AUC are undefined; read "
                     f"{'FPR' if only == 'real' else 'FNR'} and accuracy.")
        return notes
    auc = m.roc_auc.value
    points = {p.name: p for p in evaluation.thresholds}
    used = min(points.values(), key=lambda p: abs(p.threshold - evaluation.threshold))
    oracle = points.get("oracle")
    if auc < 0.5:
        notes.append(f"Ranking failure: ROC AUC {auc:.2f} is below chance; the scores rank real "
                     "articles above fake ones here, and no choice of threshold can fix that.")
    elif auc < 0.6:
        notes.append(f"Ranking failure: ROC AUC {auc:.2f} means the scores barely separate real from "
                     "fake here; no choice of threshold can fix that.")
    elif oracle and oracle.balanced_accuracy - used.balanced_accuracy > 0.05:
        notes.append(
            f"Operating-point shift: ROC AUC {auc:.2f} shows the scores do rank fakes above real "
            f"articles, but at threshold {used.threshold:.3g} balanced accuracy is "
            f"{used.balanced_accuracy:.3f}; the oracle threshold {oracle.threshold:.3g} (chosen on "
            f"this set, an upper bound) reaches {oracle.balanced_accuracy:.3f}."
        )
    if m.fnr.value > 0.5:
        notes.append(f"Misses most fakes: {c.fn:,} of {c.fn + c.tp:,} fake articles scored as real "
                     f"(FNR {m.fnr.value:.3f}).")
    if m.fpr.value > 0.5:
        notes.append(f"Flags most real news: {c.fp:,} of {c.fp + c.tn:,} real articles scored as fake "
                     f"(FPR {m.fpr.value:.3f}).")
    if m.ece.value > 0.1:
        notes.append(f"Poorly calibrated: expected calibration error {m.ece.value:.3f}; its "
                     "probabilities should not be read as confidence.")
    if m.accuracy.ci95 and m.accuracy.ci95[1] - m.accuracy.ci95[0] > 0.05:
        lo, hi = m.accuracy.ci95
        notes.append(f"Wide interval: with {evaluation.n:,} articles, accuracy is only known to "
                     f"within [{lo:.3f}, {hi:.3f}].")
    return notes
