"""One measurement in a fresh process, run by ``newsbench.profiling.probes``; prints one JSON line.

Tasks: ``load`` (load time, RSS after load and after a first small forward) and ``forward``
(peak RSS of one forward pass at a batch size and length). The detector comes from
``subject.detector_from_spec``, the same backend layer that profile and evaluate use; an ONNX
Runtime probe never imports torch.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(spec: dict) -> dict:
    from newsbench.profiling.latency import synthetic_batch
    from newsbench.profiling.subject import detector_from_spec

    backend = spec["backend"]
    # Import the backend's libraries first, so the baseline holds them and the increase is the model.
    if backend in ("sklearn", "heads"):
        import sklearn  # noqa: F401
    elif backend.startswith("onnx"):
        import onnxruntime  # noqa: F401
    else:
        import torch
        import transformers  # noqa: F401

        torch.set_num_threads(spec["threads"])
    before, started = rss_mb(), time.perf_counter()
    detector = detector_from_spec(spec)
    if backend.startswith("torch"):
        import torch

        with torch.no_grad():  # weights may be paged in lazily: touch them so RSS counts them
            for parameter in detector.model.parameters():
                parameter.sum()
    seconds = time.perf_counter() - started
    vocabulary = detector.vocabulary() if backend in ("sklearn", "heads") else int(spec["vocab"])
    after_load = rss_mb()
    if spec["task"] == "load":
        detector.forward(synthetic_batch(1, 64, vocabulary, 0))
        return {"seconds": seconds, "rss_before_load_mb": before, "rss_after_load_mb": after_load,
                "rss_after_first_use_mb": rss_mb()}
    inputs = synthetic_batch(spec["batch"], spec["length"], vocabulary, spec.get("seed", 0))
    after_load = rss_mb()
    exact = reset_peak()
    detector.forward(inputs)
    return {"rss_after_load_mb": after_load, "peak_rss_mb": peak_mb(), "peak_reset": exact}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
