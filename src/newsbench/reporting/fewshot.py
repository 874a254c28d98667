"""The few-shot adaptation report: target-set ROC AUC and balanced accuracy against k, per method."""

from __future__ import annotations

from newsbench.generalisation.fewshot import FewShotResult
from newsbench.reporting.blocks import Block, Span, fmt_estimate, to_html, to_markdown
from newsbench.reporting.plots import figure, legend_label, plain_text

WHAT = {
    "none": "the detector as shipped",
    "threshold": "threshold with the best balanced accuracy on the k articles",
    "calibration": "Platt scaling of the log-odds on the k articles, class-balanced",
    "head": "new head on the log-odds plus frozen MiniLM embeddings, fitted on the k articles",
}


def story(result: FewShotResult) -> str:
    """One sentence: what the largest k bought over the detector as shipped."""
    shipped = next((p for p in result.points if p.method == "none"), None)
    best = max((p for p in result.points if p.method != "none" and p.k == max(result.ks)),
               key=lambda p: p.balanced_accuracy.value, default=None)
    if shipped is None or best is None:
        return f"{result.target}: {len(result.points)} points measured."
    return (f"{result.target}: as shipped, ROC AUC {shipped.roc_auc.value:.3f} and balanced accuracy "
            f"{shipped.balanced_accuracy.value:.3f}; with {best.k} labelled articles, {best.method} gives "
            f"{best.roc_auc.value:.3f} / {best.balanced_accuracy.value:.3f} (means over {best.seeds} draws).")


@plain_text
def curve_plot(result: FewShotResult) -> bytes:
    import io

    plt, fig, axes = figure(10, 3.8, 2)
    for ax, metric, title in ((axes[0], "roc_auc", "ROC AUC"), (axes[1], "balanced_accuracy", "Balanced accuracy")):
        for method in dict.fromkeys(p.method for p in result.points):
            points = [p for p in result.points if p.method == method]
            values = [getattr(p, metric) for p in points]
            if method == "none":
                ax.axhline(values[0].value, color="grey", linestyle="--", label="as shipped")
                continue
            low = [v.value - (v.ci95[0] if v.ci95 else v.value) for v in values]
            high = [(v.ci95[1] if v.ci95 else v.value) - v.value for v in values]
            ax.errorbar([p.k for p in points], [v.value for v in values], yerr=[low, high], marker="o", capsize=3,
                        label=legend_label(method))
        ax.set_xscale("log")
        ax.set_xticks(result.ks, [str(k) for k in result.ks])
        ax.minorticks_off()
        ax.set_xlabel("labelled target articles (k)")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=8)
    fig.suptitle(legend_label(f"few-shot adaptation to {result.target}", 80))
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def fewshot_blocks(result: FewShotResult) -> list[Block]:
    env = result.environment
    return [
        Block("h1", f"newsbench fewshot: {result.target}"),
        Block("meta", spans=[Span("Model", "bold"), Span(": "), Span(result.model.path, "code"),
                             Span(f" ({result.model.backend}); {result.n:,} target articles"
                                  + (f" of {result.n_input:,} rows read (set aside: "
                                     + (", ".join(f"{k}: {v:,}" for k, v in result.set_aside.items()) or "none") + ")"
                                     if result.n_input else "") + ", about "
                                  f"{result.n_eval:,.0f} kept for scoring in each of {result.settings['seeds']} "
                                  f"draws (split by article). {env.cpu_model}, newsbench {env.newsbench_version}.")]),
        Block("p", story(result)),
        Block("img", "plots/fewshot.png", alt="ROC AUC and balanced accuracy against k"),
        Block("table", header=["method", "k", "ROC AUC [95% CI over draws]", "balanced accuracy", "draws", "what"],
              rows=[[p.method, str(p.k), fmt_estimate(p.roc_auc, 3), fmt_estimate(p.balanced_accuracy, 3),
                     str(p.seeds), WHAT.get(p.method, "")] for p in result.points], numeric=(1, 2, 3, 4)),
        Block("meta", "Threshold and calibration are monotone: they keep ROC AUC and move balanced accuracy. Only "
                      "the k labelled articles are used to adapt; scores are on the evaluation part."),
        *[Block("note", n) for n in result.notes],
    ]


def render_fewshot(result: FewShotResult) -> dict[str, str | bytes]:
    from newsbench.serialize import to_json

    blocks, images = fewshot_blocks(result), {"plots/fewshot.png": curve_plot(result)}
    title = f"newsbench fewshot: {result.target}"
    return {"fewshot.json": to_json(result), "report.md": to_markdown(blocks),
            "report.html": to_html(blocks, title, images), **images}
