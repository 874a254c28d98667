"""The machinery of the ``newsbench`` command line: options built from config dataclasses,
errors printed as one line, progress bars. ``cli.py`` holds the commands themselves."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.text import Text

# Messages carry file names, dataset names and texts from the data: never read them as rich markup.
console = Console(stderr=True, markup=False, highlight=False)


def split_list(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def with_config(config_cls, **extra: tuple[type, str]):
    """Build a command's options from a config dataclass: each field's type, default, help and
    command-line form come from the field (``config.setting``), so none is written twice here.

    The decorated function takes the config and the ``extra`` options (name -> (type, help)),
    e.g. ``--out``, which are not settings of the library call.
    """
    hints = typing.get_type_hints(config_cls)
    fields = [f for f in dataclasses.fields(config_cls) if f.metadata.get("cli") != "none"]

    def decorate(run):
        params = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                    annotation=Annotated[kind, typer.Option(help=text)])
                  for name, (kind, text) in extra.items()]
        params += [_parameter(f, hints[f.name]) for f in fields]
        params.sort(key=lambda p: p.default is not inspect.Parameter.empty)  # required options first

        def command(**kwargs):
            values = {}
            for f in fields:
                value = _from_cli(f, kwargs[f.name])
                if value is not None:  # None: the field's own default
                    values[f.name] = value
            return run(config_cls(**values), **{name: kwargs[name] for name in extra})

        command.__signature__ = inspect.Signature(params)
        command.__name__, command.__doc__ = run.__name__, run.__doc__
        return command

    return decorate


def _parameter(field: dataclasses.Field, hint) -> inspect.Parameter:
    """A typer option for one config field."""
    form, flag = field.metadata.get("cli", "value"), field.metadata.get("flag")
    required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    if form == "repeat":
        kind, default = list[str], None
    elif form in ("comma", "ints"):
        kind, default = str, None
    else:
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        kind = str if (str in inner or len(inner) > 1) else (inner[0] if inner else hint)
        default = None if field.default_factory is not dataclasses.MISSING else field.default
    option = typer.Option(*([flag] if flag else []), help=field.metadata.get("help", ""))
    annotation = Annotated[kind if required or default is not None else Optional[kind], option]
    return inspect.Parameter(field.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                             default=inspect.Parameter.empty if required else default)


def _from_cli(field: dataclasses.Field, value):
    """A command-line value in the field's type: comma lists split, whole numbers parsed."""
    form = field.metadata.get("cli", "value")
    if value is None or form == "value":
        return value
    if form == "repeat":
        return list(value) or None
    parts = split_list(value)
    if form == "ints":
        from newsbench.errors import ConfigError

        try:
            return [int(v) for v in parts or []]
        except ValueError:
            raise ConfigError(f"--{field.name.replace('_', '-')}: expected comma-separated whole numbers, "
                              f"got {value!r}") from None
    return parts


def diagnosed(command):
    """Print NewsbenchError messages (and file-system refusals) as one line and exit 2 instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from newsbench.errors import NewsbenchError

        try:
            return command(*args, **kwargs)
        except NewsbenchError as exc:
            error(str(exc))
        except OSError as exc:  # name too long, no space left, permission denied
            error(f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
        except KeyboardInterrupt:
            console.print(Text("interrupted; nothing was written", style="yellow"))
            raise typer.Exit(130) from None
        raise typer.Exit(2)

    return wrapper


def error(message: str) -> None:
    """One line, whatever the message holds (a path with a newline, a library's multi-line dump)."""
    console.print(Text("error: ", style="bold red") + Text(" ".join(message.split())), soft_wrap=True)


class Bars:
    """Progress factory for the library: ``bars(description, total) -> advance(n)``."""

    def __init__(self, progress):
        self.progress = progress

    def __call__(self, description: str, total: int):
        task = self.progress.add_task(description, total=total)

        def advance(n: int, description: str | None = None) -> None:
            self.progress.update(task, advance=n, **({"description": description} if description else {}))

        return advance


def progress_bars():
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False)
