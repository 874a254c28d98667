"""The ``ray`` engine of ``newsbench predict``: the scoring runs on Ray Data.

The command reads the input itself (the same strict, row-numbered chunks as the local engine, so
the row accounting is the same) and hands the chunks still to be scored to Ray in windows: each
window becomes a dataset (``from_pandas_refs``, through the object store, so a remote cluster
needs no shared filesystem), ``map_batches`` scores it on an actor pool in which each actor loads
the detector once, and the results stream back in order and are written as the same parts the
local engine writes, so resuming and the final check are shared.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from newsbench.detectors.base import DetectorOptions, ProgressFactory
from newsbench.errors import require
from newsbench.scorer import Scorer
from newsbench.serving.archive import Job, score_rows, write_part

WINDOW = 32  # chunks per Ray dataset: bounds what the command holds while Ray scores


class ScoreActor:
    """A Ray Data actor: loads the detector once, then scores batches of rows."""

    def __init__(self, model: str, backend: str, options: DetectorOptions, max_length: int | None, threshold: float):
        self.scorer = Scorer(model, backend, options, max_length)
        self.threshold = threshold

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        out = score_rows(batch, self.scorer, self.threshold)
        out["part"] = batch["part"].to_numpy()
        return out


def run_ray(job: Job, progress: ProgressFactory | None = None) -> tuple[dict[Path, int], int, int]:
    """Score the chunks not yet written on Ray Data and write their parts.

    Returns (rows per part of this input, parts already written before, rows scored now).
    """
    ray = require("ray", "ray")
    require("ray.data", "ray")
    config = job.config
    job.open()
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=config.ray_address, num_cpus=None if config.ray_address else config.num_cpus,
                 include_dashboard=False, log_to_driver=False, configure_logging=False)
    written, resumed, scored = {}, 0, 0
    advance = progress("predict on Ray", 1) if progress else None
    try:
        window: list[tuple[str, pd.DataFrame]] = []
        for chunk in job.chunks():
            path = job.part(chunk)
            written[path] = len(chunk.rows)
            if path.exists():
                resumed += 1
                continue
            if not len(chunk.rows):  # a header-only file: nothing for Ray, and no batch would come back
                write_part(score_rows(chunk.rows, None, job.threshold), path)
                continue
            window.append((path.name, chunk.rows.assign(part=path.name)))
            if len(window) == WINDOW:
                scored += _score(ray, job, window, advance)
                window = []
        if window:
            scored += _score(ray, job, window, advance)
    finally:
        if started_here:
            ray.shutdown()
    return written, resumed, scored


def _score(ray, job: Job, window: list[tuple[str, pd.DataFrame]], advance) -> int:
    """One window of chunks through an actor pool; returns the rows scored."""
    config = job.config
    threads = config.threads or 1
    actors = config.actors or max(1, int(ray.cluster_resources().get("CPU", 1)) // threads)
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # results come back in the order they went in
    context.enable_progress_bars = False
    expected = {name: len(rows) for name, rows in window}
    dataset = ray.data.from_pandas_refs([ray.put(rows) for _, rows in window]).map_batches(
        ScoreActor, fn_constructor_kwargs={"model": config.model, "backend": config.backend,
                                           "options": config.detector_options(), "max_length": config.max_length,
                                           "threshold": job.threshold},
        batch_format="pandas", batch_size=config.chunk_rows, compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=threads)
    pending: dict[str, list[pd.DataFrame]] = {}
    for batch in dataset.iter_batches(batch_format="pandas", batch_size=None):
        for name, group in batch.groupby("part", sort=False):
            pending.setdefault(name, []).append(group.drop(columns="part"))
            if sum(len(g) for g in pending[name]) == expected[name]:
                write_part(pd.concat(pending.pop(name), ignore_index=True), job.parts / name)
        if advance:
            advance(0, description=f"predict on Ray ({actors} actors): {len(batch):,} more rows")
    if pending:
        raise RuntimeError(f"Ray returned incomplete parts: {sorted(pending)[:3]}")
    return sum(expected.values())
