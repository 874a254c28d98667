"""newsbench predict on a large generated archive: rows/s and peak memory, in-process vs local Ray.

Writes an N-row CSV of news (articles sampled with replacement from the shared datasets, cut at
--chars characters; generated sentences without $NEWSBENCH_DATA_DIR), then runs ``newsbench
predict`` on it in fresh processes: the local engine, then ``--engine ray`` on a local Ray with
the same CPUs. Prints rows/s, the command's peak RSS (for Ray, the driver's; actors have their
own) and the ratio ray / local.

Usage: python benchmarks/predict_throughput.py --model runs/lr --allow-pickle [--rows 200000]
           [--chunk-rows 10000] [--engines local,ray] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
SETS = ("isot_samples", "f3", "llmfake", "fakenewsamt_celebrity", "snopes_articles")


def archive(path: Path, rows: int, chars: int, seed: int = 0) -> None:
    """An N-row title,text CSV written in slices, so generating it needs no N-row frame."""
    from newsbench.data import load_dataset
    from newsbench.sources import DATA_DIR_ENV, DataSpec

    rng = np.random.default_rng(seed)
    folder = os.environ.get(DATA_DIR_ENV)
    if folder and all((Path(folder) / s).exists() for s in SETS):
        pool = pd.concat([load_dataset([DataSpec.parse(s)]).rows[["text"]] for s in SETS], ignore_index=True)
        texts = pool["text"].str.slice(0, chars).to_numpy()
    else:
        words = np.array("the minister said on tuesday that the budget would rise amid shocking claims".split())
        texts = np.array([" ".join(rng.choice(words, 80)) for _ in range(5000)])
    with path.open("w", encoding="utf-8") as f:
        f.write("title,text\n")
        for start in range(0, rows, 20000):
            n = min(20000, rows - start)
            picks = texts[rng.integers(0, len(texts), n)]
            pd.DataFrame({"title": [f"article {start + i}" for i in range(n)], "text": picks}).to_csv(
                f, header=False, index=False)


def run(args, data: Path, out: Path, engine: str) -> dict:
    command = [sys.executable, "-m", "newsbench", "predict", "--model", args.model, "--data", str(data),
               "--out", str(out), "--chunk-rows", str(args.chunk_rows), "--engine", engine,
               "--backend", args.backend]
    if args.allow_pickle:
        command.append("--allow-pickle")
    if args.threads:
        command += ["--threads", str(args.threads)]
    if engine == "ray":
        command += ["--num-cpus", str(os.cpu_count())]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "COLUMNS": "250"})
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    line = next(x for x in done.stderr.splitlines() if x.startswith("predicted"))
    return {"line": line, "wall": wall,
            "rows_per_s": float(re.search(r"\(([\d,]+) rows/s", line).group(1).replace(",", "")),
            "peak_mb": float(re.search(r"peak RSS ([\d,]+) MB", line).group(1).replace(",", ""))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--allow-pickle", action="store_true")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--chars", type=int, default=1500)
    parser.add_argument("--chunk-rows", type=int, default=10_000)
    parser.add_argument("--engines", default="local,ray")
    parser.add_argument("--threads", type=int, help="detector threads (ray: per actor)")
    args = parser.parse_args()

    from newsbench.environment import capture_environment

    env = capture_environment(0, args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "archive.csv"
        archive(data, args.rows, args.chars)
        size = data.stat().st_size / 2**20
        results = {engine: run(args, data, Path(tmp) / f"{engine}.parquet", engine)
                   for engine in args.engines.split(",")}
    print(f"# newsbench predict: {args.rows:,} rows ({size:,.0f} MB CSV), chunks of {args.chunk_rows:,}; "
          f"{env.cpu_model}, {env.cpu_count} cores; model {args.model} ({args.backend}), threads {args.threads}")
    print("| engine | rows/s | wall s | peak RSS MB |\n|---|---|---|---|")
    for engine, r in results.items():
        print(f"| {engine} | {r['rows_per_s']:,.0f} | {r['wall']:.1f} | {r['peak_mb']:,.0f} |")
    if {"local", "ray"} <= set(results):
        print(f"ratio: {results['ray']['rows_per_s'] / results['local']['rows_per_s']:.2f} (ray / local rows/s)")


if __name__ == "__main__":
    main()
