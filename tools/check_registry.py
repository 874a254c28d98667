"""Check every registry entry against reference copies: fetch each dataset through a mirror into an
empty cache and compare the result with ``$NEWSBENCH_DATA_DIR/NAME`` (data.csv byte for byte,
stats.json field by field).

Usage: NEWSBENCH_DATA_DIR=../shared/data python tools/check_registry.py --mirror DIR_OR_URL [NAME...]

The mirror is laid out as the origin serves raw files (owner/name/commit/path); without --mirror the
files come from the origin itself (needs the internet).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="datasets to check (default: every entry)")
    parser.add_argument("--mirror", help="a folder or http(s) URL laid out as owner/name/commit/path")
    args = parser.parse_args()
    reference = Path(os.environ["NEWSBENCH_DATA_DIR"])
    with tempfile.TemporaryDirectory() as home:
        os.environ["NEWSBENCH_DATA_HOME"] = home
        os.environ.pop("NEWSBENCH_OFFLINE", None)
        if args.mirror:
            os.environ["NEWSBENCH_DATA_MIRROR"] = args.mirror
        from newsbench.datasets.fetch import get
        from newsbench.datasets.registry import REGISTRY

        failed = 0
        print("| dataset | files | MB | rows | real / fake | data.csv identical | stats.json identical | s |")
        print("|---|---|---|---|---|---|---|---|")
        for name in args.names or list(REGISTRY):
            entry, start = REGISTRY[name], time.perf_counter()
            folder = get(name, accept=True, progress=False)
            same = _digest(folder / "data.csv") == _digest(reference / name / "data.csv")
            got, want = (json.loads((d / "stats.json").read_text()) for d in (folder, reference / name))
            c = entry.counts
            print(f"| {name} | {len(entry.files)} | {entry.size / 1e6:.1f} | {c.rows:,} | {c.real:,} / {c.fake:,} | "
                  f"{'yes' if same else 'NO'} | {'yes' if got == want else 'NO'} | {time.perf_counter() - start:.1f} |",
                  flush=True)
            failed += not (same and got == want)
    return 1 if failed else 0


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


if __name__ == "__main__":
    sys.exit(main())
