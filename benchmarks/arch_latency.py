"""The study's question, "is MobileBERT slower than DistilBERT?", answered at equal thread budgets.

For each architecture (random weights: latency does not depend on their values) and backend
(torch fp32, ONNX Runtime fp32, ONNX Runtime dynamic int8), on the same thread budget:

- 512 tokens, batch 1 and batch 8: p50 ms per article (warm-up, then repeats until a time budget);
- single-stream on the real length mix: the same seeded llmfake articles one at a time, at their
  own length (truncated at 512), p50/p90/p99 ms.

Architectures alternate inside every backend, in alternating order over ``--repeats`` rounds,
so machine drift hits both equally; the table shows medians over rounds and the MobileBERT /
DistilBERT ratio per row.

Usage: NEWSBENCH_DATA_DIR=../shared/data python benchmarks/arch_latency.py [--threads 2] [--queries 200]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def batch_latency(detector, vocab: int, batch: int, length: int, seconds: float = 3.0) -> float:
    """p50 ms per article of a padded (batch, length) forward, timed as newsbench profile times it."""
    from newsbench.profiling import measure_latency, synthetic_batch

    times = measure_latency(detector, synthetic_batch(batch, length, vocab, 0), seconds=seconds)
    return 1000 * float(np.median(times)) / batch


def main() -> None:
    from newsbench.environment import cores

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archs", default="mobilebert,distilbert")
    parser.add_argument("--backends", default="torch,onnx,onnx-int8")
    parser.add_argument("--threads", type=int, default=cores())
    parser.add_argument("--queries", type=int, default=200, help="single-stream articles")
    parser.add_argument("--data", default="llmfake")
    parser.add_argument("--repeats", type=int, default=2, help="interleaved rounds; the table shows medians")
    parser.add_argument("--seconds", type=float, default=3.0, help="time budget per batch latency point")
    args = parser.parse_args()

    from transformers import AutoTokenizer

    from newsbench.data import load_dataset
    from newsbench.detectors import BACKENDS, DetectorOptions
    from newsbench.detectors.hf import HFDetector
    from newsbench.detectors.onnx import OnnxDetector
    from newsbench.environment import capture_environment
    from newsbench.export import quantize_int8, to_onnx
    from newsbench.profiling import Encoder, FoldedTokenizer, single_stream
    from newsbench.sources import DataSpec
    from newsbench.training.presets import pretrained_path, random_classifier

    env = capture_environment(0, args.threads)
    archs, backends = args.archs.split(","), args.backends.split(",")
    texts = load_dataset([DataSpec.parse(args.data)]).texts
    rng = np.random.default_rng(0)
    articles = [texts[i] for i in rng.choice(len(texts), args.queries, replace=False)]
    wordpiece = AutoTokenizer.from_pretrained(pretrained_path("minilm-l6"), trust_remote_code=False)
    print(f"{env.cpu_model}, {env.cpu_count} cores, flags {', '.join(env.cpu_flags)}; {args.threads} threads for "
          f"every backend; torch {env.packages['torch']}, onnxruntime {env.packages.get('onnxruntime')}; commit "
          f"{env.git_commit}; single-stream: {args.queries} {args.data} articles (seed 0), bert-base-uncased WordPiece")

    work = Path(tempfile.mkdtemp(prefix="nb-arch-"))
    models, files = {}, {}
    for arch in archs:
        model = random_classifier(arch)
        models[arch] = model
        files[(arch, "onnx")] = to_onnx(model, work / f"{arch}.onnx")
        quantize_int8(files[(arch, "onnx")], work / f"{arch}.int8.onnx")
        files[(arch, "onnx-int8")] = work / f"{arch}.int8.onnx"

    def detector(arch: str, backend: str):
        options = DetectorOptions(threads=args.threads, precision=BACKENDS[backend][1])
        if backend.startswith("onnx"):
            return OnnxDetector.bare(files[(arch, backend)], options)
        return HFDetector.from_loaded(models[arch], None, options)

    runs = {(a, b): detector(a, b) for a in archs for b in backends}
    values = {(a, b): {} for a in archs for b in backends}
    for repeat in range(args.repeats):
        order = archs if repeat % 2 == 0 else archs[::-1]  # alternate which architecture goes first
        for backend in backends:
            for arch in order:
                run, cells = runs[(arch, backend)], values[(arch, backend)]
                for batch in (1, 8):
                    cells.setdefault(f"512 tokens, batch {batch}", []).append(
                        batch_latency(run, models[arch].config.vocab_size, batch, 512, args.seconds))
                encode = Encoder(FoldedTokenizer(wordpiece, models[arch].config.vocab_size), 512)
                stream = single_stream(run, encode, articles, backend, args.threads, args.data)
                cells.setdefault("real mix p50", []).append(stream.p50_ms)
                cells.setdefault("real mix p99", []).append(stream.p99_ms)
                cells["mean tokens"] = [stream.mean_tokens]
    rows = [(b, {a: {k: float(np.median(v)) for k, v in values[(a, b)].items()} for a in archs}) for b in backends]

    settings = ["512 tokens, batch 1", "512 tokens, batch 8", "real mix p50", "real mix p99"]
    mean_tokens = rows[0][1][archs[0]]["mean tokens"]
    print(f"\nms per article, {args.threads} threads (mean {mean_tokens:.0f} tokens in the mix), median of "
          f"{args.repeats} interleaved rounds")
    print("| backend | setting | " + " | ".join(archs) + f" | {archs[0]} / {archs[-1]} |")
    print("|---|---|" + "---|" * (len(archs) + 1))
    for backend, cells in rows:
        for setting in settings:
            values = [cells[a][setting] for a in archs]
            print(f"| {backend} | {setting} | " + " | ".join(f"{v:.1f}" for v in values)
                  + f" | {values[0] / values[-1]:.2f} |")
    for arch in archs:
        params = sum(p.numel() for p in models[arch].parameters())
        print(f"{arch}: {params:,} parameters; onnx fp32 {files[(arch, 'onnx')].stat().st_size / 2**20:.1f} MB, "
              f"int8 {files[(arch, 'onnx-int8')].stat().st_size / 2**20:.1f} MB")


if __name__ == "__main__":
    main()
