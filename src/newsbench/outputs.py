"""Writing what a command produces: single files atomically, output folders as one set.

An evaluation folder (results.json, predictions.csv, skipped.csv, reports, plots) is only
meaningful as a whole. ``staged_folder`` hands out a temporary folder beside the target and swaps
it in when the work succeeds, so an interrupt leaves the old folder or the new one, never a mix,
and a reused ``--out`` keeps no stale file. ``check_output`` fails before any work starts when
the target cannot receive the folder, and refuses to replace a folder that holds anything
newsbench did not write there.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from newsbench.errors import ConfigError, NewsbenchError

# Per kind: the JSON file that marks the folder (its "kind" field must match) and the files such
# a folder may hold. A model folder's files depend on the architecture, so only its marker is checked.
KINDS = {
    "evaluate": ("results.json", ("results.json", "predictions.csv", "skipped.csv", "report.md", "report.html",
                                  "plots/*.png", "comparison.json", "comparison.md")),
    "profile": ("profile.json", ("profile.json", "profile.md", "profile.html", "plots/*.png")),
    "crossval": ("crossval.json", ("crossval.json", "report.md", "report.html", "plots/*.png")),
    "audit": ("audit.json", ("audit.json", "report.md", "report.html")),
    "fewshot": ("fewshot.json", ("fewshot.json", "report.md", "report.html", "plots/*.png")),
    "explain": ("explanations.json", ("explanations.json", "explanations.md", "explanations.html")),
    "model": ("model.json", None),
    # A study folder accumulates its units' run folders; a first run interrupted has only cache.json.
    "study": ("study.json", None),
}


def cache_root() -> Path:
    """Where reusable derived files live (ONNX exports, embeddings): ``$NEWSBENCH_CACHE``, by
    default ``~/.cache/newsbench``."""
    root = Path(os.environ.get("NEWSBENCH_CACHE") or Path.home() / ".cache" / "newsbench").expanduser()
    blocked = next((p for p in (root, *root.parents) if p.exists()), None)
    if blocked is not None and not blocked.is_dir():
        raise ConfigError(f"NEWSBENCH_CACHE={root}: {blocked} is a file, not a folder; point NEWSBENCH_CACHE at a "
                          "folder (or unset it for ~/.cache/newsbench)")
    return root


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write a file via a temporary file and rename, so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(content.encode() if isinstance(content, str) else content)
    os.replace(tmp, path)


def check_output(out: str | Path, kind: str) -> Path:
    """Fail now, before the expensive work, if ``out`` cannot become a ``kind`` output folder.

    Allowed: a path that does not exist yet (in a writable place), an empty folder, or an earlier
    ``kind`` output of newsbench holding only its own files (it is replaced as a whole); for a
    model, also a folder with an interrupted run's ``checkpoint.pt``. Refused: a file, and a folder
    holding anything else (data, another tool's files), which newsbench will not delete.

    Returns:
        ``out`` as a Path, symlinks resolved (a link to an earlier run updates that run).
    """
    out = Path(out).expanduser()
    if out.is_symlink():
        out = out.resolve()
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file; {kind} writes a folder there. Choose a folder name that is "
                          "not taken, e.g. runs/NAME")
    if out.is_dir():
        _check_replaceable(out, kind)
    parent = out.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"--out {out}: cannot create it, {parent} is not a writable folder")
    return out


def _check_replaceable(out: Path, kind: str) -> None:
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if not p.is_dir())
    if not files:
        return
    marker, allowed = KINDS[kind]
    if kind == "model" and files == ["checkpoint.pt"]:
        return
    if _marker_kind(out / marker) != kind and _marker_kind(out / "cache.json") != f"{kind}-cache":
        raise ConfigError(
            f"--out {out} is a folder with other contents ({_listing(files)}) and no newsbench {marker}: it is "
            f"not an earlier {kind} output, and newsbench will not write over it. Choose a new folder, or empty "
            "this one"
        )
    foreign = [f for f in files if allowed is not None and not any(fnmatch.fnmatch(f, a) for a in allowed)]
    if foreign:
        raise ConfigError(f"--out {out} is an earlier {kind} output, but it also holds files newsbench did not "
                          f"write ({_listing(foreign)}), which replacing it would delete. Move them, or choose "
                          "another folder")


def _marker_kind(path: Path) -> str | None:
    """The ``kind`` recorded in a newsbench JSON file, or None if it is not one."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data.get("kind") if isinstance(data, dict) and "schema_version" in data else None


def _listing(names: list[str]) -> str:
    return ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")


@contextlib.contextmanager
def staged_folder(out: str | Path, kind: str) -> Iterator[Path]:
    """A temporary folder beside ``out`` to write a ``kind`` output into; it replaces ``out``
    whole when the block ends normally (two renames on one file system).

    On any exception or interrupt in the block, or while swapping, the temporary folder is
    removed and ``out`` is left as it was.
    """
    out = check_output(out, kind).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    moved = False
    try:
        yield tmp
        if out.exists():
            os.replace(out, old)
            moved = True
        os.replace(tmp, out)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if moved and not out.exists():
            os.replace(old, out)
        if isinstance(exc, OSError):
            kept = "its previous contents are unchanged" if out.exists() else "nothing was written"
            raise NewsbenchError(f"could not write {out}: {exc}; {kept}") from exc
        raise
    if moved:
        shutil.rmtree(old, ignore_errors=True)


def write_folder(out: str | Path, files: dict[str, str | bytes], kind: str) -> dict[str, Path]:
    """Write ``files`` (name relative to the folder -> content) as the whole of folder ``out``.

    Returns:
        name -> path of each written file.
    """
    final = check_output(out, kind).absolute()
    with staged_folder(final, kind) as tmp:
        for name, content in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)
    return {name: final / name for name in files}
