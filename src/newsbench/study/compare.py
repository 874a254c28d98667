"""Comparisons across a study's rows: generalisation, paired tests with Holm correction, Pareto front."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from newsbench import metrics
from newsbench.comparison import read_predictions
from newsbench.study.results import Generalisation, PairTest, StudyRow


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (same order as given): the k-th smallest is multiplied
    by (m - k + 1), and the adjusted values are made non-decreasing in that order."""
    m = len(p_values)
    order = np.argsort(p_values, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return [float(v) for v in adjusted]


def generalisation(rows: list[StudyRow]) -> list[Generalisation]:
    """In-domain (held-out) accuracy and AUC beside each external set's, the drop, and the mean
    and worst external AUC per row."""
    out = []
    for row in rows:
        own = next((s for s in row.scores if s.in_domain), None)
        external = [s for s in row.scores if not s.in_domain]
        accuracy = {s.dataset: s.accuracy.value for s in external}
        auc = {s.dataset: s.roc_auc.value for s in external if s.roc_auc.value == s.roc_auc.value}
        mean_accuracy = float(np.mean(list(accuracy.values()))) if accuracy else None
        worst = min(auc, key=auc.get) if auc else None
        out.append(Generalisation(
            label=row.label,
            in_domain_accuracy=own.accuracy.value if own else None,
            in_domain_auc=own.roc_auc.value if own else None,
            external_accuracy=accuracy, external_auc=auc, mean_external_accuracy=mean_accuracy,
            accuracy_drop=own.accuracy.value - mean_accuracy if own and mean_accuracy is not None else None,
            mean_external_auc=float(np.mean(list(auc.values()))) if auc else None,
            worst_external_auc=auc[worst] if worst else None, worst_external=worst,
        ))
    return out


def pair_tests(rows: list[StudyRow], folder: Path, alpha: float = 0.05) -> list[PairTest]:
    """Exact McNemar tests between every two rows on each dataset, on the rows both scored
    (paired by id), Holm-corrected over that dataset's pairs."""
    out = []
    datasets = list(dict.fromkeys(s.dataset for row in rows for s in row.scores))
    for dataset in datasets:
        tables = {}
        for row in rows:
            score = next((s for s in row.scores if s.dataset == dataset), None)
            if score is not None and score.run:
                table = read_predictions(folder / score.run / "predictions.csv")
                tables[row.label] = table.set_index("id")
        pairs = []
        for a, b in itertools.combinations(tables, 2):
            common = tables[a].index.intersection(tables[b].index)
            if len(common) == 0:
                continue
            ta, tb = tables[a].loc[common], tables[b].loc[common]
            y = ta["label"].to_numpy()
            test = metrics.mcnemar(y, ta["pred"].to_numpy(), tb["pred"].to_numpy())
            pairs.append((a, b, len(common), float((ta["pred"].to_numpy() == y).mean()),
                          float((tb["pred"].to_numpy() == y).mean()), test))
        adjusted = holm([t.p_value for *_, t in pairs])
        for (a, b, n, acc_a, acc_b, test), p_holm in zip(pairs, adjusted):
            out.append(PairTest(dataset, a, b, n, acc_a, acc_b, test.only_a, test.only_b, test.p_value, p_holm,
                                p_holm < alpha))
    return out


def pareto(rows: list[StudyRow], gen: list[Generalisation]) -> list[str]:
    """Rows that no other row beats on both mean external AUC (higher) and ms per article (lower)."""
    points = {}
    for row, g in zip(rows, gen):
        if row.cost is not None and row.cost.ms_per_article is not None and g.mean_external_auc is not None:
            points[row.label] = (g.mean_external_auc, row.cost.ms_per_article)
    front = []
    for label, (auc, ms) in points.items():
        dominated = any(o_auc >= auc and o_ms <= ms and (o_auc, o_ms) != (auc, ms)
                        for other, (o_auc, o_ms) in points.items() if other != label)
        if not dominated:
            front.append(label)
    return front
