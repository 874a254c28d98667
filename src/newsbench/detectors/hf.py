"""Hugging Face sequence classifiers (local folders; hub ids when online), scored on the CPU.

Inputs are tokenised once, sorted by length and padded per batch to the batch's longest
article (``padding="dynamic"``), so short news costs short compute; ``padding="max_length"``
reproduces the study's every-article-to-512 setup.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from newsbench.detectors.base import Detector, DetectorOptions, Progress, fake_column, fingerprint
from newsbench.errors import ModelError
from newsbench.results import ModelInfo


class HFDetector(Detector):
    """A ``AutoModelForSequenceClassification`` with two labels and its tokenizer."""

    backend = "hf"

    def __init__(self, model: str, options: DetectorOptions = DetectorOptions()):
        super().__init__()
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.path, self.options = str(model), options
        if options.threads:
            torch.set_num_threads(options.threads)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model, trust_remote_code=options.trust_remote_code)
            self.model = AutoModelForSequenceClassification.from_pretrained(
                model, trust_remote_code=options.trust_remote_code
            ).to(options.device)
        except (OSError, ValueError) as exc:
            hint = ("; if you trust this checkpoint's code, pass --trust-remote-code"
                    if "trust_remote_code" in str(exc) else
                    "; pass a local folder with config.json, weights and tokenizer files "
                    "(hub ids need a network connection)")
            raise ModelError(f"could not load a Hugging Face classifier from '{model}': {exc}{hint}") from exc
        self._setup()

    @classmethod
    def from_loaded(cls, model, tokenizer, options: DetectorOptions = DetectorOptions(), path: str = "") -> HFDetector:
        """Wrap a model already in memory (e.g. during fine-tuning) without reloading it."""
        detector = cls.__new__(cls)
        Detector.__init__(detector)
        detector.path, detector.options, detector.model, detector.tokenizer = path, options, model, tokenizer
        detector._setup()
        return detector

    def _setup(self) -> None:
        self.model.eval()
        config = self.model.config
        if config.num_labels != 2:
            raise ModelError(f"{self.path}: the classifier has {config.num_labels} labels; "
                             "newsbench needs 2 (real, fake)")
        self.fake_index = fake_column([config.id2label[i] for i in range(2)])
        limit = getattr(config, "max_position_embeddings", None) or self.options.max_length
        self.max_length = min(self.options.max_length, limit)

    def predict_proba(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        import torch

        self.model.eval()
        start = time.perf_counter()
        encoded = self.tokenizer(list(texts), truncation=True, max_length=self.max_length)
        tokenize_s = time.perf_counter() - start
        inference_s = 0.0
        lengths = np.array([len(ids) for ids in encoded["input_ids"]])
        # Longest first: the biggest batch runs first, so an out-of-memory error comes early.
        order = np.argsort(-lengths, kind="stable")
        out = np.empty((len(texts), 2))
        size = self.options.batch_size
        with torch.inference_mode():
            for begin in range(0, len(texts), size):
                index = order[begin:begin + size]
                t0 = time.perf_counter()
                batch = self.tokenizer.pad(
                    {key: [encoded[key][i] for i in index] for key in encoded.keys()},
                    padding="longest" if self.options.padding == "dynamic" else "max_length",
                    max_length=self.max_length, return_tensors="pt",
                ).to(self.options.device)
                t1 = time.perf_counter()
                logits = self.model(**batch).logits.float()
                probs = torch.softmax(logits, dim=-1).cpu().numpy()
                t2 = time.perf_counter()
                tokenize_s, inference_s = tokenize_s + t1 - t0, inference_s + t2 - t1
                out[index] = probs[:, [1 - self.fake_index, self.fake_index]]
                if progress:
                    progress(len(index))
        self.times.tokenize_s, self.times.inference_s = tokenize_s, inference_s
        return out

    def info(self) -> ModelInfo:
        import torch

        config = self.model.config
        from pathlib import Path

        local = Path(self.path).exists()
        return ModelInfo(
            path=self.path,
            backend=self.backend,
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
                "dtype": str(next(self.model.parameters()).dtype).replace("torch.", ""),
            },
        )
