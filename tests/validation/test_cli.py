"""`tito` starts fast, speaks in the user's terms and never shows a traceback for a mistake."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "rich", "yaml", "jupytext", "nbformat", "matplotlib", "tinytorch")


def tito(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tito", *args], capture_output=True, text=True, cwd=cwd)


def test_help_imports_no_heavy_library():
    """`tito --help` stays fast because building the parser imports nothing heavy."""
    code = ("import sys; from tito.cli import build_parser; build_parser(); "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


@pytest.mark.parametrize("args, expected", [
    (["module", "info", "99"], "Valid modules: 01_tensor"),
    (["module", "test", "tensr"], "Valid modules: 01_tensor"),
    (["milestone", "info", "nope"], "Valid milestones: 01_perceptron_1957"),
    (["export"], "tito export --all"),
])
def test_user_mistakes_get_a_message_not_a_traceback(args, expected):
    out = tito(*args)
    assert out.returncode == 1
    assert expected in out.stdout, out.stdout
    assert "Traceback" not in out.stdout + out.stderr


@pytest.mark.parametrize("spelling", ["01", "1", "01_tensor", "tensor"])
def test_module_info_accepts_every_spelling(spelling):
    out = tito("module", "info", spelling)
    assert out.returncode == 0 and "01_tensor" in out.stdout


def test_outside_a_project_tito_says_where_to_run(tmp_path):
    out = tito("status", cwd=tmp_path)
    assert out.returncode == 1 and "No TinyTorch project found" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_doctor_reports_python_numpy_and_package():
    out = tito("system", "doctor")
    assert out.returncode == 0, out.stdout
    for item in ("Python", "NumPy", "BLAS", "import tinytorch", "data folder"):
        assert item in out.stdout


def test_version_and_bare_tito():
    from tito import __version__

    out = tito("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"tito {__version__}"
    out = tito()
    assert out.returncode == 0 and "usage: tito" in out.stdout and "module" in out.stdout
