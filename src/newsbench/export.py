"""Export a Hugging Face classifier to ONNX (fp32, optionally dynamic int8) with a parity check.

``torch.onnx.export`` (TorchScript exporter, dynamic batch and length axes) keeps the project's
transformers version; optimum would force an older one. ``int8`` quantizes the MatMul weights
per channel with ONNX Runtime's dynamic quantization; activations are quantized at run time.
The parity check scores the same padded batches with PyTorch and ONNX Runtime and records argmax
agreement and the largest logit difference in ``export.json``.
"""

from __future__ import annotations

import shutil
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from newsbench.errors import ConfigError, require
from newsbench.results import Environment, capture_environment, to_json, write_atomic

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


@dataclass(frozen=True)
class ExportResult:
    """The content of ``export.json``."""

    source: str
    file: str
    int8: bool
    quantization: str
    opset: int
    parameters: int
    size_mb: float
    fp32_size_mb: float
    parity_texts: int
    argmax_agreement: float
    max_logit_diff: float
    seconds: float
    environment: Environment
    kind: str = "export"


def export_onnx(model_dir: str, out: str | Path, int8: bool = False, opset: int = 17,
                texts: list[str] | None = None) -> ExportResult:
    """Export ``model_dir`` to ``out`` (a folder, or a .onnx path whose folder is used).

    The folder receives the .onnx file, the tokenizer, config.json, the model's model.json
    (so evaluate keeps its threshold and preprocessing) and export.json.
    """
    import torch

    require("onnx", "onnx")
    from newsbench.detectors import DetectorOptions
    from newsbench.detectors.hf import HFDetector
    from newsbench.detectors.onnx import OnnxDetector

    out = Path(out)
    default = "model.int8.onnx" if int8 else "model.onnx"
    folder, name = (out.parent, out.name) if out.suffix == ".onnx" else (out, default)
    if (folder / name).resolve().parent == Path(model_dir).resolve():
        raise ConfigError("--out must not be the model folder itself (the ONNX folder gets its own config.json)")
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    reference = HFDetector(model_dir, DetectorOptions(batch_size=len(PARITY_TEXTS)))
    model = reference.model

    class Logits(torch.nn.Module):
        """Only input_ids and attention_mask, returning bare logits: a stable ONNX signature."""

        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).logits

    sample = reference.tokenizer(["a short one", "a somewhat longer sample text"], padding=True, return_tensors="pt")
    fp32 = folder / (name if not int8 else f".{name}.fp32.tmp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Logits().eval(), (sample["input_ids"], sample["attention_mask"]), str(fp32),
            input_names=["input_ids", "attention_mask"], output_names=["logits"],
            dynamic_axes={"input_ids": {0: "batch", 1: "length"}, "attention_mask": {0: "batch", 1: "length"},
                          "logits": {0: "batch"}},
            opset_version=opset, dynamo=False,
        )
    fp32_size = fp32.stat().st_size / 2**20
    if int8:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # Per-channel weights for the MatMuls only: per-tensor scales and an int8 embedding table
        # cost a fine-tuned MiniLM 15% argmax agreement on external news; this keeps it near 99%.
        quantize_dynamic(str(fp32), str(folder / name), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"])
        fp32.unlink()
    reference.tokenizer.save_pretrained(folder)
    model.config.save_pretrained(folder)
    if (Path(model_dir) / "model.json").exists():
        shutil.copy(Path(model_dir) / "model.json", folder / "model.json")

    candidate = OnnxDetector(str(folder / name), DetectorOptions(max_length=reference.max_length))
    texts = list(texts or PARITY_TEXTS)
    encoded = reference.tokenizer(texts, truncation=True, max_length=reference.max_length)
    diffs, agree = [], []
    for begin in range(0, len(texts), 16):
        batch = reference.pad(encoded, range(begin, min(begin + 16, len(texts))))
        a, b = reference._logits(batch), candidate._logits(batch)
        diffs.append(np.abs(a - b).max())
        agree.extend(a.argmax(axis=1) == b.argmax(axis=1))
    result = ExportResult(
        source=str(model_dir), file=str(folder / name), int8=int8,
        quantization="dynamic int8, per-channel weights, MatMul only (embeddings fp32)" if int8 else "none (fp32)",
        opset=opset,
        parameters=sum(p.numel() for p in model.parameters()),
        size_mb=(folder / name).stat().st_size / 2**20, fp32_size_mb=fp32_size, parity_texts=len(texts),
        argmax_agreement=float(np.mean(agree)), max_logit_diff=float(max(diffs)),
        seconds=time.perf_counter() - started, environment=capture_environment(0),
    )
    write_atomic(folder / "export.json", to_json(result))
    return result
