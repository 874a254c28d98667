"""The catalogue: every module of ``newsbench.datasets.catalog`` defines one ``DATASET``."""

from __future__ import annotations

import difflib
import importlib
import pkgutil

from newsbench.datasets import catalog
from newsbench.datasets.base import Dataset
from newsbench.errors import DataError


def _catalogue() -> dict[str, Dataset]:
    entries = {}
    for module in pkgutil.iter_modules(catalog.__path__):
        entry = importlib.import_module(f"{catalog.__name__}.{module.name}").DATASET
        entries[entry.name] = entry
    return dict(sorted(entries.items()))


REGISTRY: dict[str, Dataset] = _catalogue()


def lookup(name: str) -> Dataset:
    """The registry entry of a dataset name; a DataError naming the known ones (and the closest)."""
    if name in REGISTRY:
        return REGISTRY[name]
    raise DataError(f"no dataset named {name!r} in newsbench's registry" + near(name)
                    + f"; known: {', '.join(REGISTRY)} (newsbench data list)")


def near(name: str) -> str:
    """' (did you mean NAME?)' for the closest registry name, or ''."""
    close = difflib.get_close_matches(name.lower(), list(REGISTRY), n=1)
    return f" (did you mean {close[0]}?)" if close else ""
