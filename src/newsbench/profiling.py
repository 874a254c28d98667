"""What a detector costs on a CPU: size, load time and memory, latency, peak memory vs length.

Measured like a benchmark: thread counts fixed and recorded, warm-up before timing, repeats
until a time budget with percentiles, and every memory number taken in a fresh subprocess
(``python -m newsbench.probe``) so no earlier allocation is reused or counted.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from newsbench.detectors.base import ProgressFactory, from_pretrained
from newsbench.environment import capture_environment, cores, has_bf16
from newsbench.errors import ConfigError, NewsbenchError, require
from newsbench.results import SCHEMA_VERSION, Environment

BACKENDS = ("torch", "torch-bf16", "onnx", "onnx-int8")


@dataclass(frozen=True)
class Latency:
    """Forward-pass latency of one (backend, threads, batch size, sequence length) point, in ms."""

    backend: str
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
    def from_values(cls, backend: str, threads: int, batch_size: int, seq_len: int, seconds: list[float]) -> Latency:
        ms = np.array(seconds) * 1000
        p50, p90, p99 = np.percentile(ms, [50, 90, 99])
        return cls(backend, threads, batch_size, seq_len, len(ms), [round(float(v), 4) for v in ms], float(p50),
                   float(p90), float(p99), float(ms.mean()), float(p50 / batch_size))


@dataclass(frozen=True)
class SingleStream:
    """One article at a time over real news (MLPerf single-stream): tokenise + forward, no padding.

    ``p*_ms`` time the whole query; ``forward_p50_ms`` the model alone. Token lengths are the
    articles' own, truncated at ``max_length``.
    """

    backend: str
    threads: int
    queries: int
    source: str
    max_length: int
    mean_tokens: float
    share_at_cap: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    forward_p50_ms: float
    tokenize_p50_ms: float


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
    schema_version: str = SCHEMA_VERSION
    kind: str = "profile"


@dataclass
class ProfileConfig:
    """Settings of ``newsbench profile``.

    Attributes:
        model: a Hugging Face model folder, or None with ``arch`` set.
        arch: a preset architecture (random weights; exact for cost).
        backends: torch (fp32), torch-bf16, onnx (fp32), onnx-int8; None = every backend that
            makes sense on this CPU (bf16 only with native bf16).
        threads: thread budgets to measure (phone big-core counts: 1, 2, 4), applied to every
            backend (torch.set_num_threads, onnxruntime intra-op threads, OMP_NUM_THREADS in probes).
        batch_sizes, lengths: the latency grid (every article padded to the length).
        texts: a data spec (file or dataset name) for single-stream latency on real news; None skips it.
        queries: single-stream queries (articles, one at a time, after 10 untimed).
        memory_lengths, memory_batches: the peak-memory sweep, one fresh process per point.
        seconds_per_point: time budget for repeats at one latency point (at least min_repeats).
        allow_pickle: permit loading a scikit-learn pipeline (joblib runs the code it contains).
        trust_remote_code: permit model code shipped with a Hugging Face checkpoint.
    """

    model: str | None = None
    arch: str | None = None
    backends: list[str] | None = None
    threads: list[int] = field(default_factory=lambda: [cores()])
    batch_sizes: list[int] = field(default_factory=lambda: [1, 2, 4, 8, 16, 32])
    lengths: list[int] = field(default_factory=lambda: [128, 512])
    texts: str | None = None
    queries: int = 300
    memory_lengths: list[int] = field(default_factory=lambda: [64, 128, 256, 512])
    memory_batches: list[int] = field(default_factory=lambda: [1, 8])
    load_runs: int = 3
    warmup: int = 2
    min_repeats: int = 5
    max_repeats: int = 50
    seconds_per_point: float = 2.0
    seed: int = 0
    allow_pickle: bool = False
    trust_remote_code: bool = False

    def __post_init__(self):
        if (self.model is None) == (self.arch is None):
            raise ConfigError("profile needs exactly one of --model PATH or --arch NAME")
        if self.arch is not None:
            from newsbench.presets import PRESETS

            if self.arch not in PRESETS:
                raise ConfigError(f"unknown --arch '{self.arch}'; known: {', '.join(PRESETS)}")
        for name in ("threads", "batch_sizes", "lengths", "memory_lengths", "memory_batches"):
            values = getattr(self, name)
            if not values or min(values) < 1:
                raise ConfigError(f"{name} must be positive integers, got {values}")
        if self.min_repeats < 3 or self.max_repeats < self.min_repeats:
            raise ConfigError("need 3 <= min_repeats <= max_repeats for percentiles")
        own = own_backend(self.model) if self.model else None
        if own and self.backends not in (None, [own]):
            raise ConfigError(f"{self.model} runs only as {own}; pass a Hugging Face folder to compare backends")
        if own == "sklearn" and not self.allow_pickle:
            raise ConfigError(f"{self.model} is a joblib (pickle) file, and loading one runs any code it contains; "
                              "if you trust it, pass --allow-pickle")
        if self.backends is None:
            onnx = importlib.util.find_spec("onnxruntime") is not None
            self.backends = [own] if own else [
                "torch", *(["torch-bf16"] if has_bf16() else []), *(["onnx", "onnx-int8"] if onnx else [])]
        unknown = [b for b in self.backends if b not in BACKENDS and b != own]
        if unknown or not self.backends:
            raise ConfigError(f"unknown backend(s) {unknown}; profile measures {', '.join(BACKENDS)}")
        if self.queries < 20:
            raise ConfigError(f"queries must be at least 20 for percentiles, got {self.queries}")


def own_backend(model: str) -> str | None:
    """The one backend a model file runs on: ``onnx``/``onnx-int8`` for an ONNX file, ``sklearn``
    for a joblib pipeline; None for a Hugging Face folder, which can run on any backend."""
    from newsbench.detectors import detect_backend

    kind = detect_backend(model)
    if kind == "sklearn":
        return "sklearn"
    if kind != "onnx":
        return None
    from newsbench.detectors.onnx import file_precision, onnx_file

    return "onnx-int8" if file_precision(onnx_file(model)) == "int8" else "onnx"


def profile(config: ProfileConfig, progress: ProgressFactory | None = None) -> ProfileResult:
    """Measure static cost, load cost, latency sweeps, single-stream latency and peak memory, per backend."""
    spec = {"model": config.model, "arch": config.arch, "allow_pickle": config.allow_pickle,
            "trust_remote_code": config.trust_remote_code}
    environment = capture_environment(config.seed, config.threads[0])
    own = own_backend(config.model) if config.model else None
    model, hf_config, params, param_mb, file = _subject(config, own)
    limit = getattr(hf_config, "max_position_embeddings", None) or max(config.lengths + config.memory_lengths)
    notes = []
    if own == "sklearn":
        notes.append("a scikit-learn pipeline reads text: lengths are words (synthetic articles drawn from its "
                     "vocabulary), the forward includes vectorising, and there are no activations to estimate")
    if max(config.threads) > environment.cpu_count:
        notes.append(f"thread budgets above this machine's {environment.cpu_count} cores are oversubscribed: "
                     "their latencies are not those of a CPU with that many cores")
    if "torch-bf16" in config.backends and not has_bf16():
        notes.append("torch-bf16 on a CPU without native bf16 (AMX/AVX512-BF16) is emulated and slow; "
                     "measured as asked")
    lengths = [n for n in config.lengths if n <= limit]
    memory_lengths = [n for n in config.memory_lengths if n <= limit]
    if len(lengths) < len(config.lengths) or len(memory_lengths) < len(config.memory_lengths):
        notes.append(f"lengths above the model's {limit} positions were left out")

    with tempfile.TemporaryDirectory(prefix="newsbench-profile-") as work:
        names = {"onnx": "onnx fp32", "onnx-int8": "onnx int8"}
        if own == "sklearn":
            files, disk = {}, file.stat().st_size / 2**20
            sizes = {"joblib": disk}
        elif own:
            files = {own: file}
            disk = file.stat().st_size / 2**20
            sizes = {names[own]: disk}
        else:
            files = _export_files(model, Path(work), config.backends)
            disk = _disk_mb(model, config.model)
            sizes = {"safetensors fp32": disk, **{names[b]: f.stat().st_size / 2**20 for b, f in files.items()}}
        static = StaticCost(params, param_mb, disk, sizes)
        vocab = hf_config.vocab_size if hf_config is not None else _words(model)
        specs = {b: {**spec, "backend": b, "file": str(files[b]) if b in files else None,
                     "vocab": vocab if hf_config is not None else None} for b in config.backends}
        threads0 = config.threads[0]
        load_backends = [b for b in config.backends if b != "torch-bf16"]  # bf16 loads the fp32 weights
        advance = progress("load cost (fresh process per load)", len(load_backends) * config.load_runs) \
            if progress else None
        load = []
        for backend in load_backends:
            runs = []
            for _ in range(config.load_runs):
                runs.append(_probe({**specs[backend], "threads": threads0, "task": "load"}))
                if advance:
                    advance(1)
            load.append(LoadCost(backend, config.load_runs, *(float(np.median([r[k] for r in runs]))
                                 for k in ("seconds", "rss_before_load_mb", "rss_after_load_mb",
                                           "rss_after_first_use_mb"))))

        latency, runs = [], {}
        points = [(b, t, n, size) for b in config.backends for t in config.threads for n in lengths
                  for size in config.batch_sizes]
        advance = progress("latency sweep", len(points)) if progress else None
        for backend, threads, length, batch in points:
            if (backend, threads) not in runs:  # one ONNX Runtime session per backend and thread budget
                runs = {(backend, threads): runner(backend, model, files.get(backend), threads)}
            run = runs[(backend, threads)]
            inputs = _inputs(batch, length, vocab, config.seed)
            for _ in range(config.warmup):
                run(inputs)
            seconds, started = [], time.perf_counter()
            while len(seconds) < config.max_repeats and (
                    len(seconds) < config.min_repeats or time.perf_counter() - started < config.seconds_per_point):
                t0 = time.perf_counter()
                run(inputs)
                seconds.append(time.perf_counter() - t0)
            latency.append(Latency.from_values(backend, threads, batch, length, seconds))
            if advance:
                advance(1)

        single = []
        if config.texts:
            encode, articles, source = _articles(config, hf_config, limit)
            advance = progress(f"single-stream ({config.queries} articles, one at a time)",
                               len(config.backends) * len(config.threads)) if progress else None
            for backend in config.backends:
                for threads in config.threads:
                    single.append(single_stream(runner(backend, model, files.get(backend), threads), encode,
                                                articles, backend, threads, source))
                    if advance:
                        advance(1)

        memory, overhead = [], {}
        points = [(n, b) for b in config.memory_batches for n in memory_lengths]
        advance = progress("memory sweep (fresh process per point)", len(points) * len(config.backends)) \
            if progress else None
        for backend in config.backends:
            for length, batch in points:
                result = _probe({**specs[backend], "threads": threads0, "task": "forward", "batch": batch,
                                 "length": length, "seed": config.seed})
                memory.append(MemoryPoint(backend, threads0, batch, length, result["rss_after_load_mb"],
                                          result["peak_rss_mb"], result["peak_rss_mb"] - result["rss_after_load_mb"],
                                          activation_mb(hf_config, batch, length) if hf_config else None,
                                          activation_mb(hf_config, batch, length, scores=False) if hf_config else None))
                if advance:
                    advance(1)
            if memory_lengths:
                # A tiny forward pays the one-time costs (kernel caches, allocator arenas) but almost
                # no activations; the rest of each point's growth is what the length adds.
                tiny = _probe({**specs[backend], "threads": threads0, "task": "forward", "batch": 1, "length": 8,
                               "seed": config.seed})
                overhead[backend] = tiny["peak_rss_mb"] - tiny["rss_after_load_mb"]
    architecture = (hf_config.architectures or [type(model).__name__])[0] if hf_config else \
        model.info().details["pipeline"]
    return ProfileResult(config.model or f"arch:{config.arch}", architecture, environment, static,
                         list(config.backends), load, latency, memory, single, overhead, notes)


def _subject(config: ProfileConfig, own: str | None) -> tuple[object, object, int, float, Path | None]:
    """What is profiled: (model in memory, its transformers config, parameters, parameter MB, file).

    A Hugging Face folder or preset gives a torch module; an ONNX export gives no module but its
    config.json and file; a scikit-learn pipeline gives its detector and no transformers config.
    """
    if own == "sklearn":  # text in, probabilities out: lengths are words, no activations to estimate
        from newsbench.detectors import DetectorOptions
        from newsbench.detectors.sklearn import SklearnDetector, _count_parameters

        detector = SklearnDetector(config.model, DetectorOptions(allow_pickle=config.allow_pickle))
        params = _count_parameters(detector.pipeline) or 0
        return detector, None, params, params * 8 / 2**20, detector.file  # float64 coefficients or tree nodes
    if own:  # an exported file: no torch module, its config.json beside it
        from newsbench.detectors.onnx import export_record, onnx_file

        file = onnx_file(config.model)
        params, param_mb = _onnx_parameters(file)
        params = export_record(file.parent).get("parameters", params)
        return None, from_pretrained("AutoConfig", file.parent, config.trust_remote_code), params, param_mb, file
    model = _load({"model": config.model, "arch": config.arch, "trust_remote_code": config.trust_remote_code})
    return (model, model.config, sum(p.numel() for p in model.parameters()),
            sum(p.numel() * p.element_size() for p in model.parameters()) / 2**20, None)


def runner(backend: str, model, file: Path | None, threads: int):
    """A function running one padded batch (numpy int64 arrays) on ``backend`` with ``threads`` threads.

    torch: ``torch.set_num_threads``; ONNX Runtime: a session with that many intra-op threads
    and one inter-op thread. bf16: autocast around the fp32 model.
    """
    if backend == "sklearn":
        from newsbench.detectors.sklearn import _set_jobs

        _set_jobs(model.pipeline, threads)
        return model.predict_proba
    if backend.startswith("torch"):
        import torch

        torch.set_num_threads(threads)
        bf16 = backend == "torch-bf16"

        def run(batch: dict[str, np.ndarray]):
            with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16, enabled=bf16):
                return model(**{k: torch.from_numpy(v) for k, v in batch.items()}).logits

        return run
    session = _session(file, threads)
    return lambda batch: session.run(["logits"], batch)


def single_stream(run, encode, articles: list[str], backend: str, threads: int, source: str) -> SingleStream:
    """Time each article alone, encode + forward at its own length, after 10 untimed queries.

    Args:
        run: the backend's forward (``runner``).
        encode: text -> (model input, token count, truncated at the model's limit).
    """
    for text in articles[:10]:
        run(encode(text)[0])
    total, forward, tokens = [], [], []
    for text in articles:
        t0 = time.perf_counter()
        batch, n = encode(text)
        t1 = time.perf_counter()
        run(batch)
        t2 = time.perf_counter()
        total.append(t2 - t0)
        forward.append(t2 - t1)
        tokens.append(n)
    ms, fwd = np.array(total) * 1000, np.array(forward) * 1000
    p50, p90, p99 = np.percentile(ms, [50, 90, 99])
    tokens = np.array(tokens)
    cap = getattr(encode, "max_length", None)
    return SingleStream(backend, threads, len(articles), source, cap or 0, float(tokens.mean()),
                        float(np.mean(tokens >= cap)) if cap else 0.0, float(p50), float(p90), float(p99),
                        float(ms.mean()), float(np.median(fwd)), float(np.median(ms - fwd)))


class Encoder:
    """Text -> (input_ids and attention_mask for one article, its token count), truncated at max_length."""

    def __init__(self, tokenizer, max_length: int):
        self.tokenizer, self.max_length = tokenizer, max_length

    def __call__(self, text: str) -> tuple[dict[str, np.ndarray], int]:
        encoded = self.tokenizer(text, truncation=True, max_length=self.max_length, return_tensors="np")
        batch = {k: encoded[k].astype(np.int64) for k in ("input_ids", "attention_mask")}
        return batch, batch["input_ids"].shape[1]


def _articles(config: ProfileConfig, hf_config, limit: int) -> tuple[object, list[str], str]:
    """An encoder and a seeded sample of ``config.queries`` article texts from ``config.texts``."""
    from newsbench.data import DataSpec, load_dataset

    dataset = load_dataset([DataSpec.parse(config.texts)])
    texts = dataset.texts
    rng = np.random.default_rng(config.seed)
    picked = [texts[i] for i in rng.choice(len(texts), min(config.queries, len(texts)), replace=False)]
    source = f"{dataset.name} ({len(picked)} of {len(texts):,} articles, seed {config.seed})"
    if hf_config is None:  # a scikit-learn pipeline takes the text itself
        return (lambda text: ([text], len(text.split()))), picked, source
    from newsbench.presets import pretrained_path

    # Presets have no tokenizer of their own: the MiniLM WordPiece (bert-base-uncased) vocabulary
    # gives the token lengths, with ids folded into the architecture's vocabulary.
    folder = Path(config.model) if config.model else None
    folder = folder.parent if folder is not None and folder.is_file() else folder
    tokenizer = from_pretrained("AutoTokenizer", folder or pretrained_path("minilm-l6"), config.trust_remote_code)
    if config.model is None:
        tokenizer = _FoldedTokenizer(tokenizer, hf_config.vocab_size)
    return Encoder(tokenizer, min(limit, 512)), picked, source


class _FoldedTokenizer:
    """A tokenizer whose ids are folded into a smaller vocabulary (lengths unchanged)."""

    def __init__(self, tokenizer, vocab: int):
        self.tokenizer, self.vocab = tokenizer, vocab

    def __call__(self, *args, **kwargs):
        encoded = self.tokenizer(*args, **kwargs)
        encoded["input_ids"] = encoded["input_ids"] % self.vocab
        return encoded


def _onnx_parameters(file: Path) -> tuple[int, float]:
    """Parameter count and MB of an ONNX file's initializers (int8 weights count one byte each)."""
    import onnx
    from onnx import numpy_helper

    tensors = [numpy_helper.to_array(t) for t in onnx.load(str(file)).graph.initializer]
    # Quantization adds scalar scales and zero points; count only tensors with more than one value.
    weights = [t for t in tensors if t.size > 1]
    return int(sum(t.size for t in weights)), sum(t.nbytes for t in weights) / 2**20


def _session(file: Path, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(file), options, providers=["CPUExecutionProvider"])


def _export_files(model, folder: Path, backends: list[str]) -> dict[str, Path]:
    """ONNX fp32 (and int8) files of the in-memory model, for the onnx backends."""
    if not any(b.startswith("onnx") for b in backends):
        return {}
    require("onnxruntime", "onnx")
    from newsbench.export import quantize_int8, to_onnx

    files = {"onnx": to_onnx(model, folder / "model.onnx")}
    if "onnx-int8" in backends:
        quantize_int8(files["onnx"], folder / "model.int8.onnx")
        files["onnx-int8"] = folder / "model.int8.onnx"
    return files


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


def _inputs(batch: int, length: int, vocab: int | list[str], seed: int) -> dict[str, np.ndarray] | list[str]:
    """A batch of ``length``-token inputs: random ids below ``vocab``, or, given a word list (a
    scikit-learn pipeline's vocabulary), ``batch`` texts of ``length`` random words."""
    rng = np.random.default_rng(seed)
    if isinstance(vocab, list):
        return [" ".join(rng.choice(vocab, length)) for _ in range(batch)]
    ids = rng.integers(5, max(6, vocab), (batch, length), dtype=np.int64)
    return {"input_ids": ids, "attention_mask": np.ones_like(ids)}


def _words(detector) -> list[str]:
    """Single words a scikit-learn pipeline knows (its vectorizer's vocabulary), for synthetic articles."""
    steps = getattr(detector.pipeline, "steps", None) or []
    vocabulary = getattr(steps[0][1], "vocabulary_", None) if steps else None
    words = sorted(w for w in (vocabulary or {}) if " " not in w)
    return words or "the government said on tuesday that the report was published".split()


def _load(spec: dict):
    """The classifier a spec names: a folder (pretrained weights) or a preset (random weights)."""
    if spec.get("arch"):
        from transformers import AutoModelForSequenceClassification

        from newsbench.presets import random_config

        model = AutoModelForSequenceClassification.from_config(random_config(spec["arch"]))
    else:
        model = from_pretrained("AutoModelForSequenceClassification", spec["model"],
                                bool(spec.get("trust_remote_code")))
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
