"""The detector contract: ``predict_proba(texts) -> array (n, 2)``, column 1 = P(fake).

A backend wraps one kind of model (Hugging Face, scikit-learn, ...) behind that one method so
the evaluation spine never needs to know which it scores.
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from newsbench.errors import ConfigError, ModelError, require
from newsbench.results import ModelInfo

if TYPE_CHECKING:
    from newsbench.explain import LinearText

Progress = Callable[[int], None]
# A progress-bar factory: (description, total) -> advance(n, description=None).
ProgressFactory = Callable[..., Callable[..., None]]
PADDING = ("dynamic", "max_length")
PRECISIONS = ("fp32", "bf16", "int8")


@dataclass(frozen=True)
class DetectorOptions:
    """Options shared by all backends; each uses the ones that apply to it.

    Attributes:
        max_length: truncate inputs to this many tokens (transformers).
        batch_size: articles per forward pass.
        padding: ``dynamic`` pads each length-sorted batch to its longest article;
            ``max_length`` pads every article to max_length (the study's setup).
        threads: intra-op threads (torch.set_num_threads / n_jobs); None keeps the default.
        device: torch device, ``cpu`` by default.
        precision: ``fp32``; ``bf16`` (torch autocast) or ``int8`` (ONNX Runtime dynamic
            quantization) trade exactness for speed, and evaluate measures what they cost.
        allow_pickle: permit loading joblib/pickle files, which can run arbitrary code.
        trust_remote_code: permit model code shipped with a Hugging Face checkpoint.
        batch_tokens: also cap a forward pass at this many (padded) tokens; None = no cap. On a
            small CPU a batch of long articles runs slower per article than one at a time (its
            activations leave the cache), while short ones gain from sharing a pass.
    """

    max_length: int = 512
    batch_size: int = 32
    padding: str = "dynamic"
    threads: int | None = None
    device: str = "cpu"
    precision: str = "fp32"
    allow_pickle: bool = False
    trust_remote_code: bool = False
    batch_tokens: int | None = None

    def __post_init__(self):
        if self.padding not in PADDING:
            raise ConfigError(f"padding must be one of {PADDING}, got {self.padding!r}")
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision must be one of {PRECISIONS}, got {self.precision!r}")
        if self.max_length < 8:
            raise ConfigError(f"max_length must be at least 8 tokens, got {self.max_length}")
        if self.batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {self.batch_size}")
        if self.threads is not None and self.threads < 1:
            raise ConfigError(f"threads must be at least 1, got {self.threads}")
        if self.batch_tokens is not None and self.batch_tokens < 1:
            raise ConfigError(f"batch_tokens must be at least 1, got {self.batch_tokens}")


@dataclass
class StageTimes:
    """Seconds spent in the last ``predict_proba`` call, split by stage."""

    tokenize_s: float = 0.0
    inference_s: float = 0.0


class Detector(abc.ABC):
    """A fake-news detector.

    The contract is ``predict_proba``; ``forward`` is the model step alone, which ``profile``
    times (the same call ``predict_proba`` makes). Subclasses fill ``self.times`` with the
    seconds spent preparing input (tokenising, vectorising) vs in ``forward`` during the last
    ``predict_proba`` call.
    """

    backend: ClassVar[str]
    #: What was loaded: a folder, a file or a hub id (empty for a model built in memory).
    path: str = ""
    #: Numeric precision of the forward pass; anything but fp32 is checked against ``reference``.
    precision: str = "fp32"
    #: The fp32 model this one approximates (a Hugging Face folder), when known.
    reference: str | None = None
    #: Why this backend was used (``load_detector`` fills it in).
    choice: str = ""

    def __init__(self) -> None:
        self.times = StageTimes()

    @property
    def name(self) -> str:
        """The backend as ``--backend`` names it: ``torch``, ``torch-bf16``, ``onnx-int8``, ..."""
        return self.backend if self.precision == "fp32" else f"{self.backend}-{self.precision}"

    @abc.abstractmethod
    def predict_proba(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Score articles.

        Args:
            texts: n article texts.
            progress: called with the number of articles finished after each batch.

        Returns:
            float array of shape (n, 2): column 0 = P(real), column 1 = P(fake), rows sum to 1,
            in the order of ``texts``.
        """

    @abc.abstractmethod
    def forward(self, batch):
        """Run the model once on a prepared batch and return its raw output.

        Args:
            batch: what the model takes: for transformers a dict of int64 arrays (``input_ids``,
                ``attention_mask``; shape (batch, length)), for text pipelines a list of texts.

        Returns:
            an array with one row per article (logits, or class probabilities for pipelines).
        """

    @abc.abstractmethod
    def set_threads(self, threads: int | None) -> None:
        """Run later forward passes on ``threads`` threads (a phone's big-core budget, say);
        None leaves the library's default."""

    @abc.abstractmethod
    def info(self) -> ModelInfo:
        """Path, backend, content fingerprint, parameter count and backend details."""

    def linear_parts(self, complete: bool = True) -> list[LinearText] | None:
        """The score as parts linear in TF-IDF features, for exact explanations (``newsbench.explain``);
        None when it is not linear. ``complete=False``: whatever TF-IDF parts the model has."""
        return None

    def read_chars(self, texts: Sequence[str]) -> list[int]:
        """How many leading characters of each text the detector reads (all, unless it truncates)."""
        return [len(t) for t in texts]


class TokenizedDetector(Detector):
    """The loop shared by transformer backends; subclasses only turn a padded batch into logits.

    Inputs are tokenised once, sorted by length (longest first, so an out-of-memory error comes
    early) and padded per batch to the batch's longest article (``padding="dynamic"``), so short
    news costs short compute; ``padding="max_length"`` pads every article to max_length.
    Subclasses set ``tokenizer``, ``max_length``, ``fake_index`` and ``options``.
    """

    tokenizer: object
    max_length: int
    fake_index: int
    options: DetectorOptions

    @abc.abstractmethod
    def forward(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        """Logits of shape (batch, 2) for a padded batch of int64 arrays (input_ids, attention_mask, ...)."""

    def pad(self, encoded, index: Sequence[int]) -> dict[str, np.ndarray]:
        """The articles ``index`` of a tokenised list as one padded batch of int64 arrays."""
        return dict(self.tokenizer.pad(
            {key: [encoded[key][i] for i in index] for key in encoded.keys()},
            padding="longest" if self.options.padding == "dynamic" else "max_length",
            max_length=self.max_length, return_tensors="np",
        ))

    def batches(self, sorted_lengths: np.ndarray, order: np.ndarray) -> list[np.ndarray]:
        """``order`` (longest first) cut into forward passes of at most ``batch_size`` articles and,
        with ``batch_tokens``, at most that many padded tokens (a longer article still gets its own)."""
        size, budget = self.options.batch_size, self.options.batch_tokens
        if self.options.padding != "dynamic":
            sorted_lengths = np.full(len(order), self.max_length)
        out, begin = [], 0
        while begin < len(order):
            end = min(begin + size, len(order))
            if budget:  # the first article is the longest: the pass costs count x its length
                end = min(end, begin + max(1, budget // max(int(sorted_lengths[begin]), 1)))
            out.append(order[begin:end])
            begin = end
        return out

    def read_chars(self, texts: Sequence[str]) -> list[int]:
        """Where each text's last token within ``max_length`` ends (fast tokenizers give offsets)."""
        if not texts or self.tokenizer is None or not getattr(self.tokenizer, "is_fast", False):
            return super().read_chars(texts)
        encoded = self.tokenizer(list(texts), truncation=True, max_length=self.max_length,
                                 return_offsets_mapping=True)
        return [max((end for _, end in offsets), default=0) for offsets in encoded["offset_mapping"]]

    def predict_proba(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        import time

        if self.tokenizer is None:
            raise ModelError(f"{self.path or 'this model'} has no tokenizer beside it, so it cannot read text")
        start = time.perf_counter()
        encoded = self.tokenizer(list(texts), truncation=True, max_length=self.max_length)
        tokenize_s, inference_s = time.perf_counter() - start, 0.0
        lengths = np.array([len(ids) for ids in encoded["input_ids"]])
        order = np.argsort(-lengths, kind="stable")
        out = np.empty((len(texts), 2))
        for index in self.batches(lengths[order], order):
            t0 = time.perf_counter()
            batch = self.pad(encoded, index)
            t1 = time.perf_counter()
            logits = np.asarray(self.forward(batch), dtype=np.float64)
            t2 = time.perf_counter()
            tokenize_s, inference_s = tokenize_s + t1 - t0, inference_s + t2 - t1
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs = shifted / shifted.sum(axis=1, keepdims=True)
            out[index] = probs[:, [1 - self.fake_index, self.fake_index]]
            if progress:
                progress(len(index))
        self.times.tokenize_s, self.times.inference_s = tokenize_s, inference_s
        return out


def from_pretrained(auto_class: str, path: str | Path, trust_remote_code: bool, **kwargs):
    """``transformers.<auto_class>.from_pretrained`` as newsbench loads every checkpoint.

    ``trust_remote_code`` is always passed explicitly: left unset, transformers asks y/N on
    stdin before running a checkpoint's own code (``auto_map``), so piped input, not the
    user's flag, would decide. Any failure (missing, truncated or foreign files) becomes a
    ``ModelError`` that names the folder.

    Args:
        auto_class: ``AutoTokenizer``, ``AutoConfig`` or ``AutoModelForSequenceClassification``.
        path: a local folder (or a hub id when online).
        trust_remote_code: permit the checkpoint's own code (``--trust-remote-code``).
    """
    transformers = require("transformers", "hf")
    try:
        return getattr(transformers, auto_class).from_pretrained(str(path), trust_remote_code=trust_remote_code,
                                                                 **kwargs)
    except Exception as exc:  # noqa: BLE001 - transformers, safetensors and tokenizers raise many types
        message = describe(exc)
        if "trust_remote_code" in message:
            hint = ("; its config.json asks to run code shipped with the checkpoint (auto_map), which newsbench "
                    "did not run. If you trust where it came from, pass --trust-remote-code")
        elif Path(path).expanduser().exists():
            hint = "; the folder needs config.json, complete weights (safetensors or .bin) and tokenizer files"
        else:
            hint = "; pass a local folder with config.json, weights and tokenizer files (hub ids need a network)"
        raise ModelError(f"could not load {auto_class} from '{path}': {message}{hint}") from exc


def describe(exc: BaseException) -> str:
    """An exception as one line that always says something (some carry no message at all)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else f"{type(exc).__name__} (no message; the file may be truncated)"


def fingerprint(path: str | Path) -> str:
    """sha256 over a file, or over a folder's file names and contents (sorted)."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def fake_column(labels: Sequence[object]) -> int:
    """Which of two class labels means fake: by name (fake/false/1), else the second one."""
    names = [str(v).strip().lower() for v in labels]
    for cue in ("fake", "false", "1", "label_1"):
        if cue in names:
            return names.index(cue)
    for cue in ("real", "true", "0", "label_0"):
        if cue in names:
            return 1 - names.index(cue)
    return 1
