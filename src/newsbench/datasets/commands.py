"""``newsbench data list | info | get``: the registry's datasets, what they are, and fetching them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from newsbench.commandline import Bars, console, diagnosed, error, progress_bars

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="The public fake-news datasets newsbench can fetch, verify and normalise.")


# What `data list` says of a cache folder that cannot be read as the dataset.
UNUSABLE = {"missing": "not fetched", "damaged": "damaged (data get --force)",
            "foreign": "foreign folder in cache"}


def _where(name: str) -> tuple[str, Path | None]:
    """Where a bare --data NAME is read from now: ("data dir" | "cache", folder), or why neither
    ("not fetched", "damaged ...", "foreign ...") and None."""
    from newsbench.datasets.fetch import cache_state, data_home
    from newsbench.sources import data_dir

    base = data_dir()
    if base is not None and (base / name / "data.csv").is_file():
        return "data dir", base / name
    state = cache_state(name)
    return ("cache", data_home() / name) if state == "whole" else (UNUSABLE[state], None)


@app.command("list")
@diagnosed
def list_datasets():
    """Every dataset of the registry: rows, labels, licence, download size, and whether it is here."""
    from rich.console import Console
    from rich.table import Column, Table

    from newsbench.datasets.registry import REGISTRY

    columns = [Column(name, no_wrap=True) for name in ("name", "rows", "real / fake", "download", "here")]
    # A long licence is cut with an ellipsis: `newsbench data info NAME` prints it whole.
    table = Table(*columns, Column("licence", no_wrap=True, overflow="ellipsis", max_width=40), box=None)
    for entry in REGISTRY.values():
        c = entry.counts
        table.add_row(entry.name, f"{c.rows:,}", f"{c.real:,} / {c.fake:,}", f"{entry.size / 1e6:.1f} MB",
                      _where(entry.name)[0], entry.licence)
    Console(markup=False, highlight=False, width=180).print(table)  # a listing: stdout, never wrapped


@app.command()
@diagnosed
def info(name: Annotated[str, typer.Argument(help="A dataset name (newsbench data list).")]):
    """One dataset: what it is, where its files come from, licence, citation, label mapping."""
    from rich.console import Console

    from newsbench.datasets.fetch import source_of
    from newsbench.datasets.registry import lookup

    out = Console(markup=False, highlight=False, soft_wrap=True)  # a description: stdout, for grep and files
    entry = lookup(name)
    c = entry.counts
    out.print(f"{entry.name}: {entry.summary}")
    for key, value in (("origin", entry.origin), ("licence", entry.licence), ("cite", entry.citation),
                       ("copy used", entry.used_copy), ("rows", f"{c.rows:,} (real {c.real:,}, fake {c.fake:,}; "
                                                               f"{c.rows_in:,} read before cleaning)"),
                       ("download", f"{len(entry.files)} file{'s' if len(entry.files) > 1 else ''}, "
                                    f"{entry.size / 1e6:.1f} MB"),
                       ("use", ", ".join(entry.tags)), ("here", " ".join(map(str, filter(None, _where(entry.name)))))):
        if value:
            out.print(f"{key:>9}: {value}")
    for file in entry.files:
        out.print(f"           {source_of(file)}  sha256 {file.sha256[:16]}…")
    if entry.notes:
        out.print(entry.notes)


@app.command()
@diagnosed
def get(
    names: Annotated[Optional[list[str]], typer.Argument(help="Dataset names (newsbench data list).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every dataset of the registry.")] = False,
    study: Annotated[Optional[Path], typer.Option(help="A study file (newsbench run): the registry datasets it names that $NEWSBENCH_DATA_DIR does not hold.")] = None,
    accept_licence: Annotated[bool, typer.Option(help="Accept each dataset's licence without being asked (it is printed).")] = False,
    force: Annotated[bool, typer.Option(help="Fetch again even when the dataset is cached.")] = False,
):
    """Download, verify (sha256), normalise and cache datasets under $NEWSBENCH_DATA_HOME (those
    $NEWSBENCH_DATA_DIR holds are read from there, and not fetched unless --force)."""
    from newsbench.datasets.fetch import accept_licence as accept
    from newsbench.datasets.fetch import cached, data_home
    from newsbench.datasets.fetch import get as fetch
    from newsbench.datasets.registry import REGISTRY, lookup
    from newsbench.errors import ConfigError, NewsbenchError

    names = list(REGISTRY) if all_ else list(names or [])
    if study is not None:
        found = study_datasets(study)
        if not found:
            console.print(f"{study}: names no dataset of the registry (newsbench data list); nothing to fetch",
                          soft_wrap=True)
        names += found
    elif not names:
        raise ConfigError("name at least one dataset (newsbench data list), or pass --all or --study FILE")
    entries = [lookup(name) for name in dict.fromkeys(names)]  # every name checked before any download
    here = [entry.name for entry in entries if _where(entry.name)[0] == "data dir" and not force]
    if here:  # read from there first anyway (--force fetches them into the cache too)
        console.print(f"in $NEWSBENCH_DATA_DIR: {', '.join(here)}")
    todo = []
    for entry in (entry for entry in entries if entry.name not in here):
        if cached(entry.name) and not force:
            console.print(f"{entry.name}: cached in {data_home() / entry.name}")
            continue
        if accept_licence:
            console.print(f"{entry.name}: licence: {entry.licence}", soft_wrap=True)
        accept(entry, accept_licence)  # every licence asked before the downloads start
        todo.append(entry)
    failed = []
    with progress_bars() as progress:
        for entry in todo:  # one dataset failing does not stop the others
            try:
                folder = fetch(entry.name, accept=True, force=force, progress=Bars(progress))
            except NewsbenchError as exc:
                failed.append(entry.name)
                error(str(exc))
                continue
            progress.console.print(f"{entry.name}: {entry.counts.rows:,} rows verified and written to {folder}",
                                   soft_wrap=True)
    if failed:
        raise NewsbenchError(f"{len(failed)} of {len(todo)} datasets not fetched: {', '.join(failed)} (see above)")


def study_datasets(path: Path) -> list[str]:
    """The registry datasets a study file names as bare ``data`` entries, in order (read without
    validating the study, which would resolve, and so fetch, every name)."""
    import tomllib

    from newsbench.datasets.registry import REGISTRY
    from newsbench.errors import ConfigError

    try:
        raw = tomllib.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the study file ({exc})") from exc
    detectors, datasets = raw.get("detectors"), raw.get("datasets")
    tables = [d.get("train") for d in (detectors if isinstance(detectors, list) else []) if isinstance(d, dict)]
    tables += [*(datasets if isinstance(datasets, list) else []), raw.get("crossval")]
    specs = [spec for table in tables if isinstance(table, dict) for spec in _listed(table.get("data"))]
    if isinstance(raw.get("profile"), dict):
        specs += _listed(raw["profile"].get("texts"))
    names = [spec.split("=", 1)[-1] for spec in specs]  # [NAME=]PATH[:real|:fake]
    names = [name.rpartition(":")[0] if name.endswith((":real", ":fake")) else name for name in names]
    return list(dict.fromkeys(name for name in names if name in REGISTRY))


def _listed(value) -> list[str]:
    return [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]
