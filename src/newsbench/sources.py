"""Where evaluation data comes from: ``--data [NAME=]PATH[:real|:fake]`` specs, resolved to files.

PATH may be a file, a folder holding one, or a dataset name: under ``$NEWSBENCH_DATA_DIR``, else a
dataset of newsbench's registry (cached, or fetched on first use; ``newsbench.datasets.fetch``).
Nothing that does not exist gets past ``DataSpec.parse``: a typo fails at once, naming what is
near, before any model is loaded.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from newsbench.datasets.fetch import locate
from newsbench.datasets.registry import REGISTRY, near
from newsbench.errors import DataError
from newsbench.labels import FILE_LABELS
from newsbench.tables import SUFFIXES

DATA_DIR_ENV = "NEWSBENCH_DATA_DIR"


@dataclass(frozen=True)
class DataSpec:
    """One input file, with an optional label for all its rows and an optional dataset name."""

    path: Path
    label: int | None = None
    name: str | None = None

    @classmethod
    def parse(cls, spec: str, data_dir: str | Path | None = None) -> DataSpec:
        """Parse ``[NAME=]PATH[:real|:fake]``; PATH may be a bare dataset name under data_dir.

        Args:
            spec: the string given on the command line.
            data_dir: where bare dataset names are looked up (default: $NEWSBENCH_DATA_DIR).
        """
        name = None
        if "=" in spec and not Path(spec).exists():
            name, spec = spec.split("=", 1)
        label = None
        head, sep, tail = spec.rpartition(":")
        if sep and head and tail.lower() in FILE_LABELS:
            label, spec = FILE_LABELS[tail.lower()], head
        elif sep and head and tail and "/" not in tail and not _exists(spec, data_dir) and _exists(head, data_dir):
            raise DataError(f"--data {spec}: ':{tail}' is not a label; a file-level label is ':real' or ':fake' "
                            f"(e.g. {head}:fake), or leave it off to read labels from a column")
        return cls(resolve_path(spec, data_dir), label, name or None)

    @property
    def key(self) -> str:
        """Short name of the file: its stem, or its folder's name for a generic ``data.*``."""
        return self.path.parent.name if self.path.stem == "data" else self.path.stem


def data_dir() -> Path | None:
    """The folder named by $NEWSBENCH_DATA_DIR, or None when it is not set."""
    value = os.environ.get(DATA_DIR_ENV)
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise DataError(
            f"{DATA_DIR_ENV}={value} is not a folder; point it to a folder of datasets, "
            f"e.g. export {DATA_DIR_ENV}=../shared/data"
        )
    return path


def resolve_path(spec: str, base: str | Path | None = None) -> Path:
    """Find a data file from a path, a folder, or a dataset name under the data dir.

    Raises a ``DataError`` at once when nothing is there, naming what is near (so a typo is
    caught before a model is loaded).
    """
    path = Path(spec).expanduser()
    if not path.exists() and not path.is_absolute():
        base = Path(base) if base is not None else data_dir()
        if base is not None and (base / spec).exists():
            path = base / spec
        elif (fetched := locate(spec)) is not None:  # a registry dataset: the cache, else a fetch
            path = fetched
        elif base is None:
            raise DataError(
                f"data file not found: {spec}{near(spec) or _near(path)}. Pass a path, a dataset of "
                "`newsbench data list`, or "
                f"set {DATA_DIR_ENV} to the folder that holds dataset folders "
                f"(e.g. export {DATA_DIR_ENV}=../shared/data)"
            )
        else:
            names = sorted(p.name for p in base.iterdir() if p.is_dir())
            lower = {name.lower(): name for name in [*names, *REGISTRY]}  # ISOT_samples finds isot_samples
            close = [lower[c] for c in difflib.get_close_matches(spec.lower(), list(lower), n=1)]
            raise DataError(
                f"data file not found: {spec} (nor {base / spec}){_near(path)}; datasets in {base}: "
                + ", ".join(names[:30]) + (f"; did you mean {close[0]}?" if close else "")
            )
    if not path.exists():
        raise DataError(f"data file not found: {path}{_near(path)}")
    if path.is_dir():
        found = [p for p in sorted(path.iterdir()) if p.suffix.lower() in SUFFIXES]
        data = [p for p in found if p.stem == "data"]
        if len(data) == 1 or len(found) == 1:
            return (data or found)[0]
        raise DataError(
            f"{path} is a folder with {len(found)} data files ({', '.join(p.name for p in found)}); "
            "name one file"
        )
    return path


def _near(path: Path) -> str:
    """What the missing path's folder holds, with the closest name: '' if that folder is missing too."""
    folder = path.absolute().parent
    if not folder.is_dir():
        return ""
    names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    lower = {name.lower(): name for name in names}
    close = difflib.get_close_matches(path.name.lower(), list(lower), n=1)
    if close:
        return f" (did you mean {folder / lower[close[0]]}?)"
    return f" ({folder} holds: {', '.join(names[:10])}{', ...' if len(names) > 10 else ''})" if names else ""


def _exists(spec: str, data_dir: str | Path | None) -> bool:
    """Whether a data spec names an existing path, directly or under the data folder."""
    if Path(spec).expanduser().exists() or spec in REGISTRY:
        return True
    base = data_dir if data_dir is not None else os.environ.get(DATA_DIR_ENV)
    return bool(base) and not Path(spec).is_absolute() and (Path(base).expanduser() / spec).exists()
