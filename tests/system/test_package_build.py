"""The wheel, as a user gets it: `tito package build` makes a wheel and an sdist of a copy of the
project, `tito package verify` installs the wheel into a fresh virtual environment (pip fetches
numpy, the one dependency, from its index) and trains a model there, far from the checkout.

About 40 s on 2 cores: build ~7 s, venv ~5 s, pip install ~25 s, the pipeline under 1 s.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tito.release.distribution import wheel_problems
from tito.lib.project import Project
from tests.testkit import copy_project

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.needs("tensor", "activations", "layers", "losses", "autograd", "optimizers",
                               "training", "dataloader")


def tito(proj: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tito", *args], capture_output=True, text=True, cwd=proj,
                          env={**os.environ, "COLUMNS": "200"})


@pytest.fixture(scope="module")
def proj(tmp_path_factory) -> Path:
    """A copy of the whole distribution: the packages, README and pyproject (no .git, no results)."""
    dest = copy_project(ROOT, tmp_path_factory.mktemp("package"))
    shutil.copytree(ROOT / "tito", dest / "tito", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "README.md", dest)
    return dest


@pytest.fixture(scope="module")
def built(proj) -> subprocess.CompletedProcess:
    return tito(proj, "package", "build")


def test_build_makes_a_wheel_and_an_sdist_and_names_them(proj, built):
    assert built.returncode == 0, built.stdout + built.stderr
    files = sorted(p.name for p in (proj / "dist").iterdir())
    assert files == ["tinytorch-0.1.0-py3-none-any.whl", "tinytorch-0.1.0.tar.gz"], files
    for name in files:
        assert f"dist/{name}" in built.stdout
    assert "validation: all 8 checks pass" in built.stdout


def test_the_wheel_holds_the_packages_and_nothing_else(proj, built):
    wheel = proj / "dist" / "tinytorch-0.1.0-py3-none-any.whl"
    assert wheel_problems(wheel, Project(proj)) == []
    names = zipfile.ZipFile(wheel).namelist()
    assert "tinytorch/core/spatial.py" in names and "tinytorch/nn/__init__.py" in names
    assert "tinytorch/_registry.py" in names and "tinytorch/nn/__init__.pyi" in names  # the stubs, for IDEs
    assert not [n for n in names if n.startswith(("tito/", "tests/", "modules/", "milestones/"))]
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    requires = [line for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
                if line.startswith("Requires-Dist:")]
    assert requires == ["Requires-Dist: numpy>=2"]  # the framework alone: no course tooling


def test_verify_trains_a_model_with_the_installed_wheel(proj, built):
    assert built.returncode == 0
    out = tito(proj, "package", "verify")
    assert out.returncode == 0, out.stdout + out.stderr
    imported = re.search(r"imported from (\S+)", out.stdout)[1]
    assert "site-packages" in imported and not Path(imported).is_relative_to(proj)
    accuracy = float(re.search(r"held-out accuracy ([\d.]+)%", out.stdout)[1]) / 100
    assert accuracy >= 0.9, out.stdout
    record = json.loads((proj / ".tito" / "build.json").read_text())
    assert record["verify"]["ok"] is True and record["verify"]["test_accuracy"] == pytest.approx(accuracy, abs=1e-3)
    report = tito(proj, "package", "report")
    assert report.returncode == 0
    status = json.loads((proj / ".tito" / "report.json").read_text())["build"]
    assert status["built"] and status["current"] and status["verified"], status


def test_build_refuses_a_project_that_does_not_validate(tmp_path):
    proj = copy_project(ROOT, tmp_path)
    layers = proj / "tinytorch" / "core" / "layers.py"
    layers.write_text(layers.read_text() + "\n# a hand edit\n")
    out = tito(proj, "package", "build")
    assert out.returncode == 1 and "no wheel was built" in out.stdout, out.stdout + out.stderr
    assert "tinytorch/core/layers.py differs" in out.stdout and not (proj / "dist").exists()
