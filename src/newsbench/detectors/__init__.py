"""Detector backends, registered by short name and imported only when used.

``newsbench --help`` must not import torch, so the registry maps names to "module:Class"
strings and ``load_detector`` imports the one it needs.
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import replace
from pathlib import Path

from newsbench.detectors.base import Detector, DetectorOptions, StageTimes
from newsbench.errors import ModelError

# name -> (implementation, precision)
BACKENDS = {
    "torch": ("newsbench.detectors.hf:HFDetector", "fp32"),
    "torch-bf16": ("newsbench.detectors.hf:HFDetector", "bf16"),
    "onnx": ("newsbench.detectors.onnx:OnnxDetector", "fp32"),
    "onnx-int8": ("newsbench.detectors.onnx:OnnxDetector", "int8"),
    "sklearn": ("newsbench.detectors.sklearn:SklearnDetector", "fp32"),
    "heads": ("newsbench.detectors.heads:HeadsDetector", "fp32"),
    "fake": ("newsbench.detectors.fake:FakeDetector", "fp32"),
}
ALIASES = {"hf": "torch"}
PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")

__all__ = ["BACKENDS", "Detector", "DetectorOptions", "StageTimes", "choose_backend", "detect_backend",
           "fixed_backend", "load_detector"]


def detect_backend(model: str) -> str:
    """Guess the backend from what ``model`` points to.

    ``fake`` or ``fake:...`` -> fake; a .onnx file or a folder holding one -> onnx; a folder
    with heads.json -> heads; a folder with config.json -> torch (a Hugging Face model); a
    folder with model.joblib or a .joblib/.pkl file -> sklearn; an ``org/name`` that is not a
    local path -> torch (a hub id, which needs a network connection).
    """
    if model == "fake" or model.startswith("fake:"):
        return "fake"
    path = Path(model).expanduser()
    if path.suffix == ".onnx" or (path.is_dir() and any(path.glob("*.onnx"))):
        return "onnx"
    if path.is_dir():
        if (path / "heads.json").exists():
            return "heads"
        if (path / "config.json").exists():
            return "torch"
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
    if hub_id(model):
        return "torch"
    raise ModelError(f"model not found: {model} (no such file or folder){_near(path)}")


def fixed_backend(model: str) -> str | None:
    """The one backend a model file runs on: ``onnx``/``onnx-int8`` for an ONNX export at its
    precision, ``sklearn`` for a joblib pipeline; None for a Hugging Face folder (any backend)."""
    kind = detect_backend(model)
    if kind == "onnx":
        from newsbench.detectors.onnx import file_precision, onnx_file

        return "onnx-int8" if file_precision(onnx_file(model)) == "int8" else "onnx"
    return kind if kind in ("sklearn", "heads") else None


def hub_id(model: str) -> bool:
    """Whether ``model``, which is not a local path, should be fetched from the Hugging Face hub.

    Only an ``org/name`` whose ``org`` is not a local folder (``runs/typo`` is a typo, not a hub
    id), and, when offline (HF_HUB_OFFLINE), only one already in the local hub cache; otherwise
    the answer is "not found" at once instead of a minute of retries.
    """
    if model.count("/") != 1 or model.startswith((".", "/", "~")) or Path(model.split("/")[0]).is_dir():
        return False
    try:
        from huggingface_hub import constants, try_to_load_from_cache
    except ImportError:  # no Hugging Face stack: loading it will say which extra to install
        return True
    if not constants.is_offline_mode():
        return True
    try:
        return isinstance(try_to_load_from_cache(model, "config.json"), str)
    except Exception:  # noqa: BLE001 - not a valid repo id
        return False


def _near(path: Path) -> str:
    """Hints for a missing model path: the closest name in its folder, or that hub ids need a network."""
    folder = path.absolute().parent
    if folder.is_dir() and str(path).count("/") >= 1:
        names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        close = difflib.get_close_matches(path.name, names, n=3)
        if close:
            return f"; did you mean {', '.join(str(folder / c) for c in close)}?"
        return f"; {folder} holds: {', '.join(names[:10])}" if names else f"; {folder} is empty"
    if str(path).count("/") == 1:
        return "; it is not a local folder, and hub ids cannot be downloaded offline (HF_HUB_OFFLINE is set)"
    return ""


def choose_backend(model: str, flags: set[str] | None = None,
                   options: DetectorOptions = DetectorOptions()) -> tuple[str, str]:
    """The backend ``auto`` runs ``model`` on, and why.

    A model file has one backend. A local Hugging Face folder gets the measured-fastest backend
    whose parity check passes on this CPU at ``options``' threads and batch size
    (``newsbench.detectors.choice``; measured once, then cached). A hub id, which cannot be
    exported and timed before it is downloaded, gets the one the CPU flags suggest.
    """
    from newsbench.detectors.choice import flag_choice, measured_choice
    from newsbench.environment import cpu_flags

    kind = detect_backend(model)
    if kind != "torch":
        fixed = fixed_backend(model) or kind
        return fixed, f"{fixed}: the only backend for this model file"
    flags = cpu_flags() if flags is None else flags
    if not Path(model).expanduser().is_dir():
        return flag_choice(flags)
    return measured_choice(model, options, flags, load_detector)


def load_detector(model: str, backend: str = "auto", options: DetectorOptions = DetectorOptions()) -> Detector:
    """Load a detector by backend name ("auto": the measured-fastest one on this CPU, see ``choose_backend``).

    Args:
        model: model folder, file, hub id, or ``fake[:cues]``.
        backend: one of BACKENDS (``hf`` = ``torch``), or "auto" (see ``choose_backend``).
        options: batch size, padding, threads and safety opt-ins; the backend sets the precision.
    """
    reason = None
    name = ALIASES.get(backend, backend)
    if name == "auto":
        name, reason = choose_backend(model, options=options)
    if name not in BACKENDS:
        close = difflib.get_close_matches(name, BACKENDS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ModelError(f"unknown backend '{name}'; known: {', '.join(BACKENDS)}, auto{hint}")
    target, precision = BACKENDS[name]
    module, cls = target.split(":")
    source = model
    if name.startswith("onnx") and Path(model).expanduser().is_dir() and detect_backend(model) == "torch":
        from newsbench.export import cached_export  # a Hugging Face folder: exported once, then reused

        source = str(cached_export(model, int8=precision == "int8", trust_remote_code=options.trust_remote_code))
    detector = getattr(importlib.import_module(module), cls)(source, replace(options, precision=precision))
    if source != model and detector.precision != "fp32":
        # A cached export may have been made from an identical copy that no longer exists: the
        # fp32 reference is the folder asked for, not the path export.json recorded.
        detector.reference = model
    detector.path = model
    detector.choice = reason or f"{name}: asked for"
    return detector
