"""Writing what a command produces: single files atomically, output folders as one set.

An evaluation folder (results.json, predictions.csv, skipped.csv, reports, plots) is only
meaningful as a whole. ``write_folder`` writes every file into a temporary folder beside the
target and swaps it in, so an interrupt leaves the old folder or the new one, never a mix, and a
reused ``--out`` cannot pair new results with an old predictions.csv. ``check_output`` fails
before any work starts when the target cannot receive the folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from newsbench.errors import ConfigError, NewsbenchError

# Files that mark a folder as one kind's output: only such a folder (or an empty one) is written
# over. A model folder may also be an interrupted training run (checkpoint.pt).
MARKERS = {"evaluate": ("results.json",), "profile": ("profile.json",), "model": ("model.json", "checkpoint.pt")}


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write a file via a temporary file and rename, so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(content.encode() if isinstance(content, str) else content)
    os.replace(tmp, path)


def check_output(out: str | Path, kind: str) -> Path:
    """Fail now, before the expensive work, if ``out`` cannot become a ``kind`` output folder.

    Allowed: a path that does not exist yet (in a writable place), an empty folder, or a folder
    that already holds a ``kind`` output (it is replaced as a whole). Refused: a file, and a
    folder holding anything else (a model folder, say), which newsbench will not overwrite.

    Returns:
        ``out`` as a Path.
    """
    out = Path(out).expanduser()
    flag = "--out"
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{flag} {out} is a file; {kind} writes a folder there. Choose a folder name that is "
                          "not taken, e.g. runs/NAME")
    if out.is_dir():
        entries = sorted(p.name for p in out.iterdir())
        if entries and not any((out / marker).exists() for marker in MARKERS[kind]):
            raise ConfigError(
                f"{flag} {out} is a folder with other contents ({', '.join(entries[:8])}"
                f"{', ...' if len(entries) > 8 else ''}) and no {' or '.join(MARKERS[kind])}: it is not a "
                f"{kind} output, and newsbench will not write its files over it. Choose a new folder, or empty "
                "this one"
            )
    parent = out.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"{flag} {out}: cannot create it, {parent} is not a writable folder")
    return out


def write_folder(out: str | Path, files: dict[str, str | bytes], kind: str) -> dict[str, Path]:
    """Write ``files`` (name relative to the folder -> content) as the whole of folder ``out``.

    The files go to a temporary folder beside ``out``, which then replaces ``out`` (two renames
    on the same file system). On any failure or interrupt the temporary folder is removed and
    the previous ``out``, if there was one, is left as it was.

    Returns:
        name -> path of each written file.
    """
    out = check_output(out, kind).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    moved = False
    try:
        for name, content in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)
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
    return {name: out / name for name in files}
