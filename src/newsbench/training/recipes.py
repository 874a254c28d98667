"""Named, fully specified ways to build a detector: the TF-IDF baselines and fine-tuning."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from newsbench.results import TrainingPoint


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


@dataclass
class Fitted:
    """A trained detector: how to score texts, and what to record about its training."""

    score: Callable[[list[str]], np.ndarray]
    hyperparameters: dict
    training_seconds: float
    history: list[TrainingPoint] = field(default_factory=list)
    stopped: str = "completed"
    base: str | None = None
    max_length: int | None = None  # tokens per article for a transformer; None for text pipelines
