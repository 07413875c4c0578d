"""The `tinytorch` distribution (the framework alone, NumPy its one dependency), described once for a
learner workspace (installed editable by `tito init`) and `tito package build` (the wheel; docs/package.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NAME = "tinytorch"


def pyproject(version: str, description: str, readme: str | None = None) -> str:
    """The [build-system] and [project] tables of the framework's pyproject.toml."""
    readme_line = f'readme = "{readme}"\n' if readme else ""
    return f'''[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "{NAME}"
version = "{version}"
description = "{description}"
{readme_line}requires-python = ">=3.10"
dependencies = ["numpy>=2"]

[tool.setuptools.packages.find]
include = ["tinytorch*"]
'''


def install_editable(folder: Path) -> subprocess.CompletedProcess:
    """`pip install -e folder` into the Python that runs tito: no dependencies (NumPy is here already,
    tito needs it) and no build isolation (setuptools is a dependency of tito), so it works offline."""
    return subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--disable-pip-version-check", "-e", str(folder)], capture_output=True, text=True)


def installed_origin(cwd: Path, env: dict | None = None) -> str | None:
    """Where `import tinytorch` comes from for a Python started in `cwd` (as a notebook kernel or a
    script there would be), or None when no tinytorch is found. Finds the module without running it."""
    probe = "import importlib.util as u; s = u.find_spec('tinytorch'); print(s.origin if s else '')"
    out = subprocess.run([sys.executable, "-c", probe], cwd=cwd, env=env, capture_output=True, text=True)
    return out.stdout.strip() or None
