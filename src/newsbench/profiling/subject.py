"""What is profiled, and the detectors that run it: the one place ``profile`` and its fresh-process
probes get a model, all through the backend layer in ``newsbench.detectors``.

A subject is a Hugging Face folder or a preset architecture (a torch module, exportable to ONNX),
an ONNX export (its file), or a scikit-learn pipeline (text in, probabilities out).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from newsbench.detectors import BACKENDS, Detector, DetectorOptions, fixed_backend
from newsbench.detectors.base import from_pretrained
from newsbench.errors import require

FILE_NAMES = {"onnx": "onnx fp32", "onnx-int8": "onnx int8", "sklearn": "joblib", "heads": "heads folder"}
TEXT_BACKENDS = ("sklearn", "heads")  # detectors that read text, not token ids


@dataclass
class Subject:
    """A model to profile, loaded once.

    Attributes:
        name: the model path, or ``arch:NAME`` for a preset.
        fixed: the one backend a model file runs on (onnx, onnx-int8, sklearn), or None.
        model: the torch module (folder or preset), the scikit-learn detector, or None (ONNX file).
        config: the transformers config (None for a pipeline).
        file: the ONNX or joblib file of a fixed-backend subject.
    """

    name: str
    fixed: str | None
    model: object
    config: object
    parameters: int
    parameter_mb: float
    file: Path | None = None

    @property
    def architecture(self) -> str:
        if self.config is None:
            details = self.model.info().details
            return details.get("pipeline") or f"heads: {details.get('heads')}"
        return (self.config.architectures or [type(self.model).__name__])[0]

    @property
    def vocabulary(self) -> int | list[str]:
        """Token ids are drawn below this size, or, for a pipeline, words from this list."""
        return self.config.vocab_size if self.config is not None else self.model.vocabulary()


def load_subject(model: str | None, arch: str | None, allow_pickle: bool, trust_remote_code: bool) -> Subject:
    """Load what ``--model`` or ``--arch`` names."""
    fixed = fixed_backend(model) if model else None
    if fixed in TEXT_BACKENDS:
        detector = text_detector(fixed, model, DetectorOptions(allow_pickle=allow_pickle))
        params = detector.parameters or 0
        file = getattr(detector, "file", None) or detector.folder
        return Subject(model, fixed, detector, None, params, params * 8 / 2**20, file)  # float64 numbers
    if fixed:  # an exported file: no torch module, its config.json beside it
        from newsbench.detectors.onnx import export_record, onnx_file

        file = onnx_file(model)
        params, param_mb = onnx_parameters(file)
        export = export_record(file.parent)
        params = export.parameters if export else params
        return Subject(model, fixed, None, from_pretrained("AutoConfig", file.parent, trust_remote_code), params,
                       param_mb, file)
    torch_model = load_classifier(model, arch, trust_remote_code)
    return Subject(model or f"arch:{arch}", None, torch_model, torch_model.config,
                   sum(p.numel() for p in torch_model.parameters()),
                   sum(p.numel() * p.element_size() for p in torch_model.parameters()) / 2**20)


def text_detector(backend: str, model: str, options: DetectorOptions) -> Detector:
    """A detector that reads text: a scikit-learn pipeline or a heads model."""
    if backend == "heads":
        from newsbench.detectors.heads import HeadsDetector

        return HeadsDetector(model, options)
    from newsbench.detectors.sklearn import SklearnDetector

    return SklearnDetector(model, options)


def trained_max_length(model: str | None) -> int | None:
    """The token limit a model was fine-tuned with (its model.json), so single-stream times the
    articles as evaluate truncates them; None when unknown."""
    if not model:
        return None
    path = Path(model).expanduser()
    card = (path if path.is_dir() else path.parent) / "model.json"
    if not card.exists():
        return None
    from newsbench.results import ModelCard
    from newsbench.serialize import read_json

    return read_json(ModelCard, card).max_length


def load_classifier(model: str | None, arch: str | None, trust_remote_code: bool = False):
    """The torch classifier of a folder (its weights) or a preset (random weights), in eval mode."""
    if arch:
        from newsbench.training.presets import random_classifier

        return random_classifier(arch)
    return from_pretrained("AutoModelForSequenceClassification", model, trust_remote_code).eval()


def detector(subject: Subject, backend: str, files: dict[str, Path], threads: int) -> Detector:
    """The detector that runs ``subject`` on ``backend`` with ``threads`` threads, in this process."""
    options = DetectorOptions(threads=threads, precision=BACKENDS[backend][1])
    if backend in TEXT_BACKENDS:
        subject.model.set_threads(threads)
        return subject.model
    if backend.startswith("onnx"):
        from newsbench.detectors.onnx import OnnxDetector

        return OnnxDetector.bare(files[backend], options)
    from newsbench.detectors.hf import HFDetector

    return HFDetector.from_loaded(subject.model, None, options, subject.name)


def detector_from_spec(spec: dict) -> Detector:
    """The same detector, built in a fresh probe process from a JSON spec (``probes.spec``)."""
    backend = spec["backend"]
    options = DetectorOptions(threads=spec["threads"], precision=BACKENDS[backend][1],
                              allow_pickle=bool(spec.get("allow_pickle")),
                              trust_remote_code=bool(spec.get("trust_remote_code")))
    if backend in TEXT_BACKENDS:
        return text_detector(backend, spec["model"], options)
    if backend.startswith("onnx"):  # torch is never imported, so its libraries do not count
        from newsbench.detectors.onnx import OnnxDetector

        return OnnxDetector.bare(spec["file"], options)
    from newsbench.detectors.hf import HFDetector

    model = load_classifier(spec.get("model"), spec.get("arch"), bool(spec.get("trust_remote_code")))
    return HFDetector.from_loaded(model, None, options, spec.get("model") or "")


def export_files(subject: Subject, folder: Path, backends: list[str]) -> dict[str, Path]:
    """The files each backend runs: ONNX fp32/int8 exports of a torch subject, or a model file's own."""
    if subject.fixed:
        return {subject.fixed: subject.file}
    if not any(b.startswith("onnx") for b in backends):
        return {}
    require("onnxruntime", "onnx")
    from newsbench.export import quantize_int8, to_onnx

    files = {"onnx": to_onnx(subject.model, folder / "model.onnx")}
    if "onnx-int8" in backends:
        quantize_int8(files["onnx"], folder / "model.int8.onnx")
        files["onnx-int8"] = folder / "model.int8.onnx"
    return files


def file_sizes(subject: Subject, files: dict[str, Path]) -> tuple[float, dict[str, float]]:
    """(size of the weights on disk, MB per format) for the static cost."""
    if subject.fixed:
        file = subject.file
        disk = (sum(p.stat().st_size for p in file.rglob("*") if p.is_file()) if file.is_dir()
                else file.stat().st_size) / 2**20
        return disk, {FILE_NAMES[subject.fixed]: disk}
    disk = disk_mb(subject.model, None if subject.name.startswith("arch:") else subject.name)
    return disk, {"safetensors fp32": disk, **{FILE_NAMES[b]: f.stat().st_size / 2**20 for b, f in files.items()}}


def onnx_parameters(file: Path) -> tuple[int, float]:
    """Parameter count and MB of an ONNX file's initializers (int8 weights count one byte each)."""
    import onnx
    from onnx import numpy_helper

    tensors = [numpy_helper.to_array(t) for t in onnx.load(str(file)).graph.initializer]
    # Quantization adds scalar scales and zero points; count only tensors with more than one value.
    weights = [t for t in tensors if t.size > 1]
    return int(sum(t.size for t in weights)), sum(t.nbytes for t in weights) / 2**20


def disk_mb(model, path: str | None) -> float:
    """Size of the weights on disk: the folder's weight files, or a fresh safetensors save."""
    if path is not None:
        files = [p for p in Path(path).iterdir() if p.suffix in (".safetensors", ".bin", ".onnx")]
        if files:
            return sum(p.stat().st_size for p in files) / 2**20
    with tempfile.TemporaryDirectory() as folder:
        model.save_pretrained(folder)
        return sum(p.stat().st_size for p in Path(folder).glob("*.safetensors")) / 2**20
