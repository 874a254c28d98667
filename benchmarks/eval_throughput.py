"""The study's evaluation pipeline vs newsbench's fastest evaluate path, side by side.

Same 858 articles as the study's external set (429 human-written real + 429 AI-generated fake,
sampled with a fixed seed from llmfake), same machine, runs interleaved (study, newsbench,
study, newsbench, ...) so drift hits both equally. Prints ms per article for each, the ratio,
prediction agreement and accuracy, and how far each path is from this CPU's measured
matrix-multiply roof.

- Speed: the MobileBERT architecture (random weights; latency does not depend on their values).
- Agreement: a fine-tuned model (``--agreement-model``, e.g. runs/accept/minilm from
  ``newsbench train --recipe finetune``), because random weights give near-ties.

The study pipeline: every article padded to 512 tokens, a TensorDataset/DataLoader with batch
32, fp32 PyTorch, default threads. newsbench: length-sorted dynamic padding, ONNX Runtime with
dynamic int8 weights (``newsbench export --int8``), all cores; agreement is checked for every path.
Each path's speed is also stated as GOP/s and as a share of this CPU's measured matrix-multiply
roof for its precision (``newsbench.profiling.roofline``, ONNX Runtime MatMul / MatMulInteger).
The last line is ``ratio: X agreement: Y``: the fastest path vs the study pipeline, and that
path's prediction agreement with it on the fine-tuned model.

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


def padding_share(lengths: np.ndarray, batch_size: int) -> float:
    """Padded tokens as a share of all tokens a forward pass computes, when articles are sorted by
    length (longest first) and each batch is padded to its longest: newsbench's dynamic padding."""
    ordered = np.sort(lengths)[::-1]
    computed = sum(len(chunk) * chunk[0] for chunk in np.split(ordered, range(batch_size, len(ordered), batch_size)))
    return 1 - ordered.sum() / computed


def sdpa_int8(model, tokenizer, folder: Path) -> Path:
    """The int8 export as newsbench made it before eager attention: transformers' SDPA graph."""
    from newsbench.export import quantize_int8, to_onnx

    folder.mkdir(parents=True)
    fp32 = to_onnx(model, folder / "fp32.onnx.tmp", eager_attention_graph=False)
    quantize_int8(fp32, folder / "model.int8.onnx")
    fp32.unlink()
    tokenizer.save_pretrained(folder)
    model.config.save_pretrained(folder)
    return folder


def work_gop(model, lengths: np.ndarray) -> float:
    """Matrix-multiply operations of every article (``newsbench.profiling.roofline.forward_gop``),
    counted at three lengths and fitted: the count is exactly quadratic in length (linear layers,
    plus attention's two length x length products, plus the pooler)."""
    from newsbench.profiling.roofline import forward_gop

    points = np.array([16, 64, 256])
    coefficients = np.polyfit(points, [forward_gop(model, int(n)) for n in points], 2)
    return float(np.polyval(coefficients, lengths.astype(float)).sum())


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

    from newsbench.detectors import DetectorOptions, choose_backend, load_detector
    from newsbench.environment import capture_environment, has_bf16
    from newsbench.environment import cores as core_count
    from newsbench.export import export_onnx
    from newsbench.profiling.roofline import measure_roofline, precision_of, roofs, share_of_roof
    from newsbench.training.presets import pretrained_path, random_classifier

    default_threads = torch.get_num_threads()
    cores = core_count()
    env = capture_environment(0, default_threads)
    texts, y = study_articles(args.articles)
    print(f"{env.cpu_model}, {cores} cores, flags {', '.join(env.cpu_flags)}; torch {env.packages['torch']}, "
          f"onnxruntime {env.packages.get('onnxruntime')}; commit {env.git_commit}; {len(texts)} articles "
          f"({len(texts) // 2} real human + {len(texts) // 2} AI fake from llmfake, seed 0)")

    work = Path(tempfile.mkdtemp(prefix="nb-bench-"))
    options = DetectorOptions(batch_size=args.batch_size, threads=cores, max_length=512)

    def newsbench_paths(folder: Path, model, tokenizer, tag: str) -> dict:
        """Every newsbench path for one Hugging Face folder: torch, ONNX fp32 and int8 exports
        (eager attention), and the int8 export of transformers' SDPA graph for comparison."""
        exports = {"onnx fp32": export_onnx(str(folder), work / f"{tag}-fp32"),
                   "onnx int8": export_onnx(str(folder), work / f"{tag}-int8", int8=True)}
        paths = {"torch fp32": load_detector(str(folder), "torch", options)}
        if has_bf16():  # what auto chose here by CPU flags alone before it measured
            paths["torch bf16 (autocast)"] = load_detector(str(folder), "torch-bf16", options)
        paths.update({name: load_detector(str(work / f"{tag}-{name.split()[1]}"), options=options) for name in exports})
        paths["onnx int8, SDPA graph"] = load_detector(str(sdpa_int8(model, tokenizer, work / f"{tag}-sdpa")),
                                                       options=options)
        return paths, exports

    # Speed: every newsbench path on the architecture, interleaved with the study pipeline.
    tokenizer = AutoTokenizer.from_pretrained(pretrained_path("minilm-l6"), trust_remote_code=False)  # BERT WordPiece
    mobile = random_classifier(args.arch).eval()
    mobile.save_pretrained(work / args.arch)
    tokenizer.save_pretrained(work / args.arch)
    paths, exports = newsbench_paths(work / args.arch, mobile, tokenizer, args.arch)
    study = "study (pad 512, batch 32, fp32)"
    seconds = {name: [] for name in [study, *paths]}
    warmup = texts[:: max(1, len(texts) // 32)]  # one pass over a spread of lengths, untimed
    study_pipeline(mobile, tokenizer, warmup)
    for detector in paths.values():
        fast_path(detector, warmup)
    for _ in range(args.repeats):
        torch.set_num_threads(default_threads)
        seconds[study].append(study_pipeline(mobile, tokenizer, texts)[1])
        for name, detector in paths.items():
            torch.set_num_threads(cores)
            seconds[name].append(fast_path(detector, texts)[1])
    ms = {name: 1000 * statistics.median(values) / len(texts) for name, values in seconds.items()}

    # What this CPU's matrix multiplies sustain, and how much work the articles are.
    lengths = np.array([len(ids) for ids in tokenizer(texts, truncation=True, max_length=512)["input_ids"]])
    gflop = work_gop(mobile, lengths) / len(texts)
    peaks = measure_roofline([cores], seconds=1.0)
    roof = roofs(peaks)
    int8 = exports["onnx int8"]
    print(f"\nSpeed: {args.arch} architecture, median of {args.repeats} interleaved runs, {len(texts)} articles; "
          f"{gflop:.1f} GOP per article at these lengths (matmul operations counted by torch's FlopCounterMode); "
          f"measured matmul roofs on {cores} threads (ONNX Runtime, best of MiniLM, MobileBERT and "
          f"1024 square shapes): fp32 {roof['fp32']:.0f}, int8 {roof['int8']:.0f} GOP/s")
    print(f"  {'path':34} {'ms/article':>10} {'vs study':>9} {'GOP/s':>7} {'share of its roof':>18}")
    for name, value in ms.items():
        backend = paths[name].name if name in paths else "torch"  # the study pipeline is fp32 torch
        precision, share = precision_of(backend), share_of_roof(gflop, value, backend, cores, peaks)
        share = f"{'-':>10}" if share is None else f"{share:10.0%}"
        print(f"  {name:34} {value:10.2f} {ms[study] / value:8.2f}x {gflop / value * 1000:7.0f} {share} {precision}")
    fastest = min(paths, key=ms.get)
    print(f"  (int8 export: {int8.size_mb:.1f} MB vs fp32 {int8.fp32_size_mb:.1f} MB; {int8.quantization})")
    print(f"token lengths: mean {lengths.mean():.0f}, {np.mean(lengths == 512):.0%} at the 512 cap; padding "
          f"{padding_share(lengths, args.batch_size):.1%} of computed tokens with length-sorted batches of "
          f"{args.batch_size} (the study's pad-to-512: {1 - lengths.mean() / 512:.0%})")

    # Agreement and accuracy: the fine-tuned model through the study pipeline and every path.
    tuned = Path(args.agreement_model)
    model = AutoModelForSequenceClassification.from_pretrained(tuned, trust_remote_code=False).eval()
    tuned_tokenizer = AutoTokenizer.from_pretrained(tuned, trust_remote_code=False)
    torch.set_num_threads(default_threads)
    study_pred = study_pipeline(model, tuned_tokenizer, texts)[0]
    study_acc = np.mean(study_pred == y)
    tuned_paths, _ = newsbench_paths(tuned, model, tuned_tokenizer, "tuned")
    print(f"\nAgreement: {tuned} (fine-tuned) through the study pipeline (accuracy {study_acc:.4f}) and each path")
    agreement = {}
    for name, candidate in tuned_paths.items():
        torch.set_num_threads(cores)
        fast_pred = fast_path(candidate, texts)[0]
        fast_acc = np.mean(fast_pred == y)
        agreement[name] = np.mean(study_pred == fast_pred)
        print(f"  {name:34} agreement {agreement[name]:.4f}; accuracy {fast_acc:.4f} "
              f"(delta {100 * (fast_acc - study_acc):+.2f} points)")
    auto, why = choose_backend(str(tuned), options=options)
    print(f"\nfastest path: {fastest}; newsbench's --backend auto picks {auto} for {tuned} ({why})")
    print(f"ratio: {ms[study] / ms[fastest]:.2f} agreement: {agreement[fastest]:.4f}")


if __name__ == "__main__":
    main()
