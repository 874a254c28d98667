"""The comparison report (comparison.md): each detector on the rows all runs scored, with tests."""

from __future__ import annotations

from newsbench.comparison import Comparison
from newsbench.reporting.blocks import Block, fmt, fmt_estimate


def comparison_blocks(comparison: Comparison) -> list[Block]:
    """Per dataset: each run's accuracy (Wilson interval), balanced accuracy, AUC, FPR, FNR, and
    exact McNemar tests against the first run."""
    out = [Block("h1", "newsbench comparison"),
           Block("p", "Metrics on the rows every run scored (paired by dataset and id), at each run's own decision "
                      "threshold. Accuracy intervals are Wilson 95% intervals; p-values are exact McNemar tests "
                      "against the first run.")]
    for ds in comparison.datasets:
        out += [Block("h2", f"{ds.dataset} ({ds.n_common:,} common articles)"),
                Block("table", header=["run", "accuracy [95% CI]", "balanced acc.", "ROC AUC", "FPR", "FNR"],
                      rows=[[s.run, fmt_estimate(s.accuracy, 3), fmt(s.balanced_accuracy, 3), fmt(s.roc_auc, 3),
                             fmt(s.fpr, 3), fmt(s.fnr, 3)] for s in ds.scores], numeric=(1, 2, 3, 4, 5)),
                Block("table", header=["vs reference", "accuracy difference", "only reference right",
                                       "only other right", "McNemar p"],
                      rows=[[t.other, f"{t.accuracy_difference:+.3f}", f"{t.only_reference_right:,}",
                             f"{t.only_other_right:,}", f"{t.p_value:.3g}"] for t in ds.tests],
                      numeric=(1, 2, 3, 4))]
    return out + [Block("note", note) for note in comparison.notes]
