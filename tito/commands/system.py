"""`tito system doctor`: is this machine ready for TinyTorch?

It reports what is true, not what should be: the `tinytorch` a Python started at the project root —
and one started in a module folder, as a Jupyter kernel is — really imports, and which datasets are
complete in the data folder the milestones use.
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


def imported_tinytorch(cwd: Path) -> tuple[Path | None, str]:
    """(tinytorch.__file__, "") for a Python started in `cwd` with the user's environment, or (None, why)."""
    try:
        proc = subprocess.run([sys.executable, "-c", "import tinytorch; print(tinytorch.__file__)"], cwd=cwd,
                              capture_output=True, text=True, timeout=60, env=dict(os.environ))
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, str(e)
    if proc.returncode != 0:
        return None, (proc.stderr.strip().splitlines()[-1:] or ["no output"])[0]
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
    from tito.lib.datasets import MNIST_FILES, SHAKESPEARE_FILE

    datasets = [  # name, its folder, the sets of files that make it complete, what to put there
        ("MNIST", "mnist", [MNIST_FILES], "the four MNIST .gz files"),
        ("CIFAR-10", "cifar10", [(CIFAR10_ARCHIVE,), CIFAR10_FILES],
         f"{CIFAR10_ARCHIVE}, or data_batch_1.bin … data_batch_5.bin and test_batch.bin,"),
        ("tiny Shakespeare", SHAKESPEARE_FILE.parent, [(SHAKESPEARE_FILE.name,)], "char-rnn's input.txt"),
    ]
    rows = []
    for name, subfolder, complete_sets, wanted in datasets:
        where = folder / subfolder
        if any(all((where / file).is_file() for file in files) for files in complete_sets):
            rows.append([name, "✓", str(where)])
            continue
        present = sorted(p.name for p in where.iterdir()) if where.is_dir() else []
        more = " …" if len(present) > 3 else ""
        has = f"incomplete (only {', '.join(present[:3])}{more})" if present else "not there"
        rows.append([name, "·", f"{has}: put {wanted} in {where}"])
    return rows


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("doctor", help="Python, NumPy, BLAS, package import, data folder")


def run(args) -> int:
    """A row per check: ✓, ✗ (doctor fails) or · (a fact, not a failure)."""
    import numpy as np
    from tito.lib.datasets import data_folder
    from tito.lib.machine import blas_name

    mark = {True: "✓", False: "✗"}
    rows = [["Python", mark[sys.version_info >= (3, 10)], f"{platform.python_version()} ({sys.executable})"],
            ["NumPy", mark[int(np.__version__.split(".")[0]) >= 2], np.__version__],
            ["BLAS", "·", blas_name()]]
    try:
        project = find_project()
    except UserError as e:  # not inside a checkout: still report the rest
        rows.append(["project", "✗", str(e)])
    else:
        rows += [["project", "✓", str(project.root)], ["import tinytorch", *package_check(project, project.root)]]
        modules = sorted(p.parent for p in project.modules_dir.glob("*/module.yaml"))
        if modules:
            rows.append(["tinytorch in modules/", *package_check(project, modules[0])])
        folder, origin = data_folder(project)
        rows.append(["data folder", "✓" if folder.is_dir() else "·",
                     f"{folder} ({origin}){'' if folder.is_dir() else ' — not created yet'}"])
        rows += dataset_rows(folder)
    table("tito system doctor", ["check", "", "detail"], rows)
    return 1 if any(row[1] == "✗" for row in rows) else 0
