"""Which columns of a news file hold an article's text and its label.

A file's schema is read from its header: ``title``+``content``, ``title``+``text``, ``text`` or
``content`` (any case) for the text, and the first label-like column (``labels.LABEL_COLUMNS``) for
the label, unless ``--text-cols``/``--text-template``/``--label-col`` name them. A column that could
be one of two (names that differ only in case, a repeated header name, ``text`` beside ``content``, a
second column that also holds labels) is an error naming the file and the flag that settles it,
never a guess.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from newsbench.errors import DataError
from newsbench.labels import LABEL_COLUMNS, parse_label
from newsbench.options import LoadOptions, template_fields

TEXT_SCHEMAS = (("title", "content"), ("title", "text"), ("text",), ("content",))


def text_columns(path: Path, columns: list[str], options: LoadOptions) -> tuple[str, ...]:
    """The columns of a file that make an article's text: the template's fields, ``text_cols``,
    or the first schema the file has (title+content, title+text, text, content)."""
    if options.text_template:
        return _template_columns(path, columns, options.text_template)
    if options.detect_missing and not all(_find(path, columns, c, "--text-cols", exact=True)
                                          for c in options.text_cols or ()):
        return _text_columns(path, columns, None)  # the model's columns are not in this file
    return _text_columns(path, columns, options.text_cols)


def _text_columns(path: Path, columns: list[str], requested) -> tuple[str, ...]:
    if requested:
        found = {c: _find(path, columns, c, "--text-cols", exact=True) for c in requested}
        missing = [c for c, column in found.items() if column is None]
        if missing:
            raise DataError(f"{path}: --text-cols asks for {missing}, but the file's columns are {columns}")
        return tuple(found[c] for c in requested)
    for schema in TEXT_SCHEMAS:
        found = [_find(path, columns, c, "--text-cols") for c in schema]
        if all(found):
            bodies = [b for b in (_find(path, columns, c, "--text-cols") for c in ("text", "content")) if b]
            if len(bodies) > 1:
                title = _find(path, columns, "title", "--text-cols")
                raise DataError(f"{path}: both '{bodies[0]}' and '{bodies[1]}' could hold the article; choose "
                                f"with --text-cols, e.g. --text-cols {f'{title},' if title else ''}{bodies[1]}")
            return tuple(_repeated(path, columns, c, "--text-cols") for c in found)
    separator = next((d for d in ";|" if len(columns) == 1 and d in columns[0]), None)
    raise DataError(
        f"{path}: no text column found. Expected title+content, title+text, text or content; "
        f"found columns {columns}. " + (f"The header looks {separator!r}-separated: save the file with commas "
                                        "(or tabs, as .tsv)" if separator else
                                        "Name the text columns with --text-cols COL[,COL]")
    )


def _find(path: Path, columns: list[str], name: str, flag: str, exact: bool = False) -> str | None:
    """The column called ``name`` apart from case (``exact``: an exact match first, as when the user
    named it); two columns that differ only in case are an error."""
    if exact and name in columns:
        return name
    matches = [c for c in columns if c.lower() == name.lower()]
    if len(matches) > 1:
        raise DataError(f"{path}: columns {' and '.join(repr(c) for c in matches)} differ only in case, so "
                        f"which one is '{name}' is unclear; rename one, or choose with {flag} (exact case)")
    return matches[0] if matches else None


def _repeated(path: Path, columns: list[str], column: str, flag: str) -> str:
    """``column``, unless the header repeats its name (read as ``column.1``): then which one is meant is unclear."""
    if f"{column}.1" in columns:
        raise DataError(f"{path}: the header names '{column}' more than once (read as '{column}' and "
                        f"'{column}.1'); rename the columns, or choose with {flag}")
    return column


def _template_columns(path: Path, columns: list[str], template: str) -> tuple[str, ...]:
    names = template_fields(template)
    missing = [n for n in names if n not in columns]
    if missing:
        raise DataError(f"{path}: --text-template {template!r} needs columns {missing}; "
                        f"the file's columns are {columns}")
    return names


def label_column(path: Path, frame: pd.DataFrame, requested) -> str:
    columns = list(frame.columns)
    if requested:
        found = _find(path, columns, requested, "--label-col", exact=True)
        if found is None:
            raise DataError(f"{path}: --label-col '{requested}' is not a column; the file's columns are {columns}")
        return found
    # The first by priority, unless another also holds labels (label beside a contradicting is_fake);
    # a 'class' of topics beside 'label' is no rival.
    found = [c for c in (_find(path, columns, name, "--label-col") for name in LABEL_COLUMNS) if c]
    rivals = [c for c in found[1:] if holds_labels(frame[c], c)]
    if rivals:
        raise DataError(f"{path}: columns '{found[0]}' and '{rivals[0]}' both hold labels; choose one with "
                        f"--label-col, e.g. --label-col {found[0]}")
    if found:
        return _repeated(path, columns, found[0], "--label-col")
    raise DataError(
        f"{path}: no label column found (looked for {', '.join(LABEL_COLUMNS)}); found columns "
        f"{columns}. Name it with --label-col COL, or give the whole file one label: "
        f"{path}:real or {path}:fake"
    )


def holds_labels(values: pd.Series, column: str) -> bool:
    """Whether most filled values of a column read as labels (a sample of 1,000)."""
    filled = values[values.astype(str).str.strip() != ""].head(1000)
    return len(filled) > 0 and sum(parse_label(v, column) is not None for v in filled) > len(filled) / 2
