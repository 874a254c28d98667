"""What a detector costs on a CPU: size, load time and memory, latency, peak memory vs length.

Measured like a benchmark: thread counts fixed and recorded, warm-up before timing, repeats
until a time budget with percentiles, and every memory number taken in a fresh subprocess so
no earlier allocation is reused or counted. ``profile()`` is the recipe; ``subject`` loads what
is profiled and builds its detectors, ``latency`` times them, ``probes`` measures memory.
"""

from __future__ import annotations

import importlib.util
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from newsbench.config import ProfileConfig
from newsbench.detectors.base import ProgressFactory
from newsbench.environment import capture_environment, has_bf16
from newsbench.profiling.latency import (
    Encoder,
    FoldedTokenizer,
    Latency,
    SingleStream,
    encoder,
    measure_latency,
    real_articles,
    single_stream,
    synthetic_batch,
)
from newsbench.profiling.probes import LoadCost, MemoryPoint, activation_mb, load_cost, memory_point, run_probe
from newsbench.profiling.roofline import MatmulPeak, forward_gop, measure_roofline
from newsbench.profiling.subject import (
    Subject,
    detector,
    export_files,
    file_sizes,
    load_subject,
    trained_max_length,
)
from newsbench.results import SCHEMA_VERSION, Environment

__all__ = ["Encoder", "FoldedTokenizer", "Latency", "LoadCost", "MatmulPeak", "MemoryPoint", "ProfileConfig",
           "ProfileResult", "SingleStream", "StaticCost", "activation_mb", "measure_latency", "profile",
           "single_stream", "synthetic_batch"]


@dataclass(frozen=True)
class StaticCost:
    """Parameters and sizes; ``files_mb`` maps a format (safetensors fp32, onnx fp32, onnx int8) to its size."""

    parameters: int
    parameter_mb: float
    disk_mb: float
    files_mb: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ProfileResult:
    """The content of ``profile.json``."""

    model: str
    architecture: str
    environment: Environment
    static: StaticCost
    backends: list[str]
    load: list[LoadCost]
    latency: list[Latency]
    memory: list[MemoryPoint]
    single_stream: list[SingleStream] = field(default_factory=list)
    first_forward_overhead_mb: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    roofline: list[MatmulPeak] = field(default_factory=list)  # this CPU's matrix-multiply peaks
    schema_version: str = SCHEMA_VERSION
    kind: str = "profile"


def profile(config: ProfileConfig, progress: ProgressFactory | None = None) -> ProfileResult:
    """Measure static cost, load cost, latency sweeps, single-stream latency and peak memory, per backend."""
    environment = capture_environment(config.seed, config.threads[0])
    subject = load_subject(config.model, config.arch, config.allow_pickle, config.trust_remote_code)
    limit = getattr(subject.config, "max_position_embeddings", None) or max(config.lengths + config.memory_lengths)
    lengths = [n for n in config.lengths if n <= limit]
    memory_lengths = [n for n in config.memory_lengths if n <= limit]
    notes = _notes(config, subject, environment, limit, lengths, memory_lengths)
    bar = _Bar(progress)
    with tempfile.TemporaryDirectory(prefix="newsbench-profile-") as work:
        files = export_files(subject, Path(work), config.backends)
        disk, sizes = file_sizes(subject, files)
        static = StaticCost(subject.parameters, subject.parameter_mb, disk, sizes)
        specs = {b: _probe_spec(config, subject, b, files) for b in config.backends}

        load_backends = [b for b in config.backends if b != "torch-bf16"]  # bf16 loads the fp32 weights
        advance = bar("load cost (fresh process per load)", len(load_backends) * config.load_runs)
        load = [load_cost(specs[b], config.load_runs, advance) for b in load_backends]

        # The matmul work of one article per length, so each point can be read against the roofline.
        torch_module = subject.config is not None and not subject.fixed
        work = {n: forward_gop(subject.model, n) for n in lengths} if torch_module else {}
        latency = []
        points = [(b, t, n, size) for b in config.backends for t in config.threads for n in lengths
                  for size in config.batch_sizes]
        advance = bar("latency sweep", len(points))
        for backend in config.backends:
            for threads in config.threads:  # one detector (one ONNX Runtime session) per backend and budget
                run = detector(subject, backend, files, threads)
                for length in lengths:
                    for batch in config.batch_sizes:
                        seconds = measure_latency(run, synthetic_batch(batch, length, subject.vocabulary, config.seed),
                                                  config.warmup, config.min_repeats, config.max_repeats,
                                                  config.seconds_per_point)
                        gop = work[length] * batch if length in work else None
                        latency.append(Latency.from_values(backend, threads, batch, length, seconds, gop))
                        advance(1)

        single = []
        if config.texts:
            articles, source = real_articles(config.texts, config.queries, config.seed)
            cap = min(limit, config.max_length or trained_max_length(config.model) or limit)
            encode = encoder(config.model, subject.config, cap, config.trust_remote_code)
            advance = bar(f"single-stream ({config.queries} articles, one at a time)",
                          len(config.backends) * len(config.threads))
            for backend in config.backends:
                for threads in config.threads:
                    single.append(single_stream(detector(subject, backend, files, threads), encode, articles,
                                                backend, threads, source))
                    advance(1)

        memory, overhead = [], {}
        points = [(n, b) for b in config.memory_batches for n in memory_lengths]
        advance = bar("memory sweep (fresh process per point)", len(points) * len(config.backends))
        for backend in config.backends:
            for length, batch in points:
                memory.append(memory_point(specs[backend], batch, length, config.seed, subject.config))
                advance(1)
            if memory_lengths:
                # A tiny forward pays the one-time costs (kernel caches, allocator arenas) but almost
                # no activations; the rest of each point's growth is what the length adds.
                tiny = run_probe({**specs[backend], "task": "forward", "batch": 1, "length": 8, "seed": config.seed})
                overhead[backend] = tiny["peak_rss_mb"] - tiny["rss_after_load_mb"]
    roofline = []
    if config.roofline_seconds and importlib.util.find_spec("onnxruntime") is None:
        notes.append("no matrix-multiply roofline: it runs on ONNX Runtime (pip install 'newsbench[onnx]')")
    elif config.roofline_seconds:
        advance = bar("matrix-multiply roofline (fp32, int8)", 1)
        roofline = measure_roofline(config.threads, config.roofline_seconds)
        advance(1)
    return ProfileResult(subject.name, subject.architecture, environment, static, list(config.backends), load,
                         latency, memory, single, overhead, notes, roofline)


def _probe_spec(config: ProfileConfig, subject: Subject, backend: str, files: dict[str, Path]) -> dict:
    """What a fresh probe process needs to rebuild ``backend``'s detector (JSON)."""
    return {"backend": backend, "model": config.model, "arch": config.arch, "allow_pickle": config.allow_pickle,
            "trust_remote_code": config.trust_remote_code, "threads": config.threads[0],
            "file": str(files[backend]) if backend in files else None,
            "vocab": subject.vocabulary if subject.config is not None else None}


def _notes(config: ProfileConfig, subject: Subject, environment: Environment, limit: int, lengths: list[int],
           memory_lengths: list[int]) -> list[str]:
    notes = []
    if subject.fixed in ("sklearn", "heads"):
        kind = "scikit-learn pipeline" if subject.fixed == "sklearn" else "heads model"
        notes.append(f"a {kind} reads text: lengths are words (synthetic articles drawn from its vocabulary), the "
                     "forward includes vectorising, and there are no activations to estimate")
    if max(config.threads) > environment.cpu_count:
        notes.append(f"thread budgets above this machine's {environment.cpu_count} cores are oversubscribed: "
                     "their latencies are not those of a CPU with that many cores")
    if "torch-bf16" in config.backends and not has_bf16():
        notes.append("torch-bf16 on a CPU without native bf16 (AMX/AVX512-BF16) is emulated and slow; "
                     "measured as asked")
    if len(lengths) < len(config.lengths) or len(memory_lengths) < len(config.memory_lengths):
        notes.append(f"lengths above the model's {limit} positions were left out")
    if config.texts and config.max_length and config.max_length > limit:
        notes.append(f"--max-length {config.max_length} is above the model's {limit} positions: single-stream "
                     f"articles were cut at {limit} tokens")
    return notes


class _Bar:
    """``progress(description, total)``, or a no-op counter when there is no progress bar."""

    def __init__(self, progress: ProgressFactory | None):
        self.progress = progress

    def __call__(self, description: str, total: int):
        return self.progress(description, total) if self.progress else (lambda n=1, description=None: None)
