"""The ``newsbench`` command: parse options, build a config, make one library call, write files.

No evaluation logic lives here. Library modules are imported inside the commands so that
``newsbench --help`` does not import torch or pandas.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.text import Text

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Evaluate fake-news detectors on news they never saw.")
# Messages carry file names, dataset names and texts from the data: never read them as rich markup.
console = Console(stderr=True, markup=False, highlight=False)

DATA_HELP = ("Data file, folder or dataset name under $NEWSBENCH_DATA_DIR: [NAME=]PATH[:real|:fake]. "
             "Repeatable. Files sharing NAME= are pooled; unnamed one-label files (a.csv:real b.csv:fake) "
             "are pooled into one dataset.")


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _diagnosed(command):
    """Print NewsbenchError messages (and file-system refusals) as one line and exit 2 instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from newsbench.errors import NewsbenchError

        try:
            return command(*args, **kwargs)
        except NewsbenchError as exc:
            _error(str(exc))
        except OSError as exc:  # name too long, no space left, permission denied
            _error(f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
        except KeyboardInterrupt:
            console.print(Text("interrupted; nothing was written", style="yellow"))
            raise typer.Exit(130) from None
        raise typer.Exit(2)

    return wrapper


def _error(message: str) -> None:
    """One line, whatever the message holds (a path with a newline, a library's multi-line dump)."""
    console.print(Text("error: ", style="bold red") + Text(" ".join(message.split())), soft_wrap=True)


class _Bars:
    """Progress factory for the library: ``bars(description, total) -> advance(n)``."""

    def __init__(self, progress):
        self.progress = progress

    def __call__(self, description: str, total: int):
        task = self.progress.add_task(description, total=total)

        def advance(n: int, description: str | None = None) -> None:
            self.progress.update(task, advance=n, **({"description": description} if description else {}))

        return advance


def _progress():
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False)


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
@_diagnosed
def evaluate(
    model: Annotated[str, typer.Option(help="Model folder/file, hub id (online only), or fake[:cue,...] for a dry run.")],
    out: Annotated[Path, typer.Option(help="Folder for results.json, predictions.csv, skipped.csv and reports.")],
    data: Annotated[Optional[list[str]], typer.Option(help=DATA_HELP)] = None,
    backend: Annotated[str, typer.Option(help="torch, torch-bf16, onnx, onnx-int8 (Hugging Face folders are exported on first use), sklearn, fake, or auto: the fastest sensible one for this CPU.")] = "auto",
    heldout: Annotated[bool, typer.Option(help="Also score the held-out test split saved by newsbench train.")] = False,
    train_data: Annotated[Optional[list[str]], typer.Option(help="Extra training files for the leakage check (repeatable).")] = None,
    group_by: Annotated[Optional[str], typer.Option(help="Comma-separated columns or a+b crosses; default: source,generator,is_ai,is_ai+label where present.")] = None,
    text_cols: Annotated[Optional[str], typer.Option(help="Comma-separated text columns, joined with a space.")] = None,
    label_col: Annotated[Optional[str], typer.Option(help="Label column (0/1, real/fake, true/false).")] = None,
    encoding: Annotated[str, typer.Option(help="Encoding of CSV/TSV/JSONL files.")] = "utf-8",
    strip_datelines: Annotated[Optional[bool], typer.Option("--strip-datelines/--keep-datelines", help="Default: as the model was trained.")] = None,
    text_template: Annotated[Optional[str], typer.Option(help="Build the text from columns, e.g. '{title} {text}' (default: as the model was trained).")] = None,
    threshold: Annotated[str, typer.Option(help="Decision threshold on P(fake), or 'validation' for the model's own.")] = "0.5",
    max_length: Annotated[Optional[int], typer.Option(help="Truncate articles to this many tokens (default: as fine-tuned, else 512).")] = None,
    batch_size: Annotated[int, typer.Option(help="Articles per forward pass.")] = 32,
    padding: Annotated[str, typer.Option(help="dynamic (length-sorted batches) or max_length (pad all to --max-length, the study's setup).")] = "dynamic",
    threads: Annotated[Optional[int], typer.Option(help="Intra-op threads (default: library default).")] = None,
    device: Annotated[str, typer.Option(help="torch device for Hugging Face models.")] = "cpu",
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples for 95% intervals (0 = none).")] = 1000,
    errors: Annotated[int, typer.Option(help="Misclassified examples to show, per kind.")] = 5,
    seed: Annotated[int, typer.Option()] = 0,
    allow_pickle: Annotated[bool, typer.Option(help="Allow loading joblib/pickle models (they can run code).")] = False,
    trust_remote_code: Annotated[bool, typer.Option(help="Allow model code shipped with a Hugging Face checkpoint.")] = False,
    keep_leaked: Annotated[bool, typer.Option(help="Score rows that also occur in the training data instead of skipping them.")] = False,
    max_rows: Annotated[Optional[int], typer.Option(help="Score a seeded random sample of at most N rows per dataset; the rest are listed as skipped.")] = None,
    fp32_check: Annotated[str, typer.Option(help="With bf16/int8: rows per dataset scored again in fp32 to measure the accuracy delta (N, 'all', or 0).")] = "200",
):
    """Score a detector on one or more datasets and write results and reports."""
    from newsbench.config import EvalConfig
    from newsbench.evaluation import evaluate as run_evaluation
    from newsbench.evaluation import save_run
    from newsbench.outputs import check_output

    check_output(out, "evaluate")  # before any work, so a bad --out cannot waste a run
    config = EvalConfig(
        model=model, data=data or [], backend=backend, heldout=heldout, train_data=train_data or [],
        group_by=_split(group_by), text_cols=_split(text_cols), label_col=label_col, encoding=encoding,
        strip_datelines=strip_datelines, text_template=text_template, threshold=threshold, max_length=max_length,
        batch_size=batch_size, padding=padding, threads=threads, device=device, n_bootstrap=bootstrap,
        n_errors=errors, seed=seed, allow_pickle=allow_pickle, trust_remote_code=trust_remote_code,
        keep_leaked=keep_leaked, max_rows=max_rows, fp32_check=fp32_check,
    )
    with _progress() as progress:
        run = run_evaluation(config, _Bars(progress))
    written = save_run(run, out)
    _print_summary(run.result)
    console.print(f"report: {written['report.html']}\n        {written['report.md']}")


@app.command()
@_diagnosed
def train(
    data: Annotated[list[str], typer.Option(help=DATA_HELP)],
    out: Annotated[Path, typer.Option(help="Model folder to write.")],
    recipe: Annotated[str, typer.Option(help="tfidf-lr, tfidf-rf, or finetune (a transformer).")] = "tfidf-lr",
    base: Annotated[str, typer.Option(help="finetune: minilm-l6 (pretrained, offline), random:ARCH, a local folder or a hub id.")] = "minilm-l6",
    strip_datelines: Annotated[bool, typer.Option(help="Remove leading 'CITY (Reuters) -' datelines (the ISOT shortcut).")] = False,
    text_cols: Annotated[Optional[str], typer.Option(help="Comma-separated text columns.")] = None,
    text_template: Annotated[Optional[str], typer.Option(help="Build the text from columns, e.g. '{title} {text}'.")] = None,
    label_col: Annotated[Optional[str], typer.Option()] = None,
    encoding: Annotated[str, typer.Option()] = "utf-8",
    val_size: Annotated[float, typer.Option(help="Validation fraction (early stopping, threshold).")] = 0.1,
    test_size: Annotated[float, typer.Option(help="Held-out test fraction (evaluate --heldout).")] = 0.1,
    group_col: Annotated[Optional[str], typer.Option(help="Keep rows sharing this column's value in one split, e.g. news_id.")] = None,
    seed: Annotated[int, typer.Option()] = 0,
    threads: Annotated[Optional[int], typer.Option()] = None,
    epochs: Annotated[int, typer.Option(help="finetune: passes over the training split.")] = 1,
    batch_size: Annotated[int, typer.Option(help="finetune: articles per micro-batch.")] = 16,
    grad_accum: Annotated[int, typer.Option(help="finetune: micro-batches per optimizer step.")] = 1,
    lr: Annotated[float, typer.Option(help="finetune: peak AdamW learning rate.")] = 5e-5,
    weight_decay: Annotated[float, typer.Option()] = 0.01,
    warmup_ratio: Annotated[float, typer.Option(help="finetune: share of steps spent warming up.")] = 0.1,
    max_length: Annotated[int, typer.Option(help="finetune: truncate articles to this many tokens.")] = 256,
    eval_every: Annotated[int, typer.Option(help="finetune: validate every N optimizer steps (0 = once per epoch).")] = 100,
    patience: Annotated[int, typer.Option(help="finetune: stop after N validations without improvement (0 = never).")] = 3,
    max_minutes: Annotated[float, typer.Option(help="finetune: training-time budget in minutes; best weights are kept (0 = none).")] = 20.0,
    resume: Annotated[bool, typer.Option(help="finetune: continue from OUT/checkpoint.pt after an interruption.")] = False,
):
    """Train a detector and write a model folder that evaluate takes as is."""
    from newsbench.config import TrainConfig
    from newsbench.reporting import fmt_estimate
    from newsbench.training import train as run_training

    config = TrainConfig(
        recipe=recipe, data=data, out=out, strip_datelines=strip_datelines, text_cols=_split(text_cols),
        text_template=text_template, label_col=label_col, encoding=encoding, val_size=val_size,
        test_size=test_size, group_col=group_col, seed=seed, threads=threads, base=base, epochs=epochs,
        batch_size=batch_size, grad_accum=grad_accum, lr=lr, weight_decay=weight_decay,
        warmup_ratio=warmup_ratio, max_length=max_length, eval_every=eval_every or None, patience=patience,
        max_minutes=max_minutes or None, resume=resume,
    )
    with _progress() as progress:
        card = run_training(config, _Bars(progress))
    console.print(
        f"trained {card.recipe}{' from ' + card.base if card.base else ''} on {card.split.sizes['train']:,} articles "
        f"in {card.training_seconds:.1f}s ({card.stopped}); held-out test accuracy {fmt_estimate(card.test.accuracy)}, "
        f"ROC AUC {fmt_estimate(card.test.roc_auc)}; validation threshold {card.threshold:.3f}\nmodel: {out}"
    )


@app.command()
@_diagnosed
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
@_diagnosed
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
@_diagnosed
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
@_diagnosed
def profile(
    out: Annotated[Path, typer.Option(help="Folder for profile.json, profile.md, profile.html and plots.")],
    model: Annotated[Optional[str], typer.Option(help="A Hugging Face model folder, an ONNX export, or a scikit-learn pipeline (with --allow-pickle).")] = None,
    arch: Annotated[Optional[str], typer.Option(help="A preset architecture with random weights: mobilebert, distilbert, tinybert-4l, albert-base, minilm-l6, bert-base.")] = None,
    backend: Annotated[Optional[str], typer.Option(help="Comma-separated: torch, torch-bf16, onnx, onnx-int8 (default: all that make sense on this CPU; a model file runs on its own).")] = None,
    threads: Annotated[Optional[str], typer.Option(help="Comma-separated thread budgets, e.g. 1,2,4 (phone big cores); default: all cores.")] = None,
    texts: Annotated[Optional[str], typer.Option(help="Data file or dataset name for single-stream latency on real news (one article at a time).")] = None,
    queries: Annotated[int, typer.Option(help="Single-stream queries (articles).")] = 300,
    batch_sizes: Annotated[str, typer.Option(help="Comma-separated batch sizes for the latency sweep.")] = "1,2,4,8,16,32",
    lengths: Annotated[str, typer.Option(help="Comma-separated sequence lengths for the latency sweep.")] = "128,512",
    memory_lengths: Annotated[str, typer.Option(help="Comma-separated lengths for the peak-memory sweep (fresh process each).")] = "64,128,256,512",
    memory_batches: Annotated[str, typer.Option(help="Comma-separated batch sizes of the peak-memory sweep.")] = "1,8",
    seconds_per_point: Annotated[float, typer.Option(help="Time budget for repeats per latency point (at least 5 repeats).")] = 2.0,
    load_runs: Annotated[int, typer.Option(help="Fresh-process loads for the load cost (median).")] = 3,
    allow_pickle: Annotated[bool, typer.Option(help="Allow loading a joblib/pickle pipeline (it can run code).")] = False,
    trust_remote_code: Annotated[bool, typer.Option(help="Allow model code shipped with a Hugging Face checkpoint.")] = False,
):
    """Measure a detector's size, load cost, latency and peak memory on this CPU, per backend and thread budget."""
    from newsbench.errors import ConfigError
    from newsbench.outputs import check_output
    from newsbench.profiling import ProfileConfig
    from newsbench.profiling import profile as run_profile
    from newsbench.reporting import save_profile

    def ints(value: str) -> list[int]:
        try:
            return [int(v) for v in _split(value) or []]
        except ValueError:
            raise ConfigError(f"expected comma-separated whole numbers, got {value!r}") from None

    config = ProfileConfig(model=model, arch=arch, backends=_split(backend), batch_sizes=ints(batch_sizes),
                           lengths=ints(lengths), texts=texts, queries=queries, memory_lengths=ints(memory_lengths),
                           memory_batches=ints(memory_batches), seconds_per_point=seconds_per_point, load_runs=load_runs,
                           allow_pickle=allow_pickle, trust_remote_code=trust_remote_code,
                           **({"threads": ints(threads)} if threads else {}))
    check_output(out, "profile")
    with _progress() as progress:
        result = run_profile(config, _Bars(progress))
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
