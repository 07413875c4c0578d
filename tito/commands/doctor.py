"""`tito system doctor`: is this machine ready for TinyTorch?"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

from tito.lib.console import table
from tito.lib.machine import blas_name
from tito.lib.project import find_project


def _data_folder() -> tuple[Path, str]:
    """The folder TinyTorch reads datasets from: $TINYTORCH_DATA, else ~/.cache/tinytorch."""
    env = os.environ.get("TINYTORCH_DATA")
    return (Path(env), "from $TINYTORCH_DATA") if env else (Path.home() / ".cache" / "tinytorch", "default")


def run(args) -> int:
    import numpy as np

    rows, ok = [], True

    def check(name: str, good: bool, detail: str) -> None:
        nonlocal ok
        ok &= good
        rows.append([name, "✓" if good else "✗", detail])

    check("Python", sys.version_info >= (3, 10), f"{platform.python_version()} ({sys.executable})")
    check("NumPy", int(np.__version__.split(".")[0]) >= 2, np.__version__)
    rows.append(["BLAS", "·", blas_name()])
    try:
        project = find_project()
        check("project", True, str(project.root))
    except Exception as e:  # not inside a checkout: still report the rest
        check("project", False, str(e))
    try:
        import tinytorch

        check("import tinytorch", True, str(Path(tinytorch.__file__).parent))
    except Exception as e:
        check("import tinytorch", False, f"{type(e).__name__}: {e}")
    folder, origin = _data_folder()
    present = ", ".join(sorted(p.name for p in folder.iterdir() if p.is_dir())) if folder.is_dir() else ""
    rows.append(["data folder", "✓" if folder.is_dir() else "·",
                 f"{folder} ({origin}){': ' + present if present else ' — not created yet'}"])
    table("tito system doctor", ["check", "", "detail"], rows)
    return 0 if ok else 1
