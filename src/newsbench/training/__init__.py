"""Train detectors: TF-IDF baselines and transformer fine-tuning, through one recipe.

``train(config)``: load and deduplicate the data -> seeded stratified (optionally grouped)
train/validation/test split -> fit -> choose a threshold on validation -> score validation and
test -> write the model folder (weights, ``model.json``, ``split.json``,
``train_fingerprints.npy``, ``README.md``), which ``newsbench evaluate`` takes as is.
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from newsbench import metrics
from newsbench.config import TrainConfig
from newsbench.data import Dataset, fingerprints, load_dataset
from newsbench.detectors.base import ProgressFactory
from newsbench.environment import capture_environment
from newsbench.errors import DataError
from newsbench.escaping import safe_csv
from newsbench.outputs import staged_folder
from newsbench.results import Metrics, ModelCard, SplitInfo
from newsbench.serialize import to_json
from newsbench.sources import DataSpec
from newsbench.training.recipes import (
    BASELINES,
    DROPS_UNLEARNABLE,
    HEAD_RECIPES,
    Fitted,
    build_pipeline,
    check_sources,
    fit_heads,
    source_weights,
    without_sources,
)
from newsbench.training.split import split_ids

__all__ = ["fit_baseline", "model_card", "split_ids", "train"]


def fit_baseline(config: TrainConfig, parts: dict[str, Dataset], out: Path,
                 progress: ProgressFactory | None = None) -> Fitted:
    """Fit a TF-IDF recipe on the train split and save it as ``model.joblib``."""
    import joblib

    recipe = BASELINES[config.recipe]
    pipeline = build_pipeline(recipe, config.seed, config.threads)
    advance = progress(f"fitting {config.recipe} on {len(parts['train']):,} articles", 1) if progress else None
    start = time.perf_counter()
    part = parts["train"]
    weights = source_weights(part.rows["input_file"].to_numpy() if "input_file" in part.rows else None,
                             part.labels, config.balance)
    try:
        pipeline.fit(part.texts, part.labels, clf__sample_weight=weights)
    except ValueError as exc:  # e.g. no word occurs in two articles, so min_df=2 leaves no terms
        raise DataError(f"{config.recipe} could not be fitted on {len(parts['train']):,} training articles: {exc}. "
                        "TF-IDF keeps words that occur in at least 2 articles; check that the text columns "
                        "(or --text-template) hold the article text") from exc
    seconds = time.perf_counter() - start
    if advance:
        advance(1)
    joblib.dump(pipeline, out / "model.joblib")
    fake = list(pipeline.classes_).index(1)
    return Fitted(
        score=lambda texts: pipeline.predict_proba(texts)[:, fake],
        hyperparameters={"description": recipe.description, "vectorizer": recipe.vectorizer,
                         "classifier": recipe.classifier, **recipe.classifier_params},
        training_seconds=seconds,
    )


def fit_head_model(config: TrainConfig, parts: dict[str, Dataset], out: Path,
                   progress: ProgressFactory | None = None) -> Fitted:
    """Fit a heads recipe (``newsbench.heads``) on the train split and save it without pickles."""
    from newsbench.heads import ENCODER_TOKENS, VECTORIZERS, C
    from newsbench.static import DIMENSIONS, MAX_TOKENS, PREFIXES
    from newsbench.training.presets import pretrained_path

    views = HEAD_RECIPES[config.recipe]
    part = parts["train"]
    advance = progress(f"fitting {config.recipe} ({' + '.join(views)}) on {len(part):,} articles", 1) \
        if progress else None
    start = time.perf_counter()
    source = part.rows["input_file"].to_numpy() if "input_file" in part.rows else None
    weights = source_weights(source, part.labels, config.balance)
    model = fit_heads(config.recipe, part.texts, part.labels, weights, config.seed, config.threads, progress)
    checks = []
    val = parts["validation"]
    if config.recipe in DROPS_UNLEARNABLE and source is not None and len(set(val.labels.tolist())) == 2:
        checks = check_sources(model.score(val.texts), val.labels, val.rows["input_file"].to_numpy())
        dropped = [c.source for c in checks if c.dropped]
        if dropped:
            model = fit_heads(config.recipe, part.texts, part.labels,
                              without_sources(source, part.labels, config.balance, dropped), config.seed,
                              config.threads)
    seconds = time.perf_counter() - start
    model.save(out, pretrained_path("minilm-l6") if "embed" in views else None)
    if advance:
        advance(1)
    return Fitted(score=model.score, training_seconds=seconds, hyperparameters={
        "description": f"logistic regression on {' + '.join(views)}"
                       + (" (mean log-odds of the heads)" if len(views) > 1 else "")
                       + f", training weights: {config.balance}",
        "views": list(views), "combine": "mean log-odds", "classifier": "logistic_regression",
        "C": {view: C[view] for view in views}, "balance": config.balance,
        **{f"{view} vectorizer": _describe_vectorizer(VECTORIZERS[view]) for view in views if view in VECTORIZERS},
        **({"encoder": "all-MiniLM-L6-v2 (frozen, mean-pooled)",
                                       "encoder_tokens": ENCODER_TOKENS} if "embed" in views else {}),
        **({"static embeddings": f"all-MiniLM-L6-v2 distilled by model2vec to {DIMENSIONS} dimensions",
            "static_tokens": MAX_TOKENS, "static_pooling": "unit mean of the first "
            + ", ".join(map(str, PREFIXES)) + " tokens, concatenated"} if "static" in views else {}),
        **({"source check": [asdict(c) for c in checks]} if checks else {})})


def _describe_vectorizer(settings: dict) -> dict:
    """TF-IDF settings as JSON: a function by its dotted name."""
    return {key: f"{value.__module__}.{value.__name__}" if callable(value) else value
            for key, value in settings.items()}


def per_source_sample(dataset: Dataset, limit: int, seed: int) -> Dataset:
    """At most ``limit`` rows of each input file (seeded); the rest are listed as skipped."""
    source = dataset.rows["input_file"].to_numpy() if "input_file" in dataset.rows else np.zeros(len(dataset.rows))
    rng, drop = np.random.default_rng(seed), np.zeros(len(source), dtype=bool)
    for value in dict.fromkeys(source.tolist()):
        rows = np.flatnonzero(source == value)
        if len(rows) > limit:
            drop[rng.choice(rows, len(rows) - limit, replace=False)] = True
    if not drop.any():
        return dataset
    return dataset.exclude(drop, "not_sampled", f"seeded sample of at most {limit} rows per source (seed {seed})")


def train(config: TrainConfig, progress: ProgressFactory | None = None, **hooks) -> ModelCard:
    """Train the configured recipe and write the model folder.

    Returns:
        The model card that was written to ``config.out / "model.json"``.
    """
    environment = capture_environment(config.seed, config.threads)
    specs = [DataSpec.parse(s) for s in config.data]
    dataset = load_dataset(specs, config.load_options(), name="+".join(dict.fromkeys(s.key for s in specs)))
    if config.max_per_source:
        dataset = per_source_sample(dataset, config.max_per_source, config.seed)
    counts = np.bincount(dataset.labels, minlength=2)
    if counts.min() < 10:
        raise DataError(
            f"{dataset.name}: training needs at least 10 real and 10 fake articles after cleaning; "
            f"found {counts[0]} real and {counts[1]} fake (skipped: {dataset.skipped_counts()})"
        )
    split = split_ids(dataset, config.val_size, config.test_size, config.seed, config.group_col)
    parts = {name: dataset.select(ids, name) for name, ids in split.items()}
    # Everything is written into a staged folder that replaces config.out whole at the end, so a
    # failed or interrupted run leaves the previous model, and a retrained one keeps no stale file.
    with staged_folder(config.out, "model") as out:
        if config.recipe == "finetune":
            from newsbench.training.finetune import finetune

            fitted = finetune(config, parts, out, progress, **hooks)
        elif config.recipe in HEAD_RECIPES:
            fitted = fit_head_model(config, parts, out, progress)
        else:
            fitted = fit_baseline(config, parts, out, progress)
        from newsbench.reporting import render_model_card

        card = model_card(config, dataset, split, parts, fitted, environment)
        seen = fingerprints(parts["train"].texts + parts["validation"].texts)
        buffer = io.BytesIO()
        np.save(buffer, seen)
        files = {"train_fingerprints.npy": buffer.getvalue(), "split.json": json.dumps({"seed": config.seed, **split}),
                 "README.md": render_model_card(card), "model.json": to_json(card)}
        if len(dataset.skipped):
            files["skipped.csv"] = safe_csv(dataset.skipped)
        if card.history:
            from newsbench.reporting.plots import training_curve

            files["training_curve.png"] = training_curve(card.history)
        for name, content in files.items():
            (out / name).write_bytes(content.encode() if isinstance(content, str) else content)
    return card


def model_card(config: TrainConfig, dataset: Dataset, split: dict[str, list[str]], parts: dict[str, Dataset],
               fitted: Fitted, environment) -> ModelCard:
    """Score validation and test, choose the threshold on validation, and describe the training."""
    val_prob, test_prob = fitted.score(parts["validation"].texts), fitted.score(parts["test"].texts)
    criterion = "max balanced accuracy (Youden's J) on the validation split"
    kept = np.ones(len(val_prob), dtype=bool)
    dropped = [c["source"] for c in fitted.hyperparameters.get("source check", []) if c["dropped"]]
    if dropped:  # the threshold serves the sources the detector learned, as in crossval
        kept = ~parts["validation"].rows["input_file"].isin(dropped).to_numpy()
        criterion += f" without {', '.join(dropped)} (weighed 0 in training)"
    threshold = metrics.best_threshold(parts["validation"].labels[kept], val_prob[kept])

    def summary(part: Dataset, prob: np.ndarray) -> Metrics:
        y = part.labels
        return Metrics.from_values(metrics.compute(y, prob), metrics.bootstrap(y, prob, seed=config.seed))

    return ModelCard(
        recipe=config.recipe,
        dataset=dataset.name,
        data=dataset.files,
        preprocessing=config.load_options(),
        split=SplitInfo(config.seed, {"validation": config.val_size, "test": config.test_size},
                        {name: len(ids) for name, ids in split.items()}, config.group_col),
        hyperparameters=fitted.hyperparameters,
        threshold=threshold,
        threshold_criterion=criterion,
        validation=summary(parts["validation"], val_prob),
        test=summary(parts["test"], test_prob),
        training_seconds=fitted.training_seconds,
        environment=environment,
        base=fitted.base,
        stopped=fitted.stopped,
        history=fitted.history,
        max_length=fitted.max_length,
    )
