"""Typed result objects, one JSON (de)serialiser for all of them, and environment capture.

Every object written to disk (``results.json``, ``model.json``) is a dataclass from this module;
``to_json``/``from_json`` convert any of them, driven by the type hints, so the schema lives in
one place and a round trip gives back an equal object.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from newsbench.options import LoadOptions

# 1.1: ModelCard.max_length and typed preprocessing (1.0 cards are read as before).
SCHEMA_VERSION = "1.2"


@dataclass(frozen=True)
class Estimate:
    """A metric value with its 95% bootstrap interval (None when not computed)."""

    value: float
    ci95: tuple[float, float] | None = None

    def __post_init__(self):
        # Every metric newsbench estimates is a rate, a share or an area: in [0, 1] (or NaN: not computed).
        for v in (self.value, *(self.ci95 or ())):
            if v is not None and not (v != v or -1e-9 <= v <= 1 + 1e-9):
                raise ValueError(f"{v} is not a value in [0, 1] (or null)")


@dataclass(frozen=True)
class Metrics:
    """The headline metrics of one evaluation, each with a confidence interval."""

    accuracy: Estimate
    balanced_accuracy: Estimate
    precision_real: Estimate
    recall_real: Estimate
    f1_real: Estimate
    precision_fake: Estimate
    recall_fake: Estimate
    f1_fake: Estimate
    precision_macro: Estimate
    recall_macro: Estimate
    f1_macro: Estimate
    precision_weighted: Estimate
    recall_weighted: Estimate
    f1_weighted: Estimate
    fpr: Estimate
    fnr: Estimate
    roc_auc: Estimate
    pr_auc: Estimate
    brier: Estimate
    ece: Estimate

    @classmethod
    def from_values(cls, values: dict[str, float], cis: dict[str, tuple[float, float]] | None = None) -> Metrics:
        """Build from ``metrics.compute`` (and optionally ``metrics.bootstrap``) output."""
        return cls(**{
            f.name: Estimate(values[f.name], cis[f.name] if cis else None) for f in dataclasses.fields(cls)
        })


@dataclass(frozen=True)
class Confusion:
    """Confusion counts with fake (1) as the positive class."""

    tn: int
    fp: int
    fn: int
    tp: int

    @classmethod
    def from_predictions(cls, y, pred) -> Confusion:
        """Counts from true labels and predictions (arrays of 0/1)."""
        import numpy as np

        y, pred = np.asarray(y, bool), np.asarray(pred, bool)
        return cls(int((~y & ~pred).sum()), int((~y & pred).sum()), int((y & ~pred).sum()), int((y & pred).sum()))

    @property
    def n_real(self) -> int:
        return self.tn + self.fp

    @property
    def n_fake(self) -> int:
        return self.fn + self.tp


@dataclass(frozen=True)
class OperatingPoint:
    """Metrics at one decision threshold (predict fake when P(fake) >= threshold)."""

    name: str
    threshold: float
    accuracy: float
    balanced_accuracy: float
    f1_macro: float
    fpr: float
    fnr: float
    predicted_fake_rate: float
    note: str = ""


@dataclass(frozen=True)
class GroupRow:
    """Metrics for the rows that share one value of a metadata column (or a cross of two)."""

    value: str
    n: int
    n_real: int
    n_fake: int
    accuracy: Estimate
    fpr: float | None
    fnr: float | None
    roc_auc: float | None
    mean_prob_fake: float


@dataclass(frozen=True)
class GroupBreakdown:
    column: str
    rows: list[GroupRow]
    other_values: int = 0


@dataclass(frozen=True)
class Explanation:
    """Which words pushed one article's score (``newsbench.explain``), in log-odds of fake.

    ``pieces`` are the first words (or occluded spans) of the text, each with its push (positive:
    toward fake); ``top_fake``/``top_real`` the strongest pushes over the whole article.
    ``chars_read`` < ``chars_total`` when the detector reads only the start (its token limit).
    """

    method: str  # "linear" (exact: coefficient x TF-IDF value) or "occlusion" (delete a span, re-score)
    log_odds: float
    prob_fake: float
    pieces: list[tuple[str, float]]
    chars_shown: int
    chars_read: int
    chars_total: int
    top_fake: list[tuple[str, float]]
    top_real: list[tuple[str, float]]
    seconds: float


@dataclass(frozen=True)
class TopFeatures:
    """A linear detector's global view: the terms whose weights push hardest toward each class."""

    method: str
    fake: list[tuple[str, float]]
    real: list[tuple[str, float]]


@dataclass(frozen=True)
class ErrorExample:
    """One misclassified article, as a reader needs it to judge the error."""

    id: str
    snippet: str
    label: int
    pred: int
    prob_fake: float
    metadata: dict[str, str]
    explanation: Explanation | None = None


@dataclass(frozen=True)
class Errors:
    """Misclassified rows: a seeded random sample (the study's view) and the most confident."""

    n_errors: int
    random: list[ErrorExample]
    most_confident: list[ErrorExample]


@dataclass(frozen=True)
class Timing:
    """Wall-clock cost of scoring one dataset."""

    n_articles: int
    tokenize_s: float
    inference_s: float
    total_s: float
    ms_per_article: float


@dataclass(frozen=True)
class Curves:
    """Down-sampled curves for plots: ROC (fpr, tpr), PR (recall, precision), reliability bins."""

    roc: list[tuple[float, float]]
    pr: list[tuple[float, float]]
    reliability: list[tuple[float, float, float, int]]


@dataclass(frozen=True)
class SourceFile:
    path: str
    sha256: str
    rows: int
    text_columns: list[str]
    label_source: str
    file_label: int | None = None
    #: Each distinct label value seen (up to 20) -> the label it was read as (0 real, 1 fake).
    label_mapping: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PrecisionCheck:
    """A reduced-precision backend (bf16, int8) against its fp32 reference on the same rows.

    ``n`` rows (all, or a seeded random sample) are scored again by the fp32 model; accuracies
    use the run's threshold. ``only_reduced_right`` / ``only_fp32_right`` are the discordant
    pairs of the exact McNemar test.
    """

    backend: str
    reference: str
    n: int
    sampled: bool
    agreement: float
    accuracy: float
    accuracy_fp32: float
    accuracy_delta: float
    only_reduced_right: int
    only_fp32_right: int
    mcnemar_p: float
    max_abs_prob_diff: float
    mean_abs_prob_diff: float
    fp32_ms_per_article: float


@dataclass(frozen=True)
class Evaluation:
    """Everything measured on one dataset."""

    dataset: str
    files: list[SourceFile]
    n_input: int
    n: int
    n_real: int
    n_fake: int
    skipped: dict[str, int]
    threshold: float
    metrics: Metrics
    confusion: Confusion
    thresholds: list[OperatingPoint]
    groups: list[GroupBreakdown]
    errors: Errors
    timing: Timing
    curves: Curves
    notes: list[str] = field(default_factory=list)
    precision_check: PrecisionCheck | None = None


@dataclass(frozen=True)
class Environment:
    """Where and how a result was produced."""

    newsbench_version: str
    git_commit: str | None
    python: str
    os: str
    cpu_model: str
    cpu_flags: list[str]
    cpu_count: int
    threads: int | None
    packages: dict[str, str]
    seed: int
    started_at: str


@dataclass(frozen=True)
class ModelInfo:
    path: str
    backend: str
    fingerprint: str
    parameters: int | None
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RunResult:
    """The content of ``results.json`` for ``newsbench evaluate``."""

    model: ModelInfo
    environment: Environment
    config: dict[str, Any]
    evaluations: list[Evaluation]
    top_features: TopFeatures | None = None
    schema_version: str = SCHEMA_VERSION
    kind: str = "evaluate"


@dataclass(frozen=True)
class ExplainResult:
    """The content of ``explanations.json`` for ``newsbench explain``: one explanation per article
    (None where the time budget ran out), of the texts as the detector read them."""

    model: ModelInfo
    texts: list[str]
    explanations: list[Explanation | None]
    schema_version: str = SCHEMA_VERSION
    kind: str = "explain"


@dataclass(frozen=True)
class SplitInfo:
    seed: int
    fractions: dict[str, float]
    sizes: dict[str, int]
    group_col: str | None = None


@dataclass(frozen=True)
class TrainingPoint:
    """One validation during fine-tuning."""

    step: int
    epoch: float
    seconds: float
    train_loss: float
    val_loss: float
    val_f1_macro: float
    val_accuracy: float


@dataclass(frozen=True)
class ModelCard:
    """The content of ``model.json``: how a detector was trained and how it scored in-domain."""

    recipe: str
    dataset: str
    data: list[SourceFile]
    preprocessing: LoadOptions
    split: SplitInfo
    hyperparameters: dict[str, Any]
    threshold: float
    threshold_criterion: str
    validation: Metrics
    test: Metrics
    training_seconds: float
    environment: Environment
    base: str | None = None
    stopped: str = "completed"
    history: list[TrainingPoint] = field(default_factory=list)
    #: Tokens the model was fine-tuned on (evaluation truncates there); None for text pipelines.
    max_length: int | None = None
    schema_version: str = SCHEMA_VERSION
    kind: str = "model"

    def __post_init__(self):
        # Cards written before schema 1.1 kept max_length among the hyperparameters.
        if self.max_length is None and isinstance(self.hyperparameters.get("max_length"), int):
            object.__setattr__(self, "max_length", self.hyperparameters["max_length"])


@dataclass(frozen=True)
class ExportResult:
    """The content of ``export.json``, written beside an ONNX export."""

    source: str
    file: str
    int8: bool
    quantization: str
    opset: int
    parameters: int
    size_mb: float
    fp32_size_mb: float
    parity_texts: int
    argmax_agreement: float
    max_logit_diff: float
    seconds: float
    environment: Environment
    kind: str = "export"
