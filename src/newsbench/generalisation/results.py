"""The content of ``crossval.json``: every cell of the cross-dataset protocol, per recipe."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsbench.results import SCHEMA_VERSION, Environment, Estimate


@dataclass(frozen=True)
class CrossvalDataset:
    """One dataset of the protocol, after loading, filtering, deduplication and sampling."""

    name: str
    files: list[str]
    n_input: int
    n: int
    n_real: int
    n_fake: int
    skipped: dict[str, int]


@dataclass(frozen=True)
class Cell:
    """One model scored on one dataset it was (``in-domain``) or was not trained on.

    ``removed`` counts the training rows set aside because they are the same article as a row of
    the test set (shared seed id, same or near-duplicate text); ``n_train`` counts the rows
    that weighed in the fit (a source ``dropped`` by the recipe's check weighs 0).
    """

    kind: str  # in-domain, transfer (train on one set) or left-out (train on all others)
    train: list[str]
    test: str
    n_train: int
    removed: int
    n: int
    n_real: int
    n_fake: int
    threshold: float  # chosen on training-domain validation only
    roc_auc: Estimate
    balanced_accuracy: Estimate
    accuracy: Estimate
    fpr: Estimate
    fnr: Estimate
    dropped: list[str] = field(default_factory=list)  # training sets the recipe could not learn (check_sources)
    unscored: str = ""  # why the cell has no scores (too few rows of a class to fit on or to score)


@dataclass(frozen=True)
class Asymmetry:
    """A->B against B->A transfer: training on A may teach B's task, but not the reverse."""

    a: str
    b: str
    auc_ab: float
    auc_ba: float
    gap: float  # auc_ab - auc_ba


@dataclass(frozen=True)
class RecipeCrossval:
    """One recipe's cells and headline numbers (off-diagonal AUCs only: the unseen-news ones)."""

    recipe: str
    cells: list[Cell]
    lodo_mean_auc: float | None
    lodo_worst_auc: float | None
    lodo_worst: str | None
    transfer_mean_auc: float | None
    transfer_worst_auc: float | None
    in_domain_mean_auc: float | None
    asymmetries: list[Asymmetry] = field(default_factory=list)  # largest gaps first
    seconds: float = 0.0
    strip_artifacts: bool = False  # the recipe read every text with the catalogued artefacts removed


@dataclass(frozen=True)
class CrossvalResult:
    """The content of ``crossval.json``."""

    datasets: list[CrossvalDataset]
    recipes: list[RecipeCrossval]
    settings: dict
    links: dict[str, int]  # row pairs linked as one article, by evidence
    environment: Environment
    notes: list[str] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION
    kind: str = "crossval"
