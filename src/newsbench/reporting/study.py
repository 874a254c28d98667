"""The study report: the story in one table and one plot, then the leaderboards, which
differences are real, human/AI cells, cost, and the plots behind them."""

from __future__ import annotations

import numpy as np

from newsbench.reporting.blocks import Block, Span, fmt, fmt_estimate
from newsbench.reporting.plots import figure, legend_label, log_axis, plain_text, png
from newsbench.study.results import Generalisation, StudyResult, StudyRow


def recipes(result: StudyResult) -> list[Block]:
    """The study's ``[crossval]``: which training recipe holds up on the datasets it never saw."""
    if not result.crossval:
        return []
    return [Block("h2", "Which training recipe holds up (newsbench crossval)"),
            Block("table", header=["recipe", "left-out mean ROC AUC", "worst left-out AUC (dataset)",
                                   "transfer mean AUC", "in-domain mean AUC", "seconds"],
                  rows=[[r.recipe, fmt(r.lodo_mean_auc, 3),
                         f"{fmt(r.lodo_worst_auc, 3)} ({r.lodo_worst})" if r.lodo_worst else "n/a",
                         fmt(r.transfer_mean_auc, 3), fmt(r.in_domain_mean_auc, 3), f"{r.seconds:.0f}"]
                        for r in result.crossval], numeric=(1, 2, 3, 4, 5)),
            Block("p", spans=[Span("Each recipe was trained on all datasets but one and scored on the one left out "
                                   "(seed-aware: no article on both sides); every cell, the transfer matrix and the "
                                   "heatmaps: "), Span(result.crossval[0].run, "code")])]


def study_blocks(result: StudyResult) -> tuple[list[Block], dict[str, bytes]]:
    """The report as blocks, and its plots (file name -> PNG)."""
    images = {"plots/pareto.png": pareto_plot(result), "plots/generalisation.png": generalisation_plot(result),
              "plots/error-rates.png": error_rate_plot(result)}
    if any(r.cost for r in result.rows):
        images["plots/cost-curves.png"] = cost_plot(result)
    gen = {g.label: g for g in result.generalisation}
    env = result.environment
    blocks = [
        Block("h1", f"newsbench study: {result.name}"),
        Block("p", story(result)),
        Block("table", header=["detector", "in-domain accuracy", "mean external accuracy", "drop (points)",
                               "mean external ROC AUC", "worst external ROC AUC", "ms / article", "size MB",
                               "Pareto"],
              rows=[_first_row(r, gen[r.label], r.label in result.pareto) for r in result.rows],
              numeric=tuple(range(1, 8))),
        Block("img", "plots/pareto.png", alt="mean and worst external ROC AUC against ms per article and size"),
        Block("meta", f"Run {env.started_at}, newsbench {env.newsbench_version}"
                      + (f" ({env.git_commit[:12]})" if env.git_commit else "")
                      + f", seed {result.seed}, {env.cpu_model} ({env.cpu_count} cores). In-domain is each trained "
                        "detector's own held-out test split; external sets were never trained on. Intervals are 95% "
                        "bootstrap intervals; tests are exact McNemar tests on the rows both detectors scored, Holm-"
                        f"corrected per dataset at alpha {result.alpha}."),
        Block("h2", "Generalisation: in-domain vs each external set"),
        Block("table", header=["detector", "in-domain acc. / AUC",
                               *[f"{d} acc. / AUC" for d in result.datasets if d != "held-out"]],
              rows=[[r.label, _pair(gen[r.label].in_domain_accuracy, gen[r.label].in_domain_auc),
                     *[_pair(gen[r.label].external_accuracy.get(d), gen[r.label].external_auc.get(d))
                       for d in result.datasets if d != "held-out"]] for r in result.rows],
              numeric=tuple(range(1, len(result.datasets) + 1))),
        Block("img", "plots/generalisation.png", alt="ROC AUC per dataset and detector"),
    ]
    blocks += leaderboards(result)
    blocks += significance(result)
    blocks += cells(result)
    blocks += recipes(result)
    blocks += cost(result)
    blocks += [Block("h2", "Runs"),
               Block("p", "Each number above comes from a run folder written as newsbench evaluate or profile "
                          "writes it (results.json, predictions.csv, skipped.csv, report):"),
               Block("ul", items=[[Span(f"{r.label}, {s.dataset}: "), Span(s.run, "code")]
                                  for r in result.rows for s in r.scores]
                     + [[Span(f"{r.label}, cost: "), Span(r.cost.run, "code")] for r in result.rows if r.cost])]
    return blocks, images


def story(result: StudyResult) -> str:
    """The finding in words: who generalises best, at what cost, and how far off-domain falls."""
    gen = [g for g in result.generalisation if g.mean_external_auc is not None]
    rows = {r.label: r for r in result.rows}
    parts = [f"{len(result.rows)} detector{'s' if len(result.rows) != 1 else ''} on "
             f"{len([d for d in result.datasets if d != 'held-out'])} external set(s)."]
    if gen:
        best = max(gen, key=lambda g: g.mean_external_auc)
        cost = rows[best.label].cost
        parts.append(f"Best on news it never saw: {best.label}, mean external ROC AUC {best.mean_external_auc:.3f} "
                     f"(worst {best.worst_external_auc:.3f} on {best.worst_external})"
                     + (f", at {cost.ms_per_article:.1f} ms per article" if cost and cost.ms_per_article else "")
                     + ".")
    drops = [g for g in result.generalisation if g.accuracy_drop is not None]
    if drops:
        worst = max(drops, key=lambda g: g.accuracy_drop)
        if worst.accuracy_drop > 0.005:
            parts.append(f"Accuracy falls from in-domain to external by up to {100 * worst.accuracy_drop:.1f} points "
                         f"({worst.label}: {worst.in_domain_accuracy:.3f} -> {worst.mean_external_accuracy:.3f}).")
        else:
            parts.append("External accuracy is level with in-domain accuracy.")
    costed = [r for r in result.rows if r.cost and r.cost.ms_per_article]
    if len(costed) > 1:
        fast = min(costed, key=lambda r: r.cost.ms_per_article)
        parts.append(f"Fastest: {fast.label} ({fast.cost.ms_per_article:.2f} ms per article).")
    if result.pareto:
        parts.append(f"On the accuracy/cost front: {', '.join(result.pareto)}.")
    real = [t for t in result.tests if t.significant]
    parts.append(f"{len(real)} of {len(result.tests)} pairwise differences are real after Holm correction.")
    return " ".join(parts)


def leaderboards(result: StudyResult) -> list[Block]:
    out = [Block("h2", "Leaderboard per dataset")]
    for dataset in result.datasets:
        scored = [(r, s) for r in result.rows if (s := score_on(r, dataset)) is not None]
        if not scored:
            continue
        scored.sort(key=lambda rs: -(rs[1].roc_auc.value if rs[1].roc_auc.value == rs[1].roc_auc.value else -1))
        first = scored[0][1]
        out += [Block("h3", f"{dataset} ({first.n:,} articles: {first.n_real:,} real, {first.n_fake:,} fake)"),
                Block("table", header=["detector", "accuracy", "balanced acc.", "F1 macro", "ROC AUC", "FPR", "FNR"],
                      rows=[[r.label, fmt_estimate(s.accuracy, 3), fmt_estimate(s.balanced_accuracy, 3),
                             fmt_estimate(s.f1_macro, 3), fmt_estimate(s.roc_auc, 3),
                             f"{fmt(s.fpr.value, 3)} ({s.false_positives:,})",
                             f"{fmt(s.fnr.value, 3)} ({s.false_negatives:,})"] for r, s in scored],
                      numeric=tuple(range(1, 7)))]
    out.append(Block("img", "plots/error-rates.png", alt="false positive and false negative rates"))
    return out


def significance(result: StudyResult) -> list[Block]:
    if not result.tests:
        return []
    words = []
    for t in result.tests:
        (better, high), (worse, low) = sorted([(t.a, t.accuracy_a), (t.b, t.accuracy_b)], key=lambda x: -x[1])
        verdict = (f"{better} is more accurate than {worse}" if t.significant
                   else f"{better} and {worse} cannot be told apart")
        words.append([f"{t.dataset}: {verdict} (accuracy {high:.3f} vs {low:.3f} on {t.n:,} shared rows; "
                      f"McNemar p={t.p_value:.2g}, Holm p={t.p_holm:.2g})."])
    return [Block("h2", "Which differences are real"), Block("ul", rows=words),
            Block("table", header=["dataset", "A", "B", "rows", "only A right", "only B right", "p", "Holm p",
                                   "real"],
                  rows=[[t.dataset, t.a, t.b, f"{t.n:,}", f"{t.only_a_right:,}", f"{t.only_b_right:,}",
                         f"{t.p_value:.3g}", f"{t.p_holm:.3g}", "yes" if t.significant else "no"]
                        for t in result.tests], numeric=(3, 4, 5, 6, 7))]


def cells(result: StudyResult) -> list[Block]:
    out = []
    for dataset in result.datasets:
        scored = [(r, s) for r in result.rows if (s := score_on(r, dataset)) is not None and s.cells]
        if not scored:
            continue
        names = list(dict.fromkeys(c.value for _, s in scored for c in s.cells))
        out += [Block("h3", f"{dataset}: accuracy per human/AI x real/fake cell"),
                Block("table", header=["detector", *names],
                      rows=[[r.label, *[next((fmt_estimate(c.accuracy, 3) + f" (n={c.n:,})" for c in s.cells
                                              if c.value == name), "n/a") for name in names]] for r, s in scored],
                      numeric=tuple(range(1, len(names) + 1)))]
    return ([Block("h2", "Human-written vs AI-written")] + out) if out else []


def cost(result: StudyResult) -> list[Block]:
    rows = [r for r in result.rows if r.cost]
    if not rows:
        return []
    checks = {r.label: [s.precision_check for s in r.scores if s.precision_check] for r in result.rows}
    out = [Block("h2", "Cost on this CPU"),
           Block("table", header=["detector", "backend", "parameters", "size MB", "load RSS MB",
                                  "ms / article (real mix)", "p90 ms", "peak MB at 512 tokens", "threads",
                                  "accuracy vs fp32"],
                 rows=[[r.label, r.backend, f"{r.cost.parameters:,}", _mb(r.cost.disk_mb),
                        fmt(r.cost.load_rss_mb, 1), fmt(r.cost.ms_per_article, 2), fmt(r.cost.p90_ms, 2),
                        fmt(r.cost.peak_memory_512_mb, 1),
                        str(r.cost.threads), _precision(checks[r.label])] for r in rows],
                 numeric=tuple(range(2, 9))),
           Block("meta", "ms / article: one article at a time at its own length (single-stream) on the first "
                         "dataset's texts; peak MB: the growth of one forward pass in a fresh process. "
                         "Reduced-precision rows (int8, bf16) are scored again in fp32 on a sample: the accuracy "
                         "delta is theirs minus fp32's on the same rows."),
           Block("img", "plots/cost-curves.png", alt="latency per article vs batch size, and memory vs length")]
    return out


def score_on(row: StudyRow, dataset: str):
    """A row's score on a study dataset ("held-out" = its own in-domain test split), or None."""
    return next((s for s in row.scores if (s.in_domain if dataset == "held-out" else
                                           not s.in_domain and s.dataset == dataset)), None)


def _first_row(row: StudyRow, g: Generalisation, front: bool) -> list[str]:
    c = row.cost
    return [row.label, fmt(g.in_domain_accuracy, 3), fmt(g.mean_external_accuracy, 3),
            fmt(100 * g.accuracy_drop, 1) if g.accuracy_drop is not None else "n/a", fmt(g.mean_external_auc, 3),
            f"{fmt(g.worst_external_auc, 3)} ({g.worst_external})" if g.worst_external else "n/a",
            fmt(c.ms_per_article, 2) if c else "n/a", _mb(c.disk_mb) if c else "n/a", "yes" if front else ""]


def _mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}" if value >= 1 else f"{value:.2g}"


def _pair(accuracy: float | None, auc: float | None) -> str:
    return f"{fmt(accuracy, 3)} / {fmt(auc, 3)}"


def _precision(checks) -> str:
    if not checks:
        return ""
    return "; ".join(f"{c.accuracy_delta * 100:+.2f} pts, agreement {c.agreement:.1%}" for c in checks[:2])


@plain_text
def pareto_plot(result: StudyResult) -> bytes:
    """Mean (filled) and worst (hollow) external ROC AUC against ms per article and size, front marked."""
    plt, fig, axes = figure(11, 4.2, columns=2)
    gen = {g.label: g for g in result.generalisation}
    points = [(r, gen[r.label]) for r in result.rows if r.cost and gen[r.label].mean_external_auc is not None]
    for ax, key, xlabel in ((axes[0], "ms", "ms per article (real length mix, log)"),
                            (axes[1], "mb", "size on disk, MB (log)")):
        for i, (r, g) in enumerate(points):
            x = r.cost.ms_per_article if key == "ms" else r.cost.disk_mb
            if x is None:
                continue
            color = f"C{i % 10}"
            ax.scatter([x], [g.mean_external_auc], color=color, s=60, label=legend_label(r.label),
                       edgecolor="k" if r.label in result.pareto else color, linewidth=2)
            ax.scatter([x], [g.worst_external_auc], facecolor="none", edgecolor=color, s=60)
            ax.plot([x, x], [g.worst_external_auc, g.mean_external_auc], color=color, lw=1)
        if key == "ms":
            front = sorted(((r.cost.ms_per_article, g.mean_external_auc) for r, g in points
                            if r.label in result.pareto and r.cost.ms_per_article), key=lambda p: p[0])
            if front:
                ax.step(*zip(*front), where="post", color="k", alpha=0.5, lw=1.2, label="Pareto front")
        ax.axhline(0.5, ls=":", color="grey")
        ax.set(xlabel=xlabel, ylabel="external ROC AUC (mean; hollow: worst)", ylim=(0, 1.02))
        if points:
            log_axis(ax)
        ax.grid(alpha=0.3)
    if points:
        axes[0].legend(fontsize=7, loc="lower right")
    axes[0].set_title("Generalisation vs speed", fontsize=10)
    axes[1].set_title("Generalisation vs size", fontsize=10)
    return png(plt, fig)


@plain_text
def generalisation_plot(result: StudyResult) -> bytes:
    """ROC AUC per dataset (in-domain first), one bar per detector row."""
    datasets = result.datasets
    plt, fig, ax = figure(max(6.0, 1.6 * len(datasets) + 2), 4.0)
    width = 0.8 / max(1, len(result.rows))
    for i, row in enumerate(result.rows):
        values = []
        for d in datasets:
            score = score_on(row, d)
            values.append(score.roc_auc.value if score and score.roc_auc.value == score.roc_auc.value else 0)
        ax.bar(np.arange(len(datasets)) + i * width - 0.4 + width / 2, values, width, label=legend_label(row.label))
    ax.axhline(0.5, ls=":", color="grey")
    ax.set_xticks(np.arange(len(datasets)), [legend_label(d, 24) for d in datasets], rotation=15, ha="right",
                  fontsize=8)
    ax.set(ylim=(0, 1.05), ylabel="ROC AUC", title="ROC AUC: in-domain (held-out) vs external")
    ax.legend(fontsize=7)
    return png(plt, fig)


@plain_text
def error_rate_plot(result: StudyResult) -> bytes:
    """FPR (real news flagged) and FNR (fakes missed) per detector row, one panel per dataset."""
    datasets = result.datasets
    plt, fig, axes = figure(min(16, 3.2 * len(datasets) + 1), 3.6, columns=len(datasets))
    axes = np.atleast_1d(axes)
    for ax, d in zip(axes, datasets):
        labels, fpr, fnr = [], [], []
        for row in result.rows:
            score = score_on(row, d)
            if score is not None:
                labels.append(legend_label(row.label, 16))
                fpr.append(score.fpr.value if score.fpr.value == score.fpr.value else 0)
                fnr.append(score.fnr.value if score.fnr.value == score.fnr.value else 0)
        x = np.arange(len(labels))
        ax.bar(x - 0.2, fpr, 0.4, label="FPR (real flagged)")
        ax.bar(x + 0.2, fnr, 0.4, label="FNR (fakes missed)")
        ax.set_xticks(x, labels, rotation=30, ha="right", fontsize=7)
        ax.set(ylim=(0, 1.02), title=legend_label(d, 24))
        ax.title.set_fontsize(9)
    axes[0].legend(fontsize=7)
    return png(plt, fig)


@plain_text
def cost_plot(result: StudyResult) -> bytes:
    """Latency per article vs batch size (at the longest length measured) and memory growth vs
    length, every row on shared axes."""
    plt, fig, (lat, mem) = figure(11, 4.0, columns=2)
    for row in result.rows:
        if not row.cost:
            continue
        points = [(int(k.split("@")[0]), int(k.split("@")[1]), v) for k, v in row.cost.batch_ms_per_article.items()]
        if points:
            longest = max(p[1] for p in points)
            batch = sorted((b, v) for b, n, v in points if n == longest)
            lat.plot(*zip(*batch), marker="o", label=legend_label(f"{row.label} ({longest} tokens)"))
        if row.cost.memory_growth_mb:
            mem.plot([int(k) for k in row.cost.memory_growth_mb], list(row.cost.memory_growth_mb.values()), marker="o",
                     label=legend_label(row.label))
    log_axis(lat)
    lat.set(xlabel="batch size", ylabel="p50 ms per article", title="Latency per article")
    mem.set(xlabel="sequence length (tokens)", ylabel="peak RSS growth, MB (batch 1)", title="Memory vs length")
    for ax in (lat, mem):
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    return png(plt, fig)
