"""Where things live: the project (or learner workspace) root and the paths derived from it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError


SUITES = ("unit", "properties", "oracle", "integration", "robustness", "system", "validation")  # test folders


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def modules_dir(self) -> Path:
        return self.root / "modules"

    @property
    def milestones_dir(self) -> Path:
        return self.root / "milestones"

    @property
    def package_dir(self) -> Path:
        return self.root / "tinytorch"

    @property
    def tests_dir(self) -> Path:
        return self.root / "tests"

    @property
    def state_dir(self) -> Path:
        """Per-checkout state (progress, quick-run results); never committed."""
        return self.root / ".tito"

    @property
    def progress_file(self) -> Path:
        return self.state_dir / "progress.json"

    @property
    def workspace_file(self) -> Path:
        """The marker `tito init` writes: its presence makes this folder a learner workspace."""
        return self.state_dir / "workspace.json"

    @property
    def is_workspace(self) -> bool:
        """A learner workspace (solutions stripped, package built by the learner), not the source project."""
        return self.workspace_file.is_file()

    def relative(self, path: Path) -> str:
        try:
            return str(Path(path).resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def subprocess_env(project: Project) -> dict[str, str]:
    """Environment in which `import tinytorch` means this project's package."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(project.root), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def is_root(folder: Path) -> bool:
    return (folder / "modules").is_dir() and (folder / "tinytorch").is_dir()


def find_project(start: Path | None = None) -> Project:
    """The nearest folder at or above `start` (default: cwd, or $TITO_ROOT) holding modules/ and tinytorch/."""
    env = os.environ.get("TITO_ROOT")
    start = Path(env) if env else Path(start or Path.cwd())
    for folder in [start.resolve(), *start.resolve().parents]:
        if is_root(folder):
            return Project(folder)
    raise UserError(
        f"No TinyTorch project found at or above {start}.",
        hint="Run tito inside a TinyTorch checkout (the folder with modules/ and tinytorch/).",
    )


def foreign_package(root: Path, script: str) -> str | None:
    """None when `import tinytorch` in this process loads `root`'s own package; otherwise what it would
    load instead and how to run `script` so that it uses `root`'s package (a sentence for the user).

    Nothing edits sys.path to force it: in a workspace the package is installed (`tito init`), and
    tito runs scripts with their project first on PYTHONPATH."""
    import importlib.util

    spec = importlib.util.find_spec("tinytorch")
    origin = Path(spec.origin).resolve() if spec and spec.origin else None
    if origin is not None and origin.is_relative_to(Path(root).resolve()):
        return None
    found = f"finds {origin.parent}" if origin else "finds no tinytorch"
    return (f"`import tinytorch` here {found}, not this project's {Path(root) / 'tinytorch'}. "
            f"Run it with tito (it puts the project first), or from {root}: PYTHONPATH=. python {script}"
            + ("; in a learner workspace, `pip install -e .` there makes it the one Python finds."
               if (Path(root) / ".tito" / "workspace.json").is_file() else "."))
