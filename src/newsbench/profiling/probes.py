"""Memory and load cost, each measured in a fresh Python process so no earlier allocation is
reused or counted (``python -m newsbench.profiling.probe``).

The peak of a forward pass is the kernel's high-water mark (VmHWM), reset after loading through
/proc/self/clear_refs, so loading's own transient peak cannot hide the forward pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

import numpy as np

from newsbench.errors import NewsbenchError


@dataclass(frozen=True)
class LoadCost:
    """Loading one backend's model in a fresh process: medians over ``runs`` loads.

    ``rss_before_load_mb`` is the process with its libraries imported (torch and transformers,
    or onnxruntime alone); the increases are what loading the model, and then a first batch-1,
    64-token forward, add to it.
    """

    backend: str
    runs: int
    seconds: float
    rss_before_load_mb: float
    rss_after_load_mb: float
    rss_after_first_use_mb: float

    @property
    def load_increase_mb(self) -> float:
        return self.rss_after_load_mb - self.rss_before_load_mb

    @property
    def first_use_increase_mb(self) -> float:
        return self.rss_after_first_use_mb - self.rss_before_load_mb


@dataclass(frozen=True)
class MemoryPoint:
    """Peak memory of one forward pass in a fresh process.

    ``growth_mb`` is the peak RSS during the forward minus the RSS after loading (weights
    touched). Two analytic estimates of the largest live fp32 activations bracket it: with the
    attention score matrices materialised (eager or math attention), and without them (fused
    attention kernels that work block by block).
    """

    backend: str
    threads: int
    batch_size: int
    seq_len: int
    rss_after_load_mb: float
    peak_rss_mb: float
    growth_mb: float
    activations_mb: float | None
    activations_fused_mb: float | None


def activation_mb(config, batch: int, length: int, scores: bool = True) -> float:
    """Analytic estimate of the largest set of activations alive at once in one layer (fp32).

    Inference frees each layer's tensors before the next, so the peak is one layer: the hidden
    states in and out (2 x B·L·H), the query/key/value projections (3 x B·L·A), attention scores
    and their softmax (2 x B·heads·L²) and the feed-forward intermediate (B·L·I). A is the
    attention width: H for BERT-like models, MobileBERT's 128-wide bottleneck for MobileBERT.
    ``scores=False`` leaves out the L² score matrices, which fused attention never holds whole.
    """
    width = getattr(config, "hidden_size", None) or config.dim
    inner = config.intra_bottleneck_size if getattr(config, "use_bottleneck", False) else width
    heads = getattr(config, "num_attention_heads", None) or config.n_heads
    inter = getattr(config, "intermediate_size", None) or getattr(config, "hidden_dim", 4 * width)
    tokens = batch * length
    values = tokens * (2 * width + 3 * inner + inter) + (2 * batch * heads * length * length if scores else 0)
    return values * 4 / 2**20


def run_probe(spec: dict) -> dict:
    """Run one measurement in a fresh Python process and return its JSON answer.

    Args:
        spec: ``task`` (``load`` or ``forward``), ``backend``, ``threads`` and what
            ``subject.detector_from_spec`` needs; ``forward`` also takes ``batch``, ``length``,
            ``vocab`` (or the pipeline's words) and ``seed``.
    """
    env = {**os.environ, "OMP_NUM_THREADS": str(spec["threads"]), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "newsbench.profiling.probe", json.dumps(spec)],
                          capture_output=True, text=True, env=env, timeout=900)
    if done.returncode != 0:
        raise NewsbenchError(f"profiling subprocess failed ({spec['task']}): {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def load_cost(spec: dict, runs: int, advance=None) -> LoadCost:
    """Medians over ``runs`` fresh-process loads of one backend."""
    values = []
    for _ in range(runs):
        values.append(run_probe({**spec, "task": "load"}))
        if advance:
            advance(1)
    return LoadCost(spec["backend"], runs, *(float(np.median([v[k] for v in values]))
                                              for k in ("seconds", "rss_before_load_mb", "rss_after_load_mb",
                                                        "rss_after_first_use_mb")))


def memory_point(spec: dict, batch: int, length: int, seed: int, config) -> MemoryPoint:
    """Peak memory growth of one (batch, length) forward pass, beside the analytic estimates."""
    result = run_probe({**spec, "task": "forward", "batch": batch, "length": length, "seed": seed})
    return MemoryPoint(spec["backend"], spec["threads"], batch, length, result["rss_after_load_mb"],
                       result["peak_rss_mb"], result["peak_rss_mb"] - result["rss_after_load_mb"],
                       activation_mb(config, batch, length) if config is not None else None,
                       activation_mb(config, batch, length, scores=False) if config is not None else None)
