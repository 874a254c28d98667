"""The mechanics ``newsbench predict`` shares between its engines: the inputs read in
row-numbered chunks with texts built as ``evaluate`` builds them, one Parquet part per chunk
written atomically, and the final check that joins the parts (``serving.predict`` runs a job)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from newsbench.columns import text_columns
from newsbench.data import blank, compose_texts
from newsbench.detectors.base import fingerprint
from newsbench.errors import ConfigError, DataError
from newsbench.evaluation import load_model_card
from newsbench.options import LoadOptions
from newsbench.scorer import Scorer
from newsbench.serving.config import PredictConfig
from newsbench.sources import DataSpec
from newsbench.tables import TableChunk, file_sha256, iter_table


@dataclass(frozen=True)
class Chunk:
    """One chunk of one input file, with the texts to score (empty text: skipped)."""

    file_index: int
    start: int
    rows: pd.DataFrame  # id, file, row, text
    done: float  # share of the file read


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


class Job:
    """The parts both engines share: inputs, text building, the parts folder and the final check."""

    def __init__(self, config: PredictConfig):
        self.config = config
        self.specs = [DataSpec.parse(s) for s in config.data]
        keys = [s.key for s in self.specs]
        self.keys: list[str] = []  # ids never collide: x.csv twice gives x#0 and x#1, unless a file is x#1
        for i, key in enumerate(keys):
            unique = key if keys.count(key) == 1 else f"{key}#{i}"
            while unique in self.keys or (unique != key and unique in keys):
                unique += f"#{i}"
            self.keys.append(unique)
        card, _ = load_model_card(config.model)
        self.threshold = config.threshold if config.threshold is not None else (card.threshold if card else 0.5)
        self.options = (card.preprocessing if card else LoadOptions()).overridden(  # as evaluate reads files
            config.text_cols, None, config.encoding, config.strip_datelines, config.text_template,
            config.strip_artifacts)
        self.out = Path(config.out).expanduser()
        self.parts = self.out.with_name(self.out.name + ".parts")
        if self.out.exists():
            raise ConfigError(f"--out {self.out} already exists (a finished run); remove it to predict again")

    def open(self) -> None:
        """Create the parts folder, or check that the one there belongs to this very job."""
        model = Path(self.config.model).expanduser()
        manifest = {
            "model": fingerprint(model) if model.exists() else self.config.model, "threshold": self.threshold,
            "chunk_rows": self.config.chunk_rows,
            "backend": self.config.backend, "max_length": self.config.max_length,
            "options": {"text_cols": self.options.text_cols, "text_template": self.options.text_template,
                        "strip_datelines": self.options.strip_datelines,
                        "strip_artifacts": self.options.strip_artifacts, "encoding": self.options.encoding},
            "files": [{"path": str(s.path.resolve()), "size": s.path.stat().st_size, "sha256": file_sha256(s.path)}
                      for s in self.specs],
        }
        path = self.parts / "job.json"
        if self.parts.exists() and not self.parts.is_dir():
            raise ConfigError(f"{self.parts} is a file, where predict keeps its parts; move it or choose another --out")
        if self.parts.is_dir() and not path.exists() and any(self.parts.iterdir()):
            raise ConfigError(f"{self.parts} holds files that newsbench predict did not write (no job.json); move "
                              "them or choose another --out")
        if path.exists():
            saved = json.loads(path.read_text())
            if any("sha256" not in f for f in saved.get("files", [])):
                raise ConfigError(f"{self.parts} holds parts of a run by an earlier newsbench (it identified input "
                                  "files by size and time, not content); delete the folder and run again")
            if saved != json.loads(json.dumps(manifest)):
                raise ConfigError(f"{self.parts} holds parts of a run with another model, input files or options; "
                                  "rerun with the same ones to resume it, or delete the folder to start over")
        else:
            self.parts.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(manifest, indent=2))
        self._lock()

    def _lock(self) -> None:
        """One run per parts folder: two would write the same temporary files and remove each other's."""
        lock = self.parts / "lock"
        try:
            other = int(lock.read_text())
        except (OSError, ValueError):
            other = None
        if other and other != os.getpid() and _alive(other):
            raise ConfigError(f"{self.parts}: another newsbench predict (process {other}) is writing this output; "
                              "wait for it to finish, or stop it and run again to resume")
        lock.write_text(str(os.getpid()))  # a killed run's lock names a process that has ended

    def unlock(self) -> None:
        """Release this process's lock, if it holds one (the parts folder may be gone: finished)."""
        lock = self.parts / "lock"
        try:
            if int(lock.read_text()) == os.getpid():
                lock.unlink()
        except (OSError, ValueError):
            pass

    def chunks(self) -> Iterator[Chunk]:
        """Every chunk of every input file, texts built as ``evaluate`` builds them."""
        for index, spec in enumerate(self.specs):
            columns: list[str] = []
            text_cols: tuple[str, ...] | None = None
            lines, later = spec.path.suffix.lower() in (".jsonl", ".ndjson"), []
            for chunk in iter_table(spec.path, self.config.encoding, self.config.chunk_rows):
                new = [c for c in chunk.frame.columns if c not in columns]
                if new or text_cols is None:  # JSON Lines rows may bring keys the rows before lacked
                    columns += new
                    # A named text column may first appear in a later row of JSON Lines.
                    later = [c for c in self.options.text_cols or () if lines and not self.options.detect_missing
                             and c.lower() not in {k.lower() for k in columns}]  # the model's: detected if absent
                    choice = text_columns(spec.path, columns + later, self.options)
                    if text_cols is not None and choice != text_cols:
                        culprit = next((c for c in choice if c in new), new[0])
                        row = chunk.start + int((chunk.frame[culprit] != "").to_numpy().argmax())
                        raise DataError(f"{spec.path}: row {row} (0-based) brings the column '{culprit}', which makes "
                                        f"the text {'+'.join(choice)} where the rows before it read "
                                        f"{'+'.join(text_cols)}; name the text columns with --text-cols")
                    text_cols = choice
                yield self._chunk(index, spec, chunk, text_cols)
            if later:
                raise DataError(f"{spec.path}: --text-cols asks for {later}, but no row has them; its keys are "
                                f"{columns}")

    def _chunk(self, index: int, spec: DataSpec, chunk: TableChunk, text_cols: tuple[str, ...]) -> Chunk:
        frame = chunk.frame.reindex(columns=list(text_cols), fill_value="")  # JSONL rows may lack a key
        rows = np.arange(chunk.start, chunk.start + len(frame), dtype=np.int64)
        texts = compose_texts({c: frame[c].fillna("").tolist() for c in text_cols}, self.options)
        return Chunk(index, chunk.start, pd.DataFrame({
            "id": [f"{self.keys[index]}:{r}" for r in rows], "file": str(spec.path), "row": rows, "text": texts,
        }), chunk.done)

    def part(self, chunk: Chunk) -> Path:
        return self.parts / f"{chunk.file_index:04d}-{chunk.start // self.config.chunk_rows:08d}.parquet"

    def finish(self, expected: dict[Path, int]) -> tuple[int, dict[str, int]]:
        """Check the parts (each chunk of this pass once, every row once, in order), join them into
        ``out`` and remove the parts folder. Returns rows and skipped counts."""
        import pyarrow.parquet as pq

        found = sorted(self.parts.glob("*.parquet"))
        stray = [p.name for p in found if p not in expected]
        if stray or len(found) != len(expected):
            raise DataError(f"{self.parts}: parts {stray or sorted(set(expected) - set(found))[:3]} do not match the "
                            "input; delete the folder and run again")
        tmp, rows, skipped = self.out.with_name(self.out.name + ".tmp"), 0, {}
        writer = None
        try:
            for path in found:
                table = pq.read_table(path)
                first = int(path.stem.split("-")[1]) * self.config.chunk_rows
                numbers = table.column("row").to_numpy()
                in_order = np.array_equal(numbers, np.arange(first, first + len(numbers)))
                if len(numbers) != expected[path] or not in_order:
                    raise DataError(f"{path}: holds rows {numbers[:1]}..{numbers[-1:]} ({len(numbers)}), expected "
                                    f"{expected[path]} from row {first}; delete {self.parts} and run again")
                for reason in table.column("skipped").drop_null().to_pylist():
                    skipped[reason] = skipped.get(reason, 0) + 1
                writer = writer or pq.ParquetWriter(tmp, schema())
                writer.write_table(table)
                rows += len(numbers)
            if writer is None:
                writer = pq.ParquetWriter(tmp, schema())
        finally:
            if writer is not None:
                writer.close()
        tmp.replace(self.out)
        shutil.rmtree(self.parts)
        return rows, skipped


def score_rows(rows: pd.DataFrame, scorer: Scorer | None, threshold: float) -> pd.DataFrame:
    """The output rows of one chunk: P(fake) and label of each row with text; the rest skipped."""
    texts = rows["text"].tolist()
    empty = np.array([blank(t) for t in texts], dtype=bool)
    prob = np.full(len(texts), np.nan)
    if (~empty).any():
        prob[~empty] = scorer.score([t for t, e in zip(texts, empty) if not e])
    label = pd.array(np.where(empty, None, np.where(prob >= threshold, "fake", "real")), dtype="string")
    return pd.DataFrame({
        "id": rows["id"].to_numpy(), "file": rows["file"].to_numpy(), "row": rows["row"].to_numpy(np.int64),
        "prob_fake": prob, "label": label,
        "skipped": pd.array(np.where(empty, "empty_text", None), dtype="string"),
    })


def schema():
    """The output's columns and types, the same whichever engine wrote a part."""
    import pyarrow as pa

    return pa.schema([("id", pa.string()), ("file", pa.string()), ("row", pa.int64()), ("prob_fake", pa.float64()),
                      ("label", pa.string()), ("skipped", pa.string())])


def write_part(frame: pd.DataFrame, path: Path) -> None:
    """Write atomically: a part exists whole or not at all, so a resume never trusts half a file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = path.with_suffix(".tmp")
    columns = {field.name: pa.Array.from_pandas(frame[field.name], type=field.type) for field in schema()}
    pq.write_table(pa.table(columns, schema=schema()), tmp)
    tmp.replace(path)
