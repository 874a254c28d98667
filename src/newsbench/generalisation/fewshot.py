"""Few-shot adaptation: what k labelled articles from a new source buy a detector on day one.

The target set is scored once. For each seed it is split by article (seed-aware: an article and
its copies stay on one side) into an adaptation pool and an evaluation part; k articles (half of
each class) are drawn from the pool; every method is fitted on those k alone and scored on the
evaluation part:

- ``none``: the detector as shipped (its validation threshold from model.json, else 0.5);
- ``threshold``: the threshold with the best balanced accuracy on the k articles;
- ``calibration``: Platt scaling of the detector's log-odds, class-balanced (threshold 0.5);
- ``head``: a new logistic-regression head on the detector's log-odds plus the article's frozen
  MiniLM sentence embedding (L2, class-balanced): the one method that can re-rank articles.

Threshold and calibration are monotone, so they leave ROC AUC as it was and move balanced
accuracy; the head can change both. Values are means over seeds with 95% t-intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from newsbench import metrics
from newsbench.explain import logit
from newsbench.generalisation.config import ARTICLE_KEYS, FEWSHOT_METHODS
from newsbench.results import SCHEMA_VERSION, Environment, Estimate, ModelInfo

EMBED_SCALE = 4.0  # embeddings have unit norm; this puts a component on the log-odds' scale


@dataclass(frozen=True)
class FewShotPoint:
    method: str
    k: int  # labelled target articles used (0 for "none")
    roc_auc: Estimate
    balanced_accuracy: Estimate
    seeds: int


@dataclass(frozen=True)
class FewShotResult:
    """The content of ``fewshot.json``."""

    model: ModelInfo
    target: str
    n: int  # target articles scored
    n_eval: float  # mean size of the evaluation part over seeds
    ks: list[int]
    points: list[FewShotPoint]
    environment: Environment
    settings: dict
    notes: list[str] = field(default_factory=list)
    n_input: int = 0  # target rows read
    set_aside: dict[str, int] = field(default_factory=dict)  # target rows not used, by reason
    schema_version: str = SCHEMA_VERSION
    kind: str = "fewshot"


def fewshot_curve(y: np.ndarray, prob: np.ndarray, groups: np.ndarray, ks: list[int], seeds: int,
                  threshold: float = 0.5, embeddings: np.ndarray | None = None,
                  methods: tuple[str, ...] = FEWSHOT_METHODS, eval_share: float = 0.5,
                  seed: int = 0) -> tuple[list[FewShotPoint], float, list[str]]:
    """The adaptation curve from the detector's scores ``prob`` on a labelled target set.

    Returns the points (method x k), the mean evaluation size, and notes (ks that did not fit).
    """
    from newsbench.generalisation.protocol import grouped_part

    log_odds = logit(prob)
    values: dict[tuple[str, int], list[tuple[float, float]]] = {}
    sizes, notes = [], []
    for s in range(seeds):
        held = grouped_part(y, groups, eval_share, seed + s)
        pool, test = np.flatnonzero(~held), np.flatnonzero(held)
        sizes.append(len(test))
        rng = np.random.default_rng([seed, s])
        if "none" in methods:
            values.setdefault(("none", 0), []).append(_score(y[test], prob[test], threshold))
        for k in ks:
            per_class = [pool[y[pool] == c] for c in (0, 1)]
            if min(len(p) for p in per_class) < k // 2 or k < 2:
                continue
            shots = np.concatenate([rng.choice(p, k // 2 + (k % 2) * c, replace=False)
                                    for c, p in enumerate(per_class)])
            for method in methods:
                if method == "none":
                    continue
                scored = _adapt(method, shots, test, y, log_odds, embeddings)
                if scored is not None:
                    values.setdefault((method, k), []).append(_score(y[test], *scored))
    skipped = [k for k in ks if not any(key[1] == k for key in values)]
    if skipped:
        notes.append(f"k = {', '.join(map(str, skipped))}: the adaptation pool has too few articles of a class.")
    if embeddings is None and "head" in methods:
        notes.append("head: no embeddings were given, so no head was fitted.")
    points = [FewShotPoint(method, k, _mean(v, 0), _mean(v, 1), len(v)) for (method, k), v in values.items()]
    return sorted(points, key=lambda p: (FEWSHOT_METHODS.index(p.method), p.k)), float(np.mean(sizes)), notes


def _adapt(method: str, shots: np.ndarray, test: np.ndarray, y: np.ndarray, log_odds: np.ndarray,
           embeddings: np.ndarray | None) -> tuple[np.ndarray, float] | None:
    """(P(fake) of the test rows, decision threshold) after adapting on the ``shots`` rows."""
    from sklearn.linear_model import LogisticRegression

    if method == "threshold":
        return 1 / (1 + np.exp(-log_odds[test])), float(
            metrics.best_threshold(y[shots], 1 / (1 + np.exp(-log_odds[shots]))))
    if method == "calibration":
        slope, intercept = platt(log_odds[shots], y[shots])
        return 1 / (1 + np.exp(-(slope * log_odds[test] + intercept))), 0.5
    if method == "head":
        if embeddings is None:
            return None
        features = np.column_stack([log_odds, EMBED_SCALE * embeddings])
        model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(features[shots], y[shots])
        return model.predict_proba(features[test])[:, 1], 0.5
    raise ValueError(f"unknown few-shot method {method!r}")


def platt(log_odds: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Class-balanced Platt scaling with a positive slope, so calibration never reverses the ranking
    (k articles that disagree with the detector's order give a near-flat fit instead)."""
    from scipy.optimize import minimize

    weight = np.where(y == 1, 0.5 / max((y == 1).sum(), 1), 0.5 / max((y == 0).sum(), 1))

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        z = params[0] * log_odds + params[1]
        p = 1 / (1 + np.exp(-z))
        value = np.sum(weight * (np.logaddexp(0, z) - y * z))
        g = weight * (p - y)
        return float(value), np.array([np.sum(g * log_odds), np.sum(g)])

    fit = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B", bounds=[(1e-6, None), (None, None)])
    return float(fit.x[0]), float(fit.x[1])


def _score(y: np.ndarray, prob: np.ndarray, threshold: float) -> tuple[float, float]:
    values = metrics.compute(y, prob, threshold)
    return values["roc_auc"], values["balanced_accuracy"]


def _mean(rows: list[tuple[float, float]], i: int) -> Estimate:
    """Mean over seeds with a 95% t-interval clipped to [0, 1], the range of the scores (no interval
    from one seed)."""
    from scipy import stats

    v = np.array([r[i] for r in rows], dtype=float)
    if len(v) < 2:
        return Estimate(float(v.mean()))
    half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return Estimate(float(v.mean()), (float(max(v.mean() - half, 0.0)), float(min(v.mean() + half, 1.0))))


def run_fewshot(config, progress=None) -> FewShotResult:
    """``newsbench fewshot``: score the target set once with the detector (read as it was trained),
    embed it if a head is asked for, and draw the curve."""
    from newsbench.config import parse_where
    from newsbench.data import load_dataset, seen_in
    from newsbench.detectors import load_detector
    from newsbench.detectors.base import DetectorOptions
    from newsbench.environment import capture_environment
    from newsbench.errors import DataError
    from newsbench.evaluation import load_model_card, training_fingerprints
    from newsbench.generalisation.overlap import article_ids
    from newsbench.options import LoadOptions
    from newsbench.sources import DataSpec

    environment = capture_environment(config.seed, config.threads)
    card, folder = load_model_card(config.model)
    trained = card.preprocessing if card else LoadOptions()
    # As evaluate reads a new source: the model's text columns where the file has them, its own labels.
    options = trained.overridden(None, None, trained.encoding, None, None, None)
    specs = [DataSpec.parse(s) for s in config.data]
    target = load_dataset(specs, options, "+".join(dict.fromkeys(s.name or s.key for s in specs)))
    for column, values in parse_where(config.where).items():
        if column not in target.rows.columns:
            raise DataError(f"--where {column}=...: {target.name} has no column '{column}'")
        target = target.exclude(~target.rows[column].isin(values).to_numpy(), "filtered_out",
                                f"{column} is not {' or '.join(values)}")
    notes = []
    seen = training_fingerprints(folder, [], options)
    if seen is not None and len(seen):
        leaked = seen_in(target.texts, seen)
        if leaked.any():
            target = target.exclude(leaked, "in_training_data", "text also occurs in the detector's training data")
            notes.append(f"{int(leaked.sum()):,} target rows also occur in the detector's training data; left out.")
    if config.max_rows:
        target = target.sample(config.max_rows, config.seed)
    counts = np.bincount(target.labels, minlength=2)
    if counts.min() < 2:
        aside = ", ".join(f"{k}: {v:,}" for k, v in target.skipped_counts().items()) or "none"
        raise DataError(f"{target.name}: {counts[0]} real and {counts[1]} fake rows left of {target.n_input:,} read "
                        f"(set aside: {aside}); few-shot adaptation needs both classes (at least 2 of each)")
    detector = load_detector(config.model, config.backend, DetectorOptions(
        max_length=card.max_length if card and card.max_length else 512, threads=config.threads,
        allow_pickle=config.allow_pickle, trust_remote_code=config.trust_remote_code))
    texts = target.texts
    advance = progress(f"scoring {target.name}", len(texts)) if progress else None
    prob = detector.predict_proba(texts, advance)[:, 1]
    embeddings = None
    if "head" in config.methods:
        from newsbench.heads import ENCODER_TOKENS
        from newsbench.training.embeddings import SentenceEncoder
        from newsbench.training.presets import pretrained_path

        encoder = SentenceEncoder.shared(pretrained_path("minilm-l6"), ENCODER_TOKENS, config.threads)
        embeddings = encoder.encode(texts, progress)
    [groups], _ = article_ids([target], ARTICLE_KEYS)
    threshold = card.threshold if card and card.threshold is not None else 0.5
    points, n_eval, more = fewshot_curve(target.labels, prob, groups, config.ks, config.seeds, threshold, embeddings,
                                         tuple(config.methods), config.eval_share, config.seed)
    return FewShotResult(detector.info(), target.name, len(texts), n_eval, config.ks, points, environment,
                         {"seeds": config.seeds, "eval_share": config.eval_share, "max_rows": config.max_rows,
                          "threshold_as_shipped": threshold, "methods": config.methods, "where": config.where,
                          "seed": config.seed, "embed_scale": EMBED_SCALE},
                         notes + more, target.n_input, target.skipped_counts())
