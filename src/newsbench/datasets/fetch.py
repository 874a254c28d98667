"""Fetch a registry dataset: download its raw files (pooch), verify their sha256, normalise, clean,
check the pinned counts, and write ``DATA_HOME/NAME/`` (``data.csv``, ``PROVENANCE.md``,
``stats.json``) in one rename, so a failure at any step leaves nothing half-written.

Where a bare dataset name is looked for, in order: ``$NEWSBENCH_DATA_DIR``, the cache
(``$NEWSBENCH_DATA_HOME``, default ``~/.cache/newsbench/data``), then a fetch when the network is
allowed (``NEWSBENCH_OFFLINE`` unset) and the licence accepted. ``$NEWSBENCH_DATA_MIRROR`` (an
http(s) URL or a local folder) replaces the origin: a file is read from ``MIRROR/owner/name/commit/path``.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from newsbench.datasets.base import ORIGIN, Dataset, RawFile, clean, stats
from newsbench.datasets.registry import REGISTRY, lookup
from newsbench.errors import DataError
from newsbench.tables import file_sha256

HOME_ENV, MIRROR_ENV, OFFLINE_ENV = "NEWSBENCH_DATA_HOME", "NEWSBENCH_DATA_MIRROR", "NEWSBENCH_OFFLINE"
ACCEPTED = "accepted-licences.json"  # in DATA_HOME: the datasets whose licence the user accepted once


def data_home() -> Path:
    """The cache of fetched datasets: $NEWSBENCH_DATA_HOME, else ~/.cache/newsbench/data."""
    return Path(os.environ.get(HOME_ENV) or Path.home() / ".cache" / "newsbench" / "data").expanduser()


def offline() -> bool:
    return os.environ.get(OFFLINE_ENV, "").strip().lower() not in ("", "0", "false", "no", "off")


def cached(name: str) -> Path | None:
    """The cached folder of a fetched dataset when it is whole (its data.csv has the size its
    stats.json records), else None."""
    folder = data_home() / name
    return folder if _state(folder, name) == "whole" else None


def cache_state(name: str) -> str:
    """What the cache holds for a dataset: missing, whole, damaged or foreign (see ``_state``)."""
    return _state(data_home() / name, name)


def _state(folder: Path, name: str) -> str:
    """missing, whole, damaged (written by newsbench, data.csv since changed or removed), or foreign."""
    if not folder.exists() and not folder.is_symlink():
        return "missing"
    try:
        summary = json.loads((folder / "stats.json").read_text())
    except (OSError, ValueError):
        return "foreign"
    if not isinstance(summary, dict) or summary.get("name") != name:
        return "foreign"
    data = folder / "data.csv"
    if not data.is_file() or data.stat().st_size != summary.get("bytes"):
        return "damaged"
    return "whole" if "sha256" not in summary or _checked_digest(data) == summary["sha256"] else "damaged"


@functools.cache
def _file_digest(path: Path, size: int, mtime_ns: int) -> str:
    return file_sha256(path)


def _checked_digest(path: Path) -> str:
    """sha256 of ``path``, computed once per process for one version of the file."""
    stat = path.stat()
    return _file_digest(path, stat.st_size, stat.st_mtime_ns)


def mirror() -> str:
    """$NEWSBENCH_DATA_MIRROR ('' when unset), checked: an http(s) URL or a folder path."""
    value = os.environ.get(MIRROR_ENV, "").strip()
    if "://" in value and urlsplit(value).scheme not in ("http", "https"):
        raise DataError(f"{MIRROR_ENV}={_redacted(value)}: use an http(s):// URL or a folder path "
                        "(laid out as owner/name/commit/path)")
    return value


def source_of(file: RawFile) -> str:
    """Where a raw file is read from: the mirror when $NEWSBENCH_DATA_MIRROR is set, else the origin."""
    base = mirror()
    if base and "://" not in base:
        return str(Path(base).expanduser().absolute() / file.relpath)
    return file.url(base or ORIGIN)


def _redacted(url: str) -> str:
    """A URL without the password it may carry (it goes into messages and PROVENANCE.md)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{parts.hostname}"
                                            + (f":{parts.port}" if parts.port else "")))


def _accepted() -> set[str]:
    path = data_home() / ACCEPTED
    if not path.is_file():
        return set()
    try:
        names = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: not readable as JSON ({exc}); delete it (the licences are asked again)") from None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise DataError(f"{path}: expected a JSON list of dataset names; delete it (the licences are asked again)")
    return set(names)


def accept_licence(entry: Dataset, accept: bool, ask: Callable[[str], bool] | None = None) -> None:
    """Record that the user accepts a dataset's licence: by flag, earlier acceptance, or a prompt.

    Without a flag and without a terminal to ask on, raise a DataError naming the flag.
    """
    if entry.name in _accepted():
        return
    if not accept:
        question = (f"{entry.name}: {entry.licence}\nCite: {entry.citation}\n"
                    f"Download {entry.size / 1e6:.1f} MB from {entry.origin} and accept these terms? [y/N] ")
        if ask is None and sys.stdin.isatty():
            def ask(text: str) -> bool:
                return input(text).strip().lower() in ("y", "yes")
        if ask is None:
            raise DataError(f"{entry.name}: its licence must be accepted before it is fetched ({entry.licence}); "
                            f"run `newsbench data get {entry.name} --accept-licence`")
        if not ask(question):
            raise DataError(f"{entry.name}: licence not accepted; nothing was downloaded")
    home = _writable_home()
    (home / ACCEPTED).write_text(json.dumps(sorted(_accepted() | {entry.name}), indent=1))


def _writable_home() -> Path:
    """DATA_HOME, created if missing; a DataError naming the setting when it cannot hold datasets."""
    home = data_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"{HOME_ENV}={home}: cannot create the dataset cache there ({exc.strerror or exc}); "
                        f"point {HOME_ENV} to a writable folder") from None
    if not os.access(home, os.W_OK | os.X_OK):
        raise DataError(f"{HOME_ENV}={home}: the folder is not writable; point {HOME_ENV} to a writable folder")
    return home


def download(file: RawFile, name: str) -> Path:
    """One raw file in the raw cache (``DATA_HOME/.raw/``), downloaded if missing and verified.

    A file already there with the right checksum is not downloaded again, so an interrupted fetch
    resumes with the files it had not finished. A checksum mismatch keeps nothing.
    """
    target = data_home() / ".raw" / file.relpath
    if target.is_file() and file_sha256(target) == file.sha256:
        return target
    source = source_of(file)
    if "://" not in source:  # a mirror folder on this machine
        if not Path(source).is_file():
            raise DataError(f"{file.path}: not in the mirror folder ({source}); "
                            f"lay the mirror out as owner/name/commit/path, as {ORIGIN} serves it")
        if (digest := file_sha256(Path(source))) != file.sha256:
            raise DataError(f"{source}: checksum mismatch (sha256 {digest}, the registry pins {file.sha256}); "
                            "nothing was kept")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return target
    import pooch
    import requests

    pooch.get_logger().setLevel("WARNING")  # the caller's progress bar says what is downloading
    shown = _redacted(source)
    try:
        return Path(pooch.retrieve(source, known_hash=f"sha256:{file.sha256}", fname=target.name,
                                   path=target.parent, downloader=pooch.HTTPDownloader(timeout=60)))
    except requests.RequestException as error:  # first: some are ValueErrors too
        status = getattr(getattr(error, "response", None), "status_code", None)
        what = f"HTTP {status}" if status else type(error).__name__
        hint = "" if os.environ.get(MIRROR_ENV) else f", or set {MIRROR_ENV} to a mirror"
        raise DataError(f"{shown}: download failed ({what}); files already verified are kept: "
                        f"`newsbench data get {name}` resumes{hint}") from None
    except ValueError:  # pooch's checksum mismatch; it removed the download
        raise DataError(f"{shown}: checksum mismatch (the registry pins sha256 {file.sha256}); nothing was kept. "
                        "The mirror or origin serves other bytes: check the mirror, or report it") from None


def get(name: str, accept: bool = False, progress=None, force: bool = False,
        ask: Callable[[str], bool] | None = None) -> Path:
    """Fetch, verify, normalise and cache one dataset; return its folder (``DATA_HOME/NAME``).

    ``progress``: a ``bars(description, total) -> advance(n)`` factory (one step per raw file).
    A cached folder whose data.csv changed since it was written is fetched again; a folder there
    that newsbench did not write is refused, never deleted.
    """
    entry = lookup(name)
    folder = data_home() / entry.name
    state = _state(folder, entry.name)
    if state == "whole" and not force:
        return folder
    if state == "foreign":
        raise DataError(f"{folder} exists and was not written by `newsbench data get` (no matching stats.json); "
                        f"move it away, or point {HOME_ENV} elsewhere")
    if offline() and "://" in source_of(entry.files[0]):
        raise DataError(f"{entry.name}: {OFFLINE_ENV} is set, so nothing is fetched"
                        + ("" if state == "missing" else f" (the cached copy in {folder} is damaged)")
                        + f"; where a network is allowed run `newsbench data get {entry.name}`")
    accept_licence(entry, accept, ask)
    home = _writable_home()
    for stale in home.glob(f".{entry.name}.*"):  # staging folders of an interrupted run
        shutil.rmtree(stale, ignore_errors=True)
    advance = progress(f"{entry.name}: {entry.size / 1e6:.1f} MB", len(entry.files)) if progress else None
    paths = {}
    for file in entry.files:
        paths[file.key] = download(file, entry.name)
        if advance:
            advance(1)
    raw = entry.normalise(paths)
    frame, dropped = clean(raw, entry.duplicates_within)
    _check(entry, raw, frame)
    staging = Path(tempfile.mkdtemp(prefix=f".{entry.name}.", dir=home))
    try:
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp's 0700 would hide a shared cache from others
        frame.to_csv(staging / "data.csv", index=False)
        summary = stats(entry.name, len(raw), frame, dropped, (staging / "data.csv").stat().st_size)
        summary["sha256"] = file_sha256(staging / "data.csv")  # an edit that keeps the size is damage too
        (staging / "stats.json").write_text(json.dumps(summary, indent=2) + "\n")
        (staging / "PROVENANCE.md").write_text(provenance(entry, summary))
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for file in entry.files:  # the normalised copy is what is kept; a refetch downloads again
        (data_home() / ".raw" / file.relpath).unlink(missing_ok=True)
    return folder


def _check(entry: Dataset, raw, frame) -> None:
    """The registry's pins on the normalised table: columns, and rows read / kept / real / fake."""
    if entry.columns and tuple(frame.columns) != entry.columns:
        raise DataError(f"{entry.name}: normalised to columns {list(frame.columns)}, the registry pins "
                        f"{list(entry.columns)}; nothing was written. This is a bug in the registry entry: "
                        "please report it")
    got = (len(raw), len(frame), int((frame["label"] == 0).sum()), int((frame["label"] == 1).sum()))
    want = (entry.counts.rows_in, entry.counts.rows, entry.counts.real, entry.counts.fake)
    if got != want:
        raise DataError(f"{entry.name}: normalised to rows_in/rows/real/fake {got}, the registry pins {want}; "
                        "nothing was written. This is a bug in the registry entry: please report it")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def provenance(entry: Dataset, summary: dict) -> str:
    """PROVENANCE.md of a fetched dataset: where every file came from, licence, citation, counts."""
    from newsbench import __version__

    base = mirror()
    origin = _redacted(base) if "://" in base else (str(Path(base).expanduser().absolute()) if base else ORIGIN)
    lines = [f"# {entry.name}", "", entry.summary, "", f"- Origin: {entry.origin}",
             f"- Licence: {entry.licence}", f"- Cite: {entry.citation}"]
    if entry.used_copy:
        lines.append(f"- Copy used: {entry.used_copy}")
    lines += [f"- Fetched by newsbench {__version__} on {datetime.now(UTC):%Y-%m-%d} from {origin}", "",
              "## Files", "", "| repository | commit | path | sha256 | bytes |", "|---|---|---|---|---|"]
    lines += [f"| {f.repo} | {f.commit[:12]} | {f.path} | {f.sha256} | {f.size} |" for f in entry.files]
    if entry.notes:
        lines += ["", "## Label mapping and caveats", "", entry.notes]
    lines += ["", "## Counts after cleaning", "",
              f"- rows: {summary['rows']} (real/0: {summary['real']}, fake/1: {summary['fake']})",
              f"- rows read before cleaning: {summary['rows_in']}",
              f"- empty-text rows dropped: {summary['empty_dropped']}",
              f"- exact-duplicate texts removed (whitespace-normalised, first kept): {summary['dups_removed']}",
              f"- rows dropped because the same text carried both labels: {summary['label_conflict_rows_dropped']}",
              f"- text length in words: median {summary['median_words']:g}, p90 {summary['p90_words']:g}", ""]
    return "\n".join(lines)


def locate(name: str) -> Path | None:
    """The folder of a registry dataset for a bare ``--data NAME``: the cache, else a fetch.

    None when ``name`` is not in the registry (the caller reports it as a missing path).
    """
    if name not in REGISTRY:
        return None
    if (folder := cached(name)) is not None:
        return folder
    entry = REGISTRY[name]
    if not offline():
        files = f"{len(entry.files)} file{'s' if len(entry.files) > 1 else ''}"
        print(f"newsbench: fetching {name} ({files}, {entry.size / 1e6:.1f} MB) into {data_home()}",
              file=sys.stderr)
    return get(name)
