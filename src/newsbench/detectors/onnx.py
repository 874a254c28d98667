"""ONNX Runtime classifiers (fp32 or dynamic int8), on the CPU.

An exported folder (``newsbench export``) holds ``model.onnx`` (or ``model.int8.onnx``), the
tokenizer, ``config.json`` for the label names, and ``export.json`` with the parity check
against the PyTorch model. ``load_detector`` exports a Hugging Face folder on first use and
caches the export (``newsbench.export.cached_export``), so ``--backend onnx-int8`` works on any
fine-tuned model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from newsbench.detectors.base import (
    DetectorOptions,
    TokenizedDetector,
    describe,
    fake_column,
    fingerprint,
    from_pretrained,
)
from newsbench.errors import DataError, ModelError, require
from newsbench.results import ExportResult, ModelInfo
from newsbench.serialize import read_json


def onnx_file(model: str | Path) -> Path:
    """The .onnx file a path names: the file itself, or the single .onnx file in a folder."""
    path = Path(model).expanduser()
    if path.is_file() and path.suffix == ".onnx":
        return path
    found = sorted(path.glob("*.onnx")) if path.is_dir() else []
    if len(found) != 1:
        raise ModelError(f"{model}: expected a .onnx file or a folder with exactly one (found {len(found)}); "
                         "create one with newsbench export")
    return found[0]


def export_record(folder: Path) -> ExportResult | None:
    """The ``export.json`` that newsbench export wrote beside an ONNX file (None if there is none)."""
    report = Path(folder) / "export.json"
    if not report.exists():
        return None
    try:
        return read_json(ExportResult, report)
    except DataError as exc:
        raise ModelError(f"{exc}; export the model again with newsbench export") from exc


def file_precision(file: Path) -> str:
    """``int8`` for a quantized export (export.json says so, or the name is *.int8.onnx), else ``fp32``."""
    export = export_record(file.parent)
    if export is not None and export.file.endswith(file.name):
        return "int8" if export.int8 else "fp32"
    return "int8" if ".int8." in file.name else "fp32"


def onnx_session(file: str | Path, threads: int | None = None):
    """An ONNX Runtime CPU session for ``file``: ``threads`` intra-op threads (None = ONNX
    Runtime's default) and one inter-op thread. The only place newsbench creates sessions, so
    ``evaluate`` and ``profile`` always run the same configuration; it never imports torch."""
    ort = require("onnxruntime", "onnx")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or 0  # 0 = onnxruntime's default
    options.inter_op_num_threads = 1
    try:
        return ort.InferenceSession(str(file), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own pybind types
        raise ModelError(f"{file}: ONNX Runtime cannot load it ({describe(exc)}); the file is corrupt or not an "
                         "ONNX model: export it again with newsbench export") from exc


class OnnxDetector(TokenizedDetector):
    """An exported classifier run by onnxruntime's CPU provider with a fixed thread count.

    ``model`` is a .onnx file, or a folder holding one, with the tokenizer and config.json beside
    it (``newsbench export`` writes them; ``load_detector`` exports a Hugging Face folder first).
    """

    backend = "onnx"

    def __init__(self, model: str, options: DetectorOptions = DetectorOptions()):
        super().__init__()
        self.path, self.options = str(model), options
        self.file = onnx_file(model)
        folder = self.file.parent
        self.tokenizer = from_pretrained("AutoTokenizer", folder, options.trust_remote_code)
        config = from_pretrained("AutoConfig", folder, options.trust_remote_code)
        self.fake_index = fake_column([config.id2label[i] for i in range(2)])
        positions = getattr(config, "max_position_embeddings", None) or options.max_length
        self.max_length = min(options.max_length, positions)
        self.export = export_record(folder)
        self.precision = file_precision(self.file)
        if options.precision != self.precision:
            wanted = "onnx-int8" if self.precision == "int8" else "onnx"
            raise ModelError(f"{self.file} holds {self.precision} weights but {options.precision} was asked for; "
                             f"use --backend {wanted} (or auto) for this file, or pass the Hugging Face folder, "
                             "which is exported at the precision asked for")
        source_model = self.export.source if self.export else None
        self.reference = source_model if self.precision != "fp32" and source_model and Path(
            source_model).exists() else None
        self.set_threads(options.threads)

    @classmethod
    def bare(cls, file: str | Path, options: DetectorOptions = DetectorOptions()) -> OnnxDetector:
        """The session alone, for timing ``forward`` on token ids (no tokenizer, no transformers)."""
        detector = cls.__new__(cls)
        TokenizedDetector.__init__(detector)
        detector.path, detector.options, detector.file = str(file), options, Path(file)
        detector.tokenizer, detector.fake_index, detector.max_length = None, 1, options.max_length
        detector.export, detector.precision = export_record(Path(file).parent), file_precision(Path(file))
        detector.set_threads(options.threads)
        return detector

    def set_threads(self, threads: int | None) -> None:
        self.threads = threads
        self.session = onnx_session(self.file, threads)
        self.inputs = [i.name for i in self.session.get_inputs()]

    def forward(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        return self.session.run(["logits"], {k: batch[k].astype(np.int64) for k in self.inputs})[0]

    def info(self) -> ModelInfo:
        return ModelInfo(
            path=self.path,
            backend=self.name,
            fingerprint=fingerprint(self.file),
            parameters=self.export.parameters if self.export else None,
            details={
                "file": str(self.file),
                "precision": (self.export.quantization if self.export else "int8") if self.precision == "int8"
                else "fp32",
                "max_length": str(self.max_length),
                "padding": self.options.padding,
                "batch_size": str(self.options.batch_size),
                "threads": str(self.threads or "onnxruntime default"),
                "onnxruntime": require("onnxruntime", "onnx").__version__,
            },
        )
