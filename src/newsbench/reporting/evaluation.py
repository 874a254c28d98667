"""The evaluation report (report.md, report.html): summary, one section per dataset, plots.

Built as blocks (``reporting.blocks``); the numbers are formatted once here.
"""

from __future__ import annotations

from pathlib import Path

from newsbench.reporting.blocks import Block, Span, fmt, fmt_estimate
from newsbench.reporting.plots import accuracy, confusion, curves, reliability
from newsbench.results import Evaluation, Explanation, RunResult, TopFeatures

SUMMARY_ROWS = (
    ("Accuracy", "accuracy"),
    ("Precision (weighted)", "precision_weighted"),
    ("Recall (weighted)", "recall_weighted"),
    ("F1 (weighted)", "f1_weighted"),
    ("F1 (macro)", "f1_macro"),
    ("Balanced accuracy", "balanced_accuracy"),
    ("ROC AUC", "roc_auc"),
    ("PR AUC (average precision, fake)", "pr_auc"),
    ("False positive rate", "fpr"),
    ("False negative rate", "fnr"),
    ("Brier score", "brier"),
    ("Expected calibration error", "ece"),
)


def rate_sentences(ev: Evaluation) -> list[str]:
    """FPR and FNR in words, with counts: what a reader of the study's table wanted."""
    c, m = ev.confusion, ev.metrics
    out = []
    if ev.n_real:
        out.append(f"{c.fp:,} of {ev.n_real:,} real articles flagged as fake (FPR {fmt(m.fpr.value)}).")
    if ev.n_fake:
        out.append(f"{c.fn:,} of {ev.n_fake:,} fake articles missed (FNR {fmt(m.fnr.value)}).")
    return out


def label_sentences(ev: Evaluation) -> list[str]:
    """How each file's labels were read, with the values seen: a wrong mapping inverts every metric."""
    out = []
    for f in ev.files:
        seen = ", ".join(f"'{value}' = {'fake' if label else 'real'}" for value, label in f.label_mapping.items())
        out.append(f"Labels of {Path(f.path).name}: {f.label_source}" + (f"; values read: {seen}." if seen else "."))
    return out


def summary_table(evaluations: list[Evaluation]) -> list[list[str]]:
    """Rows of the summary table: metric label, then one cell per dataset."""
    rows = [["Articles scored (real / fake)"] + [f"{e.n:,} ({e.n_real:,} / {e.n_fake:,})" for e in evaluations]]
    rows.append(["Rows skipped"] + [
        f"{sum(e.skipped.values()):,}" + (" (" + ", ".join(f"{k}: {v:,}" for k, v in sorted(e.skipped.items())) + ")"
                                          if e.skipped else "")
        for e in evaluations
    ])
    rows.append(["Decision threshold"] + [fmt(e.threshold, 3) for e in evaluations])
    for label, name in SUMMARY_ROWS:
        cells = []
        for e in evaluations:
            cell = fmt_estimate(getattr(e.metrics, name))
            if name == "fpr" and e.n_real:
                cell += f" ({e.confusion.fp:,} of {e.n_real:,} real flagged)"
            if name == "fnr" and e.n_fake:
                cell += f" ({e.confusion.fn:,} of {e.n_fake:,} fakes missed)"
            cells.append(cell)
        rows.append([label] + cells)
    rows.append(["Confusion (tn / fp / fn / tp)"] + [
        f"{e.confusion.tn:,} / {e.confusion.fp:,} / {e.confusion.fn:,} / {e.confusion.tp:,}" for e in evaluations
    ])
    rows.append(["Inference time (ms per article)"] + [f"{e.timing.ms_per_article:.3f}" for e in evaluations])
    if any(e.precision_check for e in evaluations):
        rows.append(["Reduced precision vs fp32 (same rows)"] + [precision_cell(e) for e in evaluations])
    return rows


def precision_cell(ev: Evaluation) -> str:
    """The fp32 check of a bf16/int8 run in one cell: agreement, accuracy delta, McNemar."""
    c = ev.precision_check
    if c is None:
        return "not measured"
    return (f"{c.backend} agrees with fp32 on {c.agreement:.1%} of {c.n:,}{' sampled' if c.sampled else ''} rows; "
            f"accuracy {c.accuracy:.4f} vs {c.accuracy_fp32:.4f} ({c.accuracy_delta * 100:+.2f} points, "
            f"McNemar p={c.mcnemar_p:.2g}); fp32 {c.fp32_ms_per_article:.2f} ms/article on those rows")


def evaluation_blocks(result: RunResult) -> tuple[list[Block], dict[str, bytes]]:
    """The report as blocks, and the plots it shows (file name -> PNG)."""
    evaluations, model, env = result.evaluations, result.model, result.environment
    images = {"plots/accuracy.png": accuracy(evaluations), "plots/curves.png": curves(evaluations),
              "plots/calibration.png": reliability(evaluations)}
    details = ", ".join(f"{k}={v}" for k, v in model.details.items())
    blocks = [
        Block("h1", "newsbench evaluation report"),
        Block("meta", spans=[Span("Model", "bold"), Span(": "), Span(model.path, "code"),
                             Span(f" ({model.backend}" + (f", {model.parameters:,} parameters" if model.parameters
                                                           else "") + "), fingerprint "),
                             Span(model.fingerprint[:16], "code"), Span(f"; {details}")]),
        Block("meta", spans=[Span("Run", "bold"), Span(
            f": {env.started_at}, newsbench {env.newsbench_version}"
            + (f" ({env.git_commit[:12]})" if env.git_commit else "")
            + f", seed {env.seed}, {env.cpu_model} ({env.cpu_count} cores, threads "
            + f"{env.threads if env.threads is not None else 'default'}), Python {env.python}.")]),
        Block("meta", f"Intervals are 95% bootstrap percentile intervals ({result.config.get('n_bootstrap')} "
                      "resamples); group accuracies carry Wilson intervals."),
        Block("h2", "Summary"),
        Block("img", "plots/accuracy.png", alt="accuracy and AUC per dataset"),
        Block("table", header=["Metric", *[e.dataset for e in evaluations]], rows=summary_table(evaluations),
              numeric=tuple(range(1, len(evaluations) + 1))),
        Block("img", "plots/curves.png", alt="ROC and precision-recall curves"),
        Block("img", "plots/calibration.png", alt="reliability diagram"),
        *feature_blocks(result.top_features),
    ]
    for i, ev in enumerate(evaluations):
        # At most 43 characters, so a file name whatever the dataset is called.
        slug = f"{i:02d}-" + "".join(ch if ch.isalnum() else "-" for ch in ev.dataset.lower()).strip("-")[:40]
        name = f"plots/{slug}-confusion.png"
        images[name] = confusion(ev)
        blocks += dataset_blocks(ev, slug, name)
    return blocks, images


def dataset_blocks(ev: Evaluation, slug: str, confusion_plot: str) -> list[Block]:
    """One dataset's section: counts, rates in words, notes, thresholds, groups, errors."""
    spans = [Span(f"{ev.n_input} input rows from ")]
    for i, f in enumerate(ev.files):
        spans += ([Span(", ")] if i else []) + [Span(f.path, "code")]
    out = [Block("h2", ev.dataset, anchor=slug), Block("p", spans=spans + [Span(f"; {ev.n} scored.")]),
           Block("ul", rows=[[s] for s in rate_sentences(ev) + label_sentences(ev)]),
           *[Block("note", note) for note in ev.notes],
           Block("img", confusion_plot, alt=f"confusion matrix for {ev.dataset}"),
           Block("h3", "Thresholds"),
           Block("table", header=["Operating point", "Threshold", "Accuracy", "Balanced acc.", "F1 macro", "FPR",
                                  "FNR", "Predicted fake", "Note"],
                 rows=[[p.name, fmt(p.threshold, 3), fmt(p.accuracy), fmt(p.balanced_accuracy), fmt(p.f1_macro),
                        fmt(p.fpr), fmt(p.fnr), fmt(p.predicted_fake_rate, 3), p.note] for p in ev.thresholds],
                 numeric=tuple(range(1, 8)))]
    for g in ev.groups:
        out += [Block("h3", f"By {g.column}"),
                Block("table", header=[g.column, "n", "real", "fake", "Accuracy [95% CI]", "FPR", "FNR", "ROC AUC",
                                       "mean P(fake)"],
                      rows=[[r.value, str(r.n), str(r.n_real), str(r.n_fake), fmt_estimate(r.accuracy, 3),
                             fmt(r.fpr, 3), fmt(r.fnr, 3), fmt(r.roc_auc, 3), fmt(r.mean_prob_fake, 3)]
                            for r in g.rows], numeric=tuple(range(1, 9)))]
        if g.other_values:
            out.append(Block("meta", f"{g.other_values} smaller groups not listed."))
    out += [Block("h3", "Errors"), Block("p", f"{ev.errors.n_errors} of {ev.n} articles misclassified.")]
    for title, examples in (("Random sample (seeded)", ev.errors.random),
                            ("Most confident errors", ev.errors.most_confident)):
        if examples:
            out += [Block("h4", title),
                    Block("table", header=["id", "true", "predicted", "P(fake)", "text", "metadata"],
                          rows=[[x.id, "fake" if x.label else "real", "fake" if x.pred else "real",
                                 fmt(x.prob_fake, 3), x.snippet,
                                 "; ".join(f"{k}={v[:60]}" for k, v in x.metadata.items())] for x in examples],
                          numeric=(3,))]
    explained = {x.id: x for x in ev.errors.random + ev.errors.most_confident if x.explanation}
    if explained:
        first = next(iter(explained.values())).explanation
        out += [Block("h4", "Why: the words that pushed each error"),
                Block("meta", EXPLAIN_METHODS[first.method] + " Red pushed toward fake, blue toward real; a "
                      "word's push (log-odds) shows on hover.")]
        for x in explained.values():
            out += explanation_blocks(f"{x.id} ({'fake' if x.label else 'real'}, predicted "
                                      f"{'fake' if x.pred else 'real'}, P(fake) {x.prob_fake:.3f}): ", x.explanation)
    return out


EXPLAIN_METHODS = {
    "linear": "Exact for this linear model: each word's share of coefficient x TF-IDF value.",
    "occlusion": "By occlusion: each span of words was deleted in turn and the article re-scored; its push is "
                 "the log-odds it lost.",
}


def explanation_blocks(title: str, e: Explanation) -> list[Block]:
    """An article's text with each word shaded by its push, then its strongest pushes each way."""
    strongest = max((abs(w) for _, w in e.pieces), default=0.0) or 1.0
    spans = [Span(title, "bold")]
    for text, w in e.pieces:  # the word is shaded, the space after it is not
        word = text.rstrip()
        if abs(w) >= 0.05 * strongest and word:
            spans += [Span(word, "push", w, min(1.0, abs(w) / strongest)), Span(text[len(word):])]
        else:
            spans.append(Span(text))
    if e.chars_shown < e.chars_total:
        unread = f"; the detector reads only the first {e.chars_read:,}" if e.chars_read < e.chars_total else ""
        spans.append(Span(f" [... {e.chars_total - e.chars_shown:,} more characters{unread}]"))
    pushes = [f"toward {side}: " + ", ".join(f"{word[:40]} ({w:+.2f})" for word, w in top)
              for side, top in (("fake", e.top_fake), ("real", e.top_real)) if top]
    return [Block("quote", spans=spans), Block("meta", "; ".join(pushes) + ".")] if pushes else \
        [Block("quote", spans=spans)]


def feature_blocks(features: TopFeatures | None, n: int = 15) -> list[Block]:
    """The detector's global top terms per class (linear TF-IDF detectors)."""
    if features is None:
        return []
    rows = [[f"{a[0]} ({a[1]:+.2f})" if a else "", f"{b[0]} ({b[1]:+.2f})" if b else ""]
            for a, b in zip(_pad(features.fake[:n], n), _pad(features.real[:n], n)) if a or b]
    return [Block("h3", "What the detector looks at"), Block("meta", f"Top terms by {features.method}."),
            Block("table", header=["Toward fake", "Toward real"], rows=rows)]


def _pad(items: list, n: int) -> list:
    return list(items) + [None] * (n - len(items))
