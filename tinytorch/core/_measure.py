"""What every chapter's live measurement shares: which machine it ran on, and a best-of-N timer.

Hand-written (not generated): chapters import these two helpers so that every printed figure
comes with the line that says where it was measured.
"""

from __future__ import annotations

import os
import platform
import time
from typing import Any, Callable

import numpy as np


def machine_line() -> str:
    """The CPU, its core count and the BLAS thread setting: printed above every measurement."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    limits = [f"{v}={os.environ[v]}" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
              if v in os.environ]
    threads = ", ".join(limits) if limits else f"BLAS threads: library default (up to {os.cpu_count()})"
    return f"machine: {cpu}, {os.cpu_count()} logical CPUs; NumPy {np.__version__}; {threads}"


def best_time(fn: Callable[[], Any], repeats: int = 5) -> float:
    """The fastest of `repeats` runs of fn() after one warm-up, in seconds (the run least
    disturbed by other programs)."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def best_ms(fn: Callable[[], Any], repeats: int = 5) -> float:
    """best_time in milliseconds."""
    return best_time(fn, repeats) * 1e3
