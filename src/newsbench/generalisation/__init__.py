"""Generalisation: does a detector hold up on news it never saw, and which recipe does?

- ``crossval`` (``protocol``): leave-one-dataset-out and the N x N transfer matrix, seed-aware.
- ``overlap.article_ids``: rows that are one article, across datasets.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CrossvalResult", "crossval", "save_crossval"]


def __getattr__(name: str):
    """``crossval`` and ``CrossvalResult`` on first use: ``newsbench --help`` reads the settings in
    ``generalisation.config`` without importing pandas and scikit-learn."""
    if name == "crossval":
        from newsbench.generalisation.protocol import crossval

        return crossval
    if name == "CrossvalResult":
        from newsbench.generalisation.results import CrossvalResult

        return CrossvalResult
    raise AttributeError(f"module 'newsbench.generalisation' has no attribute {name!r}")


def save_crossval(result, out: str | Path) -> dict[str, Path]:
    """Write crossval.json, report.md, report.html and the heatmaps as one folder (replacing ``out``)."""
    from newsbench.outputs import write_folder
    from newsbench.reporting.blocks import to_html, to_markdown
    from newsbench.reporting.crossval import crossval_blocks
    from newsbench.serialize import to_json

    blocks, images = crossval_blocks(result)
    files = {"crossval.json": to_json(result), "report.md": to_markdown(blocks),
             "report.html": to_html(blocks, "newsbench crossval", images), **images}
    write_folder(Path(out), files, "crossval")
    return {name: Path(out) / name for name in files}
