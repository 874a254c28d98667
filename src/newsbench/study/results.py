"""The content of ``study.json``: every detector x backend row, and the comparisons between them."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsbench.results import SCHEMA_VERSION, Environment, Estimate, GroupRow, PrecisionCheck


@dataclass(frozen=True)
class DatasetScore:
    """One row's metrics on one dataset (the held-out split is ``in_domain``)."""

    dataset: str
    in_domain: bool
    n: int
    n_real: int
    n_fake: int
    accuracy: Estimate
    balanced_accuracy: Estimate
    f1_macro: Estimate
    roc_auc: Estimate
    fpr: Estimate
    fnr: Estimate
    false_positives: int
    false_negatives: int
    cells: list[GroupRow] = field(default_factory=list)  # human/AI x real/fake, where the data has them
    precision_check: PrecisionCheck | None = None
    run: str = ""  # the run folder, relative to the study folder


@dataclass(frozen=True)
class Cost:
    """What one row costs on this CPU (from ``newsbench profile``)."""

    parameters: int
    disk_mb: float
    load_rss_mb: float | None
    ms_per_article: float | None  # single-stream mean over the real length mix
    p90_ms: float | None
    peak_memory_512_mb: float | None  # peak RSS growth of one 512-token article
    threads: int
    batch_ms_per_article: dict[str, float] = field(default_factory=dict)  # "batch@length" -> p50 ms/article
    memory_growth_mb: dict[str, float] = field(default_factory=dict)  # "length" -> growth, batch 1
    run: str = ""


@dataclass(frozen=True)
class StudyRow:
    """One detector on one backend: its scores on every dataset and its cost."""

    label: str
    detector: str
    backend: str
    model: str
    scores: list[DatasetScore]
    cost: Cost | None = None


@dataclass(frozen=True)
class Generalisation:
    """In-domain vs external: the study's central table, one row per detector x backend."""

    label: str
    in_domain_accuracy: float | None
    in_domain_auc: float | None
    external_accuracy: dict[str, float]
    external_auc: dict[str, float]
    mean_external_accuracy: float | None
    accuracy_drop: float | None  # in-domain minus mean external accuracy
    mean_external_auc: float | None
    worst_external_auc: float | None
    worst_external: str | None


@dataclass(frozen=True)
class PairTest:
    """Exact McNemar test of two rows on the rows both scored, with the Holm-adjusted p-value
    over all pairs on that dataset."""

    dataset: str
    a: str
    b: str
    n: int
    accuracy_a: float
    accuracy_b: float
    only_a_right: int
    only_b_right: int
    p_value: float
    p_holm: float
    significant: bool


@dataclass(frozen=True)
class RecipeHeadline:
    """One recipe's cross-dataset headline from the study's ``[crossval]`` (full cells in ``run``)."""

    recipe: str
    lodo_mean_auc: float | None
    lodo_worst_auc: float | None
    lodo_worst: str | None
    transfer_mean_auc: float | None
    in_domain_mean_auc: float | None
    seconds: float
    run: str = ""  # the crossval folder, relative to the study folder


@dataclass(frozen=True)
class StudyResult:
    """The content of ``study.json``."""

    name: str
    seed: int
    datasets: list[str]
    rows: list[StudyRow]
    generalisation: list[Generalisation]
    tests: list[PairTest]
    pareto: list[str]  # rows no other row beats on both mean external AUC and ms per article
    environment: Environment
    alpha: float = 0.05
    crossval: list[RecipeHeadline] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION
    kind: str = "study"
