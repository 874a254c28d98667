"""The ``newsbench`` command: parse options, build a config, make one library call, write files.

No evaluation logic lives here: the options of evaluate, train and profile are built from their
config dataclasses (``config.py``, the one place for defaults and help text). Library modules are
imported inside the commands so that ``newsbench --help`` does not import torch or pandas.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.text import Text

from newsbench.commandline import Bars, console, diagnosed, progress_bars, with_config
from newsbench.config import EvalConfig, ProfileConfig, TrainConfig
from newsbench.datasets.commands import app as data_app
from newsbench.generalisation.config import AuditConfig, CrossvalConfig, FewShotConfig
from newsbench.serving.config import PredictConfig, ServeConfig

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Evaluate fake-news detectors on news they never saw.")
app.add_typer(data_app, name="data")


def _show_version(value: bool) -> None:
    if value:
        from newsbench import __version__

        typer.echo(f"newsbench {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Evaluate fake-news detectors on news they never saw, and measure what they cost on a small CPU."""


@app.command()
@diagnosed
@with_config(EvalConfig, out=(Path, "Folder for results.json, predictions.csv, skipped.csv and reports."))
def evaluate(config: EvalConfig, out: Path):
    """Score a detector on one or more datasets and write results and reports."""
    from newsbench.evaluation import evaluate as run_evaluation
    from newsbench.evaluation import save_run
    from newsbench.outputs import check_output

    check_output(out, "evaluate")  # before any work, so a bad --out cannot waste a run
    with progress_bars() as progress:
        run = run_evaluation(config, Bars(progress))
    written = save_run(run, out)
    _print_summary(run.result)
    console.print(f"report: {written['report.html']}\n        {written['report.md']}")


@app.command()
@diagnosed
@with_config(TrainConfig)
def train(config: TrainConfig):
    """Train a detector and write a model folder that evaluate takes as is."""
    from newsbench.reporting import fmt_estimate
    from newsbench.reporting.model_card import dropped_sources
    from newsbench.training import train as run_training

    with progress_bars() as progress:
        card = run_training(config, Bars(progress))
    console.print(
        f"trained {card.recipe}{' from ' + card.base if card.base else ''} on {card.split.sizes['train']:,} articles "
        f"in {card.training_seconds:.1f}s ({card.stopped}); held-out test accuracy {fmt_estimate(card.test.accuracy)}, "
        f"ROC AUC {fmt_estimate(card.test.roc_auc)}; validation threshold {card.threshold:.3f}\nmodel: {config.out}"
    )
    for line in dropped_sources(card.hyperparameters):
        console.print(Text.assemble(("dropped from training ", "yellow"), line))


@app.command()
@diagnosed
def run(
    study: Annotated[Path, typer.Argument(help="A study file (TOML) naming detectors, datasets and profile settings; see examples/quickstart.toml.")],
    out: Annotated[Path, typer.Option(help="Study folder: study.json, report.md, report.html, and one run folder per unit of work, reused when the study is run again.")],
):
    """Train, evaluate and profile every detector of a study, and compare them in one report."""
    from newsbench.reporting.study import story
    from newsbench.study import load_study, run_study, save_study

    config = load_study(study)
    with progress_bars() as progress:
        result = run_study(config, out, Bars(progress))
    written = save_study(result, out)
    console.print(story(result))
    console.print(f"report: {written['report.html']}\n        {written['report.md']}")


@app.command()
@diagnosed
@with_config(CrossvalConfig, out=(Path, "Folder for crossval.json, report.md, report.html and heatmaps."))
def crossval(config: CrossvalConfig, out: Path):
    """Leave each dataset out in turn, and train on one to test on each other: which recipe holds up?"""
    from newsbench.generalisation import crossval as run_crossval
    from newsbench.generalisation import save_crossval
    from newsbench.outputs import check_output
    from newsbench.reporting.crossval import story

    check_output(out, "crossval")
    with progress_bars() as progress:
        result = run_crossval(config, Bars(progress))
    written = save_crossval(result, out)
    console.print(story(result))
    console.print(f"report: {written['report.html']}\n        {written['report.md']}")


@app.command()
@diagnosed
@with_config(AuditConfig, out=(Path, "Folder for audit.json, report.md and report.html."))
def audit(config: AuditConfig, out: Path):
    """Which shortcuts could a detector have learned? Probes on impoverished views, artefacts, flips."""
    from newsbench.generalisation.audit import run_audit
    from newsbench.outputs import check_output, write_folder
    from newsbench.reporting.audit import render_audit
    from newsbench.serialize import to_json

    check_output(out, "audit")
    with progress_bars() as progress:
        result = run_audit(config, Bars(progress))
    written = write_folder(out, {"audit.json": to_json(result), **render_audit(result)}, "audit")
    for probe in result.probes:
        console.print(f"{probe.name:20s} ROC AUC {probe.roc_auc.value:.3f}" + ("  shortcut" if probe.flagged else ""))
    console.print(f"report: {written['report.html']}\n        {written['report.md']}")


@app.command()
@diagnosed
@with_config(FewShotConfig, out=(Path, "Folder for fewshot.json, report.md, report.html and the curve."))
def fewshot(config: FewShotConfig, out: Path):
    """How far do k labelled articles from a new source lift a detector? Threshold, calibration, new head."""
    from newsbench.generalisation.fewshot import run_fewshot
    from newsbench.outputs import check_output, write_folder
    from newsbench.reporting.fewshot import render_fewshot, story

    check_output(out, "fewshot")
    with progress_bars() as progress:
        result = run_fewshot(config, Bars(progress))
    written = write_folder(out, render_fewshot(result), "fewshot")
    console.print(story(result))
    console.print(f"report: {written['report.html']}\n        {written['report.md']}")


@app.command()
@diagnosed
def explain(
    model: Annotated[str, typer.Option(help="Model folder or file (as evaluate takes it).")],
    text: Annotated[Optional[list[str]], typer.Option(help="An article to explain (repeatable).")] = None,
    file: Annotated[Optional[list[Path]], typer.Option(help="A UTF-8 text file holding one article (repeatable; explained after the --text articles).")] = None,
    backend: Annotated[str, typer.Option(help="As for evaluate: auto, torch, onnx, onnx-int8, sklearn, heads, fake.")] = "auto",
    budget: Annotated[float, typer.Option(help="Seconds to spend; articles past it are not explained.")] = 60.0,
    max_evals: Annotated[int, typer.Option(help="Occlusion: at most this many re-scorings per article (spans grow to fit).")] = 64,
    allow_pickle: Annotated[bool, typer.Option(help="Allow loading joblib/pickle models (they can run code).")] = False,
    trust_remote_code: Annotated[bool, typer.Option(help="Allow model code shipped with a Hugging Face checkpoint.")] = False,
    out: Annotated[Optional[Path], typer.Option(help="Folder for explanations.json and explanations.html.")] = None,
):
    """Which words pushed a detector's score for an article: exact for TF-IDF models, occlusion otherwise."""
    from newsbench.errors import ConfigError
    from newsbench.outputs import check_output
    from newsbench.scorer import explain_articles

    articles = list(text or [])
    for path in file or []:
        if not path.is_file():
            raise ConfigError(f"--file {path}: no such file")
        try:
            articles.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"--file {path}: cannot be read as UTF-8 text ({exc})") from exc
    from newsbench.data import blank

    if not articles or any(blank(a) for a in articles):  # zero-width spaces alone are empty too
        raise ConfigError("nothing to explain: give --text 'ARTICLE' or --file PATH (repeatable), none of them empty")
    if max_evals < 1:
        raise ConfigError(f"--max-evals must be at least 1, got {max_evals}")
    if not 0 < budget < float("inf"):
        raise ConfigError(f"--budget must be a positive number of seconds, got {budget}")
    if out is not None:
        check_output(out, "explain")
    texts, found, detector = explain_articles(model, articles, backend, budget, max_evals, allow_pickle,
                                              trust_remote_code)
    for i, (article, e) in enumerate(zip(texts, found)):
        _print_explanation(i, article, e)
    if out is not None:
        from newsbench.reporting import save_explanations

        written = save_explanations(texts, found, detector.info(), out)
        console.print(f"explanations: {written['explanations.html']}")


@app.command()
@diagnosed
@with_config(ServeConfig)
def serve(config: ServeConfig):
    """Serve a detector: POST /v1/predict (JSON), a web page at /, OpenAPI docs at /docs."""
    from newsbench.serving.server import serve as run

    run(config, announce=lambda message: console.print(message, soft_wrap=True))


@app.command()
@diagnosed
@with_config(PredictConfig)
def predict(config: PredictConfig):
    """Score every row of large files in chunks (resumable), in this process or on Ray; writes Parquet."""
    from newsbench.serving.predict import predict as run

    with progress_bars() as progress:
        result = run(config, Bars(progress))
    skipped = ", ".join(f"{n:,} {reason}" for reason, n in result.skipped.items()) or "none"
    console.print(f"predicted {result.scored:,} of {result.rows:,} rows in {result.seconds:.1f}s "
                  f"({result.rows_per_s:,.0f} rows/s scored in this run; {result.resumed_chunks} of {result.chunks} "
                  f"chunks were already written); skipped: {skipped}; peak RSS {result.peak_rss_mb:,.0f} MB",
                  soft_wrap=True)
    console.print(f"predictions: {result.out}", soft_wrap=True)


def _print_explanation(i: int, article: str, e) -> None:
    """The article with each word shaded by its push (red: fake, blue: real), then the top pushes."""
    if e is None:
        console.print(f"[{i}] not explained: the --budget ran out")
        return
    strongest = max((abs(w) for _, w in e.pieces), default=0.0) or 1.0
    line = Text(f"[{i}] P(fake) {e.prob_fake:.3f} ({e.method})\n", style="bold")
    for piece, w in e.pieces:
        level = min(1.0, abs(w) / strongest)
        shade = int(255 * (1 - 0.7 * level))
        colour = f"rgb(255,{shade},{shade})" if w > 0 else f"rgb({shade},{shade},255)"
        line.append(piece, style=f"black on {colour}" if level >= 0.05 else "")
    if e.chars_shown < e.chars_total:
        line.append(f" [... {e.chars_total - e.chars_shown:,} more characters"
                    + (f"; the detector reads the first {e.chars_read:,}" if e.chars_read < e.chars_total else "")
                    + "]")
    console.print(line)
    for side, top in (("fake", e.top_fake), ("real", e.top_real)):
        if top:
            console.print(f"  toward {side}: " + ", ".join(f"{word[:40]} ({w:+.2f})" for word, w in top))


@app.command()
@diagnosed
def report(
    run_dir: Annotated[Path, typer.Argument(help="A folder written by newsbench evaluate.")],
    profile: Annotated[Optional[Path], typer.Option(help="A folder written by newsbench profile: adds its cost section to the report.")] = None,
):
    """Re-render report.md and report.html from a run's results.json (optionally with a profile section)."""
    from newsbench.errors import NewsbenchError
    from newsbench.profiling import ProfileResult
    from newsbench.reporting import save_report
    from newsbench.serialize import read_json

    cost = None
    if profile is not None:
        if not (profile / "profile.json").is_file():
            raise NewsbenchError(f"{profile / 'profile.json'} not found; pass a folder written by newsbench profile")
        cost = read_json(ProfileResult, profile / "profile.json")
    written = save_report(run_dir, cost)
    console.print(f"report: {written['report.html']}")


@app.command()
@diagnosed
def compare(
    runs: Annotated[list[Path], typer.Argument(help="Two or more folders written by newsbench evaluate; the first is the reference.")],
    out: Annotated[Optional[Path], typer.Option(help="Folder for comparison.json and comparison.md (default: the first run).")] = None,
):
    """Compare detectors on the rows they all scored, with exact McNemar tests."""
    from newsbench.comparison import compare as run_compare
    from newsbench.errors import ConfigError
    from newsbench.reporting import save_comparison

    out = out or runs[0]
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file; compare writes comparison.json and comparison.md into a folder")
    written = save_comparison(run_compare(runs), out)
    Console(width=160, markup=False, highlight=False).print(written["comparison.md"].read_text())
    console.print(f"comparison: {written['comparison.md']}")


@app.command()
@diagnosed
def export(
    model: Annotated[str, typer.Option(help="A Hugging Face classifier folder (e.g. from newsbench train --recipe finetune).")],
    out: Annotated[Path, typer.Option(help="Output folder, or a .onnx path whose folder receives tokenizer and config.")],
    format: Annotated[str, typer.Option(help="Export format; onnx is the one supported.")] = "onnx",
    int8: Annotated[bool, typer.Option(help="Quantize weights to int8 (onnxruntime dynamic quantization; MatMuls fed by an activation function stay fp32).")] = False,
    opset: Annotated[int, typer.Option(help="ONNX opset version.")] = 17,
    trust_remote_code: Annotated[bool, typer.Option(help="Allow model code shipped with a Hugging Face checkpoint.")] = False,
):
    """Export a classifier to ONNX and check it predicts what the PyTorch model predicts."""
    from newsbench.errors import ConfigError
    from newsbench.export import export_onnx

    if format != "onnx":
        raise ConfigError(f"--format {format!r} is not supported; use onnx")
    result = export_onnx(model, out, int8=int8, opset=opset, trust_remote_code=trust_remote_code)
    console.print(f"exported {result.file} ({result.size_mb:.1f} MB; fp32 {result.fp32_size_mb:.1f} MB) in "
                  f"{result.seconds:.1f}s; quantization: {result.quantization}; parity on {result.parity_texts} "
                  f"texts: argmax agreement {result.argmax_agreement:.3f}, max logit difference "
                  f"{result.max_logit_diff:.2e}", highlight=False)


@app.command()
@diagnosed
@with_config(ProfileConfig, out=(Path, "Folder for profile.json, profile.md, profile.html and plots."))
def profile(config: ProfileConfig, out: Path):
    """Measure a detector's size, load cost, latency and peak memory on this CPU, per backend and thread budget."""
    from newsbench.outputs import check_output
    from newsbench.profiling import profile as run_profile
    from newsbench.reporting import save_profile

    check_output(out, "profile")
    with progress_bars() as progress:
        result = run_profile(config, Bars(progress))
    written = save_profile(result, out)
    Console(width=160, markup=False, highlight=False).print(written["profile.md"].read_text())
    console.print(f"profile: {written['profile.html']}\n         {written['profile.md']}")


def _print_summary(result) -> None:
    from rich.table import Table

    from newsbench.reporting import fmt, fmt_estimate

    table = Table(title="newsbench evaluate")
    for column in ("dataset", "n (real/fake)", "accuracy [95% CI]", "balanced acc.", "ROC AUC", "FPR", "FNR",
                   "ms/article"):
        table.add_column(column)
    for ev in result.evaluations:
        m = ev.metrics
        table.add_row(ev.dataset, f"{ev.n:,} ({ev.n_real:,}/{ev.n_fake:,})", fmt_estimate(m.accuracy, 3),
                      fmt(m.balanced_accuracy.value, 3), fmt(m.roc_auc.value, 3), fmt(m.fpr.value, 3),
                      fmt(m.fnr.value, 3), f"{ev.timing.ms_per_article:.3f}")
    Console(width=max(Console().width, 140), markup=False, highlight=False).print(table)
    console.print(f"backend: {result.model.details.get('backend_choice', result.model.backend)}", highlight=False)
    for ev in result.evaluations:
        check = ev.precision_check
        if check:
            console.print(f"{ev.dataset}: {check.backend} vs fp32 on {check.n:,} rows: agreement {check.agreement:.3f}, "
                          f"accuracy {check.accuracy:.3f} vs {check.accuracy_fp32:.3f} "
                          f"({check.accuracy_delta * 100:+.2f} points, McNemar p={check.mcnemar_p:.2g})", highlight=False)


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
