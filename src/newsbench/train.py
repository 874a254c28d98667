"""Train detectors: TF-IDF baselines now, transformer fine-tuning in the same shape later.

``train(config)``: load and deduplicate the data -> seeded stratified train/validation/test
split -> fit -> choose a threshold on validation -> score validation and test -> write the
model folder (``model.joblib``, ``model.json``, ``split.json``, ``train_fingerprints.npy``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from newsbench import metrics
from newsbench.config import TrainConfig
from newsbench.data import DataSpec, Dataset, fingerprints, load_dataset
from newsbench.errors import DataError
from newsbench.results import Metrics, ModelCard, SplitInfo, capture_environment, to_json, write_atomic

ProgressFactory = Callable[[str, int], Callable[[int], None]]


@dataclass(frozen=True)
class Recipe:
    """A named, fully specified way to build a detector."""

    description: str
    vectorizer: dict[str, Any]
    classifier: str
    classifier_params: dict[str, Any] = field(default_factory=dict)


_TFIDF = {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.95, "sublinear_tf": True, "lowercase": True}
RECIPES = {
    "tfidf-lr": Recipe("TF-IDF word 1-2 grams + logistic regression", _TFIDF,
                       "logistic_regression", {"C": 4.0, "max_iter": 2000}),
    "tfidf-rf": Recipe("TF-IDF word 1-2 grams (top 20k) + random forest",
                       {**_TFIDF, "max_features": 20000},
                       "random_forest", {"n_estimators": 300, "min_samples_leaf": 1}),
}


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


def split_ids(dataset: Dataset, val_size: float, test_size: float, seed: int) -> dict[str, list[str]]:
    """Seeded split of row ids into train/validation/test, stratified by label."""
    from sklearn.model_selection import train_test_split

    ids, y = dataset.rows["id"].to_numpy(), dataset.labels
    rest, test, y_rest, _ = train_test_split(ids, y, test_size=test_size, stratify=y, random_state=seed)
    train, val = train_test_split(rest, test_size=val_size / (1 - test_size), stratify=y_rest, random_state=seed)
    return {"train": sorted(train.tolist()), "validation": sorted(val.tolist()), "test": sorted(test.tolist())}


def train(config: TrainConfig, progress: ProgressFactory | None = None) -> ModelCard:
    """Fit a recipe on the configured data and write the model folder.

    Returns:
        The model card that was written to ``config.out / "model.json"``.
    """
    import joblib

    environment = capture_environment(config.seed, config.threads)
    specs = [DataSpec.parse(s) for s in config.data]
    dataset = load_dataset(specs, config.load_options(), name="+".join(dict.fromkeys(s.key for s in specs)))
    counts = np.bincount(dataset.labels, minlength=2)
    if counts.min() < 10:
        raise DataError(
            f"{dataset.name}: training needs at least 10 real and 10 fake articles after cleaning; "
            f"found {counts[0]} real and {counts[1]} fake (skipped: {dataset.skipped_counts()})"
        )
    split = split_ids(dataset, config.val_size, config.test_size, config.seed)
    parts = {name: dataset.select(ids, name) for name, ids in split.items()}
    recipe = RECIPES[config.recipe]
    pipeline = build_pipeline(recipe, config.seed, config.threads)

    advance = progress(f"fitting {config.recipe} on {len(parts['train']):,} articles", 1) if progress else None
    start = time.perf_counter()
    pipeline.fit(parts["train"].texts, parts["train"].labels)
    training_seconds = time.perf_counter() - start
    if advance:
        advance(1)

    def scored(part: Dataset) -> np.ndarray:
        return pipeline.predict_proba(part.texts)[:, list(pipeline.classes_).index(1)]

    val_prob, test_prob = scored(parts["validation"]), scored(parts["test"])
    threshold = metrics.best_threshold(parts["validation"].labels, val_prob)

    def summary(part: Dataset, prob: np.ndarray) -> Metrics:
        y = part.labels
        return Metrics.from_values(metrics.compute(y, prob), metrics.bootstrap(y, prob, seed=config.seed))

    card = ModelCard(
        recipe=config.recipe,
        dataset=dataset.name,
        data=dataset.files,
        preprocessing=asdict(config.load_options()),
        split=SplitInfo(config.seed, {"validation": config.val_size, "test": config.test_size},
                        {name: len(ids) for name, ids in split.items()}),
        hyperparameters={"description": recipe.description, "vectorizer": recipe.vectorizer,
                         "classifier": recipe.classifier, **recipe.classifier_params},
        threshold=threshold,
        threshold_criterion="max balanced accuracy (Youden's J) on the validation split",
        validation=summary(parts["validation"], val_prob),
        test=summary(parts["test"], test_prob),
        training_seconds=training_seconds,
        environment=environment,
    )
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / ".model.joblib.tmp"
    joblib.dump(pipeline, tmp)
    tmp.replace(out / "model.joblib")
    seen = fingerprints(parts["train"].texts + parts["validation"].texts)
    with open(out / ".fingerprints.tmp", "wb") as handle:
        np.save(handle, seen)
    (out / ".fingerprints.tmp").replace(out / "train_fingerprints.npy")
    write_atomic(out / "split.json", json.dumps({"seed": config.seed, **split}))
    if len(dataset.skipped):
        write_atomic(out / "skipped.csv", dataset.skipped.to_csv(index=False))
    write_atomic(out / "model.json", to_json(card))  # last: its presence marks a complete folder
    return card
