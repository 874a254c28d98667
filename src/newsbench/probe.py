"""One measurement in a fresh process, run by ``newsbench.profiling``; prints one JSON line.

Tasks: ``load`` (load time, RSS after load and after a first small forward) and ``forward``
(peak RSS of one forward pass at a batch size and length), for a torch model (fp32 or bf16
autocast) or an ONNX Runtime session (``file``). The peak is the kernel's high-water
mark (VmHWM), reset after loading through /proc/self/clear_refs so loading's own transient
peak cannot hide the forward pass.
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
    from newsbench.profiling import _inputs, _load, _words, runner

    backend = spec.get("backend", "torch")
    if backend == "sklearn":
        import sklearn  # noqa: F401

        from newsbench.detectors import DetectorOptions
        from newsbench.detectors.sklearn import SklearnDetector

        before, started = rss_mb(), time.perf_counter()
        detector = SklearnDetector(spec["model"], DetectorOptions(allow_pickle=bool(spec.get("allow_pickle"))))
        run, vocab = runner(backend, detector, None, spec["threads"]), _words(detector)
    elif backend.startswith("onnx"):  # torch is never imported, so its libraries do not count
        import onnxruntime  # noqa: F401  (libraries in memory before the baseline)

        before, started = rss_mb(), time.perf_counter()
        run, vocab = runner(backend, None, spec["file"], spec["threads"]), int(spec["vocab"])
    else:
        import torch
        import transformers  # noqa: F401

        torch.set_num_threads(spec["threads"])
        before, started = rss_mb(), time.perf_counter()
        model = _load(spec)
        with torch.no_grad():  # weights may be paged in lazily: touch them so RSS counts them
            for parameter in model.parameters():
                parameter.sum()
        run = runner(backend, model, None, spec["threads"])
        vocab = model.config.vocab_size
    seconds = time.perf_counter() - started
    after_load = rss_mb()
    if spec["task"] == "load":
        run(_inputs(1, 64, vocab, 0))
        return {"seconds": seconds, "rss_before_load_mb": before, "rss_after_load_mb": after_load,
                "rss_after_first_use_mb": rss_mb()}
    inputs = _inputs(spec["batch"], spec["length"], vocab, spec.get("seed", 0))
    after_load = rss_mb()
    exact = reset_peak()
    run(inputs)
    return {"rss_after_load_mb": after_load, "peak_rss_mb": peak_mb(), "peak_reset": exact}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
