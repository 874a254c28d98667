"""``--backend auto`` for a Hugging Face folder: the measured-fastest backend whose parity check passes.

The candidates are torch fp32, torch-bf16 where the CPU has native bf16 (emulated bf16 is many
times slower, so it is not even timed), and, with onnxruntime installed, the ONNX fp32 and
dynamic int8 exports (made once and cached, ``newsbench.export.cached_export``). Each scores the
export's parity texts (news-like, a word to 500 tokens) at the options' batch size and threads:
one untimed pass, then the median of ``REPEATS`` timed ones. A candidate other than torch fp32
passes parity when its P(fake) stays within ``TOLERANCE`` of torch fp32's on every text; the
fastest passing one wins, and the reason names every candidate's time and parity.

A flag rule cannot do this: on a CPU with both VNNI and native bf16 the old rule chose torch-bf16
(36.4 ms per MobileBERT article) while the int8 export ran 25.4 ms, and which of them wins turned
on the export's graph (the SDPA-attention int8 export ran 34.5 ms; ``benchmarks/eval_throughput.py``).
The decision is cached per model content, CPU, thread count, batch size and library versions
under ``$NEWSBENCH_CACHE/auto``, so it is measured once. Models that are not local folders (hub
ids) keep the flag rule (``flag_choice``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from newsbench.detectors.base import Detector, DetectorOptions, describe, fingerprint
from newsbench.outputs import cache_root, write_atomic

TOLERANCE = 0.05  # largest |P(fake) - torch fp32's P(fake)| a faster backend may differ by
REPEATS = 3


@dataclass(frozen=True)
class Trial:
    """One candidate backend timed on the parity texts."""

    backend: str
    ms: float  # median milliseconds for all parity texts
    max_prob_diff: float  # largest |P(fake) - torch fp32's| (0 for torch fp32 itself)
    passed: bool
    error: str = ""


def candidates(flags: set[str]) -> list[str]:
    """The backends worth timing on a CPU with these flags."""
    from newsbench.environment import has_bf16

    names = ["torch", *(["torch-bf16"] if has_bf16(flags) else [])]
    if importlib.util.find_spec("onnxruntime") is not None and importlib.util.find_spec("onnx") is not None:
        names += ["onnx", "onnx-int8"]
    return names


def flag_choice(flags: set[str]) -> tuple[str, str]:
    """The backend a CPU's flags suggest, for models that cannot be timed here (hub ids)."""
    from newsbench.environment import has_bf16, has_int8_dot

    unmeasured = "not measured (not a local folder)"
    if has_bf16(flags):
        return "torch-bf16", f"torch-bf16: this CPU has native bf16 (AMX or AVX512-BF16); {unmeasured}"
    if has_int8_dot(flags) and "onnx-int8" in candidates(flags):
        return "onnx-int8", f"onnx-int8: this CPU has int8 dot products (VNNI or AMX); {unmeasured}"
    return "torch", f"torch fp32: this CPU has neither native bf16 nor int8 dot products; {unmeasured}"


def measured_choice(model: str, options: DetectorOptions, flags: set[str],
                    load: Callable[[str, str, DetectorOptions], Detector]) -> tuple[str, str]:
    """The fastest candidate whose parity check passes, measured once per model and machine, and why.
    ``load(model, backend, options)`` loads a candidate (``load_detector``)."""
    from newsbench.environment import capture_environment
    from newsbench.errors import require

    require("transformers", "hf")  # the fp32 reference; without it there is nothing to measure
    env = capture_environment(0)
    names = candidates(flags)
    key = json.dumps([fingerprint(model), env.cpu_model, sorted(flags), options.threads, options.batch_size,
                      options.max_length, names, {k: env.packages.get(k) for k in ("torch", "onnxruntime")}])
    record = cache_root() / "auto" / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"
    if record.exists():
        saved = json.loads(record.read_text())
        return saved["backend"], saved["reason"]
    from newsbench.export import PARITY_TEXTS

    trials = time_candidates(model, options, names, list(PARITY_TEXTS), load)
    backend, reason = decide(trials, len(PARITY_TEXTS))
    write_atomic(record, json.dumps({"backend": backend, "reason": reason, "trials": [asdict(t) for t in trials]},
                                    indent=1))
    return backend, reason


def time_candidates(model: str, options: DetectorOptions, names: list[str], texts: list[str],
                    load: Callable[[str, str, DetectorOptions], Detector]) -> list[Trial]:
    """Each backend on ``texts``: median time and distance from torch fp32 (``names[0]``)."""
    from newsbench.errors import NewsbenchError

    trials, reference = [], None
    for name in names:
        try:
            detector = load(model, name, options)
            probs = detector.predict_proba(texts)  # warm-up, and the answer parity is judged on
            times = []
            for _ in range(REPEATS):
                start = time.perf_counter()
                detector.predict_proba(texts)
                times.append(time.perf_counter() - start)
        except (NewsbenchError, RuntimeError, ValueError, OSError) as exc:
            if reference is None:
                raise
            trials.append(Trial(name, float("inf"), float("inf"), False, describe(exc)))
            continue
        reference = probs[:, 1] if reference is None else reference
        diff = float(np.abs(probs[:, 1] - reference).max())
        trials.append(Trial(name, 1000 * statistics.median(times), diff, diff <= TOLERANCE))
    return trials


def decide(trials: list[Trial], texts: int) -> tuple[str, str]:
    """The fastest passing trial, with a reason that lists them all."""
    passing = [t for t in trials if t.passed]
    best = min(passing, key=lambda t: t.ms)
    listed = "; ".join(
        f"{t.backend} {t.ms:.1f} ms" + ("" if t.backend == "torch" else f", P(fake) within {t.max_prob_diff:.3f}")
        + ("" if t.passed else (f", failed: {t.error}" if t.error else f", over the {TOLERANCE} parity limit"))
        for t in trials)
    return best.backend, (f"{best.backend}: measured fastest on this CPU among backends within {TOLERANCE} of torch "
                          f"fp32's P(fake), timed on {texts} parity texts ({listed})")
