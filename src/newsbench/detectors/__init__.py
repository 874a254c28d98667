"""Detector backends, registered by short name and imported only when used.

``newsbench --help`` must not import torch, so the registry maps names to "module:Class"
strings and ``load_detector`` imports the one it needs.
"""

from __future__ import annotations

import difflib
import importlib
from pathlib import Path

from newsbench.detectors.base import Detector, DetectorOptions, StageTimes
from newsbench.errors import ModelError

BACKENDS = {
    "hf": "newsbench.detectors.hf:HFDetector",
    "sklearn": "newsbench.detectors.sklearn:SklearnDetector",
    "onnx": "newsbench.detectors.onnx:OnnxDetector",
    "fake": "newsbench.detectors.fake:FakeDetector",
}
PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")

__all__ = ["BACKENDS", "Detector", "DetectorOptions", "StageTimes", "detect_backend", "load_detector"]


def detect_backend(model: str) -> str:
    """Guess the backend from what ``model`` points to.

    ``fake`` or ``fake:...`` -> fake; a .onnx file or a folder holding one -> onnx; a folder
    with config.json -> hf; a folder with
    model.joblib or a .joblib/.pkl file -> sklearn; an ``org/name`` that is not a local path
    -> hf (a hub id, which needs a network connection).
    """
    if model == "fake" or model.startswith("fake:"):
        return "fake"
    path = Path(model).expanduser()
    if path.suffix == ".onnx" or (path.is_dir() and any(path.glob("*.onnx"))):
        return "onnx"
    if path.is_dir():
        if (path / "config.json").exists():
            return "hf"
        if (path / "model.joblib").exists():
            return "sklearn"
        raise ModelError(
            f"{model}: a folder with neither config.json (Hugging Face model) nor model.joblib "
            f"(scikit-learn pipeline); contents: {sorted(p.name for p in path.iterdir())[:10]}"
        )
    if path.is_file():
        if path.suffix in PICKLE_SUFFIXES:
            return "sklearn"
        raise ModelError(f"{model}: cannot tell the backend from a '{path.suffix}' file; pass --backend")
    if model.count("/") == 1 and not model.startswith((".", "/", "~")):
        return "hf"
    raise ModelError(f"model not found: {model} (no such file or folder)")


def load_detector(model: str, backend: str = "auto", options: DetectorOptions = DetectorOptions()) -> Detector:
    """Load a detector by backend name ("auto" detects it from the path).

    Args:
        model: model folder, file, hub id, or ``fake[:cues]``.
        backend: one of BACKENDS, or "auto".
        options: batch size, padding, threads and safety opt-ins.
    """
    name = detect_backend(model) if backend == "auto" else backend
    if name not in BACKENDS:
        close = difflib.get_close_matches(name, BACKENDS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ModelError(f"unknown backend '{name}'; known: {', '.join(BACKENDS)}{hint}")
    module, cls = BACKENDS[name].split(":")
    return getattr(importlib.import_module(module), cls)(model, options)
