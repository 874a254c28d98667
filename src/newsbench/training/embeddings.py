"""A frozen sentence encoder: mean-pooled, L2-normalised token states of a Hugging Face encoder
(by default the offline all-MiniLM-L6-v2), with an on-disk cache, so recipes that fit a head on
embeddings cost one encoding pass per article, ever.

Vectors are cached under ``$NEWSBENCH_CACHE/embeddings/KEY/`` where KEY hashes the encoder's
files and the token budget, one ``.npz`` shard per batch of new texts (text hash -> vector).
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from newsbench.detectors.base import ProgressFactory, fingerprint, from_pretrained
from newsbench.errors import require
from newsbench.outputs import cache_root

_LOADED: dict[str, SentenceEncoder] = {}


def text_hashes(texts: list[str]) -> np.ndarray:
    """16-byte hashes of the exact texts (no normalisation: the encoder sees case and spacing)."""
    return np.array([hashlib.blake2b(t.encode(), digest_size=16).hexdigest() for t in texts])


class SentenceEncoder:
    """Texts -> (n, dim) float32 unit vectors; see the module docstring."""

    def __init__(self, path: str | Path, max_length: int = 128, batch_size: int = 32, threads: int | None = None,
                 cache: bool = True):
        self.torch = require("torch", "hf")
        self.path, self.max_length, self.batch_size, self.threads = Path(path), max_length, batch_size, threads
        self.tokenizer = from_pretrained("AutoTokenizer", self.path, False)
        self.model = from_pretrained("AutoModel", self.path, False).eval()
        self.dim = int(self.model.config.hidden_size)
        self.key = hashlib.sha256(json.dumps([fingerprint(self.path), max_length, "mean-l2"]).encode()).hexdigest()[:20]
        self.folder = cache_root() / "embeddings" / self.key
        self.cache: dict[str, np.ndarray] = {}
        self.keep = cache  # a deployed detector computes every text: no memo, nothing written
        for shard in sorted(self.folder.glob("*.npz")) if cache and self.folder.is_dir() else []:
            try:
                with np.load(shard, allow_pickle=False) as data:
                    hashes, vectors = data["hashes"], data["vectors"]
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # cut short by an interrupt
                continue  # its texts are encoded again
            if vectors.shape == (len(hashes), self.dim) and np.isfinite(vectors).all():  # else damaged: the same
                self.cache.update(zip(hashes.tolist(), vectors))

    @classmethod
    def shared(cls, path: str | Path, max_length: int = 128, threads: int | None = None) -> SentenceEncoder:
        """One loaded encoder per (folder, token budget) in this process."""
        key = f"{Path(path).resolve()}:{max_length}:{cache_root()}"
        if key not in _LOADED:
            _LOADED[key] = cls(path, max_length, threads=threads)
        return _LOADED[key]

    def read_chars(self, texts: list[str]) -> list[int]:
        """Where each text's last token within ``max_length`` ends."""
        encoded = self.tokenizer(list(texts), truncation=True, max_length=self.max_length, return_offsets_mapping=True)
        return [max((end for _, end in offsets), default=0) for offsets in encoded["offset_mapping"]]

    @property
    def parameters(self) -> int:
        return int(sum(p.numel() for p in self.model.parameters()))

    def encode(self, texts: list[str], progress: ProgressFactory | None = None) -> np.ndarray:
        """Unit vectors for ``texts``, computing only those not cached (longest first, dynamic padding)."""
        hashes = text_hashes(texts)
        missing = sorted({h: i for i, h in enumerate(hashes) if h not in self.cache}.values(),
                         key=lambda i: -len(texts[i]))
        if missing:
            advance = progress(f"encoding {len(missing):,} articles", len(missing)) if progress else None
            vectors = np.zeros((len(missing), self.dim), dtype=np.float32)
            torch = self.torch
            threads = torch.get_num_threads()
            if self.threads:
                torch.set_num_threads(self.threads)
            try:
                with torch.inference_mode():
                    for begin in range(0, len(missing), self.batch_size):
                        batch = [texts[i] for i in missing[begin:begin + self.batch_size]]
                        encoded = self.tokenizer(batch, truncation=True, max_length=self.max_length, padding=True,
                                                 return_tensors="pt")
                        states = self.model(**encoded).last_hidden_state
                        mask = encoded["attention_mask"].unsqueeze(-1).to(states.dtype)
                        pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1)
                        pooled = torch.nn.functional.normalize(pooled, dim=1)
                        vectors[begin:begin + len(batch)] = pooled.numpy()
                        if advance:
                            advance(len(batch))
            finally:
                torch.set_num_threads(threads)
            new = hashes[missing]
            if not self.keep:
                found = dict(zip(new.tolist(), vectors))
                return np.stack([found[h] for h in hashes])
            self.cache.update(zip(new.tolist(), vectors))
            self._save(new, vectors)
        return np.stack([self.cache[h] for h in hashes]) if len(hashes) else np.zeros((0, self.dim), np.float32)

    def _save(self, hashes: np.ndarray, vectors: np.ndarray) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256("".join(hashes).encode()).hexdigest()[:16]
        tmp = self.folder / f".{name}.tmp-{os.getpid()}.npz"
        np.savez(tmp, hashes=hashes, vectors=vectors)
        os.replace(tmp, self.folder / f"{name}.npz")
