"""The study file: one small TOML naming detectors, datasets and what to measure.

``load_study(path)`` reads and validates it. Every error names the file, the line, the key and
what is allowed; an unknown key gets a did-you-mean. ``${NEWSBENCH_DATA_DIR}`` (or any
environment variable) in a string is expanded.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import string
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbench.config import ProfileConfig, TrainConfig
from newsbench.errors import ConfigError, NewsbenchError
from newsbench.sources import DataSpec

# Profile settings a study uses unless its [profile] table says otherwise: the real length mix
# (single-stream), one batch sweep at 512 tokens, memory at 128 and 512 tokens; about a minute.
PROFILE_DEFAULTS = {"batch_sizes": [1, 8], "lengths": [512], "memory_lengths": [128, 512], "memory_batches": [1],
                    "queries": 100, "load_runs": 1, "seconds_per_point": 1.0}
PROFILE_KEYS = ("texts", "threads", "batch_sizes", "lengths", "memory_lengths", "memory_batches", "queries",
                "load_runs", "seconds_per_point")
TRAIN_KEYS = tuple(f.name for f in dataclasses.fields(TrainConfig) if f.name not in ("out", "resume"))
DETECTOR_KEYS = ("name", "train", "path", "backends", "allow_pickle", "trust_remote_code", "batch_size",
                 "max_length", "threshold")
DATASET_KEYS = ("name", "data", "max_rows", "where", "text_cols", "label_col", "group_by")
STUDY_KEYS = ("name", "seed", "bootstrap")
CROSSVAL_KEYS = ("data", "recipes", "protocol", "max_rows", "balance", "group_cols", "near_duplicate", "where",
                 "augment", "augment_where", "val_size", "strip_datelines", "strip_artifacts", "text_cols",
                 "label_col", "bootstrap", "n_bootstrap")  # bootstrap: crossval's --bootstrap (n_bootstrap in Python)
TOP_KEYS = ("study", "detectors", "datasets", "profile", "crossval")


@dataclass(frozen=True)
class StudyDetector:
    """One detector of the study: trained from a recipe, or an existing model (``path``).

    Each backend in ``backends`` is evaluated and profiled as its own row; None = the backend
    ``auto`` picks for this CPU.
    """

    name: str
    train: dict[str, Any] | None = None
    path: str | None = None
    backends: list[str | None] = field(default_factory=lambda: [None])
    allow_pickle: bool = False
    trust_remote_code: bool = False
    batch_size: int = 32
    max_length: int | None = None
    threshold: float | str = 0.5


@dataclass(frozen=True)
class StudyDataset:
    """One external evaluation set: data specs as ``--data`` takes them, pooled into one dataset."""

    name: str
    data: list[str]
    max_rows: int | None = None
    text_cols: list[str] | None = None
    label_col: str | None = None
    group_by: list[str] | None = None
    #: keep only rows whose column holds one of these values, e.g. {"setting": ["A"]}
    where: dict[str, list[str]] = field(default_factory=dict)

    @property
    def filters(self) -> list[str]:
        """``where`` as ``--where COL=VALUE`` items."""
        return [f"{column}={value}" for column, values in self.where.items() for value in values]


@dataclass(frozen=True)
class Study:
    """A validated study file."""

    name: str
    seed: int
    detectors: list[StudyDetector]
    datasets: list[StudyDataset]
    profile: dict[str, Any] | None
    bootstrap: int = 1000
    source: str = ""
    crossval: dict[str, Any] | None = None  # CrossvalConfig settings (``[crossval]``), the seed is the study's


class _Where:
    """Finds the line of a key in the study file, for error messages (tomllib keeps no positions)."""

    def __init__(self, path: Path, text: str):
        self.path, self.lines = path, text.splitlines()

    def line(self, table: str | None, index: int | None, key: str | None) -> int | None:
        headers = [i for i, line in enumerate(self.lines)
                   if re.match(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?$", line)] if table else [-1]
        if not headers:
            return None
        start = headers[index or 0] if (index or 0) < len(headers) else headers[-1]
        end = next((i for i in range(start + 1, len(self.lines)) if re.match(r"^\s*\[", self.lines[i])),
                   len(self.lines))
        if key is None:
            return start + 1
        for i in range(start + 1, end):
            if re.search(rf"(^|[{{,\s]){re.escape(key)}\s*=", self.lines[i]):
                return i + 1
        return start + 1 if start >= 0 else None

    def error(self, message: str, table: str | None = None, index: int | None = None,
              key: str | None = None) -> ConfigError:
        line = self.line(table, index, key)
        return ConfigError(f"{self.path}{f' line {line}' if line else ''}: {message}")


def load_study(path: str | Path) -> Study:
    """Read and validate a study file."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the study file ({exc})") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    where = _Where(path, text)
    raw = _expand(raw)
    _check_keys(raw, TOP_KEYS, where, None, None, "the study file")
    head = _table(raw.get("study", {}), where, "study")
    _check_keys(head, STUDY_KEYS, where, "study", None, "[study]")
    name = _typed(head.get("name", path.stem), str, where, "study", None, "name")
    seed = _typed(head.get("seed", 0), int, where, "study", None, "seed")
    bootstrap = _typed(head.get("bootstrap", 1000), int, where, "study", None, "bootstrap")
    if bootstrap < 0:
        raise where.error(f"bootstrap must be 0 (no intervals) or more resamples, got {bootstrap}", "study", None,
                          "bootstrap")

    detectors = [_detector(d, i, where) for i, d in enumerate(_tables(raw, "detectors", where))]
    datasets = [_dataset(d, i, where) for i, d in enumerate(_tables(raw, "datasets", where))]
    if not detectors:
        raise where.error("no [[detectors]]: name at least one detector to study")
    for kind, items in (("detectors", detectors), ("datasets", datasets)):
        names = [item.name for item in items]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise where.error(f"[[{kind}]] names must be unique; {repeated} repeat", kind, names.index(repeated[0]),
                              "name")
        # Each name is a folder: two that give one folder would share (and overwrite) its results.
        folders = [folder_name(n).lower() for n in names]
        for i, folder in enumerate(folders):
            other = folders.index(folder)
            if other != i:
                raise where.error(f"[[{kind}]] '{names[other]}' and '{names[i]}' would share the folder "
                                  f"'{folder_name(names[i])}'; rename one", kind, i, "name")
            if kind == "datasets" and folder in RESERVED:
                raise where.error(f"dataset name '{names[i]}' is taken: {' and '.join(RESERVED)} name the folders "
                                  "of the held-out split and the profile; rename it", kind, i, "name")
            if kind == "datasets" and "=" in names[i]:
                raise where.error(f"dataset name '{names[i]}' holds '=', which --data reads as NAME=PATH; rename it",
                                  kind, i, "name")
    profile = None
    if "profile" in raw:
        table = _table(raw["profile"], where, "profile")
        _check_keys(table, PROFILE_KEYS, where, "profile", None, "[profile]")
        profile = {**PROFILE_DEFAULTS, **table}
        try:  # the same validation as newsbench profile
            ProfileConfig(arch="minilm-l6", backends=["torch"], **profile)
        except ConfigError as exc:
            raise where.error(f"[profile]: {exc}", "profile") from None
    crossval = None
    if "crossval" in raw:
        crossval = dict(_table(raw["crossval"], where, "crossval"))
        _check_keys(crossval, CROSSVAL_KEYS, where, "crossval", None, "[crossval]")
        crossval["data"] = _strings(crossval.get("data"), where, "crossval", None, "data", "[crossval] data")
        _check_data(crossval["data"], where, "crossval", None, "data", "[crossval]")
        if "augment" in crossval:
            crossval["augment"] = _strings(crossval["augment"], where, "crossval", None, "augment",
                                           "[crossval] augment")
            _check_data(crossval["augment"], where, "crossval", None, "augment", "[crossval]")
        if "bootstrap" in crossval:
            if "n_bootstrap" in crossval:
                raise where.error("[crossval] gives both bootstrap and n_bootstrap: keep bootstrap", "crossval")
            crossval["n_bootstrap"] = crossval.pop("bootstrap")
        from newsbench.generalisation.config import CrossvalConfig

        try:  # the same validation as newsbench crossval
            CrossvalConfig(seed=seed, **crossval)
        except (ConfigError, TypeError) as exc:
            raise where.error(f"[crossval]: {exc}", "crossval") from None
    if not datasets and not any(d.train for d in detectors):
        raise where.error("nothing to evaluate: add [[datasets]], or a detector with train (its held-out split)")
    return Study(name, seed, detectors, datasets, profile, bootstrap, str(path), crossval)


def folder_name(name: str) -> str:
    """The folder a detector or dataset name gets under runs/: letters, digits, '-' and '_' kept."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)[:60] or "unnamed"


RESERVED = ("held-out", "profile")  # folders beside a detector's dataset folders


def _expand(value):
    """``${NAME}`` in strings -> the environment variable's value (left as is when unset)."""
    if isinstance(value, str):
        return string.Template(value).safe_substitute(os.environ)
    if isinstance(value, list):
        return [_expand(v) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    return value


def _tables(raw: dict, kind: str, where: _Where) -> list[dict]:
    items = raw.get(kind, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise where.error(f"'{kind}' must be an array of tables: write each as [[{kind}]]", kind)
    return items


def _table(value, where: _Where, name: str) -> dict:
    if not isinstance(value, dict):
        raise where.error(f"[{name}] must be a table, got {type(value).__name__}", name)
    return value


def _check_keys(table: dict, known, where: _Where, kind: str | None, index: int | None, what: str) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            raise where.error(f"unknown key '{key}' in {what}" + (f"; did you mean '{close[0]}'?" if close else "")
                              + f" Keys: {', '.join(known)}", kind, index, key)


def _typed(value, kind, where: _Where, table: str, index: int | None, key: str, what: str = ""):
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        ok, value = True, float(value)
    if not ok:
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise where.error(f"{what or key} must be {names}, got {value!r}", table, index, key)
    return value


def _strings(value, where: _Where, table: str, index: int, key: str, what: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise where.error(f"{what} must be a non-empty list of strings, got {value!r}", table, index, key)
    return value


def _named(table: dict, i: int, where: _Where, kind: str, keys) -> str:
    """The name of the i-th [[kind]] table, after checking its keys."""
    _check_keys(table, keys, where, kind, i, f"[[{kind}]] #{i + 1}")
    if "name" not in table:
        raise where.error(f"[[{kind}]] #{i + 1} has no name", kind, i)
    return _typed(table["name"], str, where, kind, i, "name")


def _detector(table: dict, i: int, where: _Where) -> StudyDetector:
    name = _named(table, i, where, "detectors", DETECTOR_KEYS)
    what = f"detector '{name}'"
    if ("train" in table) == ("path" in table):
        raise where.error(f"{what}: give exactly one of train = {{...}} (a recipe) or path = \"...\" (a model)",
                          "detectors", i, "name")
    train = None
    if "train" in table:
        train = dict(_table(table["train"], where, "detectors"))
        _check_keys(train, TRAIN_KEYS, where, "detectors", i, f"{what}'s train")
        train["data"] = _strings(train.get("data"), where, "detectors", i, "train", f"{what}: train.data")
        try:
            TrainConfig(out=Path(tempfile.gettempdir()) / f"newsbench-check-{os.getpid()}", **train)
        except (ConfigError, TypeError) as exc:
            raise where.error(f"{what}: train: {exc}", "detectors", i, "train") from None
        _check_data(train["data"], where, "detectors", i, "train", what)
    path = _typed(table["path"], str, where, "detectors", i, "path", f"{what}: path") if "path" in table else None
    backends = table.get("backends")
    if backends is not None:
        backends = _strings(backends, where, "detectors", i, "backends", f"{what}: backends")
        from newsbench.detectors import ALIASES, BACKENDS

        plain = [ALIASES.get(b, b) for b in backends]
        twice = sorted({b for b in plain if plain.count(b) > 1})
        if twice:
            raise where.error(f"{what}: backend '{twice[0]}' is listed twice (aliases count as the same)",
                              "detectors", i, "backends")
        for backend in backends:
            if ALIASES.get(backend, backend) not in (*BACKENDS, "auto"):
                close = difflib.get_close_matches(backend, BACKENDS, n=1)
                raise where.error(f"{what}: unknown backend '{backend}'" + (f"; did you mean '{close[0]}'?" if close
                                                                             else "")
                                  + f" Backends: {', '.join(BACKENDS)}, auto", "detectors", i, "backends")
    batch_size = _typed(table.get("batch_size", 32), int, where, "detectors", i, "batch_size")
    max_length = _typed(table["max_length"], int, where, "detectors", i, "max_length") \
        if "max_length" in table else None
    threshold = _typed(table.get("threshold", 0.5), (float, int, str), where, "detectors", i, "threshold")
    if isinstance(threshold, str) and threshold != "validation":
        try:  # "0.7" as evaluate --threshold takes it
            threshold = float(threshold)
        except ValueError:
            threshold = float("nan")
    for key, bad in (("batch_size", batch_size < 1), ("max_length", max_length is not None and max_length < 8),
                     ("threshold", threshold != "validation" and not (isinstance(threshold, (int, float))
                                                                      and 0 <= threshold <= 1))):
        if bad:
            raise where.error(f"{what}: {key} must be "
                              + {"batch_size": "at least 1", "max_length": "at least 8 tokens",
                                 "threshold": "a number in [0, 1] or \"validation\""}[key]
                              + f", got {table[key]!r}", "detectors", i, key)
    return StudyDetector(
        name=name, train=train, path=path,
        backends=[None if b == "auto" else b for b in backends] if backends else [None],
        allow_pickle=_typed(table.get("allow_pickle", False), bool, where, "detectors", i, "allow_pickle"),
        trust_remote_code=_typed(table.get("trust_remote_code", False), bool, where, "detectors", i,
                                 "trust_remote_code"),
        batch_size=batch_size, max_length=max_length, threshold=threshold,
    )


def _dataset(table: dict, i: int, where: _Where) -> StudyDataset:
    name = _named(table, i, where, "datasets", DATASET_KEYS)
    what = f"dataset '{name}'"
    if "data" not in table:
        raise where.error(f"{what} has no data: data = [\"file.csv\", ...] (as --data takes them)", "datasets", i,
                          "name")
    data = _strings(table["data"], where, "datasets", i, "data", f"{what}: data")
    _check_data(data, where, "datasets", i, "data", what)
    max_rows = table.get("max_rows")
    if max_rows is not None and (_typed(max_rows, int, where, "datasets", i, "max_rows") < 10):
        raise where.error(f"{what}: max_rows must be at least 10, got {max_rows}", "datasets", i, "max_rows")
    optional = {key: _strings(table[key], where, "datasets", i, key, f"{what}: {key}")
                for key in ("text_cols", "group_by") if key in table}
    label_col = _typed(table["label_col"], str, where, "datasets", i, "label_col") if "label_col" in table else None
    rows = _table(table.get("where", {}), where, "datasets")
    rows = {column: _strings([str(v) for v in values] if isinstance(values, list) else str(values), where,
                             "datasets", i, "where", f"{what}: where.{column}") for column, values in rows.items()}
    return StudyDataset(name, data, max_rows, label_col=label_col, where=rows, **optional)


def _check_data(specs: list[str], where: _Where, table: str, index: int, key: str, what: str) -> None:
    for spec in specs:
        try:
            DataSpec.parse(spec)
        except NewsbenchError as exc:
            raise where.error(f"{what}: {key}: {exc}", table, index, key) from None
