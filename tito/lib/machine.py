"""Where a number was measured: the processor and the BLAS behind NumPy, named the same way by
milestone results, benchmark records and `tito system doctor`. Standard library only until called."""

from __future__ import annotations

import platform
from pathlib import Path


def cpu_name() -> str:
    """The processor's model name ("AMD EPYC", "Intel(R) Xeon(R) Processor", …)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_name() -> str:
    """The BLAS NumPy was built against, e.g. "scipy-openblas 0.3.31" (NumPy ≥ 2 reports a dict)."""
    import numpy as np

    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # the layout of show_config differs across NumPy builds: not worth failing over
        return "unknown"
