"""Linear heads on fixed views (TF-IDF, frozen or static embeddings, style features), stored as
JSON and arrays by ``newsbench train`` (see ``newsbench.heads``): loading runs no pickle."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from newsbench.detectors.base import Detector, DetectorOptions, Progress, fingerprint
from newsbench.errors import ModelError
from newsbench.results import ModelInfo

CHUNK = 256


class HeadsDetector(Detector):
    """A ``HeadModel`` folder (``heads.json``)."""

    backend = "heads"

    def __init__(self, model: str, options: DetectorOptions = DetectorOptions()):
        super().__init__()
        from newsbench.heads import HeadModel

        folder = Path(model).expanduser()
        if not (folder / "heads.json").is_file():
            raise ModelError(f"{model}: no heads.json (a heads model is a folder written by newsbench train)")
        self.path, self.folder, self.options = str(model), folder, options
        self.model = HeadModel.load(folder, options.threads)

    def predict_proba(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        out, start = [], time.perf_counter()
        for begin in range(0, len(texts), CHUNK):
            chunk = list(texts[begin:begin + CHUNK])
            out.append(self.model.score(chunk))
            if progress:
                progress(len(chunk))
        self.times.tokenize_s, self.times.inference_s = 0.0, time.perf_counter() - start
        fake = np.concatenate(out) if out else np.zeros(0)
        return np.column_stack([1 - fake, fake])

    def forward(self, batch: list[str]) -> np.ndarray:
        """P(fake) of the whole model (features included) for a list of texts."""
        return self.model.score(batch)

    def read_chars(self, texts: Sequence[str]) -> list[int]:
        """All of each text, unless every head reads a token prefix (static, embed): then the longest."""
        heads = self.model.heads
        if not texts or any(h.encoder is None for h in heads):
            return super().read_chars(texts)
        return np.max([h.encoder.read_chars(list(texts)) for h in heads], axis=0).tolist()

    def set_threads(self, threads: int | None) -> None:
        for head in self.model.heads:
            if head.encoder is not None:
                head.encoder.threads = threads

    @property
    def parameters(self) -> int:
        return self.model.parameters + sum(h.encoder.parameters for h in self.model.heads if h.encoder is not None)

    def linear_parts(self, complete: bool = True):
        """TF-IDF heads are linear in their terms; the model is when every head is one."""
        from newsbench.explain import LinearText

        heads = self.model.heads
        if complete and any(h.vectorizer is None for h in heads):
            return None
        return [LinearText(h.vectorizer, h.coef, h.intercept, 1 / len(heads))
                for h in heads if h.vectorizer is not None]

    def vocabulary(self) -> list[str]:
        """Single words the TF-IDF head knows (or common words), for synthetic articles when profiling."""
        for head in self.model.heads:
            if head.vectorizer is not None:
                words = sorted(w for w in head.vectorizer.vocabulary_ if " " not in w)
                if words:
                    return words
        return "the government said on tuesday that the report was published".split()

    def info(self) -> ModelInfo:
        return ModelInfo(path=self.path, backend=self.backend, fingerprint=fingerprint(self.folder),
                         parameters=self.parameters,
                         details={"heads": " + ".join(h.view for h in self.model.heads), "combine": "mean log-odds"})
