"""Latency: forward passes timed like a benchmark (warm-up, repeats until a time budget,
percentiles), and single-stream queries over real news, one article at a time.

Every timing calls ``Detector.forward``, the same call ``predict_proba`` makes in ``evaluate``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from newsbench.detectors import Detector
from newsbench.detectors.base import from_pretrained


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
    gop: float | None = None  # the pass's matrix-multiply work (roofline.forward_gop x batch); None if unknown

    @classmethod
    def from_values(cls, backend: str, threads: int, batch_size: int, seq_len: int, seconds: list[float],
                    gop: float | None = None) -> Latency:
        ms = np.array(seconds) * 1000
        p50, p90, p99 = np.percentile(ms, [50, 90, 99])
        return cls(backend, threads, batch_size, seq_len, len(ms), [round(float(v), 4) for v in ms], float(p50),
                   float(p90), float(p99), float(ms.mean()), float(p50 / batch_size), gop)


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


def measure_latency(detector: Detector, batch, warmup: int = 2, min_repeats: int = 5, max_repeats: int = 50,
                    seconds: float = 2.0) -> list[float]:
    """Seconds per ``detector.forward(batch)``: ``warmup`` untimed calls, then repeats until
    ``seconds`` have passed (at least ``min_repeats``, at most ``max_repeats``)."""
    for _ in range(warmup):
        detector.forward(batch)
    times, started = [], time.perf_counter()
    while len(times) < max_repeats and (len(times) < min_repeats or time.perf_counter() - started < seconds):
        t0 = time.perf_counter()
        detector.forward(batch)
        times.append(time.perf_counter() - t0)
    return times


def synthetic_batch(batch: int, length: int, vocabulary: int | list[str],
                    seed: int) -> dict[str, np.ndarray] | list[str]:
    """A batch of ``length``-token inputs: random ids below ``vocabulary``, or, given a word list
    (a scikit-learn pipeline's vocabulary), ``batch`` texts of ``length`` random words."""
    rng = np.random.default_rng(seed)
    if isinstance(vocabulary, list):
        return [" ".join(rng.choice(vocabulary, length)) for _ in range(batch)]
    ids = rng.integers(5, max(6, vocabulary), (batch, length), dtype=np.int64)
    return {"input_ids": ids, "attention_mask": np.ones_like(ids)}


def single_stream(detector: Detector, encode, articles: list[str], backend: str, threads: int,
                  source: str) -> SingleStream:
    """Time each article alone, encode + forward at its own length, after 10 untimed queries.

    Args:
        detector: runs ``forward`` on one encoded article.
        encode: text -> (model input, token count), truncated at the model's limit (``Encoder``).
    """
    for text in articles[:10]:
        detector.forward(encode(text)[0])
    total, forward, tokens = [], [], []
    for text in articles:
        t0 = time.perf_counter()
        batch, n = encode(text)
        t1 = time.perf_counter()
        detector.forward(batch)
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


class FoldedTokenizer:
    """A tokenizer whose ids are folded into a smaller vocabulary (lengths unchanged): preset
    architectures have no tokenizer of their own."""

    def __init__(self, tokenizer, vocab: int):
        self.tokenizer, self.vocab = tokenizer, vocab

    def __call__(self, *args, **kwargs):
        encoded = self.tokenizer(*args, **kwargs)
        encoded["input_ids"] = encoded["input_ids"] % self.vocab
        return encoded


MIN_QUERIES = 20  # single-stream queries for a p99 worth reporting


def real_articles(texts: str, queries: int, seed: int) -> tuple[list[str], str]:
    """A seeded sample of ``queries`` article texts from a data spec, and its description."""
    from newsbench.data import load_dataset
    from newsbench.errors import DataError
    from newsbench.sources import DataSpec

    dataset = load_dataset([DataSpec.parse(texts)])
    pool, aside = dataset.texts, ", ".join(f"{k}: {v:,}" for k, v in dataset.skipped_counts().items())
    if len(pool) < MIN_QUERIES:
        raise DataError(f"{texts}: {len(pool)} articles to time (set aside: {aside or 'none'}); single-stream "
                        f"percentiles need at least {MIN_QUERIES}")
    rng = np.random.default_rng(seed)
    picked = [pool[i] for i in rng.choice(len(pool), min(queries, len(pool)), replace=False)]
    return picked, (f"{dataset.name} ({len(picked)} of {len(pool):,} articles, seed {seed}"
                    + (f"; {queries} asked for" if len(picked) < queries else "")
                    + (f"; set aside: {aside}" if aside else "") + ")")


def encoder(model: str | None, config, limit: int, trust_remote_code: bool = False):
    """How single-stream turns an article into model input.

    A scikit-learn pipeline (no transformers config) takes the text itself (length in words). A
    model folder uses its own tokenizer; presets use the MiniLM WordPiece (bert-base-uncased)
    vocabulary for the token lengths, with ids folded into the architecture's vocabulary.
    """
    if config is None:
        return lambda text: ([text], len(text.split()))
    from newsbench.training.presets import pretrained_path

    folder = Path(model) if model else None
    folder = folder.parent if folder is not None and folder.is_file() else folder
    tokenizer = from_pretrained("AutoTokenizer", folder or pretrained_path("minilm-l6"), trust_remote_code)
    if model is None:
        tokenizer = FoldedTokenizer(tokenizer, config.vocab_size)
    return Encoder(tokenizer, min(limit, 512))
