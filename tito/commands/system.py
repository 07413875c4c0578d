"""`tito system doctor`: is this machine ready for TinyTorch?

It reports what is true, not what should be: the `tinytorch` a Python started at the project
root — and one started in a module folder, as a Jupyter kernel is — really imports, and which
datasets are complete in the data folder the milestones use.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

from tito.lib.console import table
from tito.lib.errors import UserError
from tito.lib.project import Project, find_project


# The files CIFAR-10's loader reads (tinytorch.data.loader's CIFAR10_FILES, or the archive they come
# from; tests/system/test_tito_doctor.py checks they agree, and MNIST's in tito.lib.datasets).
CIFAR10_FILES = tuple(f"data_batch_{k}.bin" for k in range(1, 6)) + ("test_batch.bin",)
CIFAR10_ARCHIVE = "cifar-10-binary.tar.gz"
PROBE = "import tinytorch; print(tinytorch.__file__)"


def imported_tinytorch(cwd: Path) -> tuple[Path | None, str]:
    """(tinytorch.__file__, "") for a Python started in `cwd` with the user's environment, or (None, why)."""
    try:
        proc = subprocess.run([sys.executable, "-c", PROBE], cwd=cwd, capture_output=True, text=True,
                              timeout=60, env=dict(os.environ))
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, str(e)
    if proc.returncode != 0:
        last = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        return None, last[0]
    return Path(proc.stdout.strip().splitlines()[-1]).resolve(), ""


def package_check(project: Project, cwd: Path) -> tuple[str, str]:
    """(mark, detail) for the tinytorch a Python started in `cwd` imports: ✓ this project's; ✗ another
    one (silently the wrong code); none at all is ✗ in a workspace, · in the source project (whose
    reference package is used from its root; tito and pytest put it on the path)."""
    found, why = imported_tinytorch(cwd)
    where = project.relative(cwd) if cwd != project.root else "the project root"
    fix = (f"install this workspace's package: python -m pip install --no-deps -e {project.root}, or start "
           f"Python with PYTHONPATH={project.root}" if project.is_workspace
           else f"start Python with PYTHONPATH={project.root} to use this project's package there")
    if found is None:
        mark = "✗" if project.is_workspace else "·"
        return mark, f"a Python started in {where} cannot import tinytorch ({why}) — {fix}"
    if found.is_relative_to(project.root.resolve()):
        return "✓", str(found.parent)
    return "✗", f"a Python started in {where} imports {found.parent}, not this project's package — {fix}"


def dataset_rows(folder: Path) -> list[list[str]]:
    """MNIST, CIFAR-10 and tiny Shakespeare: ✓ only when every file the loader reads is there."""
    from tito.lib.datasets import SHAKESPEARE_FILE, has_mnist

    cifar = folder / "cifar10"
    cifar_complete = (cifar / CIFAR10_ARCHIVE).is_file() or all((cifar / n).is_file() for n in CIFAR10_FILES)
    text = folder / SHAKESPEARE_FILE
    return [_dataset_row("MNIST", folder / "mnist", has_mnist(folder), "the four MNIST .gz files"),
            _dataset_row("CIFAR-10", cifar, cifar_complete,
                         f"{CIFAR10_ARCHIVE}, or data_batch_1.bin … data_batch_5.bin and test_batch.bin,"),
            _dataset_row("tiny Shakespeare", text.parent, text.is_file(), f"char-rnn's {text.name}")]


def _dataset_row(name: str, folder: Path, complete: bool, wanted: str) -> list[str]:
    if complete:
        return [name, "✓", str(folder)]
    present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    has = f"incomplete (only {', '.join(present[:3])}{' …' if len(present) > 3 else ''})" if present else "not there"
    return [name, "·", f"{has}: put {wanted} in {folder}"]


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("doctor", help="Python, NumPy, BLAS, package import, data folder")


def run(args) -> int:
    from tito.lib.machine import blas_name
    from tito.lib.datasets import data_folder

    import numpy as np

    rows, ok = [], True

    def check(name: str, good: bool | str, detail: str) -> None:
        """A row: True → ✓, False → ✗ (doctor fails), or a mark as it is ("·": a fact, not a failure)."""
        nonlocal ok
        mark = good if isinstance(good, str) else "✓" if good else "✗"
        ok &= mark != "✗"
        rows.append([name, mark, detail])

    check("Python", sys.version_info >= (3, 10), f"{platform.python_version()} ({sys.executable})")
    check("NumPy", int(np.__version__.split(".")[0]) >= 2, np.__version__)
    rows.append(["BLAS", "·", blas_name()])
    try:
        project = find_project()
    except UserError as e:  # not inside a checkout: still report the rest
        check("project", False, str(e))
        project = None
    if project is not None:
        check("project", True, str(project.root))
        check("import tinytorch", *package_check(project, project.root))
        modules = sorted(p.parent for p in project.modules_dir.glob("*/module.yaml"))
        if modules:
            check("tinytorch in modules/", *package_check(project, modules[0]))
        folder, origin = data_folder(project)
        rows.append(["data folder", "✓" if folder.is_dir() else "·",
                     f"{folder} ({origin}){'' if folder.is_dir() else ' — not created yet'}"])
        rows += dataset_rows(folder)
    table("tito system doctor", ["check", "", "detail"], rows)
    return 0 if ok else 1
