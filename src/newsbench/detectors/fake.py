"""A deterministic detector for tests and dry runs: no model, no randomness between runs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from newsbench.detectors.base import Detector, DetectorOptions, Progress
from newsbench.results import ModelInfo

DEFAULT_CUES = ("shocking", "hoax", "secret", "exposed", "miracle", "fake", "!!")


class FakeDetector(Detector):
    """P(fake) rises with the number of cue words in the text, plus a fixed per-text jitter.

    ``fake`` uses DEFAULT_CUES; ``fake:word1,word2`` uses the given cue words.
    """

    backend = "fake"

    def __init__(self, model: str = "fake", options: DetectorOptions = DetectorOptions()):
        super().__init__()
        _, _, cues = model.partition(":")
        self.spec = self.path = model
        self.cues = tuple(c.strip().lower() for c in cues.split(",") if c.strip()) or DEFAULT_CUES

    def predict_proba(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        probs = self.forward(list(texts))
        if progress:
            progress(len(texts))
        return probs

    def forward(self, batch: list[str]) -> np.ndarray:
        hits = np.array([sum(t.lower().count(c) for c in self.cues) for t in batch], dtype=float)
        jitter = np.array([int.from_bytes(hashlib.sha256(t.encode()).digest()[:4], "little") / 2**32 - 0.5
                           for t in batch])
        p = 1 / (1 + np.exp(-(1.5 * hits - 1.0 + jitter)))
        return np.stack([1 - p, p], axis=1).reshape(len(batch), 2)

    def set_threads(self, threads: int | None) -> None:
        """Nothing to do: the fake detector has no threads."""

    def info(self) -> ModelInfo:
        digest = hashlib.sha256(",".join(self.cues).encode()).hexdigest()
        return ModelInfo(self.spec, self.backend, digest, 0, {"cues": ",".join(self.cues)})
