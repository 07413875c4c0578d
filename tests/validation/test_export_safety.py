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


@pytest.mark.parametrize("old, new, expected", [
    ("#| default_exp core.tensor", "#| default_exp core.tensr",
     "'#| default_exp core.tensr' but module.yaml exports tinytorch.core.tensor"),
    ('"as-array", "locked": false, "schema_version": 3, "solution": true}\n',
     '"as-array", "locked": false, "schema_version": 3, "solution": true}\n#| default_exp core.tensor\n',
     "expected exactly one '#| default_exp' directive, found 2"),
    ("#| export\n", "#| export\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n", "hidden tests in an exported cell"),
    ('# %% nbgrader={"grade": false, "grade_id": "tensor-imports"', '# %% nbgrader {"grade": false, "grade_id": "x"',
     "cannot read cell options"),
    ('# %% nbgrader={"grade": false, "grade_id": "tensor-imports"', '# %% nbgrader={"grade": no, "grade_id": "x"',
     "cell option 'nbgrader' is not valid JSON"),
])
def test_an_authoring_mistake_is_named_and_the_package_kept(proj, old, new, expected):
    package = proj / "tinytorch" / "core" / "tensor.py"
    before = package.read_text()
    _edit_source(proj, old, new)
    out = tito(proj, "export", "01", "--no-test")
    assert out.returncode == 1 and expected in out.stdout and "tensor_dev.py" in out.stdout, out.stdout
    assert package.read_text() == before and "Traceback" not in out.stdout + out.stderr


def test_export_restores_what_the_package_needs_and_check_finds_strays(proj):
    """A blank line after `#| export` changes nothing; a missing package __init__.py and a stale stub
    are written again; `--check` then passes, until a generated file no module exports appears."""
    package = proj / "tinytorch" / "core" / "tensor.py"
    before = package.read_text()
    stub = proj / "tinytorch" / "nn" / "__init__.pyi"
    stub_text = stub.read_text()
    stub.write_text("# stale\n")
    (proj / "tinytorch" / "core" / "__init__.py").unlink()
    _edit_source(proj, "#| export\n", "#| export\n\n")
    out = tito(proj, "export", "--all", "--no-test")
    assert out.returncode == 0, out.stdout + out.stderr
    assert package.read_text() == before and stub.read_text() == stub_text
    assert (proj / "tinytorch" / "core" / "__init__.py").is_file()
    out = tito(proj, "export", "--check")
    assert out.returncode == 0 and "tinytorch/ is in sync with modules/" in out.stdout, out.stdout
    (proj / "tinytorch" / "core" / "stray.py").write_text("# AUTOGENERATED by `tito export`\n")
    out = tito(proj, "export", "--check")
    assert out.returncode == 1 and "tinytorch/core/stray.py (generated, but no module exports it)" in out.stdout


@pytest.mark.parametrize("text, expected", [
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN HIDDEN TESTS\n",
     "m.py:3: ### BEGIN HIDDEN TESTS inside the region opened at line 2."),
    ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "m.py:1: a solution region must be inside a function body."),
    ("def f():\n    return 1\n    ### END SOLUTION\n",
     "m.py:3: ### END SOLUTION without a matching ### BEGIN SOLUTION."),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "m.py:2: ### BEGIN SOLUTION is never closed."),
])
def test_a_broken_solution_region_is_named_before_a_student_version_is_made(text, expected):
    from tito.lib.errors import UserError
    from tito.lib.student import strip_solutions

    with pytest.raises(UserError) as raised:
        strip_solutions(text, "m.py")
    assert str(raised.value) == expected
