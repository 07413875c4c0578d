"""`tito system doctor` reports what is true: complete datasets only, and the `tinytorch` a Python
started in a module folder (as a notebook kernel is) really imports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tito.commands.system import CIFAR10_ARCHIVE, CIFAR10_FILES, dataset_rows
from tito.lib.datasets import MNIST_FILES
from tests.testkit import copy_project

ROOT = Path(__file__).resolve().parents[2]


def rows_by_name(folder: Path) -> dict[str, list[str]]:
    return {row[0]: row for row in dataset_rows(folder)}


def test_cifar10_with_only_its_metadata_is_not_ticked(tmp_path):
    (tmp_path / "cifar10").mkdir()
    (tmp_path / "cifar10" / "batches.meta.gz").write_bytes(b"")
    row = rows_by_name(tmp_path)["CIFAR-10"]
    assert row[1] == "·" and "incomplete (only batches.meta.gz)" in row[2] and CIFAR10_ARCHIVE in row[2]


def test_cifar10_with_its_batches_or_its_archive_is_ticked(tmp_path):
    (tmp_path / "cifar10").mkdir()
    for name in CIFAR10_FILES:
        (tmp_path / "cifar10" / name).write_bytes(b"")
    assert rows_by_name(tmp_path)["CIFAR-10"][1] == "✓"
    (tmp_path / "cifar10" / CIFAR10_FILES[0]).unlink()
    assert rows_by_name(tmp_path)["CIFAR-10"][1] == "·"
    (tmp_path / "cifar10" / CIFAR10_ARCHIVE).write_bytes(b"")
    assert rows_by_name(tmp_path)["CIFAR-10"][1] == "✓"


def test_mnist_needs_all_four_files(tmp_path):
    (tmp_path / "mnist").mkdir()
    for name in MNIST_FILES[:3]:
        (tmp_path / "mnist" / name).write_bytes(b"")
    assert rows_by_name(tmp_path)["MNIST"][1] == "·"
    (tmp_path / "mnist" / MNIST_FILES[3]).write_bytes(b"")
    assert rows_by_name(tmp_path)["MNIST"][1] == "✓"


def test_file_lists_match_the_loader():
    from tinytorch.data import loader

    assert set(CIFAR10_FILES) == {n for names in loader.CIFAR10_FILES.values() for n in names}
    assert CIFAR10_ARCHIVE == loader.CIFAR10_ARCHIVE
    assert set(MNIST_FILES) == {n for names in loader.MNIST_FILES.values() for n in names}


def doctor(proj: Path, pythonpath: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TITO_ROOT"}
    env.update(PYTHONPATH=pythonpath, COLUMNS="400")
    return subprocess.run([sys.executable, "-m", "tito", "system", "doctor"], cwd=proj, env=env,
                          capture_output=True, text=True, check=False)


def module_folder_row(out: subprocess.CompletedProcess) -> str:
    return next(line for line in out.stdout.splitlines() if "tinytorch in modules/" in line)


def test_module_folder_import_of_this_project_is_ticked(tmp_path):
    proj = copy_project(ROOT, tmp_path)
    out = doctor(proj, pythonpath=str(proj))
    assert "Traceback" not in out.stdout + out.stderr
    assert "✓" in module_folder_row(out) and str(proj / "tinytorch") in module_folder_row(out)


def test_module_folder_import_of_another_package_is_a_cross_with_a_hint(tmp_path):
    """A Python started in modules/01_tensor of a copy finds the original project's tinytorch first."""
    proj = copy_project(ROOT, tmp_path)
    out = doctor(proj, pythonpath=str(ROOT))
    row = module_folder_row(out)
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    assert "✗" in row and f"imports {ROOT / 'tinytorch'}, not this project's package" in row
    assert f"PYTHONPATH={proj}" in row


def test_tiny_shakespeare_is_ticked_only_with_its_text(tmp_path):
    row = rows_by_name(tmp_path)["tiny Shakespeare"]
    assert row[1] == "·" and "input.txt" in row[2] and str(tmp_path / "shakespeare") in row[2]
    (tmp_path / "shakespeare").mkdir()
    (tmp_path / "shakespeare" / "input.txt").write_text("First Citizen:\n", encoding="utf-8")
    assert rows_by_name(tmp_path)["tiny Shakespeare"] == ["tiny Shakespeare", "✓", str(tmp_path / "shakespeare")]


def test_outside_a_checkout_doctor_still_reports_the_rest(tmp_path):
    out = doctor(tmp_path, pythonpath="")
    assert out.returncode == 1 and "NumPy" in out.stdout and "BLAS" in out.stdout
    row = next(line for line in out.stdout.splitlines() if "project" in line)
    assert "✗" in row and "No TinyTorch project found" in row


def test_an_import_that_hangs_is_reported_not_waited_for(monkeypatch, tmp_path):
    from tito.commands import system

    def hangs(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], kwargs["timeout"])

    monkeypatch.setattr(system.subprocess, "run", hangs)
    found, why = system.imported_tinytorch(tmp_path)
    assert found is None and "timed out after 60 seconds" in why


def test_the_machine_is_named_without_proc_cpuinfo_or_a_numpy_build_layout(monkeypatch, tmp_path):
    """macOS has no /proc/cpuinfo, ARM Linux has no "model name" line; an older NumPy's show_config
    takes no mode: the doctor and the result records still name what they can."""
    import platform

    import numpy as np

    from tito.lib import machine

    arm_cpuinfo = tmp_path / "cpuinfo"
    arm_cpuinfo.write_text("processor\t: 0\nFeatures\t: fp asimd\n")
    for cpuinfo in (arm_cpuinfo, tmp_path / "missing"):
        monkeypatch.setattr(machine, "Path", lambda _, found=cpuinfo: found)
        assert machine.cpu_name() == (platform.processor() or platform.machine())

    def old_show_config():
        return None

    monkeypatch.setattr(np, "show_config", old_show_config)
    assert machine.blas_name() == "unknown"
