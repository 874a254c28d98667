"""Read a CSV, TSV, JSONL, JSON or Parquet file into a table of strings, strictly.

Every value comes back as text (missing = ""), column names as pandas would give them, and a
file that cannot be read exactly fails with the line and the fix: a stray quote in a CSV is an
error at its line, never rows silently merged into one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from newsbench.decoding import binary_kind, codec_of, decode, undecodable
from newsbench.errors import DataError
from newsbench.labels import LABEL_COLUMNS, parse_label

SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".parquet")


def read_table(path: Path, encoding: str = "utf-8") -> tuple[pd.DataFrame, str]:
    """Read a CSV, TSV, JSONL, JSON or Parquet file with every value as a string.

    Missing values become empty strings. Returns the frame and the file's sha256.
    """
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DataError(
            f"{path}: unsupported file type '{suffix}'; expected one of {', '.join(SUFFIXES)}"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    sha = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        raise DataError(f"{path}: the file is empty; expected a header row and data rows")
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            frame = pq.ParquetFile(io.BytesIO(raw)).read().to_pandas(**_ARROW)
        except Exception as exc:  # pyarrow raises several unrelated types
            raise DataError(f"{path}: not a readable Parquet file ({exc})") from exc
    else:
        text = decode(raw, path, encoding)
        if suffix in (".csv", ".tsv"):
            frame = _read_delimited(text, path, "\t" if suffix == ".tsv" else ",")
        else:
            frame = _read_json(text, path, lines=suffix != ".json")
    frame.columns = _column_names([str(c) for c in frame.columns])
    if len(frame) == 0:
        raise DataError(f"{path}: header only ({list(frame.columns)}), no data rows")
    # CSV cells are text already, and JSON Lines chunks are made text as they are read.
    return (_strings(frame, path) if suffix in (".json", ".parquet") else frame), sha


def file_sha256(path: Path) -> str:
    """A file's sha256, read in blocks (memory stays flat however large the file)."""
    with Path(path).open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def iter_table(path: Path, encoding: str = "utf-8", chunk_rows: int = 10000) -> Iterator[TableChunk]:
    """Read a file in chunks of at most ``chunk_rows`` rows, every value a string, with the same
    strictness as ``read_table`` (a broken quote is an error at its line). Memory stays bounded by
    the chunk: CSV/TSV and JSONL are parsed as they are read, Parquet by record batches. A JSON
    array cannot be streamed and is read whole."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DataError(f"{path}: unsupported file type '{suffix}'; expected one of {', '.join(SUFFIXES)}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    if size == 0:
        raise DataError(f"{path}: the file is empty; expected a header row and data rows")
    if suffix == ".parquet":
        yield from _iter_parquet(path, chunk_rows)
    elif suffix == ".json":
        frame, _ = read_table(path, encoding)
        for start in range(0, len(frame), chunk_rows):
            yield TableChunk(frame.iloc[start:start + chunk_rows].reset_index(drop=True), start, 1.0)
    else:
        yield from _iter_text(path, encoding, chunk_rows, suffix)


@dataclass
class TableChunk:
    """Rows ``start`` .. ``start + len(frame) - 1`` (0-based data rows) of a file, and how far
    through the file the reader is (0-1, for an ETA)."""

    frame: pd.DataFrame
    start: int
    done: float


# pandas' metadata would turn a named index back into an index, out of the columns; ints with nulls
# stay exact Python ints (not float64, where 19-digit ids collide).
_ARROW = {"ignore_metadata": True, "integer_object_nulls": True}


def _iter_parquet(path: Path, chunk_rows: int) -> Iterator[TableChunk]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        total, start = parquet.metadata.num_rows, 0
        columns = _column_names(parquet.schema_arrow.names)
        for batch in parquet.iter_batches(batch_size=chunk_rows):
            frame = _strings(batch.to_pandas(**_ARROW), path)
            frame.columns = columns
            yield TableChunk(frame, start, (start + len(frame)) / max(total, 1))
            start += len(frame)
    except (OSError, ValueError) as exc:  # pyarrow's errors subclass these
        raise DataError(f"{path}: not a readable Parquet file ({exc})") from exc


def _iter_text(path: Path, encoding: str, chunk_rows: int, suffix: str) -> Iterator[TableChunk]:
    codec = codec_of(encoding)
    size = path.stat().st_size
    if codec == "utf-8" and (kind := binary_kind(path)):
        raise DataError(f"{path}: {kind}")
    with path.open("rb") as raw:
        # CSV needs newline="" (line breaks inside quoted fields are its own business); JSON Lines
        # split at \n only, as read_table does.
        text = io.TextIOWrapper(raw, encoding="utf-8-sig" if codec == "utf-8" else codec,
                                newline="" if suffix in (".csv", ".tsv") else "\n")

        def done() -> float:
            return raw.tell() / size

        try:
            if suffix in (".csv", ".tsv"):
                yield from _iter_delimited(text, path, "\t" if suffix == ".tsv" else ",", chunk_rows, size + 1, done)
            else:
                yield from _iter_jsonl(text, path, chunk_rows, done)
        except UnicodeDecodeError as exc:
            raise undecodable(path, codec, encoding) from exc


def _iter_delimited(text, path: Path, sep: str, chunk_rows: int, field_limit: int,
                    done: Callable[[], float]) -> Iterator[TableChunk]:
    """Parse CSV/TSV strictly, so a broken quote is an error at its line, not merged rows.

    A field that opens a quote and never closes it properly swallows the lines after it; a
    lenient parser (pandas) returns them as one long text carrying a later line's label, and
    the row counts still add up. Python's csv module in strict mode stops at the first
    character that cannot follow a closing quote; a swallowed line that ends at a second stray
    quote is caught by looking for whole records inside a multi-line field (``_check_swallowed``).
    """
    kind = "TSV" if sep == "\t" else "CSV"
    reader = csv.reader(text, delimiter=sep, strict=True)
    header, records, lines, start, line, used = None, [], [], 0, 1, {}
    limit = csv.field_size_limit(max(csv.field_size_limit(), field_limit))  # an article may exceed 128 KB
    try:
        for record in reader:
            # Blank lines are not rows; in a one-column file "" or spaces are a row with an empty text.
            if record and (len(record) > 1 or record[0].strip() or (header is not None and len(header) == 1)):
                if header is None:
                    header = _column_names(record)
                else:
                    if len(record) != len(header):
                        raise DataError(
                            f"{path}: line {line} has {len(record)} fields, the header has {len(header)} ({header}); "
                            f"a field that holds a {'tab' if sep == chr(9) else repr(sep)} or a line break must be "
                            "quoted")
                    records.append(record)
                    lines.append(line)
                    if len(records) == chunk_rows:
                        yield _delimited_chunk(records, lines, header, sep, path, start, done(), used)
                        start += len(records)
                        records, lines = [], []
            line = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(
            f"{path}: line {reader.line_num} is not valid {kind} ({exc}); the record starting at line {line} "
            f'has a quote that does not close where it should. Inside a quoted field a quote is written twice (""); '
            "fix or remove the stray quote") from exc
    finally:
        csv.field_size_limit(limit)
    if header is None:
        raise DataError(f"{path}: the file is empty; expected a header row and data rows")
    if records or start == 0:
        yield _delimited_chunk(records, lines, header, sep, path, start, 1.0, used)


def _delimited_chunk(records, lines, header, sep, path, start, done, used: dict[int, set]) -> TableChunk:
    """One chunk as a table, after the stray-quote check; ``used`` gathers the label values of the
    file's rows so far (this chunk's included), so small chunks are checked like a whole file."""
    for i, column in enumerate(header):
        if column.lower() in LABEL_COLUMNS:
            seen = used.setdefault(i, set())  # distinct values only: parse each once, not once per row
            seen.update(v for v in {r[i] for r in records} - seen if parse_label(v, column) is not None)
    multiline = [(value, line) for record, line in zip(records, lines) for value in record
                 if "\n" in value or "\r" in value]
    if multiline and used:
        _check_swallowed(multiline, sep, path, len(header), used)
    return TableChunk(pd.DataFrame(records, columns=header, dtype=object), start, done)


def _iter_jsonl(lines: Iterable[str], path: Path, chunk_rows: int, done: Callable[[], float]) -> Iterator[TableChunk]:
    records, start = [], 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        records.append(_json_line(line, number, path))
        if len(records) == chunk_rows:
            yield _json_chunk(records, start, done())
            start += len(records)
            records = []
    if records or start == 0:
        yield _json_chunk(records, start, 1.0)


def _json_chunk(records: list[dict], start: int, done: float) -> TableChunk:
    frame = pd.DataFrame.from_records(records).map(_as_str)
    frame.columns = _column_names([str(c) for c in frame.columns])
    return TableChunk(frame, start, done)


def _read_delimited(text: str, path: Path, sep: str) -> pd.DataFrame:
    """The whole text as one chunk of ``_iter_delimited`` (more rows than lines cannot be)."""
    return next(_iter_delimited(io.StringIO(text, newline=""), path, sep, len(text) + 1, len(text) + 1,
                                lambda: 1.0)).frame


def _column_names(header: list[str]) -> list[str]:
    """Header names as pandas would give them: stripped, ``Unnamed: i`` for empty ones, and
    ``name.1``, ``name.2`` for repeats."""
    out: list[str] = []
    for i, name in enumerate(c.strip() for c in header):
        name = name or f"Unnamed: {i}"
        base, k = name, 0
        while name in out:
            k += 1
            name = f"{base}.{k}"
        out.append(name)
    return out


def _check_swallowed(fields: list[tuple[str, int]], sep: str, path: Path, width: int,
                     used: dict[int, set]) -> None:
    """Fail if a multi-line field holds a line that is itself a whole record.

    That is what a stray quote leaves behind when a second stray quote closes it: the rows in
    between become part of one field. A line of the field counts as a record when it splits into
    exactly the header's ``width`` fields and its label columns hold label values that the file's
    rows use (``used``: position -> values, compared as exact strings): a line of real text almost
    never does both. A file without a label column is not checked: a line of a list ("Jane Doe,
    finance") splits into two fields as a row of ``title,text`` does.

    Args:
        fields: (multi-line field value, line where its record starts).
    """
    for value, line in fields:
        for offset, part in enumerate(re.split(r"\r\n|\r|\n", value)[1:], start=1):
            if part.count(sep) < width - 1:  # too few separators to be a row: skip the parse
                continue
            parsed = next(csv.reader([part], delimiter=sep), [])
            if len(parsed) == width and all(parsed[i] in values for i, values in used.items()):
                raise DataError(
                    f"{path}: the quoted field that starts at line {line} runs over the next lines, and line "
                    f"{line + offset} inside it looks like a whole row ({part[:80]!r}): a quote is probably "
                    f"unbalanced (a stray quote opens the field and another one closes it). Write quotes inside "
                    'a field twice (""), or remove the stray ones'
                )


def _read_json(text: str, path: Path, lines: bool) -> pd.DataFrame:
    if lines:
        # JSON Lines are separated by \n only: str.splitlines would also split inside a string
        # at U+2028, U+2029 or U+0085, which JSON allows unescaped.
        return next(_iter_jsonl(text.split("\n"), path, len(text) + 1, lambda: 1.0)).frame
    records = _loads(text, f"{path}:", f"{path}: nests")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise DataError(f"{path}: expected a JSON array of objects (or use .jsonl, one object per line)")
    _check_unicode(text, records, str(path))
    return pd.DataFrame.from_records(records)


def _loads(text: str, invalid: str, deep: str):
    """``json.loads`` whose errors start with ``invalid`` ("... not valid JSON") or ``deep``."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}" if "\n" in text else f"column {exc.colno}"
        raise DataError(f"{invalid} not valid JSON ({exc.msg} at {where})") from exc
    except RecursionError as exc:
        raise DataError(f"{deep} JSON too deeply to read") from exc


def _json_line(line: str, number: int, path: Path) -> dict:
    """One JSON Lines record, which must be an object; errors name the line."""
    record = _loads(line, f"{path}: line {number} is", f"{path}: line {number} nests")
    if not isinstance(record, dict):
        kind = {type(None): "null", bool: "boolean", int: "number", float: "number", str: "string", list: "array"}
        raise DataError(f"{path}: line {number} is a JSON {kind.get(type(record), type(record).__name__)}, "
                        "expected an object")
    _check_unicode(line, record, f"{path}: line {number}")
    return record


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # json.loads joins escaped pairs: what is left is half of one


def _check_unicode(text: str, parsed: object, where: str) -> None:
    """JSON may escape half of a UTF-16 surrogate pair (``"\\ud800"``): no text holds one."""
    if not _ESCAPED_SURROGATE.search(text):
        return
    stack = [parsed]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack += [*value.keys(), *value.values()]
        elif isinstance(value, list):
            stack += value
        elif isinstance(value, str) and (lone := _LONE_SURROGATE.search(value)):
            raise DataError(f"{where} holds {lone.group()!r}, half of a UTF-16 surrogate pair, which is no "
                            "character; fix the program that wrote the file (or drop that escape)")


def _plain(value: object) -> object:
    return value.tolist() if hasattr(value, "tolist") else str(value)


def _strings(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Every value of a JSON or Parquet table as text (``_as_str``)."""
    try:
        return frame.map(_as_str)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: a binary column holds bytes that are not UTF-8 text ({exc}); write the "
                        "text columns as strings") from None


def _as_str(value: object) -> str:
    """A JSON or Parquet value as text: a list of strings (paragraphs, sentences) joined by line
    breaks, any other list or object as JSON (never numpy's abridged printout), bytes (a Parquet
    binary column, as older Spark writes strings) decoded as UTF-8."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=_plain)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
