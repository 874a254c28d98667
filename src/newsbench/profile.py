"""What a detector costs on a CPU: size, load time and memory, latency, peak memory vs length.

Measured like a benchmark: thread counts fixed and recorded, warm-up before timing, repeats
until a time budget with percentiles, and every memory number taken in a fresh subprocess
(``python -m newsbench.probe``) so no earlier allocation is reused or counted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from newsbench.detectors.base import ProgressFactory
from newsbench.errors import ConfigError, NewsbenchError
from newsbench.results import SCHEMA_VERSION, Environment, capture_environment


@dataclass(frozen=True)
class Latency:
    """Forward-pass latency of one (threads, batch size, sequence length) point, in ms."""

    threads: int
    batch_size: int
    seq_len: int
    repeats: int
    values_ms: list[float]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    p50_ms_per_article: float

    @classmethod
    def from_values(cls, threads: int, batch_size: int, seq_len: int, seconds: list[float]) -> Latency:
        ms = np.array(seconds) * 1000
        p50, p90, p99 = np.percentile(ms, [50, 90, 99])
        return cls(threads, batch_size, seq_len, len(ms), [round(float(v), 4) for v in ms], float(p50),
                   float(p90), float(p99), float(ms.mean()), float(p50 / batch_size))


@dataclass(frozen=True)
class LoadCost:
    """Loading in a fresh process: medians over ``runs`` loads."""

    runs: int
    seconds: float
    rss_after_load_mb: float
    rss_after_first_use_mb: float


@dataclass(frozen=True)
class MemoryPoint:
    """Peak memory of one forward pass in a fresh process.

    ``growth_mb`` is the peak RSS during the forward minus the RSS after loading (weights
    touched). Two analytic estimates of the largest live activations bracket it: with the
    attention score matrices materialised (eager or math attention), and without them (fused
    SDPA kernels that work block by block).
    """

    threads: int
    batch_size: int
    seq_len: int
    rss_after_load_mb: float
    peak_rss_mb: float
    growth_mb: float
    activations_mb: float
    activations_fused_mb: float


@dataclass(frozen=True)
class StaticCost:
    parameters: int
    parameter_mb: float
    disk_mb: float


@dataclass(frozen=True)
class ProfileResult:
    """The content of ``profile.json``."""

    model: str
    architecture: str
    environment: Environment
    static: StaticCost
    load: LoadCost
    latency: list[Latency]
    memory: list[MemoryPoint]
    first_forward_overhead_mb: float | None = None
    notes: list[str] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION
    kind: str = "profile"


@dataclass
class ProfileConfig:
    """Settings of ``newsbench profile``.

    Attributes:
        model: a Hugging Face model folder, or None with ``arch`` set.
        arch: a preset architecture (random weights; exact for cost).
        threads: thread budgets to measure (phone big-core counts: 1, 2, 4).
        batch_sizes, lengths: the latency grid (every article padded to the length).
        memory_lengths, memory_batch: the peak-memory sweep, one fresh process per point.
        seconds_per_point: time budget for repeats at one latency point (at least min_repeats).
    """

    model: str | None = None
    arch: str | None = None
    threads: list[int] = field(default_factory=lambda: [os.cpu_count() or 1])
    batch_sizes: list[int] = field(default_factory=lambda: [1, 2, 4, 8, 16, 32])
    lengths: list[int] = field(default_factory=lambda: [128, 512])
    memory_lengths: list[int] = field(default_factory=lambda: [64, 128, 256, 512])
    memory_batch: int = 8
    load_runs: int = 3
    warmup: int = 2
    min_repeats: int = 5
    max_repeats: int = 50
    seconds_per_point: float = 2.0
    seed: int = 0

    def __post_init__(self):
        if (self.model is None) == (self.arch is None):
            raise ConfigError("profile needs exactly one of --model PATH or --arch NAME")
        if self.arch is not None:
            from newsbench.presets import PRESETS

            if self.arch not in PRESETS:
                raise ConfigError(f"unknown --arch '{self.arch}'; known: {', '.join(PRESETS)}")
        for name in ("threads", "batch_sizes", "lengths", "memory_lengths"):
            values = getattr(self, name)
            if not values or min(values) < 1:
                raise ConfigError(f"{name} must be positive integers, got {values}")
        if self.min_repeats < 3 or self.max_repeats < self.min_repeats:
            raise ConfigError("need 3 <= min_repeats <= max_repeats for percentiles")


def profile(config: ProfileConfig, progress: ProgressFactory | None = None) -> ProfileResult:
    """Measure static cost, load cost, latency sweeps and the peak-memory sweep."""
    import torch

    spec = {"model": config.model, "arch": config.arch}
    environment = capture_environment(config.seed, config.threads[0])
    model = _load(spec)
    params = sum(p.numel() for p in model.parameters())
    static = StaticCost(params, sum(p.numel() * p.element_size() for p in model.parameters()) / 2**20,
                        _disk_mb(model, config.model))
    limit = getattr(model.config, "max_position_embeddings", None) or max(config.lengths)
    notes = []
    lengths = [n for n in config.lengths if n <= limit]
    memory_lengths = [n for n in config.memory_lengths if n <= limit]
    if len(lengths) < len(config.lengths) or len(memory_lengths) < len(config.memory_lengths):
        notes.append(f"lengths above the model's {limit} positions were left out")

    loads = [_probe({**spec, "threads": config.threads[0], "task": "load"}) for _ in range(config.load_runs)]
    load = LoadCost(config.load_runs, *(float(np.median([r[k] for r in loads]))
                                        for k in ("seconds", "rss_after_load_mb", "rss_after_first_use_mb")))

    latency = []
    points = [(t, b, n) for t in config.threads for n in lengths for b in config.batch_sizes]
    advance = progress("latency sweep", len(points)) if progress else None
    vocab = model.config.vocab_size
    for threads, batch, length in points:
        torch.set_num_threads(threads)
        inputs = _inputs(batch, length, vocab, config.seed)
        with torch.inference_mode():
            for _ in range(config.warmup):
                model(**inputs)
            seconds, started = [], time.perf_counter()
            while len(seconds) < config.max_repeats and (
                    len(seconds) < config.min_repeats or time.perf_counter() - started < config.seconds_per_point):
                t0 = time.perf_counter()
                model(**inputs)
                seconds.append(time.perf_counter() - t0)
        latency.append(Latency.from_values(threads, batch, length, seconds))
        if advance:
            advance(1)

    memory = []
    advance = progress("memory sweep (fresh process per point)", len(memory_lengths)) if progress else None
    for length in memory_lengths:
        result = _probe({**spec, "threads": config.threads[0], "task": "forward", "batch": config.memory_batch,
                         "length": length, "seed": config.seed})
        memory.append(MemoryPoint(config.threads[0], config.memory_batch, length, result["rss_after_load_mb"],
                                  result["peak_rss_mb"], result["peak_rss_mb"] - result["rss_after_load_mb"],
                                  activation_mb(model.config, config.memory_batch, length),
                                  activation_mb(model.config, config.memory_batch, length, scores=False)))
        if advance:
            advance(1)
    overhead = None
    if memory:
        # A tiny forward pays the one-time costs (kernel caches, allocator arenas) but almost no
        # activations; the rest of each point's growth is what the length adds.
        tiny = _probe({**spec, "threads": config.threads[0], "task": "forward", "batch": 1, "length": 8,
                       "seed": config.seed})
        overhead = tiny["peak_rss_mb"] - tiny["rss_after_load_mb"]
    architecture = (model.config.architectures or [type(model).__name__])[0]
    return ProfileResult(config.model or f"arch:{config.arch}", architecture, environment, static, load,
                         latency, memory, overhead, notes)


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


def _inputs(batch: int, length: int, vocab: int, seed: int) -> dict:
    import torch

    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, max(6, vocab), (batch, length), generator=generator)
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}


def _load(spec: dict):
    """The classifier a spec names: a folder (pretrained weights) or a preset (random weights)."""
    from transformers import AutoModelForSequenceClassification

    if spec.get("arch"):
        from newsbench.presets import random_config

        model = AutoModelForSequenceClassification.from_config(random_config(spec["arch"]))
    else:
        model = AutoModelForSequenceClassification.from_pretrained(spec["model"])
    return model.eval()


def _disk_mb(model, path: str | None) -> float:
    """Size of the weights on disk: the folder's weight files, or a fresh safetensors save."""
    if path is not None:
        files = [p for p in Path(path).iterdir() if p.suffix in (".safetensors", ".bin", ".onnx")]
        if files:
            return sum(p.stat().st_size for p in files) / 2**20
    with tempfile.TemporaryDirectory() as folder:
        model.save_pretrained(folder)
        return sum(p.stat().st_size for p in Path(folder).glob("*.safetensors")) / 2**20


def _probe(spec: dict) -> dict:
    """Run one measurement in a fresh Python process and return its JSON answer."""
    env = {**os.environ, "OMP_NUM_THREADS": str(spec["threads"]), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "newsbench.probe", json.dumps(spec)], capture_output=True,
                          text=True, env=env, timeout=900)
    if done.returncode != 0:
        raise NewsbenchError(f"profiling subprocess failed ({spec['task']}): {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown(result: ProfileResult, images: dict[str, str]) -> str:
    """The profile as Markdown: static and load cost, latency tables, memory vs length."""
    env, s, load = result.environment, result.static, result.load
    lines = [
        f"# newsbench profile: {result.model}", "",
        f"{result.architecture}; {env.cpu_model} ({env.cpu_count} cores; flags: {', '.join(env.cpu_flags) or 'none'}); "
        f"torch {env.packages.get('torch', '?')}; {env.started_at}.", "",
        "## Static and load cost", "",
        "| parameters | parameter MB (fp32) | size on disk MB | load s (median) | RSS after load MB | "
        "RSS after first use MB |",
        "|---|---|---|---|---|---|",
        f"| {s.parameters:,} | {s.parameter_mb:.2f} | {s.disk_mb:.2f} | {load.seconds:.2f} | "
        f"{load.rss_after_load_mb:.1f} | {load.rss_after_first_use_mb:.1f} |", "",
        f"Load cost: median of {load.runs} loads, each in a fresh process (weights touched after loading).", "",
        "## Latency (fp32, every article padded to the length)", "",
        f"![latency]({images['latency']})", "",
        "| threads | length | batch | repeats | p50 ms | p90 ms | p99 ms | p50 ms / article |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [f"| {p.threads} | {p.seq_len} | {p.batch_size} | {p.repeats} | {p.p50_ms:.2f} | {p.p90_ms:.2f} | "
              f"{p.p99_ms:.2f} | {p.p50_ms_per_article:.2f} |" for p in result.latency]
    best = {}
    for p in result.latency:
        key = (p.threads, p.seq_len)
        if key not in best or p.p50_ms_per_article < best[key].p50_ms_per_article:
            best[key] = p
    lines += ["", "Best batch size by p50 ms per article: " + "; ".join(
        f"{t} threads, {n} tokens: batch {p.batch_size} ({p.p50_ms_per_article:.2f} ms)" for (t, n), p in best.items())]
    if result.memory:
        lines += ["", "## Peak memory vs sequence length", "", f"![memory]({images['memory']})", "",
                  "Each point is one forward pass in a fresh process: peak RSS (kernel high-water mark, reset "
                  "after loading) minus RSS after loading.", "",
                  "| threads | batch | length | RSS after load MB | peak RSS MB | growth MB | growth minus fixed MB "
                  "| activations MB (scores held) | activations MB (fused attention) |",
                  "|---|---|---|---|---|---|---|---|---|"]
        fixed = result.first_forward_overhead_mb or 0.0
        lines += [f"| {m.threads} | {m.batch_size} | {m.seq_len} | {m.rss_after_load_mb:.1f} | {m.peak_rss_mb:.1f} | "
                  f"{m.growth_mb:.1f} | {m.growth_mb - fixed:.1f} | {m.activations_mb:.1f} | "
                  f"{m.activations_fused_mb:.1f} |" for m in result.memory]
        lines += ["", f"Fixed first-forward overhead (a batch-1, 8-token forward in a fresh process): {fixed:.1f} MB. "
                  "The analytic estimates count the largest activations alive in one layer (fp32), with and "
                  "without the attention score matrices (fused attention kernels never hold them whole)."]
    lines += ["", *[f"- {n}" for n in result.notes], ""]
    return "\n".join(lines)


def plots(result: ProfileResult) -> dict[str, bytes]:
    """Latency per article vs batch size, and memory growth vs length beside the estimate."""
    from newsbench.plots import _figure, _png

    plt, fig, ax = _figure(6, 4)
    for threads in sorted({p.threads for p in result.latency}):
        for length in sorted({p.seq_len for p in result.latency}):
            points = [p for p in result.latency if p.threads == threads and p.seq_len == length]
            ax.plot([p.batch_size for p in points], [p.p50_ms_per_article for p in points], marker="o",
                    label=f"{length} tokens, {threads} threads")
    ax.set(xscale="log", xlabel="batch size", ylabel="p50 ms per article", title="Latency per article")
    sizes = sorted({p.batch_size for p in result.latency})
    ax.set_xticks(sizes, [str(b) for b in sizes])
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    out = {"plots/latency.png": _png(plt, fig)}
    if result.memory:
        plt, fig, ax = _figure(6, 4)
        lengths = [m.seq_len for m in result.memory]
        fixed = result.first_forward_overhead_mb or 0.0
        ax.plot(lengths, [m.growth_mb for m in result.memory], marker="o", label="measured growth")
        ax.plot(lengths, [m.growth_mb - fixed for m in result.memory], marker="s", label="growth minus fixed overhead")
        ax.plot(lengths, [m.activations_mb for m in result.memory], marker="^", ls="--",
                label="analytic, scores held")
        ax.plot(lengths, [m.activations_fused_mb for m in result.memory], marker="v", ls=":",
                label="analytic, fused attention")
        ax.set(xlabel="sequence length (tokens)", ylabel="MB",
               title=f"Peak memory, batch {result.memory[0].batch_size}")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        out["plots/memory.png"] = _png(plt, fig)
    return out
