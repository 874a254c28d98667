"""What a fetchable dataset is, and the cleaning every dataset gets after its normaliser.

An entry pins each raw file by repository, commit, path and sha256 (computed from the real file),
and the counts its normalised table must have, so a download that differs in any way is refused
rather than silently giving other numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    import pandas as pd

# Raw files are served by GitHub at a pinned commit; $NEWSBENCH_DATA_MIRROR replaces this base.
ORIGIN = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class RawFile:
    """One file of a public repository at a pinned commit, with the sha256 and size of its bytes."""

    repo: str  # owner/name on GitHub
    commit: str
    path: str
    sha256: str
    size: int

    @property
    def key(self) -> str:
        """How a normaliser finds the file: owner/name/path."""
        return f"{self.repo}/{self.path}"

    @property
    def relpath(self) -> str:
        """Where the file lives under the origin (and under a mirror): owner/name/commit/path."""
        return f"{self.repo}/{self.commit}/{self.path}"

    def url(self, base: str = ORIGIN) -> str:
        return f"{base.rstrip('/')}/{quote(self.relpath)}"


def github_files(repo: str, commit: str, files: Mapping[str, tuple[str, int]]) -> tuple[RawFile, ...]:
    """RawFiles of one repository at one commit, from {path: (sha256, size)}."""
    return tuple(RawFile(repo, commit, path, sha, size) for path, (sha, size) in files.items())


def plain_pickle(path: str | Path):
    """A pickle of plain data (dicts, lists, strings, numbers), read with an unpickler that imports
    nothing: a file naming any class or function is refused, so it cannot run code. (A raw file is
    only read after its sha256 matched the registry; this is a second guard.)"""
    import pickle

    class Plain(pickle.Unpickler):
        def find_class(self, module: str, name: str):
            raise pickle.UnpicklingError(f"{path}: refusing {module}.{name}; only plain data is read from pickles")

    with open(path, "rb") as handle:
        return Plain(handle).load()


def manifest(repo: str, commit: str, name: str) -> tuple[RawFile, ...]:
    """RawFiles of one repository at one commit, from ``catalog/manifests/NAME.sha256`` (lines of
    ``sha256 size path``, in the order the normaliser reads them): for datasets of many files."""
    from importlib.resources import files

    text = files("newsbench.datasets.catalog").joinpath("manifests", f"{name}.sha256").read_text(encoding="utf-8")
    rows = (line.split(maxsplit=2) for line in text.splitlines() if line.strip())
    return tuple(RawFile(repo, commit, path, sha, int(size)) for sha, size, path in rows)


@dataclass(frozen=True)
class Counts:
    """What the normalised table holds: every entry pins these, and a fetch checks them."""

    rows_in: int
    rows: int
    real: int
    fake: int


@dataclass(frozen=True)
class Dataset:
    """A public dataset newsbench can fetch, verify and normalise."""

    name: str
    summary: str  # one line: what the articles are
    origin: str  # the authors' repository or release page
    licence: str  # as the source states it (or that it states none)
    citation: str
    files: tuple[RawFile, ...]
    normalise: Callable[[Mapping[str, Path]], pd.DataFrame]  # {RawFile.key: local file} -> rows before cleaning
    counts: Counts
    columns: tuple[str, ...] = ()  # the normalised table's columns, in order (a fetch checks them)
    # Columns within whose values duplicates and label conflicts are counted (e.g. SheepDog's settings
    # restyle the same articles, and each setting is a whole test set); () = across the whole table.
    duplicates_within: tuple[str, ...] = ()
    notes: str = ""  # Markdown: label mapping, columns, caveats (goes into PROVENANCE.md)
    used_copy: str = ""  # why a copy was used instead of the authors' release, when one was
    tags: tuple[str, ...] = field(default=())

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


def clean(frame: pd.DataFrame, within: Sequence[str] = ()) -> tuple[pd.DataFrame, dict[str, int]]:
    """The cleaning every dataset gets: texts stripped; empty texts dropped; every row of a text
    (compared with whitespace collapsed) that carries both labels dropped; then exact duplicates
    dropped, the first kept. ``within``: columns that scope both comparisons. Returns the table and
    how many rows each step removed."""
    frame = frame.reset_index(drop=True)
    text = frame["text"].fillna("").astype(str).str.strip()
    empty = text == ""
    frame, text = frame[~empty].copy(), text[~empty]
    frame["text"] = text
    key = text.str.split().str.join(" ")
    for column in reversed(within):
        key = frame[column].astype(str) + "\x00" + key
    conflict = key.map(frame.groupby(key)["label"].nunique()) > 1
    duplicate = key.duplicated() & ~conflict
    out = frame[~conflict & ~duplicate].reset_index(drop=True)
    out["label"] = out["label"].astype(int)
    return out, {"empty_dropped": int(empty.sum()), "dups_removed": int(duplicate.sum()),
                 "label_conflict_rows_dropped": int(conflict.sum())}


def stats(name: str, rows_in: int, frame: pd.DataFrame, dropped: Mapping[str, int], size: int) -> dict:
    """The stats.json of a normalised dataset (the same fields as the shared data's)."""
    words = frame["text"].str.split().str.len()
    medians = {label: float(words[frame["label"] == label].median()) for label in (0, 1)}
    by_label = {label: None if math.isnan(m) else m for label, m in medians.items()}  # a real-only set: null
    return {"name": name, "rows_in": rows_in, "rows": len(frame), "real": int((frame["label"] == 0).sum()),
            "fake": int((frame["label"] == 1).sum()), **dropped, "median_words": float(words.median()),
            "p90_words": float(words.quantile(0.9)), "median_words_real": by_label[0],
            "median_words_fake": by_label[1], "bytes": size}
