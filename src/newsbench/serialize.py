"""One JSON (de)serialiser for every result object, driven by the type hints.

``to_json``/``from_json`` convert any dataclass in ``results`` (and the profile and comparison
results), so the schema lives in the classes and a round trip gives back an equal object.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from pathlib import Path
from typing import Any

from newsbench.errors import DataError
from newsbench.results import SCHEMA_VERSION


def to_dict(obj: Any) -> Any:
    """Convert a result object (dataclasses, lists, dicts, tuples, floats) to JSON-ready data.

    Non-finite floats become None, since JSON has no NaN.
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_dict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if hasattr(obj, "item"):  # numpy scalars
        return to_dict(obj.item())
    return obj


_PLAIN = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}


def from_dict(cls: Any, data: Any, where: str = "") -> Any:
    """Inverse of ``to_dict`` for a target type ``cls`` (a dataclass or a typing hint). A value of
    the wrong plain type (a string where a bool belongs: "no" would read as true) is a TypeError
    naming the field (``where``)."""
    origin, args = typing.get_origin(cls), typing.get_args(cls)
    if data is None:
        return float("nan") if cls is float else None
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return from_dict(inner[0], data, where) if len(inner) == 1 else data
    if dataclasses.is_dataclass(cls):
        if not isinstance(data, dict):
            raise TypeError(f"{where or cls.__name__}: expected an object, found {data!r:.60}")
        hints = typing.get_type_hints(cls)
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: from_dict(hints[k], v, f"{where}.{k}".lstrip(".")) for k, v in data.items() if k in known}
        try:
            return cls(**values)
        except ValueError as exc:  # a class's own check (an Estimate outside [0, 1])
            raise ValueError(f"{where}: {exc}" if where else str(exc)) from exc
    if origin in (list, tuple, dict) and not isinstance(data, dict if origin is dict else list):
        raise TypeError(f"{where}: expected {'an object' if origin is dict else 'a list'}, found {data!r:.60}")
    if origin is list:
        return [from_dict(args[0], v, f"{where}[{i}]") for i, v in enumerate(data)]
    if origin is tuple:
        return tuple(from_dict(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, data))) \
            if args and args[-1] is not ... else tuple(data)
    if origin is dict:
        return {k: from_dict(args[1], v, f"{where}.{k}") for k, v in data.items()}
    if cls in _PLAIN:
        fits = isinstance(data, bool) if cls is bool else isinstance(data, cls) and not isinstance(data, bool) \
            or cls is float and isinstance(data, int) and not isinstance(data, bool)
        if not fits:
            raise TypeError(f"{where}: expected {_PLAIN[cls]}, found {data!r:.60}")
        return float(data) if cls is float else data
    return data


def to_json(obj: Any) -> str:
    return json.dumps(to_dict(obj), indent=2, ensure_ascii=False, allow_nan=False)


def from_json(cls: type, text: str, source: str = "JSON") -> Any:
    """Parse ``text`` as a ``cls`` result; anything else is a ``DataError`` naming ``source``.

    The file must be a JSON object of a readable schema version, of ``cls``'s ``kind`` when
    ``cls`` declares one, with every field ``cls`` requires.
    """
    name = getattr(cls, "__name__", str(cls))
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DataError(f"{source}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise DataError(f"{source}: expected a JSON object ({name}), found a {type(data).__name__}")
    version = str(data.get("schema_version", SCHEMA_VERSION))
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise DataError(f"{source}: schema version {version} is not readable by this newsbench "
                        f"(reads {SCHEMA_VERSION})")
    kinds = {f.name: f.default for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else {}
    expected = kinds.get("kind")
    if isinstance(expected, str) and data.get("kind", expected) != expected:
        raise DataError(f"{source}: a newsbench {data.get('kind')!r} file, not {expected!r}")
    try:
        return from_dict(cls, data)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise DataError(f"{source}: not a complete newsbench {name} ({type(exc).__name__}: {exc})") from exc


def read_json(cls: type, path: str | Path) -> Any:
    """Read a result file newsbench wrote (results.json, model.json, profile.json, ...)."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from exc
    return from_json(cls, text, str(path))
