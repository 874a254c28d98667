"""The study's evaluation pipeline vs newsbench's fastest evaluate path, side by side.

Same 858 articles as the study's external set (429 human-written real + 429 AI-generated fake,
sampled with a fixed seed from llmfake), same machine, runs interleaved (study, newsbench,
study, newsbench, ...) so drift hits both equally. Prints ms per article for each, the ratio,
prediction agreement and accuracy, and how far the fast path is from this CPU's measured fp32
matrix-multiply peak.

- Speed: the MobileBERT architecture (random weights; latency does not depend on their values).
- Agreement: a fine-tuned model (``--agreement-model``, e.g. runs/accept/minilm from
  ``newsbench train --recipe finetune``), because random weights give near-ties.

The study pipeline: every article padded to 512 tokens, a TensorDataset/DataLoader with batch
32, fp32 PyTorch, default threads. newsbench: length-sorted dynamic padding, ONNX Runtime with
dynamic int8 weights (``newsbench export --int8``), all cores; agreement is checked for every path.

Usage: NEWSBENCH_DATA_DIR=../shared/data python benchmarks/eval_throughput.py \
           --agreement-model runs/accept/minilm [--repeats 2] [--articles 858]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def study_articles(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """n/2 human real and n/2 AI-generated fake llmfake articles, seeded."""
    from newsbench.data import DataSpec, load_dataset

    rows = load_dataset([DataSpec.parse("llmfake")]).rows
    rng = np.random.default_rng(seed)
    real = rows[(rows["label"] == 0) & (rows["is_ai"] == "0")]
    fake = rows[(rows["label"] == 1) & (rows["is_ai"] == "1")]
    picked = [real.iloc[rng.choice(len(real), n // 2, replace=False)],
              fake.iloc[rng.choice(len(fake), n // 2, replace=False)]]
    texts = [t for part in picked for t in part["text"]]
    return texts, np.array([0] * (n // 2) + [1] * (n // 2))


def study_pipeline(model, tokenizer, texts: list[str]) -> tuple[np.ndarray, float]:
    """The notebook's evaluate_model: pad to 512, DataLoader batch 32, argmax; returns (preds, s)."""
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    start = time.perf_counter()
    encodings = tokenizer(texts, truncation=True, padding="max_length", max_length=512, return_tensors="pt")
    loader = DataLoader(TensorDataset(encodings["input_ids"], encodings["attention_mask"]), batch_size=32,
                        shuffle=False)
    preds = []
    with torch.no_grad():
        for input_ids, attention_mask in loader:
            preds.extend(torch.argmax(model(input_ids=input_ids, attention_mask=attention_mask).logits, dim=1).numpy())
    return np.array(preds), time.perf_counter() - start


def fast_path(detector, texts: list[str]) -> tuple[np.ndarray, float]:
    """newsbench's evaluate path: the detector's predict_proba, argmax at 0.5."""
    start = time.perf_counter()
    probs = detector.predict_proba(texts)
    return (probs[:, 1] >= 0.5).astype(int), time.perf_counter() - start


def matmul_peak_gflops(threads: int) -> float:
    """Best of several 2048^3 fp32 matrix multiplies on ``threads`` threads."""
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    best = float("inf")
    for _ in range(8):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * 2048**3 / best / 1e9


def forward_gflops(model, lengths: np.ndarray) -> float:
    """Forward FLOPs of a classifier: 2 x (non-embedding matmul weights) per token + attention.

    Attention adds 4 x (attention width) x L^2 per layer (scores and weighted sum). The width is
    MobileBERT's 128-wide bottleneck, the hidden size elsewhere: for MobileBERT 24 layers x 4 x 128
    x L^2 = 12,288 x L^2 per article.
    """
    config = model.config
    width = config.intra_bottleneck_size if getattr(config, "use_bottleneck", False) else config.hidden_size
    layers = getattr(config, "num_hidden_layers", None) or config.n_layers
    matmul = sum(p.numel() for n, p in model.named_parameters() if p.dim() == 2 and "embeddings" not in n)
    return float(np.sum(2 * matmul * lengths + 4 * width * layers * lengths.astype(float) ** 2)) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agreement-model", required=True, help="a fine-tuned Hugging Face classifier folder")
    parser.add_argument("--articles", type=int, default=858)
    parser.add_argument("--repeats", type=int, default=2, help="interleaved runs of each pipeline")
    parser.add_argument("--batch-size", type=int, default=16, help="newsbench batch size")
    parser.add_argument("--arch", default="mobilebert", help="architecture timed (random weights)")
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from newsbench.detectors import DetectorOptions, load_detector
    from newsbench.environment import capture_environment
    from newsbench.environment import cores as core_count
    from newsbench.export import export_onnx
    from newsbench.training.presets import pretrained_path, random_classifier

    default_threads = torch.get_num_threads()
    cores = core_count()
    env = capture_environment(0, default_threads)
    texts, y = study_articles(args.articles)
    print(f"{env.cpu_model}, {cores} cores, flags {', '.join(env.cpu_flags)}; torch {env.packages['torch']}, "
          f"onnxruntime {env.packages.get('onnxruntime')}; commit {env.git_commit}; {len(texts)} articles "
          f"({len(texts) // 2} real human + {len(texts) // 2} AI fake from llmfake, seed 0)")

    work = Path(tempfile.mkdtemp(prefix="nb-bench-"))
    # the bert-base-uncased WordPiece vocabulary
    tokenizer = AutoTokenizer.from_pretrained(pretrained_path("minilm-l6"), trust_remote_code=False)
    mobile = random_classifier(args.arch)
    mobile.save_pretrained(work / args.arch)
    tokenizer.save_pretrained(work / args.arch)
    options = DetectorOptions(batch_size=args.batch_size, threads=cores, max_length=512)

    # Speed: every newsbench path on MobileBERT, interleaved with the study pipeline.
    folder = work / args.arch
    int8_export = export_onnx(str(folder), work / f"{args.arch}-int8", int8=True)
    export_onnx(str(folder), work / f"{args.arch}-fp32")
    paths = {
        "torch fp32, dynamic padding": load_detector(str(folder), options=options),
        "onnx fp32, dynamic padding": load_detector(str(work / f"{args.arch}-fp32"), options=options),
        "onnx int8, dynamic padding": load_detector(str(work / f"{args.arch}-int8"), options=options),
    }
    seconds = {name: [] for name in ["study (pad 512, batch 32, fp32)", *paths]}
    warmup = texts[:: max(1, len(texts) // 32)]  # one pass over a spread of lengths, untimed
    study_pipeline(mobile, tokenizer, warmup)
    for detector in paths.values():
        fast_path(detector, warmup)
    for _ in range(args.repeats):
        torch.set_num_threads(default_threads)
        seconds["study (pad 512, batch 32, fp32)"].append(study_pipeline(mobile, tokenizer, texts)[1])
        for name, detector in paths.items():
            torch.set_num_threads(cores)
            seconds[name].append(fast_path(detector, texts)[1])
    ms = {name: 1000 * statistics.median(values) / len(texts) for name, values in seconds.items()}
    study_ms = ms["study (pad 512, batch 32, fp32)"]
    print(f"\nSpeed: {args.arch} architecture, median of {args.repeats} interleaved runs, {len(texts)} articles")
    for name, value in ms.items():
        print(f"  {name:34} {value:8.2f} ms/article   {study_ms / value:5.2f}x vs study")
    fastest = min(paths, key=ms.get)
    print(f"  (int8 export: {int8_export.size_mb:.1f} MB vs fp32 {int8_export.fp32_size_mb:.1f} MB; "
          f"{int8_export.quantization})")

    # Agreement and accuracy: the fine-tuned model through the study pipeline and every path.
    tuned = Path(args.agreement_model)
    model = AutoModelForSequenceClassification.from_pretrained(tuned, trust_remote_code=False).eval()
    torch.set_num_threads(default_threads)
    study_pred = study_pipeline(model, AutoTokenizer.from_pretrained(tuned, trust_remote_code=False), texts)[0]
    export_onnx(str(tuned), work / "tuned-fp32")
    export_onnx(str(tuned), work / "tuned-int8", int8=True)
    tuned_paths = {name: load_detector(str(tuned if name.startswith("torch") else
                                           work / ("tuned-int8" if "int8" in name else "tuned-fp32")), options=options)
                   for name in paths}
    study_acc = np.mean(study_pred == y)
    print(f"\nAgreement: {tuned} (fine-tuned) through the study pipeline (accuracy {study_acc:.4f}) and each path")
    for name, candidate in tuned_paths.items():
        torch.set_num_threads(cores)
        fast_pred = fast_path(candidate, texts)[0]
        fast_acc = np.mean(fast_pred == y)
        print(f"  {name:34} agreement {np.mean(study_pred == fast_pred):.4f}; accuracy {fast_acc:.4f} "
              f"(delta {100 * (fast_acc - study_acc):+.2f} points)")

    lengths = np.array([len(ids) for ids in tokenizer(texts, truncation=True, max_length=512)["input_ids"]])
    print(f"\ntoken lengths: mean {lengths.mean():.0f}, {np.mean(lengths == 512):.0%} at the 512 cap")
    gflop = forward_gflops(mobile, lengths)
    peak = matmul_peak_gflops(cores)
    best_s = ms[fastest] * len(texts) / 1000
    print(f"{args.arch} work at these lengths: {gflop:.0f} GFLOP for {len(texts)} articles ({gflop / len(texts):.1f} "
          "GFLOP per article; 2 x matmul weights per token + 4 x attention width x layers x L^2)")
    print(f"measured fp32 matmul peak on {cores} threads: {peak:.0f} GFLOP/s -> fp32 roofline "
          f"{1000 * gflop / peak / len(texts):.1f} ms/article; fastest path {ms[fastest]:.1f} ms/article = "
          f"{gflop / best_s:.0f} GOP/s ({gflop / best_s / peak:.0%} of the fp32 matmul peak)")


if __name__ == "__main__":
    main()
