"""How text from input files is written into the files people open: no markup, no formulas.

Article texts, titles, metadata, dataset and column names and model paths come from files other
people wrote. Reports and CSVs must show them as text:

- HTML pages are rendered with Jinja autoescaping on (``reporting`` never turns it off).
- Markdown: ``md`` folds line breaks and escapes what could become HTML, a link or a table
  cell boundary; ``md_code`` builds a code span that no content can close early.
- CSV cells that a spreadsheet would run as a formula get a leading apostrophe, and every text
  cell is quoted (``safe_csv``), as OWASP recommends against CSV injection; quoting also keeps
  a carriage return inside a value from ending the row.
"""

from __future__ import annotations

import csv
import re

import markupsafe
import pandas as pd

# Characters escaped with a backslash in Markdown: backslash (so input cannot undo an escape),
# code spans, emphasis and strikethrough, math ($, on GitHub), and table cell separators.
_MD_BACKSLASH = re.compile(r"([\\`*~$|])")
# An underscore emphasises only at a word's edge; inside a word (is_ai) it stays as it is.
_MD_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# "](", "][" and "]:" open inline links, reference links and link definitions.
_MD_LINK = re.compile(r"\](?=[(\[:])")
# An ampersand that starts a character reference (&lt; &#60;) would be decoded by a renderer.
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
# Cells a spreadsheet reads as a formula: =, +, -, @, tab, carriage return (OWASP) at the start.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def md(text: object) -> str:
    """``text`` as inline Markdown that renders as exactly that text, never as HTML or a link.

    Whitespace runs (line breaks included) fold to one space, so a value cannot start a new
    block or table row.
    """
    if isinstance(text, markupsafe.Markup):
        return str(text)
    out = re.sub(r"\s+", " ", str(text))
    out = _MD_BACKSLASH.sub(r"\\\1", out)
    out = _MD_UNDERSCORE.sub(r"\\_", out)
    out = _MD_LINK.sub(r"\\]", out)
    out = _MD_ENTITY.sub("&amp;", out)
    out = out.replace("<", "&lt;")  # no tag or autolink can open; a lone ">" is text
    return "\\" + out if out.startswith(">") else out  # ... except at the start, where it quotes


def md_code(text: object) -> markupsafe.Markup:
    """``text`` as a Markdown code span (literal inside, so no escaping but the fence length).

    For paragraphs and lists; a table cell would also need its pipes escaped.
    """
    body = " ".join(str(text).split())
    fence = "`" * (max((len(run) for run in re.findall("`+", body)), default=0) + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return markupsafe.Markup(f"{fence}{pad}{body}{pad}{fence}")


def csv_cell(value: object) -> object:
    """A value safe to open in a spreadsheet: text starting like a formula gets a leading ``'``.

    Plain numbers ("-3.5") are left alone: a spreadsheet reads them as numbers, not formulas.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame, **kwargs) -> str:
    """``frame`` as CSV text for people to open: column names and text cells through
    ``csv_cell``, every text cell quoted. pandas reads it back as usual (values keep the
    apostrophe). ``kwargs`` go to ``DataFrame.to_csv``."""
    out = frame.rename(columns=lambda c: csv_cell(str(c)))
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(csv_cell)
    return out.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC, **kwargs)
