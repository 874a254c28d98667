"""What kind of model a path or name is, from what it points to (no backend is imported)."""

from __future__ import annotations

import difflib
from pathlib import Path

from newsbench.errors import ModelError

PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")


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
