"""Where a result was produced: CPU model and instruction sets, cores, threads, library versions,
git commit. Captured once per run and stored in every result; the backend choice reads the same
CPU flags.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path

from newsbench.results import Environment

PACKAGES = ("numpy", "pandas", "scikit-learn", "torch", "transformers", "tokenizers", "onnxruntime", "scipy")
CPU_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_bf16", "amx_int8",
             "fma", "sse4_2")


def capture_environment(seed: int, threads: int | None = None, started: float | None = None) -> Environment:
    """Record versions, CPU model and flags, thread count, git commit, seed and start time.

    Args:
        seed: the run's seed.
        threads: threads the run was limited to; None records torch's count if torch is loaded.
        started: start time (``time.time()``); default now.
    """
    import sys

    from newsbench import __version__

    torch = sys.modules.get("torch")
    if threads is None and torch is not None:
        threads = torch.get_num_threads()

    cpu_model, flags = cpu_info()
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return Environment(
        newsbench_version=__version__,
        git_commit=_git_commit(),
        python=platform.python_version(),
        os=platform.platform(),
        cpu_model=cpu_model,
        cpu_flags=[f for f in CPU_FLAGS if f in flags],
        cpu_count=cores(),
        threads=threads,
        packages=packages,
        seed=seed,
        started_at=dt.datetime.fromtimestamp(started or dt.datetime.now().timestamp(), dt.UTC)
        .isoformat(timespec="seconds"),
    )


def cpu_info() -> tuple[str, set[str]]:
    """The CPU's model name and instruction-set flags (from /proc/cpuinfo; flags empty elsewhere)."""
    cpu_model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                cpu_model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass
    return cpu_model, flags


def _git_commit() -> str | None:
    """The commit of the newsbench checkout in use (with ``+dirty``), or None if not a checkout."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def cpu_flags() -> set[str]:
    """Instruction-set flags of this CPU (empty where /proc/cpuinfo is unavailable)."""
    return cpu_info()[1]


def has_int8_dot(flags: set[str] | None = None) -> bool:
    """Whether the CPU multiplies int8 natively (VNNI or AMX), which int8 inference needs to pay off."""
    return bool((cpu_flags() if flags is None else flags) & {"avx512_vnni", "avx_vnni", "amx_int8"})


def has_bf16(flags: set[str] | None = None) -> bool:
    """Whether the CPU computes in bf16 natively (AVX512-BF16 or AMX); without it bf16 is emulated and slow."""
    return bool((cpu_flags() if flags is None else flags) & {"avx512_bf16", "amx_bf16"})


def cores() -> int:
    """CPU cores this process may run on (its affinity mask, else the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
