"""Named, fully specified ways to build a detector: the TF-IDF baselines and fine-tuning."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
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
# Heads on fixed views (newsbench.heads), fitted in seconds once embeddings are cached, so a
# crossval fold per dataset is affordable; saved without pickles.
HEAD_RECIPES = {
    "embed-lr": ("embed",),
    "style-lr": ("style",),
    "ensemble": ("tfidf", "embed", "style"),
    # Chosen by leave-one-dataset-out crossval on the shared sets (README, Generalisation): TF-IDF on
    # canonical spelling, binary, weakly regularised, trained source-balanced on artefact-free text.
    "robust": ("tfidf-canonical",),
    # MiniLM distilled into static token embeddings (newsbench.static): no torch at inference.
    "static": ("static",),
}
# What a recipe implies about the data it reads and how rows weigh (unless the user says otherwise).
STRIPS_ARTIFACTS = {"robust"}
DEFAULT_BALANCE = {"robust": "sources"}
# Pooled sets hold versions of one article (restylings, paraphrases); a row split would score its own copies.
DEFAULT_GROUP = {"robust": "article"}
DROPS_UNLEARNABLE = {"robust"}  # see check_sources
CROSSVAL_RECIPES = (*BASELINES, *HEAD_RECIPES)
RECIPES = (*BASELINES, *HEAD_RECIPES, "finetune")


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


def without_sources(source: np.ndarray, y: np.ndarray, balance: str, dropped: list[str]) -> np.ndarray:
    """Weights as ``source_weights`` gives the sources that are kept; the rows of ``dropped`` sources
    weigh 0, so their labels teach nothing while their texts still shape a TF-IDF vocabulary."""
    keep = ~np.isin(source, dropped)
    weights = np.zeros(len(y))
    kept = source_weights(source[keep], y[keep], balance)
    weights[keep] = 1.0 if kept is None else kept
    return weights


def source_weights(source: np.ndarray | None, y: np.ndarray, balance: str) -> np.ndarray | None:
    """Per-row weights with mean 1. ``sources``: each source (dataset) weighs the same, its share
    split evenly between the classes it has; ``classes``: each class weighs the same; ``none``."""
    if balance == "none" or (balance == "sources" and source is None):
        balance = "classes" if balance == "sources" else balance
    if balance == "none":
        return None
    if balance == "sources":
        per_source = {s: len(set(y[source == s])) for s in set(source.tolist())}
        share = np.array([1 / (len(per_source) * per_source[s]) for s in source.tolist()])
        keys = np.array([f"{s}|{label}" for s, label in zip(source.tolist(), y.tolist())])
    else:
        share, keys = np.full(len(y), 1 / len(set(y.tolist()))), y
    _, inverse, count = np.unique(keys, return_inverse=True, return_counts=True)
    weights = share / count[inverse]
    return weights * len(y) / weights.sum()


@dataclass(frozen=True)
class SourceCheck:
    """Whether a detector fitted on a pool of sources separates one source's validation articles."""

    source: str
    n_real: int
    n_fake: int
    roc_auc: float | None  # None: too few validation articles of a class to judge
    p_value: float | None  # one-sided Mann-Whitney: fake articles score no higher than real ones
    dropped: bool


def check_sources(prob: np.ndarray, labels: np.ndarray, source: np.ndarray, alpha: float = 0.05,
                  min_per_class: int = 10) -> list[SourceCheck]:
    """Judge each source of a training pool on its validation articles, scored by a detector fitted
    on the pool. A source whose fake articles do not score higher than its real ones (one-sided
    Mann-Whitney U test, p >= ``alpha``) is marked to drop: its labels are noise to this detector,
    and in leave-one-dataset-out crossval such a source (PropaNews, AI-written propaganda spliced
    into real articles) lowered the AUC on the others (README, Generalisation). Sources with fewer
    than ``min_per_class`` validation articles of a class are kept unjudged, and nothing is dropped
    unless at least two sources pass: a pool, not a single dataset, is being filtered."""
    from scipy.stats import mannwhitneyu
    from sklearn.metrics import roc_auc_score

    checks = []
    for name in dict.fromkeys(source.tolist()):
        rows = source == name
        y, p = labels[rows], prob[rows]
        n_fake = int(y.sum())
        n_real = len(y) - n_fake
        if min(n_real, n_fake) < min_per_class:
            checks.append(SourceCheck(str(name), n_real, n_fake, None, None, False))
            continue
        p_value = float(mannwhitneyu(p[y == 1], p[y == 0], alternative="greater").pvalue)
        checks.append(SourceCheck(str(name), n_real, n_fake, float(roc_auc_score(y, p)), p_value, p_value >= alpha))
    if sum(c.p_value is not None and not c.dropped for c in checks) < 2:
        checks = [replace(c, dropped=False) for c in checks]
    return checks


def fit_heads(name: str, texts: list[str], labels: np.ndarray, weights: np.ndarray | None = None, seed: int = 0,
              threads: int | None = None, progress=None):
    """A ``HeadModel`` of the recipe's views (see HEAD_RECIPES), fitted on texts with per-row weights."""
    from newsbench.heads import ENCODER_TOKENS, HeadModel, fit_head
    from newsbench.training.presets import pretrained_path

    encoders = {}
    if "embed" in HEAD_RECIPES[name]:
        from newsbench.training.embeddings import SentenceEncoder

        encoders["embed"] = SentenceEncoder.shared(pretrained_path("minilm-l6"), ENCODER_TOKENS, threads)
        encoders["embed"].encode(texts, progress)  # once, with a progress bar; the head reads the cache
    if "static" in HEAD_RECIPES[name]:
        from newsbench.static import StaticEncoder

        encoders["static"] = StaticEncoder.distill(pretrained_path("minilm-l6"))
    return HeadModel([fit_head(view, texts, labels, weights, seed, encoders.get(view))
                      for view in HEAD_RECIPES[name]])


def fit_scorer(name: str, texts: list[str], labels: np.ndarray, weights: np.ndarray | None = None, seed: int = 0,
               threads: int | None = None) -> Callable[[list[str]], np.ndarray]:
    """Fit a recipe on texts (with per-row weights) and return its P(fake) scorer."""
    if name in HEAD_RECIPES:
        return fit_heads(name, texts, labels, weights, seed, threads).score
    pipeline = build_pipeline(BASELINES[name], seed, threads)
    pipeline.fit(texts, labels, clf__sample_weight=weights)
    fake = list(pipeline.classes_).index(1)
    return lambda batch: pipeline.predict_proba(batch)[:, fake]


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
