"""Hugging Face sequence classifiers (local folders; hub ids when online), run with torch.

Batching (length-sorted, dynamically padded) is shared with the ONNX backend through
``TokenizedDetector``; ``padding="max_length"`` reproduces the study's pad-to-512 setup.
``precision="bf16"`` runs the forward pass under bf16 autocast (fast only on CPUs with
AVX512-BF16 or AMX; emulated, and many times slower, elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from newsbench.detectors.base import (
    Detector,
    DetectorOptions,
    Progress,
    TokenizedDetector,
    fake_column,
    fingerprint,
    from_pretrained,
)
from newsbench.errors import ModelError, require
from newsbench.results import ModelInfo


@contextmanager
def eager_attention(model) -> Iterator[None]:
    """Run ``model`` with plain matmul-softmax attention inside the block, as it was after.

    The ONNX export uses it (SDPA exports a per-layer mask check that costs a fifth of
    MobileBERT's ONNX Runtime time) and so does operation counting (torch's FlopCounterMode
    does not count the CPU SDPA kernel). The outputs are the same up to float rounding.
    """
    attention = getattr(getattr(model, "config", None), "_attn_implementation", None)
    switch = attention not in (None, "eager") and hasattr(model, "set_attn_implementation")
    if switch:
        model.set_attn_implementation("eager")
    try:
        yield
    finally:
        if switch:
            model.set_attn_implementation(attention)


class HFDetector(TokenizedDetector):
    """A ``AutoModelForSequenceClassification`` with two labels and its tokenizer."""

    backend = "torch"

    def __init__(self, model: str, options: DetectorOptions = DetectorOptions()):
        super().__init__()
        require("torch", "hf")
        self.path, self.options = str(model), options
        if options.threads:  # before loading, so loading runs on the budget too
            self.set_threads(options.threads)
        self.tokenizer = from_pretrained("AutoTokenizer", model, options.trust_remote_code)
        self.model = from_pretrained("AutoModelForSequenceClassification", model,
                                     options.trust_remote_code).to(options.device)
        self._setup()

    @classmethod
    def from_loaded(cls, model, tokenizer=None, options: DetectorOptions = DetectorOptions(),
                    path: str = "") -> HFDetector:
        """Wrap a model already in memory (during fine-tuning, or a random-weight preset for
        profiling) without reloading it; without a tokenizer only ``forward`` works."""
        detector = cls.__new__(cls)
        Detector.__init__(detector)
        detector.path, detector.options, detector.model, detector.tokenizer = path, options, model, tokenizer
        if options.threads:
            detector.set_threads(options.threads)
        detector._setup()
        return detector

    def _setup(self) -> None:
        self.model.eval()
        if self.options.precision not in ("fp32", "bf16"):
            raise ModelError(f"the torch backend runs fp32 or bf16, not {self.options.precision}; "
                             "for int8 use --backend onnx-int8")
        self.precision = self.options.precision
        self.reference = self.path if self.precision != "fp32" else None
        config = self.model.config
        if config.num_labels != 2:
            raise ModelError(f"{self.path}: the classifier has {config.num_labels} labels; "
                             "newsbench needs 2 (real, fake)")
        self.fake_index = fake_column([config.id2label[i] for i in range(2)])
        limit = getattr(config, "max_position_embeddings", None) or self.options.max_length
        self.max_length = min(self.options.max_length, limit)

    def predict_proba(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        self.model.eval()  # fine-tuning scores the model it is training, which is in train mode
        return super().predict_proba(texts, progress)

    def set_threads(self, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)  # process-wide: the budget of whichever torch model runs next

    def forward(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        import torch

        bf16 = self.precision == "bf16"
        with torch.inference_mode(), torch.autocast(self.options.device.split(":")[0], torch.bfloat16, enabled=bf16):
            tensors = {k: torch.from_numpy(v).to(self.options.device) for k, v in batch.items()}
            return self.model(**tensors).logits.float().cpu().numpy()

    def info(self) -> ModelInfo:
        import torch

        config = self.model.config
        local = Path(self.path).exists()
        return ModelInfo(
            path=self.path,
            backend=self.name,
            fingerprint=fingerprint(self.path) if local else f"hub:{self.path}",
            parameters=sum(p.numel() for p in self.model.parameters()),
            details={
                "architecture": (config.architectures or [config.model_type])[0],
                "fake_label": str(config.id2label[self.fake_index]),
                "max_length": str(self.max_length),
                "padding": self.options.padding,
                "batch_size": str(self.options.batch_size),
                "threads": str(torch.get_num_threads()),
                "device": self.options.device,
                "precision": self.precision + (" (autocast)" if self.precision == "bf16" else ""),
            },
        )
