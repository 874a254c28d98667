"""Markdown and self-contained HTML reports rendered from a ``RunResult``.

The numbers are formatted once here (a small view model); the two Jinja templates only lay
them out, so the Markdown and HTML reports always say the same thing.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from pathlib import Path

import markupsafe

from newsbench import plots
from newsbench.escaping import md, md_code
from newsbench.profiling import ProfileResult
from newsbench.results import Estimate, Evaluation, RunResult

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


@dataclass
class Section:
    """One dataset's part of the report, already formatted."""

    evaluation: Evaluation
    slug: str
    sentences: list[str]
    plots: dict[str, str] = field(default_factory=dict)


def fmt(value: float | None, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def fmt_estimate(estimate: Estimate, digits: int = 4) -> str:
    if estimate.value != estimate.value:
        return "n/a"
    if not estimate.ci95 or estimate.ci95[0] != estimate.ci95[0]:
        return fmt(estimate.value, digits)
    lo, hi = estimate.ci95
    return f"{estimate.value:.{digits}f} [{lo:.3f}, {hi:.3f}]"


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


def render(result: RunResult, profile: ProfileResult | None = None) -> dict[str, str | bytes]:
    """Render report.md, report.html and the plot PNGs.

    Args:
        result: the evaluation.
        profile: a ``newsbench profile`` result to add as a "cost on this CPU" section.

    Returns:
        file name (relative to the run folder) -> content.
    """
    from newsbench import profile_report

    evaluations = result.evaluations
    images: dict[str, bytes] = {
        "plots/accuracy.png": plots.accuracy(evaluations),
        "plots/curves.png": plots.curves(evaluations),
        "plots/calibration.png": plots.reliability(evaluations),
    }
    sections = []
    for i, ev in enumerate(evaluations):
        # At most 43 characters, so a file name whatever the dataset is called.
        slug = f"{i:02d}-" + "".join(ch if ch.isalnum() else "-" for ch in ev.dataset.lower()).strip("-")[:40]
        name = f"plots/{slug}-confusion.png"
        images[name] = plots.confusion(ev)
        sections.append(Section(ev, slug, rate_sentences(ev) + label_sentences(ev), {"confusion": name}))

    html_env = _environment(autoescape=True)
    md_env = _environment(autoescape=False, finalize=md)
    context = {
        "result": result, "model": result.model, "env": result.environment,
        "summary": summary_table(evaluations), "sections": sections,
        "datasets": [e.dataset for e in evaluations],
    }
    context["profile_md"] = context["profile_html"] = ""
    if profile is not None:
        profile_images = profile_report.plots(profile)
        images.update(profile_images)
        items = profile_report.blocks(profile, level=3)
        context["profile_md"] = markupsafe.Markup(profile_report.markdown(items))
        context["profile_html"] = markupsafe.Markup(profile_report.html_fragment(items, profile_images))
    inline = {name: "data:image/png;base64," + base64.b64encode(data).decode() for name, data in images.items()}
    return {
        "report.md": md_env.get_template("report.md.j2").render(**context, image=_md_image),
        "report.html": html_env.get_template("report.html.j2").render(**context, image=lambda n: inline[n]),
        **images,
    }


def _environment(autoescape: bool, finalize=None):
    """Jinja for one output format. HTML escapes every value (autoescape is not left to the
    template's file name); Markdown passes every value through ``escaping.md`` instead."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("newsbench", "templates"), autoescape=autoescape, finalize=finalize,
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    env.filters.update(fmt=fmt, est=fmt_estimate, code=md_code)
    return env


def _md_image(name: str) -> markupsafe.Markup:
    return markupsafe.Markup(f"![{name}]({name})")
