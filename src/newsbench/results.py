"""Typed result objects, one JSON (de)serialiser for all of them, and environment capture.

Every object written to disk (``results.json``, ``model.json``) is a dataclass from this module;
``to_json``/``from_json`` convert any of them, driven by the type hints, so the schema lives in
one place and a round trip gives back an equal object.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbench.errors import DataError

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class Estimate:
    """A metric value with its 95% bootstrap interval (None when not computed)."""

    value: float
    ci95: tuple[float, float] | None = None


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
    tn: int
    fp: int
    fn: int
    tp: int


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
class ErrorExample:
    """One misclassified article, as a reader needs it to judge the error."""

    id: str
    snippet: str
    label: int
    pred: int
    prob_fake: float
    metadata: dict[str, str]


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
    schema_version: str = SCHEMA_VERSION
    kind: str = "evaluate"


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
    preprocessing: dict[str, Any]
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
    schema_version: str = SCHEMA_VERSION
    kind: str = "model"


def to_dict(obj: Any) -> Any:
    """Convert a result object (dataclasses, lists, dicts, tuples, floats) to JSON-ready data.

    Non-finite floats become None, since JSON has no NaN.
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_dict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if hasattr(obj, "item"):  # numpy scalars
        return to_dict(obj.item())
    return obj


def from_dict(cls: Any, data: Any) -> Any:
    """Inverse of ``to_dict`` for a target type ``cls`` (a dataclass or a typing hint)."""
    origin, args = typing.get_origin(cls), typing.get_args(cls)
    if data is None:
        return float("nan") if cls is float else None
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return from_dict(inner[0], data) if len(inner) == 1 else data
    if dataclasses.is_dataclass(cls):
        hints = typing.get_type_hints(cls)
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: from_dict(hints[k], v) for k, v in data.items() if k in known})
    if origin is list:
        return [from_dict(args[0], v) for v in data]
    if origin is tuple:
        return tuple(from_dict(a, v) for a, v in zip(args, data)) if args and args[-1] is not ... else tuple(data)
    if origin is dict:
        return {k: from_dict(args[1], v) for k, v in data.items()}
    if cls is float:
        return float(data)
    return data


def to_json(obj: Any) -> str:
    return json.dumps(to_dict(obj), indent=2, ensure_ascii=False, allow_nan=False)


def from_json(cls: type, text: str, source: str = "JSON") -> Any:
    """Parse ``text`` as a ``cls`` result; anything else is a ``DataError`` naming ``source``.

    The file must be a JSON object of a readable schema version, of ``cls``'s ``kind`` when
    ``cls`` declares one, with every field ``cls`` requires.
    """
    name = getattr(cls, "__name__", str(cls))
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DataError(f"{source}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise DataError(f"{source}: expected a JSON object ({name}), found a {type(data).__name__}")
    version = str(data.get("schema_version", SCHEMA_VERSION))
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise DataError(f"{source}: schema version {version} is not readable by this newsbench "
                        f"(reads {SCHEMA_VERSION})")
    kinds = {f.name: f.default for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else {}
    expected = kinds.get("kind")
    if isinstance(expected, str) and data.get("kind", expected) != expected:
        raise DataError(f"{source}: a newsbench {data.get('kind')!r} file, not {expected!r}")
    try:
        return from_dict(cls, data)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise DataError(f"{source}: not a complete newsbench {name} ({type(exc).__name__}: {exc})") from exc


def read_json(cls: type, path: str | Path) -> Any:
    """Read a result file newsbench wrote (results.json, model.json, profile.json, ...)."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from exc
    return from_json(cls, text, str(path))
