"""`tito export` never replaces a working package file with broken code, and says where it broke."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.testkit import copy_project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def proj(tmp_path) -> Path:
    return copy_project(ROOT, tmp_path)


def tito(proj: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tito", *args], capture_output=True, text=True, cwd=proj)


def _edit_source(proj: Path, old: str, new: str) -> int:
    """Replace `old` (once) in module 01's source; return the 1-based line it was on."""
    source = proj / "modules" / "01_tensor" / "tensor_dev.py"
    text = source.read_text()
    assert old in text
    source.write_text(text.replace(old, new, 1))
    return text[: text.index(old)].count("\n") + 1


def test_syntax_error_is_reported_with_its_line_and_package_kept(proj):
    package = proj / "tinytorch" / "core" / "tensor.py"
    before = package.read_text()
    line = _edit_source(proj, "def exp(self)", "def exp(self) oops")
    out = tito(proj, "export", "01", "--no-test")
    assert out.returncode == 1
    assert f"tensor_dev.py line {line}" in out.stdout, out.stdout
    assert package.read_text() == before and "Traceback" not in out.stdout + out.stderr


def test_failing_unit_tests_block_the_export(proj):
    package = proj / "tinytorch" / "core" / "tensor.py"
    before = package.read_text()
    _edit_source(proj, '_elementwise("add", self, other, np.add)', '_elementwise("add", self, other, np.subtract)')
    out = tito(proj, "export", "01")
    assert out.returncode == 1 and "its own tests fail" in out.stdout, out.stdout
    assert package.read_text() == before


def test_import_error_is_reported_with_its_line_and_package_kept(proj):
    package = proj / "tinytorch" / "core" / "tensor.py"
    before = package.read_text()
    line = _edit_source(proj, "autograd_hooks = AutogradHooks()", "autograd_hooks = AutogradHook()")
    out = tito(proj, "export", "01", "--no-test")
    assert out.returncode == 1 and "fails to import" in out.stdout, out.stdout
    assert f"tensor_dev.py line {line}" in out.stdout and "NameError" in out.stdout
    assert package.read_text() == before


def test_a_good_export_rewrites_the_file_identically(proj):
    package = proj / "tinytorch" / "core" / "tensor.py"
    before = package.read_text()
    out = tito(proj, "export", "01")
    assert out.returncode == 0, out.stdout + out.stderr
    assert package.read_text() == before


def test_a_provided_name_must_be_defined_by_an_exported_cell(proj):
    """Names bound by `a = ...` or `a, b = ...` count; dropping one from the tuple is caught."""
    package = proj / "tinytorch" / "core" / "tensor.py"
    before = package.read_text()
    _edit_source(proj, "tensor, zeros, ones, full,", "tensor, zeros, ones, _full,")
    out = tito(proj, "export", "01", "--no-test")
    assert out.returncode == 1 and "['full'], but no exported cell defines them" in out.stdout, out.stdout
    assert package.read_text() == before
