"""The crossval report: which recipe holds up on datasets it never saw, the left-out table, the
transfer matrix as a heatmap, and the asymmetries."""

from __future__ import annotations

import numpy as np

from newsbench.generalisation.results import CrossvalResult, RecipeCrossval
from newsbench.reporting.blocks import Block, Span, fmt, fmt_estimate
from newsbench.reporting.plots import figure, legend_label, plain_text, png


def crossval_blocks(result: CrossvalResult) -> tuple[list[Block], dict[str, bytes]]:
    """The report as blocks, and its plots (file name -> PNG)."""
    images = {f"plots/matrix-{_slug(r.recipe)}.png": matrix_plot(result, r) for r in result.recipes
              if any(c.kind == "transfer" for c in r.cells)}
    env, s = result.environment, result.settings
    blocks = [
        Block("h1", "newsbench crossval"),
        Block("p", story(result)),
        Block("table", header=["recipe", "left-out mean AUC", "left-out worst AUC (set)", "transfer mean AUC",
                               "transfer worst AUC", "in-domain mean AUC", "seconds"],
              rows=[[r.recipe + (" (artefacts stripped)" if r.strip_artifacts and not r.recipe.endswith("+strip")
                                 else ""), fmt(r.lodo_mean_auc, 3),
                     f"{fmt(r.lodo_worst_auc, 3)} ({r.lodo_worst})" if r.lodo_worst else "n/a",
                     fmt(r.transfer_mean_auc, 3), fmt(r.transfer_worst_auc, 3), fmt(r.in_domain_mean_auc, 3),
                     f"{r.seconds:.0f}"] for r in result.recipes], numeric=(1, 2, 3, 4, 5, 6)),
        Block("meta", f"Run {env.started_at}, newsbench {env.newsbench_version}"
                      + (f" ({env.git_commit[:12]})" if env.git_commit else "")
                      + f", seed {s['seed']}, {env.cpu_model} ({env.cpu_count} cores). Left-out: trained on every "
                        "other dataset, tested on the one left out. Transfer: trained on one dataset, tested on "
                        "another. In-domain: a held-out 20% of the training dataset, split by article. Thresholds "
                        "are chosen on a validation split of the training data only; training rows that are the "
                        "same article as a test row are removed first (the removed column). Training weights: "
                        f"{s['balance']}. " + _intervals(s["n_bootstrap"])),
    ]
    for note in result.notes:
        blocks.append(Block("note", note))
    for recipe in result.recipes:
        blocks += _recipe_blocks(recipe)
    blocks += [
        Block("h2", "Datasets"),
        Block("table", header=["dataset", "rows read", "rows used", "real", "fake", "set aside"],
              rows=[[d.name, f"{d.n_input:,}", f"{d.n:,}", f"{d.n_real:,}", f"{d.n_fake:,}",
                     ", ".join(f"{k}: {v:,}" for k, v in d.skipped.items()) or "none"] for d in result.datasets],
              numeric=(1, 2, 3, 4)),
        Block("p", f"Rows linked as one article across and within datasets: {result.links['seed_id']:,} pairs by a "
                   f"shared seed id ({', '.join(s['group_cols']) or 'none'}), {result.links['same_text']:,} by the "
                   f"same text, {result.links['near_duplicate']:,} as near-duplicates (at least "
                   f"{s['near_duplicate']:.0%} of the shorter text's word 8-grams shared)."),
    ]
    return blocks, images


def _intervals(resamples: int) -> str:
    return f"Intervals are 95% bootstrap intervals ({resamples} resamples)." if resamples else \
        "No intervals (--bootstrap 0)."


def story(result: CrossvalResult) -> str:
    """The finding in words: which recipe holds up off-domain, and where it fails."""
    ranked = sorted((r for r in result.recipes if r.lodo_mean_auc is not None), key=lambda r: -r.lodo_mean_auc)
    if not ranked:
        ranked = sorted((r for r in result.recipes if r.transfer_mean_auc is not None),
                        key=lambda r: -r.transfer_mean_auc)
        if not ranked:
            return "No cell had both classes in its test set, so no ROC AUC could be computed."
        best = ranked[0]
        return (f"Trained on one dataset and tested on another, {best.recipe} reaches a mean ROC AUC of "
                f"{best.transfer_mean_auc:.3f} (worst {best.transfer_worst_auc:.3f}); in-domain it reaches "
                f"{fmt(best.in_domain_mean_auc, 3)}.")
    best = ranked[0]
    text = (f"Left out of training, each dataset is scored by {best.recipe} with a mean ROC AUC of "
            f"{best.lodo_mean_auc:.3f}; the worst is {best.lodo_worst} at {best.lodo_worst_auc:.3f}.")
    if best.in_domain_mean_auc is not None:
        text += f" In-domain, the same recipe reaches {best.in_domain_mean_auc:.3f}."
    if len(ranked) > 1:
        runner = ranked[1]
        text += (f" Next is {runner.recipe} at {runner.lodo_mean_auc:.3f} (worst {runner.lodo_worst_auc:.3f}, "
                 f"{runner.lodo_worst}).")
    return text


def _recipe_blocks(recipe: RecipeCrossval) -> list[Block]:
    blocks = [Block("h2", f"Recipe: {recipe.recipe}")]
    lodo = [c for c in recipe.cells if c.kind == "left-out"]
    if lodo:
        blocks += [
            Block("h3", "Each dataset left out"),
            Block("table", header=["left out", "rows", "real / fake", "trained on", "removed", "ROC AUC",
                                   "balanced accuracy", "FPR", "FNR"],
                  rows=[[c.test, f"{c.n:,}", f"{c.n_real:,} / {c.n_fake:,}", f"{c.n_train:,}", f"{c.removed:,}",
                         fmt_estimate(c.roc_auc, 3), fmt_estimate(c.balanced_accuracy, 3), fmt_estimate(c.fpr, 3),
                         fmt_estimate(c.fnr, 3)] for c in lodo], numeric=(1, 3, 4, 5, 6, 7, 8)),
        ]
    dropped: dict[str, list[str]] = {}
    for c in recipe.cells:
        for name in c.dropped:
            dropped.setdefault(name, []).append(f"{c.test} ({c.kind})")
    if dropped:
        blocks.append(Block("note", "Training sets whose labels were not learned from (weight 0; their texts still "
                                    "shape the vocabulary) because the recipe, fitted on the pool, did not separate "
                                    "their validation articles better than chance (one-sided Mann-Whitney test, "
                                    "p >= 0.05): " + "; ".join(
                                        f"{name} when testing on {', '.join(cells)}" for name, cells in dropped.items())
                            + ". The trained-on column counts the rows that weighed."))
    unscored = [c for c in recipe.cells if c.unscored]
    if unscored:
        blocks.append(Block("note", "Cells not scored: " + "; ".join(
            f"{' + '.join(c.train) if c.kind == 'transfer' else c.test} ({c.kind}"
            + (f", tested on {c.test}" if c.kind == "transfer" else "") + f"): {c.unscored}" for c in unscored)
            + "."))
    if any(c.kind == "transfer" for c in recipe.cells):
        blocks += [Block("h3", "Transfer matrix (ROC AUC; rows: trained on, columns: tested on)"),
                   Block("img", f"plots/matrix-{_slug(recipe.recipe)}.png",
                         alt=f"ROC AUC of {recipe.recipe} trained on each dataset and tested on each")]
        blocks.append(_matrix_table(recipe))
    if recipe.asymmetries:
        blocks += [Block("h3", "Largest asymmetries"),
                   Block("ul", items=[[Span(f"{g.a} -> {g.b}: {g.auc_ab:.3f}, but {g.b} -> {g.a}: {g.auc_ba:.3f} "
                                            f"({g.gap:+.3f})")] for g in recipe.asymmetries])]
    return blocks


def _matrix_table(recipe: RecipeCrossval) -> Block:
    names, auc = _matrix(recipe)
    tests = list(dict.fromkeys(c.test for c in recipe.cells if c.kind != "left-out"))
    rows = [[train, *[fmt(auc.get((train, t)), 3) for t in tests]] for train in names]
    return Block("table", header=["trained on / tested on", *tests], rows=rows,
                 numeric=tuple(range(1, len(tests) + 1)))


def _matrix(recipe: RecipeCrossval) -> tuple[list[str], dict[tuple[str, str], float]]:
    cells = [c for c in recipe.cells if c.kind in ("transfer", "in-domain")]
    return list(dict.fromkeys(c.train[0] for c in cells)), {(c.train[0], c.test): c.roc_auc.value for c in cells}


@plain_text
def matrix_plot(result: CrossvalResult, recipe: RecipeCrossval) -> bytes:
    """Heatmap of ROC AUC, trained on (rows) x tested on (columns); the diagonal is in-domain."""
    names, auc = _matrix(recipe)
    tests = list(dict.fromkeys(c.test for c in recipe.cells if c.kind != "left-out"))
    values = np.array([[auc.get((a, b), np.nan) for b in tests] for a in names], dtype=float)
    size = 1.0 + 0.75 * max(len(tests), 2)
    plt, fig, ax = figure(size + 1.5, 0.75 * max(len(names), 2) + 1.8)
    image = ax.imshow(values, vmin=0.0, vmax=1.0, cmap="RdYlGn")
    for i in range(len(names)):
        for j in range(len(tests)):
            if values[i, j] == values[i, j]:
                ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center", fontsize=8,
                        fontweight="bold" if names[i] == tests[j] else "normal")
    ax.set_xticks(range(len(tests)), [legend_label(t, 24) for t in tests], rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), [legend_label(n, 24) for n in names], fontsize=8)
    ax.set_xlabel("tested on")
    ax.set_ylabel("trained on")
    ax.set_title(f"{legend_label(recipe.recipe, 40)}: ROC AUC (diagonal: in-domain)", fontsize=10)
    fig.colorbar(image, ax=ax, fraction=0.04)
    return png(plt, fig)


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)[:60] or "recipe"
