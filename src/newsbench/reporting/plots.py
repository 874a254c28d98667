"""Figures for the reports, returned as PNG bytes (matplotlib, no display needed)."""

from __future__ import annotations

import functools
import io

from newsbench.results import Evaluation


def plain_text(function):
    """Run a plotting function with mathtext off: dataset names and labels come from input
    files, and a '$' in them must print as a dollar sign, not start a (possibly invalid) formula."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}):
            return function(*args, **kwargs)

    return wrapper


def legend_label(text: str, limit: int = 48) -> str:
    """A name from the data as a plot label: cut to ``limit`` characters (a long dataset name
    would squeeze the axes away) and never hidden (matplotlib hides labels starting with '_')."""
    text = text if len(text) <= limit else text[:limit - 1] + "\u2026"
    return " " + text if text.startswith("_") else text


def log_axis(ax, axis: str = "x") -> None:
    """A log scale whose tick labels are plain numbers (with mathtext off, matplotlib's default
    log labels would print as raw TeX)."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    getattr(ax, f"set_{axis}scale")("log")
    target = getattr(ax, f"{axis}axis")
    target.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    target.set_minor_formatter(NullFormatter())


def figure(width: float = 6.0, height: float = 4.0, columns: int = 1):
    """(pyplot, figure, axes) for a new figure on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt, *plt.subplots(1, columns, figsize=(width, height), dpi=100)


def png(plt, fig) -> bytes:
    """The figure as PNG bytes; the figure is closed."""
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


@plain_text
def confusion(evaluation: Evaluation) -> bytes:
    """Confusion-matrix heatmap with counts and row percentages."""
    import numpy as np

    c = evaluation.confusion
    counts = np.array([[c.tn, c.fp], [c.fn, c.tp]])
    rows = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, rows, out=np.zeros((2, 2)), where=rows > 0)
    plt, fig, ax = figure(4.2, 3.6)
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(2):
        for j in range(2):
            ax.text(j, i, f"{counts[i, j]:,}\n{share[i, j]:.1%}", ha="center", va="center",
                    color="white" if share[i, j] > 0.6 else "black", fontsize=11)
    ax.set_xticks([0, 1], ["real", "fake"])
    ax.set_yticks([0, 1], ["real", "fake"])
    ax.set(xlabel="predicted", ylabel="true label")
    ax.set_title(f"{legend_label(evaluation.dataset)} (threshold {evaluation.threshold:.3g})", fontsize=10)
    return png(plt, fig)


@plain_text
def curves(evaluations: list[Evaluation]) -> bytes:
    """ROC and precision-recall curves, one line per dataset with both classes."""
    plt, fig, (roc, pr) = figure(10, 4.2, columns=2)
    for ev in evaluations:
        if not ev.curves.roc or ev.n_real == 0 or ev.n_fake == 0:
            continue
        x, y = zip(*ev.curves.roc)
        roc.plot(x, y, label=f"{legend_label(ev.dataset)} (AUC {ev.metrics.roc_auc.value:.2f})")
        r, p = zip(*ev.curves.pr)
        pr.plot(r, p, label=f"{legend_label(ev.dataset)} (AP {ev.metrics.pr_auc.value:.2f})")
    roc.plot([0, 1], [0, 1], ls=":", color="grey")
    roc.set(xlabel="false positive rate (real flagged)", ylabel="true positive rate (fakes caught)", title="ROC")
    pr.set(xlabel="recall (fake)", ylabel="precision (fake)", title="Precision-recall", ylim=(0, 1.02))
    for ax in (roc, pr):
        if ax.get_legend_handles_labels()[0]:  # no line when no dataset has both classes
            ax.legend(fontsize=8, loc="lower right" if ax is roc else "lower left")
        ax.grid(alpha=0.3)
    return png(plt, fig)


@plain_text
def reliability(evaluations: list[Evaluation]) -> bytes:
    """Reliability diagram: mean P(fake) vs observed fraction of fakes per probability bin."""
    plt, fig, ax = figure(5.5, 4.2)
    ax.plot([0, 1], [0, 1], ls=":", color="grey", label="perfect calibration")
    for ev in evaluations:
        if ev.curves.reliability:
            _, mean_p, frac, count = zip(*ev.curves.reliability)
            ax.plot(mean_p, frac, marker="o", label=f"{legend_label(ev.dataset)} (ECE {ev.metrics.ece.value:.2f})")
    ax.set(xlabel="mean predicted P(fake)", ylabel="observed fraction fake", xlim=(0, 1), ylim=(0, 1),
           title="Calibration")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return png(plt, fig)


@plain_text
def accuracy(evaluations: list[Evaluation]) -> bytes:
    """Accuracy, balanced accuracy and ROC AUC per dataset with 95% intervals: the headline.

    Balanced accuracy sits beside accuracy because external sets are often imbalanced (llmfake
    is 94% fake), where plain accuracy rewards a detector that calls everything fake.
    """
    import numpy as np

    plt, fig, ax = figure(max(5.0, 1.8 * len(evaluations) + 2), 4.0)
    x = np.arange(len(evaluations))
    bars = ((-0.27, "accuracy", "accuracy"), (0.0, "balanced_accuracy", "balanced accuracy"),
            (0.27, "roc_auc", "ROC AUC"))
    for offset, name, label in bars:
        values = [getattr(ev.metrics, name) for ev in evaluations]
        heights = [v.value if v.value == v.value else 0 for v in values]
        errors = np.array([[v.value - v.ci95[0], v.ci95[1] - v.value] if v.ci95 and v.ci95[0] == v.ci95[0]
                           else [0, 0] for v in values]).T
        ax.bar(x + offset, heights, width=0.26, yerr=errors, capsize=3, label=label)
    ax.axhline(0.5, ls=":", color="grey")
    ax.set_xticks(x, [legend_label(ev.dataset, 32) for ev in evaluations], rotation=15, ha="right", fontsize=8)
    ax.set(ylim=(0, 1.05), title="Accuracy, balanced accuracy and ROC AUC (95% intervals)")
    ax.legend(fontsize=8)
    return png(plt, fig)


@plain_text
def training_curve(history) -> bytes:
    """Training loss and validation loss / macro F1 against optimizer steps."""
    plt, fig, (loss, score) = figure(10, 3.8, columns=2)
    steps = [p.step for p in history]
    loss.plot(steps, [p.train_loss for p in history], marker="o", label="train loss (since last validation)")
    loss.plot(steps, [p.val_loss for p in history], marker="o", label="validation loss")
    score.plot(steps, [p.val_f1_macro for p in history], marker="o", label="validation F1 (macro)")
    score.plot(steps, [p.val_accuracy for p in history], marker="s", label="validation accuracy")
    loss.set(xlabel="optimizer step", ylabel="cross-entropy", title="Loss")
    score.set(xlabel="optimizer step", ylim=(0, 1.02), title="Validation")
    for ax in (loss, score):
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return png(plt, fig)
