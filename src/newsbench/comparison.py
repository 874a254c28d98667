"""Compare detectors evaluated on the same rows: metrics side by side and exact McNemar tests.

Input: run folders written by ``newsbench evaluate``. Rows are paired by (dataset, id), so only
articles every run scored are compared; the first run is the reference for the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from newsbench import metrics
from newsbench.environment import capture_environment
from newsbench.errors import DataError, NewsbenchError
from newsbench.results import SCHEMA_VERSION, Environment, Estimate, RunResult
from newsbench.serialize import read_json


@dataclass(frozen=True)
class ModelScore:
    """One run's metrics on the rows that all compared runs scored."""

    run: str
    accuracy: Estimate
    balanced_accuracy: float
    roc_auc: float
    fpr: float
    fnr: float


@dataclass(frozen=True)
class PairTest:
    """Exact McNemar test of ``other`` against the reference run on the same rows."""

    reference: str
    other: str
    accuracy_difference: float
    only_reference_right: int
    only_other_right: int
    p_value: float


@dataclass(frozen=True)
class DatasetComparison:
    dataset: str
    n_common: int
    scores: list[ModelScore]
    tests: list[PairTest]


@dataclass(frozen=True)
class Comparison:
    """The content of ``comparison.json``."""

    runs: list[str]
    datasets: list[DatasetComparison]
    environment: Environment
    notes: list[str] = field(default_factory=list)  # datasets and rows left out, and why
    schema_version: str = SCHEMA_VERSION
    kind: str = "compare"


def compare(run_dirs: list[Path], seed: int = 0) -> Comparison:
    """Pair the runs' predictions by (dataset, id) and compare them dataset by dataset."""
    if len(run_dirs) < 2:
        raise NewsbenchError("compare needs at least two run folders")
    names, tables, files = [], [], []
    for run_dir in run_dirs:
        results, predictions = Path(run_dir) / "results.json", Path(run_dir) / "predictions.csv"
        if not results.exists() or not predictions.exists():
            raise NewsbenchError(f"{run_dir}: not a newsbench evaluate folder (needs results.json and predictions.csv)")
        result = read_json(RunResult, results)
        names.append(f"{Path(run_dir).name} ({Path(result.model.path).name}, {result.model.backend})")
        tables.append(read_predictions(predictions))
        files.append({e.dataset: sorted(f.sha256 for f in e.files) for e in result.evaluations})
    datasets, notes = [], []
    everywhere = set.intersection(*(set(t["dataset"]) for t in tables))
    for dataset in dict.fromkeys(d for t in tables for d in t["dataset"]):
        if dataset not in everywhere:
            notes.append(f"{dataset}: left out, scored only by "
                         + ", ".join(n for n, t in zip(names, tables) if dataset in set(t["dataset"])))
            continue
        if any(f.get(dataset) != files[0].get(dataset) for f in files[1:]):
            raise NewsbenchError(f"{dataset}: the runs read different files (their sha256 differ), so equal row ids "
                                 "would pair different articles; compare runs of the same data")
        frames = [t[t["dataset"] == dataset].set_index("id") for t in tables]
        common = frames[0].index
        for frame in frames[1:]:
            common = common.intersection(frame.index)
        if len(common) == 0:
            notes.append(f"{dataset}: left out, no row scored by every run")
            continue
        aside = [f"{n}: {len(f) - len(common):,}" for n, f in zip(names, frames) if len(f) > len(common)]
        if aside:
            notes.append(f"{dataset}: rows not scored by every run, left out of the comparison: {'; '.join(aside)}")
        frames = [f.loc[common] for f in frames]
        y = frames[0]["label"].to_numpy()
        if any((f["label"].to_numpy() != y).any() for f in frames[1:]):
            raise NewsbenchError(f"{dataset}: the runs disagree on the labels of the same ids; "
                                 "they were not evaluated on the same data")
        scores, tests = [], []
        for name, frame in zip(names, frames):
            pred = frame["pred"].to_numpy()
            # Rates come from the run's own predictions (its threshold); AUC from its scores.
            rates = metrics.compute(y, pred.astype(float), 0.5)
            correct = int((pred == y).sum())
            scores.append(ModelScore(
                run=name, accuracy=Estimate(correct / len(y), metrics.wilson(correct, len(y))),
                balanced_accuracy=rates["balanced_accuracy"],
                roc_auc=metrics.compute(y, frame["prob_fake"].to_numpy())["roc_auc"],
                fpr=rates["fpr"], fnr=rates["fnr"],
            ))
        reference = frames[0]["pred"].to_numpy()
        for name, frame in zip(names[1:], frames[1:]):
            pred = frame["pred"].to_numpy()
            test = metrics.mcnemar(y, reference, pred)
            tests.append(PairTest(names[0], name, float((pred == y).mean() - (reference == y).mean()),
                                  test.only_a, test.only_b, test.p_value))
        datasets.append(DatasetComparison(dataset, len(common), scores, tests))
    if not datasets:
        raise NewsbenchError("the runs share no scored rows (datasets and ids differ)")
    return Comparison([str(d) for d in run_dirs], datasets, capture_environment(seed), notes)


def read_predictions(path: Path) -> pd.DataFrame:
    """A run's predictions.csv: ids and dataset names as written (never NaN), 0/1 labels and
    predictions, probabilities in [0, 1]; anything else is a ``DataError`` naming the file."""
    columns = ["id", "dataset", "label", "pred", "prob_fake"]
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a readable predictions.csv ({exc})") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: lacks the columns {missing}; pass a folder written by newsbench evaluate")
    frame = frame[columns]
    try:
        frame = frame.astype({"label": int, "pred": int, "prob_fake": float})
    except ValueError as exc:
        raise DataError(f"{path}: label, pred and prob_fake must be numbers ({exc})") from exc
    if not (frame["label"].isin((0, 1)).all() and frame["pred"].isin((0, 1)).all()
            and frame["prob_fake"].between(0, 1).all()):
        raise DataError(f"{path}: label and pred must be 0 or 1 and prob_fake in [0, 1]")
    if frame.duplicated(["dataset", "id"]).any():
        raise DataError(f"{path}: an id occurs twice in one dataset; the file was edited or merged")
    return frame
