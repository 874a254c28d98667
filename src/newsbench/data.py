"""Read news files, map their schemas and labels, and account for every row.

Flow: ``DataSpec`` (a path, maybe a file-level label; ``sources``) -> ``read_table``
(``tables``) -> texts, labels (``labels``) and metadata -> ``Dataset`` (deduplicated). Rows
that cannot be scored are never dropped silently: they move to ``Dataset.skipped`` with a
reason and a detail.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from newsbench.columns import holds_labels, label_column, text_columns
from newsbench.errors import DataError
from newsbench.labels import LABEL_COLUMNS, label_convention, parse_label
from newsbench.options import LoadOptions
from newsbench.results import SourceFile
from newsbench.sources import DataSpec
from newsbench.tables import read_table

RESERVED = ("id", "text", "label")
# Input columns with these names are kept as NAME_orig: newsbench writes its own columns under
# these names (predictions.csv, pooled files), and a data column must not overwrite them.
RENAMED = (*RESERVED, "pred", "prob_fake", "dataset", "input_file")

SKIP_REASONS = {
    "empty_text": "the text columns are empty (or hold only invisible characters)",
    "bad_label": "the label is not one of 0/1, real/fake, true/false",
    "duplicate": "same text (case and whitespace ignored) as an earlier row",
    "label_conflict": "the same text occurs with both labels",
    "in_training_data": "the text also occurs in the detector's training data (leakage)",
    "not_sampled": "left out of a seeded random sample (--max-rows)",
    "filtered_out": "left out by --where (a column value not asked for)",
}

# "WASHINGTON (Reuters) - ", "(Reuters) - ", "LONDON (AP) -- ": the ISOT shortcut.
_DATELINE = re.compile(r"^\s*[^\n]{0,120}?\((?:Reuters|AP|AFP)\)\s*[-\u2013\u2014]+\s*")


@dataclass
class Dataset:
    """Scorable rows plus the rows that were set aside, with why.

    Attributes:
        name: dataset name used in results and reports.
        files: the files it was read from.
        rows: one row per scorable article: ``id``, ``text``, ``label`` (0 real, 1 fake) and
            every other input column as string metadata.
        skipped: ``id``, ``reason`` (a key of SKIP_REASONS) and ``detail`` for each row set aside.
        n_input: rows read from the files; always ``len(rows) + len(skipped)``.
    """

    name: str
    files: list[SourceFile]
    rows: pd.DataFrame
    skipped: pd.DataFrame = field(default_factory=lambda: _skipped_frame([], [], []))
    n_input: int = 0

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def texts(self) -> list[str]:
        return self.rows["text"].tolist()

    @property
    def labels(self) -> np.ndarray:
        return self.rows["label"].to_numpy(dtype=np.int64)

    @property
    def metadata_columns(self) -> list[str]:
        return [c for c in self.rows.columns if c not in RESERVED]

    def skipped_counts(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.skipped["reason"].value_counts().items()}

    def exclude(self, mask: np.ndarray, reason: str, detail: str) -> Dataset:
        """Move the rows where ``mask`` is true to ``skipped`` with the given reason."""
        mask = np.asarray(mask, dtype=bool)
        moved = _skipped_frame(self.rows["id"][mask], [reason] * int(mask.sum()), detail)
        return replace(
            self,
            rows=self.rows[~mask].reset_index(drop=True),
            skipped=pd.concat([self.skipped, moved], ignore_index=True),
        )

    def sample(self, max_rows: int, seed: int) -> Dataset:
        """Keep a seeded random sample of ``max_rows`` rows; the rest move to ``skipped``."""
        if len(self.rows) <= max_rows:
            return self
        keep = np.random.default_rng(seed).choice(len(self.rows), size=max_rows, replace=False)
        mask = np.ones(len(self.rows), dtype=bool)
        mask[keep] = False
        return self.exclude(mask, "not_sampled", f"seeded random sample of {max_rows} rows (seed {seed})")

    def select(self, ids: Iterable[str], name: str) -> Dataset:
        """The rows whose id is in ``ids``, as a new dataset (e.g. a held-out split)."""
        wanted = set(ids)
        rows = self.rows[self.rows["id"].isin(wanted)].reset_index(drop=True)
        missing = len(wanted) - len(rows)
        if missing:
            raise DataError(
                f"{name}: {missing} of {len(wanted)} row ids are not in {self.name} any more; "
                "the data files changed since the split was made"
            )
        return Dataset(name, self.files, rows, _skipped_frame([], [], []), len(rows))


def load_file(spec: DataSpec, options: LoadOptions = LoadOptions()) -> tuple[pd.DataFrame, pd.DataFrame, SourceFile]:
    """Read one file into scorable rows and skipped rows (empty text, unreadable label)."""
    frame, sha = read_table(spec.path, options.encoding)
    columns = list(frame.columns)
    text_cols = text_columns(spec.path, columns, options)
    ids = _row_ids(frame, spec.key)

    texts = compose_texts({c: frame[c].tolist() for c in text_cols}, options)

    mapping: dict[str, int] = {}
    if spec.label is not None:
        labels = [spec.label] * len(frame)
        label_col, label_source = None, f"file label: {'fake' if spec.label else 'real'}" + _disagreement(spec, frame)
    else:
        label_col = label_column(spec.path, frame, options.label_col)
        labels = [parse_label(v, label_col) for v in frame[label_col]]
        label_source = f"column '{label_col}' ({label_convention(label_col)})"
        if all(v is None for v in labels):
            examples = sorted(set(frame[label_col]))[:5]
            raise DataError(
                f"{spec.path}: column '{label_col}' holds no readable label; values look like "
                f"{examples}. Expected {label_convention(label_col)} (any case): map the values "
                f"first, or give the whole file one label with {spec.path}:real or :fake"
            )
        for value, label in zip(frame[label_col], labels):
            if label is not None and value not in mapping and len(mapping) < 20:
                mapping[value] = label

    meta_cols = [c for c in columns if c not in text_cols and c != label_col]
    rows = pd.DataFrame({"id": ids, "text": texts, "label": labels})
    for col in meta_cols:
        name = col
        while name in RENAMED or (name != col and name in columns):
            name += "_orig"
        rows[name] = frame[col].to_numpy()

    empty = rows["text"].map(blank).astype(bool)
    bad = rows["label"].isna() & ~empty
    skipped = pd.concat(
        [
            _skipped_frame(rows["id"][empty], "empty_text", [
                f"columns {'+'.join(text_cols)} are empty" if all(blank(str(frame[c].iat[i])) for c in text_cols)
                else "nothing left once datelines and artefacts are removed" for i in np.flatnonzero(empty)]),
            _skipped_frame(
                rows["id"][bad], "bad_label",
                [f"{label_col}={v!r}" for v in frame[label_col][bad.to_numpy()]] if label_col else "",
            ),
        ],
        ignore_index=True,
    )
    rows = rows[~(empty | bad)].reset_index(drop=True)
    rows["label"] = rows["label"].astype(np.int64)
    source = SourceFile(str(spec.path), sha, len(frame), list(text_cols), label_source, spec.label, mapping)
    return rows, skipped, source


def _disagreement(spec: DataSpec, frame: pd.DataFrame) -> str:
    """'' unless the file also has a label column that reads rows otherwise than its file label:
    then how many, so the report shows that the column was overruled."""
    for name in LABEL_COLUMNS:
        column = next((c for c in frame.columns if c.strip().lower() == name), None)
        if column is not None and holds_labels(frame[column], column):
            read = [parse_label(v, column) for v in frame[column]]
            other = sum(v is not None and v != spec.label for v in read)
            if other:
                return (f" (over column '{column}', which reads {other:,} of {len(frame):,} rows as "
                        f"{'real' if spec.label else 'fake'}; drop :{'fake' if spec.label else 'real'} to use it)")
    return ""


# Format characters that show nothing: soft hyphen, zero-width spaces and joiners, direction
# marks, variation selectors, word joiners, byte-order marks. Invisible: those, whitespace and
# C0/C1 controls (a text of nothing else is blank); texts are compared without the format ones.
_FORMAT_CHARS = "\u00ad\u034f\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff"
_INVISIBLE = re.compile(f"[\\s\x00-\x1f\x7f-\x9f{_FORMAT_CHARS}]*")
_FORMAT = re.compile(f"[{_FORMAT_CHARS}]")


def blank(text: str) -> bool:
    """True when ``text`` shows nothing: empty, whitespace, or only invisible characters."""
    return _INVISIBLE.fullmatch(text) is not None


def compose_texts(parts: dict[str, list[str]], options: LoadOptions) -> list[str]:
    """The article text a detector reads, from its text columns (in order), as every command builds
    it: datelines stripped from the body (the last ``text``/``content`` column, else the last one)
    and artefacts from every part when the options say so, then the template or the parts joined
    (a title the body already starts with is not repeated)."""
    names = list(parts)
    if options.strip_datelines:  # the dateline opens the body
        body = next((c for c in reversed(names) if c.lower() in ("text", "content")), names[-1])
        parts = {**parts, body: [strip_dateline(t) for t in parts[body]]}
    if options.strip_artifacts:
        from newsbench.artifacts import strip_artifacts

        parts = {c: [strip_artifacts(t) for t in values] for c, values in parts.items()}
    rows_of_parts = zip(*parts.values())
    if options.text_template:
        return [options.text_template.format_map(dict(zip(names, values))).strip() for values in rows_of_parts]
    return [_compose(values) for values in rows_of_parts]


def load_dataset(specs: Sequence[DataSpec], options: LoadOptions = LoadOptions(), name: str | None = None,
                 where: dict[str, tuple[str, ...]] | None = None) -> Dataset:
    """Read and pool one or more files into a deduplicated dataset.

    Args:
        specs: the files; pooled files gain an ``input_file`` metadata column.
        options: text/label mapping and preprocessing.
        name: dataset name; default is the first spec's name or file key.
        where: keep only rows whose column holds one of the values (e.g. one SheepDog style
            setting); the others are skipped as ``filtered_out``, before deduplication.
    """
    rows, skipped, files, keys = [], [], [], set()
    for spec in specs:
        part, skip, source = load_file(spec, options)
        # A file read alone under another name (news_2: a second news.csv) gives its ids that name.
        key = name if name and len(specs) == 1 and spec.name is None else spec.key
        while key in keys:  # two files with the same key must still give unique ids
            key += "_"
        if key != spec.key:
            part["id"] = [key + i[len(spec.key):] for i in part["id"]]
            skip["id"] = [key + i[len(spec.key):] for i in skip["id"]]
        keys.add(key)
        if len(specs) > 1:
            part["input_file"] = key
        rows.append(part)
        skipped.append(skip)
        files.append(source)
    frame = pd.concat(rows, ignore_index=True).fillna("")
    frame["label"] = frame["label"].astype(np.int64)
    dataset = Dataset(
        name or specs[0].name or specs[0].key, files, frame,
        pd.concat(skipped, ignore_index=True), sum(f.rows for f in files),
    )
    for column, values in (where or {}).items():
        if column not in dataset.rows.columns:
            close = difflib.get_close_matches(column, dataset.metadata_columns, n=1)
            raise DataError(f"{dataset.name}: --where {column}=...: no column '{column}'"
                            + (f"; did you mean '{close[0]}'?" if close else "")
                            + f" Columns: {', '.join(dataset.metadata_columns)}")
        dataset = dataset.exclude(~dataset.rows[column].isin(values).to_numpy(), "filtered_out",
                                  f"{column} is not {' or '.join(values)}")
    return deduplicate(dataset)


def load_datasets(specs: Sequence[DataSpec], options: LoadOptions = LoadOptions(),
                  where: dict[str, tuple[str, ...]] | None = None) -> list[Dataset]:
    """Group specs into datasets and load each.

    Files that share a ``NAME=`` are pooled. Unnamed files that carry a file-level label (the
    study's ``real.csv:real fake.csv:fake`` layout) are pooled into one dataset, since a
    one-class file alone has no ROC curve. Every other file is its own dataset.
    """
    taken = {s.name for s in specs if s.name is not None}

    def unique(name: str) -> str:  # a file is never pooled with another by accident of its name
        candidate, k = name, 1
        while candidate in taken:
            k += 1
            candidate = f"{name}_{k}"
        taken.add(candidate)
        return candidate

    pooled = [s for s in specs if s.name is None and s.label is not None]
    pooled_name = unique("+".join(s.key for s in pooled)) if pooled else ""
    groups: dict[str, list[DataSpec]] = {}
    for spec in specs:
        if spec.name is not None:
            groups.setdefault(spec.name, []).append(spec)
        elif spec.label is not None:
            groups.setdefault(pooled_name, []).append(spec)
        else:
            groups[unique(spec.key)] = [spec]
    return [load_dataset(group, options, name, where) for name, group in groups.items()]


def deduplicate(dataset: Dataset) -> Dataset:
    """Set aside exact duplicates (case/whitespace-insensitive) and texts carrying both labels."""
    rows = dataset.rows
    key = rows["text"].map(normalize)
    n_labels = rows.groupby(key)["label"].transform("nunique")
    conflict = (n_labels > 1).to_numpy()
    first_id = rows.groupby(key)["id"].transform("first")
    dup = key.duplicated(keep="first").to_numpy() & ~conflict
    skipped = pd.concat(
        [
            dataset.skipped,
            _skipped_frame(rows["id"][conflict], "label_conflict", "same text occurs as real and as fake"),
            _skipped_frame(rows["id"][dup], "duplicate", [f"same text as {i}" for i in first_id[dup]]),
        ],
        ignore_index=True,
    )
    keep = ~(conflict | dup)
    return replace(dataset, rows=rows[keep].reset_index(drop=True), skipped=skipped)


def normalize(text: str) -> str:
    """The form used to compare texts: one Unicode form (NFC: "é" typed as e + accent is "é"),
    no invisible characters, lower case, whitespace runs folded to one space."""
    return " ".join(_FORMAT.sub("", unicodedata.normalize("NFC", text)).lower().split())


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def fingerprints(texts: Iterable[str]) -> np.ndarray:
    """64-bit hashes of normalised texts, for leakage checks without keeping the texts."""
    return np.fromiter((_hash(normalize(t)) for t in texts), dtype=np.uint64)


def seen_in(texts: Sequence[str], seen: np.ndarray) -> np.ndarray:
    """Which texts a detector's saved training fingerprints hold. Models trained before Unicode
    forms and invisible characters were normalised saved hashes of the older form: a text whose
    two forms differ is looked up by both."""
    forms = [normalize(t) for t in texts]
    found = np.isin(np.fromiter((_hash(f) for f in forms), dtype=np.uint64, count=len(forms)), seen)
    # An ASCII text has one form (NFC and the invisible characters are outside ASCII).
    older = {i: " ".join(texts[i].lower().split()) for i in np.flatnonzero(~found) if not texts[i].isascii()}
    older = {i: t for i, t in older.items() if t != forms[i]}
    if older:
        hashes = np.fromiter((_hash(t) for t in older.values()), dtype=np.uint64, count=len(older))
        found[list(older)] = np.isin(hashes, seen)
    return found


def strip_dateline(text: str) -> str:
    """Remove a leading ``CITY (Reuters) -`` style dateline (the ISOT shortcut)."""
    return _DATELINE.sub("", text, count=1)


def _skipped_frame(ids, reason, detail) -> pd.DataFrame:
    ids = list(ids)
    return pd.DataFrame({
        "id": ids,
        "reason": reason if isinstance(reason, list) else [reason] * len(ids),
        "detail": detail if isinstance(detail, list) else [detail] * len(ids),
    })


def _row_ids(frame: pd.DataFrame, key: str) -> list[str]:
    """``KEY:ID`` from a unique, non-empty ``id`` column, else ``KEY:ROW`` (0-based data row)."""
    if "id" in frame.columns:
        values = frame["id"]
        if (values != "").all() and values.is_unique:
            return [f"{key}:{v}" for v in values]
    return [f"{key}:{i}" for i in range(len(frame))]


def _compose(values: Sequence[str]) -> str:
    """Join text parts with a space; a title that the body already starts with is not repeated."""
    parts = [v.strip() for v in values if v and v.strip()]
    if len(parts) == 2 and parts[1].startswith(parts[0]) and not parts[1][len(parts[0]):][:1].isalnum():
        parts = parts[1:]  # whole words only: the title "Trump" is no start of "Trumpet sales rose"
    return " ".join(parts)
