"""Export a Hugging Face classifier to ONNX (fp32, optionally dynamic int8) with a parity check.

``torch.onnx.export`` (TorchScript exporter, dynamic batch and length axes) keeps the project's
transformers version; optimum would force an older one. ``int8`` quantizes the MatMul weights
per channel with ONNX Runtime's dynamic quantization; activations are quantized at run time.
The parity check scores the same padded batches with PyTorch and ONNX Runtime and records argmax
agreement and the largest logit difference in ``export.json``.

What was measured and chosen (AMD EPYC with AVX512-VNNI, 2 threads, onnxruntime 1.32, batches of
16 real articles; ``benchmarks/eval_throughput.py`` has the side-by-side run):

- Attention is exported as the eager (matmul, mask add, softmax) graph. transformers' default SDPA
  attention exports a mask built with IsNaN and Where nodes that took 22% of MobileBERT's ONNX
  Runtime time; the eager graph ran MobileBERT fp32 16% and MiniLM-L6 fp32 23% faster, same logits.
- ONNX Runtime's offline transformer optimizer (``onnxruntime.transformers.optimizer``) fuses the
  eager MiniLM graph into Attention, SkipLayerNormalization, BiasGelu and EmbedLayerNormalization
  but ran no faster than the session's own fusions (19.5 vs 19.3 ms/article, fp32), and with
  quantized Attention it agreed with fp32 on only 98.3% of 858 articles; it fuses nothing in
  MobileBERT (NoNorm and bottleneck blocks match none of its patterns). Not used.
- Static QDQ int8 with activation scales calibrated on 64 seeded ISOT articles ran slower than
  dynamic int8 (MiniLM 16.3-19.0 vs 11.8-14.9 ms/article; MobileBERT 31.4 vs 21.6) and agreed less
  (97.3%): ONNX Runtime's CPU kernels requantize between QDQ pairs, which costs more than the
  per-MatMul dynamic scale it saves. Not used.
- Session options: the defaults (spinning threads, memory arena, all graph optimizations) were the
  fastest; without the arena 10-33% slower, without spinning up to 10%, basic optimizations 12-18%.
"""

from __future__ import annotations

import shutil
import time
import warnings
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from newsbench.detectors.base import DetectorOptions, fingerprint
from newsbench.detectors.hf import HFDetector, eager_attention
from newsbench.detectors.onnx import OnnxDetector
from newsbench.environment import capture_environment
from newsbench.errors import ConfigError, require
from newsbench.outputs import cache_root, write_atomic
from newsbench.results import ExportResult
from newsbench.serialize import to_json

# Varied lengths and styles, so parity covers short and truncated inputs and padding.
PARITY_TEXTS = (
    "Officials said on Tuesday the ministry would publish the full report next week.",
    "SHOCKING: secret documents reveal what they do not want you to know about vaccines!!",
    "The senate passed the budget 52-48 after a late-night session.",
    "Scientists confirmed the data shows a steady rise in global temperatures since 1980. " * 12,
    "Local police are investigating a break-in at a school on Main Street.",
    "A miracle cure for every disease has been exposed as a hoax by independent researchers.",
    "Trade talks resumed in Geneva as markets rose on hopes of a deal.",
    "Celebrity couple spotted together again, fuelling rumours of a secret reunion.",
    "election",
    "The court ruled that the law was unconstitutional. " * 40,
)


def to_onnx(model, path: str | Path, opset: int = 17, eager_attention_graph: bool = True) -> Path:
    """Write a 2-label classifier as ONNX: inputs input_ids and attention_mask (dynamic batch and
    length), output logits. ``eager_attention_graph=False`` keeps the model's own attention (SDPA), only
    to measure what the eager graph saves."""
    torch = require("torch", "hf")

    class Logits(torch.nn.Module):
        """Only input_ids and attention_mask, returning bare logits: a stable ONNX signature."""

        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).logits

    ids = torch.tensor([[2, 7, 9, 11, 3], [2, 8, 3, 0, 0]])
    # Plain matmul-softmax attention: no IsNaN/Where mask nodes (see the module docstring).
    with eager_attention(model) if eager_attention_graph else nullcontext(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Logits().eval(), (ids, (ids > 0).long()), str(path),
            input_names=["input_ids", "attention_mask"], output_names=["logits"],
            dynamic_axes={"input_ids": {0: "batch", 1: "length"}, "attention_mask": {0: "batch", 1: "length"},
                          "logits": {0: "batch"}},
            opset_version=opset, dynamo=False,
        )
    return Path(path)


def quantize_int8(fp32: str | Path, out: str | Path, reduce_range: bool = False) -> str:
    """Dynamic int8 quantization of an ONNX model's weight MatMuls, per output channel.

    Measured on a fine-tuned MiniLM over 858 llmfake articles (argmax agreement with fp32):
    per-tensor scales with an int8 embedding table 84.5% (on 200 of them); per-channel MatMul
    only 97.7%; and with the feed-forward output projections also left in fp32 99.1%, with the
    same accuracy. Those projections read the activation function's output, whose outliers a
    per-tensor activation scale cannot cover, so every MatMul fed by an activation (GELU, ReLU,
    tanh) stays fp32 (``activation_fed_matmuls``). ``reduce_range`` (7-bit weights, which
    onnxruntime suggests against u8s8 saturation without VNNI) lowered agreement here (96.4%),
    so it is off unless asked for. Re-measured on the eager-attention graph (858 articles, vs ONNX
    fp32): every MatMul int8 ran 1.25x faster than this recipe on MiniLM (12.0 vs 14.9 ms/article)
    but agreed on 98.1% vs 99.5%, so the rule stays. SmoothQuant-style smoothing of those
    projections (a per-channel Mul before each, its inverse folded into the weights, scales from
    64 seeded ISOT articles, then every MatMul int8) agreed less than plain all-int8 on the 858
    articles (95.6-97.2% at alpha 0.5-0.9 against 97.6%; this recipe 98.8%, on the 10-minute ISOT
    fine-tune of the README): the outliers are not confined to channels a smoothing can move.

    Returns:
        a description of the quantization, for export.json and reports.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(fp32), load_external_data=False).graph
    kept = activation_fed_matmuls(graph)
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"], nodes_to_exclude=kept, reduce_range=reduce_range)
    matmuls = sum(n.op_type == "MatMul" for n in graph.node)
    return (f"dynamic int8, per-channel weights; {matmuls - len(kept)} of {matmuls} MatMuls quantized, the "
            f"{len(kept)} fed by an activation function kept fp32; embeddings fp32"
            + ("; 7-bit weights (reduce_range)" if reduce_range else ""))


ACTIVATIONS = {"Erf", "Gelu", "FastGelu", "Relu", "Tanh", "Sigmoid"}
PASS_THROUGH = {"Mul", "Add", "Div", "Cast", "Identity"}


def activation_fed_matmuls(graph, depth: int = 4) -> list[str]:
    """Names of MatMul nodes whose input comes from an activation function (through up to
    ``depth`` elementwise ops, as in the exported GELU: Div, Erf, Add, Mul, Mul)."""
    producer = {output: node for node in graph.node for output in node.output}
    found = []
    for node in graph.node:
        if node.op_type != "MatMul":
            continue
        frontier = [node.input[0]]
        for _ in range(depth):
            parents = [producer[name] for name in frontier if name in producer]
            if any(p.op_type in ACTIVATIONS for p in parents):
                found.append(node.name)
                break
            frontier = [i for p in parents if p.op_type in PASS_THROUGH for i in p.input]
    return found


# Bumped when exports change (2: eager attention graph), so cached exports of the same weights are redone.
EXPORT_FORMAT = 2


def cached_export(model_dir: str, int8: bool, trust_remote_code: bool = False) -> Path:
    """An ONNX export of a Hugging Face folder, made once and reused.

    Kept under ``$NEWSBENCH_CACHE`` (default ``~/.cache/newsbench``) in a folder named by the
    source's content hash, so changed weights get a fresh export and parity check.
    """
    folder = cache_root() / "onnx" / f"{fingerprint(model_dir)[:20]}-v{EXPORT_FORMAT}-{'int8' if int8 else 'fp32'}"
    if not (folder / "export.json").exists():
        export_onnx(model_dir, folder, int8=int8, trust_remote_code=trust_remote_code)
    return folder


def export_onnx(model_dir: str, out: str | Path, int8: bool = False, opset: int = 17,
                texts: list[str] | None = None, trust_remote_code: bool = False) -> ExportResult:
    """Export ``model_dir`` to ``out`` (a folder, or a .onnx path whose folder is used).

    The folder receives the .onnx file, the tokenizer, config.json, the model's model.json
    (so evaluate keeps its threshold and preprocessing) and export.json.
    """
    require("onnx", "onnx")
    from newsbench.detectors.kinds import detect_backend

    kind = detect_backend(model_dir)  # a missing local folder is a ModelError naming it
    if kind != "torch":
        raise ConfigError(f"--model {model_dir}: export takes a Hugging Face classifier folder (config.json, weights, "
                          f"tokenizer), such as newsbench train --recipe finetune writes; this is a {kind} model, "
                          "which evaluate, profile and serve take as it is")

    out = Path(out)
    default = "model.int8.onnx" if int8 else "model.onnx"
    folder, name = (out.parent, out.name) if out.suffix == ".onnx" else (out, default)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--out {folder} is a file; export writes a folder (the .onnx file, tokenizer and config)")
    if (folder / name).resolve().parent == Path(model_dir).resolve():
        raise ConfigError("--out must not be the model folder itself (the ONNX folder gets its own config.json)")
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    reference = HFDetector(model_dir, DetectorOptions(batch_size=len(PARITY_TEXTS),
                                                      trust_remote_code=trust_remote_code))
    model = reference.model

    fp32 = to_onnx(model, folder / (name if not int8 else f".{name}.fp32.tmp"), opset)
    fp32_size = fp32.stat().st_size / 2**20
    quantization = "none (fp32)"
    if int8:
        quantization = quantize_int8(fp32, folder / name)
        fp32.unlink()
    reference.tokenizer.save_pretrained(folder)
    model.config.save_pretrained(folder)
    if (Path(model_dir) / "model.json").exists():
        shutil.copy(Path(model_dir) / "model.json", folder / "model.json")

    candidate = OnnxDetector(str(folder / name), DetectorOptions(
        max_length=reference.max_length, precision="int8" if int8 else "fp32", trust_remote_code=trust_remote_code))
    texts = list(texts or PARITY_TEXTS)
    encoded = reference.tokenizer(texts, truncation=True, max_length=reference.max_length)
    diffs, agree = [], []
    for begin in range(0, len(texts), 16):
        batch = reference.pad(encoded, range(begin, min(begin + 16, len(texts))))
        a, b = reference.forward(batch), candidate.forward(batch)
        diffs.append(np.abs(a - b).max())
        agree.extend(a.argmax(axis=1) == b.argmax(axis=1))
    result = ExportResult(
        source=str(Path(model_dir).resolve()), file=str(folder / name), int8=int8,
        quantization=quantization,
        opset=opset,
        parameters=sum(p.numel() for p in model.parameters()),
        size_mb=(folder / name).stat().st_size / 2**20, fp32_size_mb=fp32_size, parity_texts=len(texts),
        argmax_agreement=float(np.mean(agree)), max_logit_diff=float(max(diffs)),
        seconds=time.perf_counter() - started, environment=capture_environment(0),
    )
    write_atomic(folder / "export.json", to_json(result))
    return result
