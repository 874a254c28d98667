"""Shortcut audit: which cues a detector could be using instead of veracity.

Probe detectors are trained on deliberately impoverished views of the same training articles
(the first 20 words, punctuation and casing with letters masked, length, which source artefacts
the text carries, style features) and scored on the same held-out articles as the model. A probe
that gets close to the full model's held-out ROC AUC shows that the task, as this dataset poses
it, can be solved from that cue alone: the model is likely to have learned it, and it will not
transfer. With a model, the audit also measures how many of its predictions flip when the
catalogued artefacts are removed from the texts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from newsbench import metrics
from newsbench.artifacts import ARTIFACTS, artifact_matrix, artifact_rates, strip_artifacts
from newsbench.data import Dataset
from newsbench.errors import DataError
from newsbench.generalisation.config import HELD_OUT, MIN_CLASS
from newsbench.results import SCHEMA_VERSION, Environment, Estimate

if TYPE_CHECKING:
    from newsbench.detectors.base import ProgressFactory
    from newsbench.generalisation.config import AuditConfig

SHORTCUT = 0.8  # a probe reaching this share of the model's above-chance AUC flags a shortcut


@dataclass(frozen=True)
class Probe:
    name: str
    view: str  # what the probe sees
    roc_auc: Estimate
    share_of_model: float | None  # (probe AUC - 0.5) / (reference AUC - 0.5)
    flagged: bool


@dataclass(frozen=True)
class ArtifactRate:
    name: str
    what: str
    real_share: float
    fake_share: float


@dataclass(frozen=True)
class Flips:
    """The model's decisions on the held-out texts as they are vs with every artefact removed."""

    n: int
    n_with_artifacts: int
    flipped: int
    share: float  # of the rows that carried an artefact
    auc_raw: float
    auc_stripped: float


@dataclass(frozen=True)
class AuditResult:
    """The content of ``audit.json``."""

    dataset: str
    n_train: int
    n_test: int
    reference: str  # what the probes are compared with: the model, or the full-text TF-IDF probe
    reference_auc: float
    probes: list[Probe]
    artifacts: list[ArtifactRate]
    environment: Environment
    flips: Flips | None = None
    notes: list[str] = field(default_factory=list)
    n_input: int = 0  # rows read from --data (0: the model's own split)
    set_aside: dict[str, int] = field(default_factory=dict)  # rows of --data not audited, by reason
    schema_version: str = SCHEMA_VERSION
    kind: str = "audit"


def _mask(text: str) -> str:
    """Letters become a/A, digits 0: punctuation, casing and rhythm survive, words do not."""
    return re.sub(r"\d", "0", re.sub(r"[^\W\d_]", lambda m: "A" if m.group().isupper() else "a", text))


def _length(texts: list[str]) -> np.ndarray:
    return np.array([[np.log1p(len(t)), np.log1p(len(t.split()))] for t in texts])


def probes() -> dict[str, tuple[str, Callable]]:
    """name -> (what it sees, fit(train_texts, y) -> scorer)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    from newsbench.training.style import style_features

    def lr():
        return LogisticRegression(C=1.0, max_iter=2000, random_state=0)

    def words(view):
        return lambda: make_pipeline(FunctionTransformer(lambda ts: [view(t) for t in ts]),
                                     TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), lr())

    def dense(features):
        return lambda: make_pipeline(FunctionTransformer(features), StandardScaler(), lr())

    return {
        "full-text": ("TF-IDF word 1-2 grams of the whole text", words(lambda t: t)),
        "first-20-words": ("the first 20 words only (datelines, bylines, openings)",
                           words(lambda t: " ".join(t.split()[:20]))),
        "punctuation-casing": ("punctuation, casing and digits, letters masked (character 1-4 grams)",
                               lambda: make_pipeline(FunctionTransformer(lambda ts: [_mask(t)[:3000] for t in ts]),
                                                     TfidfVectorizer(analyzer="char", ngram_range=(1, 4), min_df=2,
                                                                     lowercase=False, sublinear_tf=True), lr())),
        "length": ("the length in characters and words only", dense(_length)),
        "artefacts": ("which catalogued source artefacts the text carries",
                      dense(lambda ts: artifact_matrix(ts).astype(float))),
        "style": ("style and affect features (sentence length, punctuation, pronouns, affect words)",
                  dense(style_features)),
    }


def audit(train: Dataset, test: Dataset, environment: Environment, model_scores: Callable | None = None,
          model_name: str | None = None, threshold: float = 0.5, n_bootstrap: int = 500, seed: int = 0
          ) -> AuditResult:
    """Fit every probe on ``train``, score it on ``test``; with ``model_scores`` (texts -> P(fake)),
    compare with the model and count the decisions that flip without artefacts."""
    y_train, y_test = train.labels, test.labels
    (a, b), (c, d) = np.bincount(y_train, minlength=2), np.bincount(y_test, minlength=2)
    if min(a, b, c, d) < MIN_CLASS:
        raise DataError(f"{train.name}: the probes would train on {a:,} real and {b:,} fake articles and be scored on "
                        f"{c:,} real and {d:,} fake held-out ones; an audit needs at least {MIN_CLASS} of each class "
                        "in both (give more rows)")
    scored, flips, notes = {}, None, []
    carried = artifact_matrix(train.texts)
    for name, (view, build) in probes().items():
        if name == "artefacts" and not carried.any():
            notes.append("probe artefacts: no training article carries a catalogued artefact, so it has nothing to "
                         "learn from (not scored)")
            continue
        model = build()
        try:
            model.fit(train.texts, y_train)
            prob = model.predict_proba(test.texts)[:, list(model.classes_).index(1)]
        except ValueError as exc:  # e.g. no word occurs twice in the first 20 words
            notes.append(f"probe {name} could not be fitted: {exc}")
            continue
        cis = metrics.bootstrap(y_test, prob, 0.5, n_bootstrap, seed) if n_bootstrap else {}
        scored[name] = (view, Estimate(metrics.compute(y_test, prob)["roc_auc"], cis.get("roc_auc")))
    if model_scores is not None:
        texts = test.texts
        raw = model_scores(texts)
        stripped_texts = [strip_artifacts(t) for t in texts]
        carries = np.array([s != t.strip() for s, t in zip(stripped_texts, texts)])
        stripped = raw.copy()
        if carries.any():
            stripped[carries] = model_scores([s for s, c in zip(stripped_texts, carries) if c])
        flipped = int(((raw >= threshold) != (stripped >= threshold)).sum())
        flips = Flips(len(texts), int(carries.sum()), flipped, flipped / max(int(carries.sum()), 1),
                      metrics.compute(y_test, raw)["roc_auc"], metrics.compute(y_test, stripped)["roc_auc"])
        reference, reference_auc = model_name or "the model", flips.auc_raw
    else:
        full = scored.get("full-text", ("", Estimate(float("nan"))))[1]
        reference, reference_auc = "the full-text TF-IDF probe", full.value
    result = []
    for name, (view, auc) in scored.items():
        share = (auc.value - 0.5) / (reference_auc - 0.5) if reference_auc - 0.5 > 0.05 else None
        flagged = name != "full-text" and share is not None and share >= SHORTCUT
        result.append(Probe(name, view, auc, share, flagged))
    rates = artifact_rates(train.texts, y_train, carried)
    return AuditResult(train.name, len(train.rows), len(test.rows), reference, reference_auc, result,
                       [ArtifactRate(a.name, a.what, *rates[a.name]) for a in ARTIFACTS], environment, flips, notes)


def run_audit(config: AuditConfig, progress: ProgressFactory | None = None) -> AuditResult:
    """``newsbench audit``: gather the training and held-out articles, the model's scores, and audit."""
    from newsbench.data import load_dataset
    from newsbench.detectors import load_detector
    from newsbench.detectors.base import DetectorOptions
    from newsbench.environment import capture_environment
    from newsbench.evaluation import heldout_dataset, load_model_card
    from newsbench.generalisation.config import ARTICLE_KEYS
    from newsbench.generalisation.overlap import article_ids
    from newsbench.generalisation.protocol import grouped_part
    from newsbench.options import LoadOptions
    from newsbench.sources import DataSpec

    environment = capture_environment(config.seed, config.threads)
    card, folder = load_model_card(config.model) if config.model else (None, None)
    trained = card.preprocessing if card else LoadOptions()
    strip = trained.strip_datelines if config.strip_datelines is None else config.strip_datelines
    options = LoadOptions(trained.text_cols, trained.label_col, trained.encoding, strip, trained.text_template,
                          trained.strip_artifacts)
    if card and folder and (folder / "split.json").exists() and not config.data:
        train, test = (heldout_dataset(card, folder, options, part) for part in ("train", "test"))
    else:
        from newsbench.errors import ConfigError

        if not config.data:
            raise ConfigError(f"{config.model} has no split.json from newsbench train: give its training-domain "
                              "data with --data")
        specs = [DataSpec.parse(s) for s in config.data]
        dataset = load_dataset(specs, options, "+".join(dict.fromkeys(s.key for s in specs)))
        [ids], _ = article_ids([dataset], ARTICLE_KEYS)
        held = grouped_part(dataset.labels, ids, HELD_OUT, config.seed)
        train = dataset.select(dataset.rows["id"][~held], f"{dataset.name} (probe training)")
        test = dataset.select(dataset.rows["id"][held], f"{dataset.name} (held out)")
    if config.max_rows:
        train, test = train.sample(config.max_rows, config.seed), test.sample(config.max_rows, config.seed)
    scores, name = None, None
    if config.model:
        detector = load_detector(config.model, config.backend, DetectorOptions(
            max_length=card.max_length if card and card.max_length else 512, threads=config.threads,
            allow_pickle=config.allow_pickle, trust_remote_code=config.trust_remote_code))
        name = config.model

        def scores(texts: list[str]) -> np.ndarray:
            advance = progress(f"scoring {len(texts):,} articles", len(texts)) if progress else None
            return detector.predict_proba(texts, advance)[:, 1]

    threshold = card.threshold if card else 0.5
    result = audit(train, test, environment, scores, name, threshold, config.n_bootstrap, config.seed)
    if config.data:
        set_aside = Counter(dataset.skipped_counts())
        set_aside.update([*train.skipped["reason"], *test.skipped["reason"]])  # --max-rows
        result = replace(result, n_input=dataset.n_input, set_aside={str(k): int(v) for k, v in set_aside.items()})
    return result
