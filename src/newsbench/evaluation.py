"""The evaluation spine: load data, load detector, predict, score, analyse, save.

``evaluate(config)`` returns a ``Run`` (the typed result plus per-row predictions and skipped
rows); ``save_run`` writes results.json, predictions.csv, skipped.csv and the reports.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from newsbench import analysis, metrics
from newsbench.config import EvalConfig
from newsbench.data import Dataset, DataSpec, fingerprints, load_dataset, load_datasets, seen_in
from newsbench.detectors import Detector, load_detector
from newsbench.detectors.base import ProgressFactory
from newsbench.environment import capture_environment
from newsbench.errors import ConfigError, DataError, ModelError
from newsbench.escaping import safe_csv
from newsbench.explain import explain, top_features
from newsbench.options import LoadOptions
from newsbench.outputs import write_folder
from newsbench.results import (
    Confusion,
    Curves,
    Errors,
    Evaluation,
    Metrics,
    ModelCard,
    PrecisionCheck,
    RunResult,
    Timing,
)
from newsbench.serialize import read_json, to_dict, to_json

CURVE_POINTS = 200


@dataclass
class Run:
    """One evaluation run: the result object and the per-row tables behind it."""

    result: RunResult
    predictions: pd.DataFrame
    skipped: pd.DataFrame


def evaluate(config: EvalConfig, progress: ProgressFactory | None = None) -> Run:
    """Score a detector on every configured dataset.

    Args:
        config: validated settings.
        progress: optional factory ``(description, total) -> advance(n)`` for progress bars.
    """
    started = time.time()
    # Data first: a bad path, file or --group-by fails before a model is loaded.
    specs = [DataSpec.parse(s) for s in config.data]
    card, model_dir = load_model_card(config.model)
    threshold = resolve_threshold(config.threshold, card)
    options = config.load_options(card.preprocessing if card else None)
    datasets = load_datasets(specs, options, config.filters()) if specs else []
    if config.heldout:
        datasets.insert(0, heldout_dataset(card, model_dir, options))
    analysis.check_groups(config.group_by, [ds.metadata_columns for ds in datasets])
    seen = training_fingerprints(model_dir, config.train_data, options)

    detector_options = config.detector_options(card.max_length if card else None)
    detector = load_detector(config.model, config.backend, detector_options)
    reference = None
    if detector.precision != "fp32" and config.fp32_check and detector.reference:
        reference = load_detector(detector.reference, "torch", detector_options)
    environment = capture_environment(config.seed, config.threads, started)

    scored = [score_dataset(ds, detector, threshold, card, seen, config, progress, reference) for ds in datasets]
    info = detector.info()
    result = RunResult(
        model=replace(info, details={**info.details, "backend_choice": detector.choice}),
        environment=environment,
        config={k: to_dict(v) for k, v in asdict(config).items()},
        evaluations=[evaluation for evaluation, _, _ in scored],
        top_features=top_features(detector),
    )
    return Run(
        result,
        pd.concat([p for _, p, _ in scored], ignore_index=True),
        pd.concat([s for _, _, s in scored], ignore_index=True),
    )


def score_dataset(
    dataset: Dataset, detector: Detector, threshold: float, card: ModelCard | None,
    seen: np.ndarray | None, config: EvalConfig, progress: ProgressFactory | None = None,
    reference: Detector | None = None,
) -> tuple[Evaluation, pd.DataFrame, pd.DataFrame]:
    """Predict, score and analyse one dataset; returns the evaluation, predictions and skipped rows.

    With a reduced-precision detector and its fp32 ``reference``, rows are scored again in fp32
    (``config.fp32_check``) and the accuracy delta is stored in ``precision_check``.
    """
    if seen is not None and len(seen) and not config.keep_leaked:
        dataset = dataset.exclude(seen_in(dataset.texts, seen), "in_training_data",
                                  "text also occurs in the detector's training data")
    if config.max_rows:
        dataset = dataset.sample(config.max_rows, config.seed)
    if len(dataset.rows) == 0:
        raise DataError(f"{dataset.name}: no scorable rows left (skipped: {dataset.skipped_counts()})")

    texts, y = dataset.texts, dataset.labels
    advance = progress(f"scoring {dataset.name}", len(texts)) if progress else None
    start = time.perf_counter()
    probs = detector.predict_proba(texts, advance)
    total = time.perf_counter() - start
    if probs.shape != (len(texts), 2) or not np.all(np.isfinite(probs)):
        raise ModelError(f"{getattr(detector, 'path', type(detector).__name__)}: returned scores of shape "
                         f"{probs.shape} (finite: {bool(np.all(np.isfinite(probs)))}); expected ({len(texts)}, 2) "
                         "finite ones. If it is a model folder, copy it again or train it again")
    prob = probs[:, 1]
    pred = (prob >= threshold).astype(np.int64)
    timing = Timing(len(y), detector.times.tokenize_s, detector.times.inference_s, total, 1000 * total / len(y))

    values = metrics.compute(y, prob, threshold)
    cis = metrics.bootstrap(y, prob, threshold, config.n_bootstrap, config.seed) if config.n_bootstrap else None
    groups = analysis.resolve_groups(dataset.metadata_columns, config.group_by)
    confusion = Confusion.from_predictions(y, pred)
    fpr, tpr, _ = metrics.roc_points(y, prob)
    recall, precision = metrics.pr_points(y, prob)
    evaluation = Evaluation(
        dataset=dataset.name,
        files=dataset.files,
        n_input=dataset.n_input,
        n=len(y),
        n_real=confusion.n_real,
        n_fake=confusion.n_fake,
        skipped=dataset.skipped_counts(),
        threshold=threshold,
        metrics=Metrics.from_values(values, cis),
        confusion=confusion,
        thresholds=analysis.threshold_analysis(y, prob, threshold, card.threshold if card else None),
        groups=[analysis.group_breakdown(dataset.rows, y, prob, pred, g) for g in groups],
        errors=explain_errors(analysis.error_examples(dataset.rows, y, prob, pred, config.n_errors, config.seed),
                              dataset, detector, config.explain_budget),
        timing=timing,
        curves=Curves(_thin(fpr, tpr), _thin(recall, precision), metrics.reliability(y, prob)),
    )
    notes = analysis.diagnose(evaluation)
    examples = {x.id: x for x in evaluation.errors.random + evaluation.errors.most_confident}.values()
    unexplained = sum(x.explanation is None for x in examples)
    if config.explain_budget > 0 and unexplained:
        notes.append(f"{unexplained} of {len(examples)} error examples were not explained within --explain-budget "
                     f"{config.explain_budget:g} s; raise it to explain them all.")
    unspaced = _unspaced(texts) if detector.linear_parts(complete=False) else 0  # it has TF-IDF terms
    if unspaced > len(texts) / 2:
        notes.append(f"{unspaced:,} of {len(texts):,} articles have almost no spaces between words, as Chinese, "
                     "Japanese or Thai text does: this detector's vocabulary is words between spaces, so it reads "
                     "each run of text as one word and can tell little from them.")
    missing = [g for g in config.group_by or [] if g not in groups]
    if missing:
        notes.append(f"Not broken down by {', '.join(missing)}: not a column of this dataset.")
    check = None
    if detector.precision != "fp32" and config.fp32_check:
        if reference is None:
            notes.append(f"{detector.precision} scores were not compared with fp32: no fp32 model is known for "
                         f"this file (export.json names none); the accuracy cost of {detector.precision} "
                         "is unmeasured.")
        else:
            check = precision_check(detector, reference, texts, y, prob, threshold, config, progress)
            if check.agreement < 0.99 or abs(check.accuracy_delta) > 0.005:
                notes.append(f"{check.backend} disagrees with fp32 on {1 - check.agreement:.1%} of {check.n:,} rows "
                             f"(accuracy {check.accuracy_delta * 100:+.1f} points, McNemar p={check.mcnemar_p:.2g}); "
                             "rerun with --backend torch for exact scores.")
    evaluation = replace(evaluation, notes=notes, precision_check=check)

    group_cols = sorted({c for g in groups for c in g.split("+") if c != "label"})
    predictions = pd.DataFrame({
        "id": dataset.rows["id"], "dataset": dataset.name, "label": y, "pred": pred, "prob_fake": prob,
    })
    for col in group_cols:
        predictions[col] = dataset.rows[col].to_numpy()
    skipped = dataset.skipped.assign(dataset=dataset.name)[["id", "dataset", "reason", "detail"]]
    return evaluation, predictions, skipped


def explain_errors(errors: Errors, dataset: Dataset, detector: Detector, budget_s: float) -> Errors:
    """The error examples with the words that pushed each one's score (``newsbench.explain``)."""
    if budget_s <= 0:
        return errors
    examples = {x.id: x for x in errors.random + errors.most_confident}
    texts = dict(zip(dataset.rows["id"].astype(str), dataset.texts))
    found = explain(detector, [texts[i] for i in examples], budget_s)
    explained = {i: replace(x, explanation=e) for (i, x), e in zip(examples.items(), found)}
    return replace(errors, random=[explained[x.id] for x in errors.random],
                   most_confident=[explained[x.id] for x in errors.most_confident])


def precision_check(detector: Detector, reference: Detector, texts: list[str], y: np.ndarray, prob: np.ndarray,
                    threshold: float, config: EvalConfig, progress: ProgressFactory | None = None) -> PrecisionCheck:
    """Score ``config.fp32_check`` rows (seeded sample, or all) again with the fp32 reference."""
    n = len(texts) if config.fp32_check == "all" else min(int(config.fp32_check), len(texts))
    index = np.arange(len(texts)) if n == len(texts) else np.sort(
        np.random.default_rng(config.seed).choice(len(texts), n, replace=False))
    advance = progress(f"fp32 check ({n:,} rows)", n) if progress else None
    start = time.perf_counter()
    fp32 = reference.predict_proba([texts[i] for i in index], advance)[:, 1]
    seconds = time.perf_counter() - start
    y, reduced = y[index], prob[index]
    pred, pred_fp32 = (reduced >= threshold).astype(np.int64), (fp32 >= threshold).astype(np.int64)
    test = metrics.mcnemar(y, pred, pred_fp32)
    accuracy, accuracy_fp32 = float(np.mean(pred == y)), float(np.mean(pred_fp32 == y))
    diff = np.abs(reduced - fp32)
    return PrecisionCheck(
        backend=detector.name, reference=str(reference.path), n=n, sampled=n < len(texts),
        agreement=float(np.mean(pred == pred_fp32)), accuracy=accuracy, accuracy_fp32=accuracy_fp32,
        accuracy_delta=accuracy - accuracy_fp32, only_reduced_right=test.only_a, only_fp32_right=test.only_b,
        mcnemar_p=test.p_value, max_abs_prob_diff=float(diff.max()), mean_abs_prob_diff=float(diff.mean()),
        fp32_ms_per_article=1000 * seconds / n,
    )


def save_run(run: Run, out: Path) -> dict[str, Path]:
    """Write results.json, predictions.csv, skipped.csv, report.md, report.html and plots.

    Everything is rendered in memory first, then written as one folder that replaces ``out``
    whole (``outputs.write_folder``): a failure or interrupt leaves the previous folder, never a
    mix of old and new files. Text cells that a spreadsheet would run as formulas are
    neutralised (``escaping.safe_csv``).

    Returns:
        file name -> path.
    """
    from newsbench.reporting import render_evaluation

    files = {
        "results.json": to_json(run.result),
        "predictions.csv": safe_csv(run.predictions, float_format="%.17g"),  # exact: metrics recompute from it
        "skipped.csv": safe_csv(run.skipped),
        **render_evaluation(run.result),
    }
    return write_folder(out, files, "evaluate")


def load_model_card(model: str) -> tuple[ModelCard | None, Path | None]:
    """The ``model.json`` that newsbench train wrote beside a model, if there is one."""
    path = Path(model).expanduser()
    folder = path if path.is_dir() else path.parent
    card_path = folder / "model.json"
    if not path.exists() or not card_path.exists():
        return None, None
    card = read_json(ModelCard, card_path)
    if not 0.0 <= card.threshold <= 1.0:  # NaN too: every score would be called real
        raise DataError(f"{card_path}: threshold {card.threshold} is not a probability in [0, 1]; set it to the "
                        "validation threshold the training printed (or 0.5), or train the model again")
    return card, folder


def resolve_threshold(threshold: float | str, card: ModelCard | None) -> float:
    if threshold != "validation":
        return float(threshold)
    if card is None:
        raise ConfigError("--threshold validation needs a model trained by newsbench (a model.json "
                          "with a validation threshold); pass a number instead")
    return card.threshold


def heldout_dataset(card: ModelCard | None, model_dir: Path | None, options: LoadOptions,
                    part: str = "test") -> Dataset:
    """Rebuild one part of the model's split (by default the held-out test split) from its
    training files and saved split ids."""
    if card is None or model_dir is None or not (model_dir / "split.json").exists():
        raise ConfigError("--heldout needs a model folder written by newsbench train (model.json + split.json)")
    trained = card.preprocessing
    for name in ("strip_datelines", "strip_artifacts"):
        if getattr(trained, name) != getattr(options, name):
            flag = "--" + name.replace("_", "-")
            raise ConfigError(f"--heldout with a {flag} setting different from training would change the held-out "
                              f"texts; leave {flag} unset")
    for source in card.data:
        if not Path(source.path).exists():
            raise DataError(f"held-out split: training file {source.path} (recorded in model.json) is missing"
                            + (f" from {Path.cwd()}: a relative path is read from the folder training ran in; "
                               "run from there" if not Path(source.path).is_absolute() else ""))
    full = load_dataset([DataSpec(Path(s.path), s.file_label) for s in card.data], trained, name=card.dataset)
    changed = [new.path for new, old in zip(full.files, card.data) if new.sha256 != old.sha256]
    if changed:
        raise DataError(f"held-out split: {', '.join(changed)} changed since training (sha256 differs); "
                        "the split cannot be rebuilt")
    try:
        ids = json.loads((model_dir / "split.json").read_text())[part]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{model_dir / 'split.json'}: not a readable split written by newsbench train ({exc})") from exc
    return full.select(ids, f"{card.dataset} (held-out test)" if part == "test" else f"{card.dataset} ({part})")


def _unspaced(texts: list[str]) -> int:
    """How many texts hold a space less than once in 40 characters (English: about once in 6)."""
    return sum(len(t) > 40 * max(len(t.split()), 1) for t in texts)


def training_fingerprints(model_dir: Path | None, train_data: list[str], options: LoadOptions) -> np.ndarray | None:
    """Hashes of texts the detector was trained on: its saved fingerprints plus --train-data files."""
    parts = []
    if model_dir is not None and (model_dir / "train_fingerprints.npy").exists():
        parts.append(np.load(model_dir / "train_fingerprints.npy"))
    for spec in train_data:
        parts.append(fingerprints(load_dataset([DataSpec.parse(spec)], options).texts))
    return np.concatenate(parts) if parts else None


def _thin(x: np.ndarray, y: np.ndarray) -> list[tuple[float, float]]:
    """At most CURVE_POINTS points of a curve, first and last kept."""
    keep = np.unique(np.linspace(0, len(x) - 1, min(len(x), CURVE_POINTS)).round().astype(int))
    return [(float(x[i]), float(y[i])) for i in keep]
