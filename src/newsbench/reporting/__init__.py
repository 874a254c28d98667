"""Reports: every one is a list of blocks written to Markdown and to a self-contained HTML page.

``render_*`` return file name -> content; ``save_*`` write a command's whole output folder (the
result JSON beside its reports) through ``outputs``, as one set.
"""

from __future__ import annotations

from pathlib import Path

from newsbench.comparison import Comparison
from newsbench.errors import DataError
from newsbench.outputs import write_atomic, write_folder
from newsbench.profiling import ProfileResult
from newsbench.reporting.blocks import Block, Span, fmt, fmt_estimate, to_html, to_markdown
from newsbench.reporting.comparison import comparison_blocks
from newsbench.reporting.evaluation import EXPLAIN_METHODS, evaluation_blocks, explanation_blocks
from newsbench.reporting.model_card import model_card_blocks
from newsbench.reporting.profile import profile_blocks, profile_plots
from newsbench.reporting.study import study_blocks
from newsbench.results import ExplainResult, Explanation, ModelCard, ModelInfo, RunResult
from newsbench.serialize import read_json, to_json
from newsbench.study.results import StudyResult

__all__ = ["Block", "Span", "fmt", "fmt_estimate", "render_comparison", "render_evaluation", "render_model_card",
           "render_profile", "render_study", "save_comparison", "save_explanations", "save_profile", "save_report"]


def render_evaluation(result: RunResult, profile: ProfileResult | None = None) -> dict[str, str | bytes]:
    """report.md, report.html and the plot PNGs of an evaluation, optionally with a profile's
    "cost on this CPU" section."""
    blocks, images = evaluation_blocks(result)
    if profile is not None:
        blocks += [Block("h2", "Cost on this CPU (newsbench profile)", anchor="profile"),
                   *profile_blocks(profile, level=3)]
        images.update(profile_plots(profile))
    html = to_html(blocks, f"newsbench report: {result.model.path}", images)
    return {"report.md": to_markdown(blocks), "report.html": html, **images}


def render_profile(result: ProfileResult) -> dict[str, str | bytes]:
    """profile.md, profile.html and the plot PNGs."""
    title = f"newsbench profile: {result.model}"
    images = profile_plots(result)
    blocks = [Block("h1", title), *profile_blocks(result)]
    return {"profile.md": to_markdown(blocks), "profile.html": to_html(blocks, title, images), **images}


def render_study(result: StudyResult) -> dict[str, str | bytes]:
    """The study's report.md, report.html and plot PNGs."""
    blocks, images = study_blocks(result)
    html = to_html(blocks, f"newsbench study: {result.name}", images)
    return {"report.md": to_markdown(blocks), "report.html": html, **images}


def render_comparison(comparison: Comparison) -> dict[str, str]:
    """comparison.md."""
    return {"comparison.md": to_markdown(comparison_blocks(comparison))}


def render_model_card(card: ModelCard) -> str:
    """The README.md written beside a trained model."""
    return to_markdown(model_card_blocks(card))


def save_explanations(texts: list[str], explanations: list[Explanation | None], model: ModelInfo,
                      out: str | Path) -> dict[str, Path]:
    """Write explanations.json, explanations.md and explanations.html (``newsbench explain``)."""
    title = f"newsbench explain: {model.path}"
    blocks = [Block("h1", title), Block("meta", spans=[Span("Model", "bold"), Span(": "), Span(model.path, "code"),
                                                        Span(f" ({model.backend})")])]
    for i, e in enumerate(explanations):
        blocks.append(Block("h2", f"Article {i + 1}"))
        if e is None:
            blocks.append(Block("note", "Not explained: the time budget ran out (raise --budget)."))
            continue
        blocks += [Block("meta", EXPLAIN_METHODS[e.method] + " Red pushed toward fake, blue toward real."),
                   *explanation_blocks(f"P(fake) {e.prob_fake:.3f}: ", e)]
    files = {"explanations.json": to_json(ExplainResult(model, texts, explanations)),
             "explanations.md": to_markdown(blocks), "explanations.html": to_html(blocks, title, {})}
    return write_folder(out, files, "explain")


def save_profile(result: ProfileResult, out: str | Path) -> dict[str, Path]:
    """Write profile.json, profile.md, profile.html and plots as the whole of folder ``out``."""
    return write_folder(out, {"profile.json": to_json(result), **render_profile(result)}, "profile")


def save_comparison(comparison: Comparison, out: str | Path) -> dict[str, Path]:
    """Write comparison.json and comparison.md into ``out`` (a run folder or any folder)."""
    files = {"comparison.json": to_json(comparison), **render_comparison(comparison)}
    for name, content in files.items():
        write_atomic(Path(out) / name, content)
    return {name: Path(out) / name for name in files}


def save_report(run_dir: str | Path, profile: ProfileResult | None = None) -> dict[str, Path]:
    """Render a run folder's reports again from its results.json, optionally with a profile
    section; the folder is rewritten as a set, keeping its results and CSVs as they are."""
    run_dir = Path(run_dir)
    if not (run_dir / "results.json").is_file():
        raise DataError(f"{run_dir / 'results.json'} not found; pass a folder written by newsbench evaluate")
    rendered = render_evaluation(read_json(RunResult, run_dir / "results.json"), profile)
    kept = {str(p.relative_to(run_dir)): p.read_bytes() for p in sorted(run_dir.rglob("*"))
            if p.is_file() and p.name not in rendered and p.parent.name != "plots"}
    return write_folder(run_dir, {**kept, **rendered}, "evaluate")
