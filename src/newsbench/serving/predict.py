"""``newsbench predict``: score an archive of any size, in chunks, resumably.

Each input file is read in chunks (``tables.iter_table``: memory bounded by one chunk), each chunk's
texts are built as ``evaluate`` builds them (``data.compose_texts`` with the model's preprocessing),
scored, and written as one Parquet part beside the output (``OUT.parts/``). A rerun after an
interruption finds the parts already written and scores only the rest. At the end the parts are
checked (every input row exactly once, in order) and joined into ``OUT``; rows with no text are
kept with ``skipped = "empty_text"``, so the output has one row per input row.

The ``ray`` engine (``serving.ray_engine``) runs the scoring on Ray Data; reading, the row
accounting, resuming and the final check are shared (``serving.archive``).
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass
from pathlib import Path

from newsbench.detectors.base import ProgressFactory
from newsbench.scorer import Scorer
from newsbench.serving.archive import Chunk, Job, score_rows, write_part
from newsbench.serving.config import PredictConfig


@dataclass(frozen=True)
class PredictResult:
    """What a ``predict`` run did."""

    out: str
    engine: str
    rows: int
    scored: int
    skipped: dict[str, int]
    chunks: int
    resumed_chunks: int  # written by an earlier, interrupted run and not scored again
    seconds: float
    rows_per_s: float  # rows scored in this run per second of this run
    peak_rss_mb: float  # of this process (the local engine scores here)


def predict(config: PredictConfig, progress: ProgressFactory | None = None) -> PredictResult:
    """Score every row of ``config.data`` into ``config.out``; see the module docstring."""
    started = time.perf_counter()
    job = Job(config)
    try:
        if config.engine == "ray":
            from newsbench.serving.ray_engine import run_ray

            written, resumed, scored_rows = run_ray(job, progress)
        else:
            written, resumed, scored_rows = _run_local(job, progress)
        rows, skipped = job.finish(written)
    finally:
        job.unlock()  # an interrupted run leaves its parts to resume, not its lock
    seconds = time.perf_counter() - started
    return PredictResult(
        out=str(job.out), engine=config.engine, rows=rows, scored=rows - sum(skipped.values()), skipped=skipped,
        chunks=len(written), resumed_chunks=resumed, seconds=seconds, rows_per_s=scored_rows / seconds,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _run_local(job: Job, progress: ProgressFactory | None) -> tuple[dict[Path, int], int, int]:
    config = job.config
    scorer = Scorer(config.model, config.backend, config.detector_options(), config.max_length)
    job.open()
    written, resumed, scored = {}, 0, 0
    bars = _Bars(job, progress)
    for chunk in job.chunks():
        path = job.part(chunk)
        written[path] = len(chunk.rows)
        if path.exists():
            resumed += 1
        else:
            write_part(score_rows(chunk.rows, scorer, job.threshold), path)
            scored += len(chunk.rows)
        bars.advance(chunk, scored)
    return written, resumed, scored


class _Bars:
    """One progress bar per input file, advanced by the share of it read, with rows/s."""

    def __init__(self, job: Job, progress: ProgressFactory | None):
        self.job, self.progress, self.bars, self.started = job, progress, {}, time.perf_counter()

    def advance(self, chunk: Chunk, scored: int) -> None:
        if self.progress is None:
            return
        if chunk.file_index not in self.bars:
            self.bars[chunk.file_index] = [self.progress(f"predict {self.job.keys[chunk.file_index]}", 1000), 0]
        bar = self.bars[chunk.file_index]
        step = int(round(chunk.done * 1000)) - bar[1]
        bar[1] += step
        rate = scored / max(time.perf_counter() - self.started, 1e-9)
        bar[0](step, description=f"predict {self.job.keys[chunk.file_index]}: "
                                 f"{chunk.start + len(chunk.rows):,} rows, {rate:,.0f} rows/s")
