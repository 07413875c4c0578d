"""Where things live: the project (or learner workspace) root and the paths derived from it."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import UserError

SUITES = ("unit", "properties", "oracle", "integration", "robustness", "system", "validation")  # test folders


class Project:
    """A TinyTorch checkout or learner workspace: its root and the folders and files tito uses in it."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.modules_dir = self.root / "modules"
        self.milestones_dir = self.root / "milestones"
        self.package_dir = self.root / "tinytorch"
        self.tests_dir = self.root / "tests"
        self.state_dir = self.root / ".tito"  # per-checkout state (progress, quick-run results); never committed
        self.progress_file = self.state_dir / "progress.json"
        self.workspace_file = self.state_dir / "workspace.json"  # `tito init`'s marker of a learner workspace

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
    raise UserError(f"No TinyTorch project found at or above {start}.",
                    hint="Run tito inside a TinyTorch checkout (the folder with modules/ and tinytorch/).")


def foreign_package(root: Path, script: str) -> str | None:
    """None when `import tinytorch` in this process loads `root`'s own package; otherwise what it loads
    instead and how to run `script` with `root`'s package (nothing edits sys.path to force it)."""
    import importlib.util

    spec = importlib.util.find_spec("tinytorch")
    origin = Path(spec.origin).resolve() if spec and spec.origin else None
    if origin is not None and origin.is_relative_to(Path(root).resolve()):
        return None
    found = f"finds {origin.parent}" if origin else "finds no tinytorch"
    return (f"`import tinytorch` here {found}, not this project's {Path(root) / 'tinytorch'}. "
            f"Run it with tito (it puts the project first), or from {root}: PYTHONPATH=. python {script}"
            + ("; in a learner workspace, `pip install -e .` there makes it the one Python finds."
               if Project(root).is_workspace else "."))
