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
from newsbench.detectors.kinds import detect_backend
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

__all__ = ["BACKENDS", "Detector", "DetectorOptions", "StageTimes", "choose_backend", "detect_backend",
           "fixed_backend", "load_detector"]


def fixed_backend(model: str) -> str | None:
    """The one backend a model file runs on: ``onnx``/``onnx-int8`` for an ONNX export at its
    precision, ``sklearn`` for a joblib pipeline; None for a Hugging Face folder (any backend)."""
    kind = detect_backend(model)
    if kind == "onnx":
        from newsbench.detectors.onnx import file_precision, onnx_file

        return "onnx-int8" if file_precision(onnx_file(model)) == "int8" else "onnx"
    return kind if kind in ("sklearn", "heads") else None


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
