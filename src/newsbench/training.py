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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from newsbench import metrics
from newsbench.config import TrainConfig
from newsbench.data import Dataset, DataSpec, fingerprints, load_dataset
from newsbench.detectors.base import ProgressFactory
from newsbench.environment import capture_environment
from newsbench.errors import ConfigError, DataError
from newsbench.escaping import safe_csv
from newsbench.finetune import Fitted
from newsbench.outputs import staged_folder
from newsbench.results import Metrics, ModelCard, SplitInfo, to_json


@dataclass(frozen=True)
class Recipe:
    """A named, fully specified way to build a detector."""

    description: str
    vectorizer: dict[str, Any]
    classifier: str
    classifier_params: dict[str, Any] = field(default_factory=dict)


_TFIDF = {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.95, "sublinear_tf": True, "lowercase": True}
BASELINES = {
    "tfidf-lr": Recipe("TF-IDF word 1-2 grams + logistic regression", _TFIDF,
                       "logistic_regression", {"C": 4.0, "max_iter": 2000}),
    "tfidf-rf": Recipe("TF-IDF word 1-2 grams (top 20k) + random forest",
                       {**_TFIDF, "max_features": 20000},
                       "random_forest", {"n_estimators": 300, "min_samples_leaf": 1}),
}
RECIPES = (*BASELINES, "finetune")


def build_pipeline(recipe: Recipe, seed: int, threads: int | None):
    """The scikit-learn Pipeline (tfidf -> classifier) a recipe describes."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    if recipe.classifier == "logistic_regression":
        classifier = LogisticRegression(random_state=seed, **recipe.classifier_params)
    else:
        classifier = RandomForestClassifier(random_state=seed, n_jobs=threads, **recipe.classifier_params)
    return Pipeline([("tfidf", TfidfVectorizer(dtype=np.float32, **recipe.vectorizer)), ("clf", classifier)])


def split_ids(dataset: Dataset, val_size: float, test_size: float, seed: int,
              group_col: str | None = None) -> dict[str, list[str]]:
    """Seeded split of row ids into train/validation/test, stratified by label.

    With ``group_col``, whole groups move together (e.g. every rewrite of one seed article), so
    no group straddles two splits; rows with an empty group value are groups of their own.
    """
    try:
        return _split_ids(dataset, val_size, test_size, seed, group_col)
    except ValueError as exc:  # scikit-learn cannot stratify: too few rows (or groups) of a class
        raise DataError(f"{dataset.name}: cannot make a stratified {1 - val_size - test_size:.0%}/{val_size:.0%}/"
                        f"{test_size:.0%} split ({exc}); each class needs enough rows"
                        + (f" and distinct --group-col {group_col} values" if group_col else "")) from exc


def _split_ids(dataset: Dataset, val_size: float, test_size: float, seed: int,
               group_col: str | None) -> dict[str, list[str]]:
    from sklearn.model_selection import train_test_split

    ids, y = dataset.rows["id"].to_numpy(), dataset.labels
    if group_col is None:
        rest, test, y_rest, _ = train_test_split(ids, y, test_size=test_size, stratify=y, random_state=seed)
        train, val = train_test_split(rest, test_size=val_size / (1 - test_size), stratify=y_rest, random_state=seed)
        return {"train": sorted(train.tolist()), "validation": sorted(val.tolist()), "test": sorted(test.tolist())}
    if group_col not in dataset.rows.columns:
        raise ConfigError(f"--group-col {group_col!r} is not a column of {dataset.name}; "
                          f"columns: {dataset.metadata_columns}")
    values = dataset.rows[group_col].astype(str)
    groups = np.where(values == "", "row:" + dataset.rows["id"], values)
    frame = pd.DataFrame({"group": groups, "label": y})
    majority = frame.groupby("group")["label"].agg(lambda v: int(round(v.mean())))
    names, labels = majority.index.to_numpy(), majority.to_numpy()
    rest, test, y_rest, _ = train_test_split(names, labels, test_size=test_size, stratify=labels, random_state=seed)
    train, val = train_test_split(rest, test_size=val_size / (1 - test_size), stratify=y_rest, random_state=seed)
    assign = {**{g: "train" for g in train}, **{g: "validation" for g in val}, **{g: "test" for g in test}}
    split = frame["group"].map(assign).to_numpy()
    return {name: sorted(ids[split == name].tolist()) for name in ("train", "validation", "test")}


def fit_baseline(config: TrainConfig, parts: dict[str, Dataset], out: Path,
                 progress: ProgressFactory | None = None) -> Fitted:
    """Fit a TF-IDF recipe on the train split and save it as ``model.joblib``."""
    import joblib

    recipe = BASELINES[config.recipe]
    pipeline = build_pipeline(recipe, config.seed, config.threads)
    advance = progress(f"fitting {config.recipe} on {len(parts['train']):,} articles", 1) if progress else None
    start = time.perf_counter()
    try:
        pipeline.fit(parts["train"].texts, parts["train"].labels)
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


def train(config: TrainConfig, progress: ProgressFactory | None = None, **hooks) -> ModelCard:
    """Train the configured recipe and write the model folder.

    Returns:
        The model card that was written to ``config.out / "model.json"``.
    """
    environment = capture_environment(config.seed, config.threads)
    specs = [DataSpec.parse(s) for s in config.data]
    dataset = load_dataset(specs, config.load_options(), name="+".join(dict.fromkeys(s.key for s in specs)))
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
            from newsbench.finetune import finetune

            fitted = finetune(config, parts, out, progress, **hooks)
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
    threshold = metrics.best_threshold(parts["validation"].labels, val_prob)

    def summary(part: Dataset, prob: np.ndarray) -> Metrics:
        y = part.labels
        return Metrics.from_values(metrics.compute(y, prob), metrics.bootstrap(y, prob, seed=config.seed))

    return ModelCard(
        recipe=config.recipe,
        dataset=dataset.name,
        data=dataset.files,
        preprocessing=asdict(config.load_options()),
        split=SplitInfo(config.seed, {"validation": config.val_size, "test": config.test_size},
                        {name: len(ids) for name, ids in split.items()}, config.group_col),
        hyperparameters=fitted.hyperparameters,
        threshold=threshold,
        threshold_criterion="max balanced accuracy (Youden's J) on the validation split",
        validation=summary(parts["validation"], val_prob),
        test=summary(parts["test"], test_prob),
        training_seconds=fitted.training_seconds,
        environment=environment,
        base=fitted.base,
        stopped=fitted.stopped,
        history=fitted.history,
    )
