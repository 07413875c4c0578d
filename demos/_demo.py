"""The few lines every demo shares: use the learner's tinytorch, print a result, exit with a verdict.

A demo is a small script, `demos/NN_name.py`, that shows one thing the framework can do at one
stage of the journey. It declares what it needs at the top, as a literal that `tito demo` reads
without running the file:

    '''XOR: one hidden layer learns what a single layer cannot.   <- the title (first line)

    What it shows, in a few lines.
    '''
    NEEDS = ["training"]        # modules (any spelling tito accepts); their dependencies count too

and ends with `_demo.main(run)`, where `run()` prints what it does and returns
`(ok, result)`: `result` is one line saying what was measured; `ok` whether it is what the
demo promises. Exit code 0 (ok), 1 (not ok), 2 (cannot run: a module is not built yet).

Framework-free on purpose (standard library, NumPy and tito's project lookup): whatever the learner has built, this
file imports.
"""

from __future__ import annotations

import struct
import sys
import time
import zlib
from pathlib import Path
from typing import Callable

from tito.lib.project import foreign_package

PASSED, FAILED, CANNOT_RUN = 0, 1, 2


# `import tinytorch` in a demo must mean THIS project's package — in a learner workspace, the
# learner's own (installed by `tito init`). Demos import this file before tinytorch, so a demo that
# would run someone else's package stops here with one sentence saying how to run it.
_ROOT = Path(__file__).resolve().parents[1]
_PROBLEM = foreign_package(_ROOT, " ".join(sys.argv[:1]))
if _PROBLEM:
    print(f"Cannot run: {_PROBLEM}", file=sys.stderr)
    raise SystemExit(CANNOT_RUN)


def section(title: str) -> None:
    print(f"\n── {title}")


def output_file(name: str) -> Path:
    """Where a demo saves a file it makes (a picture): `.tito/demos/<name>` in this project or
    workspace (.tito/ is tito's own folder, never committed), created when missing."""
    folder = _ROOT / ".tito" / "demos"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def shown_path(path: Path) -> str:
    """`path` as a demo prints it: relative to the project when inside it, absolute otherwise."""
    try:
        return str(path.relative_to(_ROOT))
    except ValueError:
        return str(path)


def write_png(path: Path, pixels) -> Path:
    """Save an (H, W) grayscale or (H, W, 3) RGB picture, uint8 values, as a PNG file.

    The whole PNG format a picture needs, in the standard library (zlib for the compression):
    a signature, then chunks — IHDR (size and colour type), IDAT (the rows, each prefixed by
    filter byte 0, deflated), IEND — each as length, type, data, CRC-32. No plotting library: a
    demo imports nothing the learner did not build besides NumPy.
    """
    import numpy as np

    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] != 3):
        raise ValueError(f"write_png expects (H, W) or (H, W, 3) pixels, got shape {pixels.shape}")
    height, width = pixels.shape[:2]
    colour_type = 0 if pixels.ndim == 2 else 2  # 0: grayscale, 2: RGB; 8 bits per channel
    rows = pixels.reshape(height, -1)
    raw = np.hstack([np.zeros((height, 1), np.uint8), rows]).tobytes()  # filter byte 0 per row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
                     + chunk(b"IEND", b""))
    return path


def _missing_module(error: ImportError) -> str:
    """The sentence for a piece of the framework that is not built yet.

    tinytorch's lazy names already say which module provides them; a direct import of a package
    file that does not exist (`from tinytorch.core.spatial import Conv2d`) is looked up in the
    package's registry, the one list of which module exports what.
    """
    missing = getattr(error, "name", None) or ""
    if isinstance(error, ModuleNotFoundError) and missing.startswith("tinytorch"):
        try:
            from tinytorch._registry import MODULES
        except ImportError:
            return str(error)
        for module_id, (path, _provides) in MODULES.items():
            if path == missing or path.startswith(missing + "."):
                return (f"{missing} arrives in module {module_id} — run "
                        f"`tito module complete {module_id.split('_')[0]}`.")
    return str(error)


def main(run: Callable[[], tuple[bool, str]]) -> None:
    """Run the demo, print its one-line result and exit with its verdict (see the module docstring)."""
    started = time.perf_counter()
    try:
        ok, result = run()
    except ImportError as e:
        print(f"This demo cannot run yet: {_missing_module(e)}", file=sys.stderr)
        sys.exit(CANNOT_RUN)
    seconds = time.perf_counter() - started
    print(f"\n{'✓' if ok else '✗'} Result: {result}  ({seconds:.2f} s)")
    sys.exit(PASSED if ok else FAILED)
