"""The learner workspace: `tito init DIR` makes one from the source project; `tito module reset` restores
a module. docs/learner-workspace.md shows the layout; which package files are generated (never copied) is
read from the manifests, the same facts `tito export` writes from."""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

from . import framework_dist
from .atomic import atomic_write_json, atomic_write_text, building, read_json
from .backups import backup_files
from .errors import UserError
from .export import GENERATED_MARK, generated_facade_files
from .manifest import Curriculum, ModuleSpec
from .project import Project, find_project, is_root
from .student import strip_solutions

FORMAT = 1
KIND = "tinytorch-learner-workspace"
SOURCE_ONLY_TESTS = ("system", "validation", "testkit.py")  # they check the source project, not the learner's code
OPTIONAL_FOLDERS = ("benchmarks", "demos")
NEVER_COPIED = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis", "results"}


# --- Which project a workspace comes from -----------------------------------------------------
def read_marker(project: Project) -> dict:
    return read_json(project.workspace_file)


def _usable_source(folder: Path | str | None) -> Project | None:
    """The TinyTorch source project at `folder`, if it is one (a learner workspace is not)."""
    folder = Path(folder).expanduser().resolve() if folder else None
    if folder is not None and is_root(folder) and not Project(folder).is_workspace:
        return Project(folder)
    return None


def source_project(explicit: Path | None = None) -> Project:
    """The TinyTorch project to copy from: `explicit`, else the project around the current folder,
    else the one a workspace was made from, else the checkout tito itself is installed from."""
    if explicit is not None:
        candidates = [explicit]
    else:
        try:
            here = find_project()
        except UserError:
            here = None
        candidates = [here.root, read_marker(here).get("source")] if here else []
        candidates.append(Path(__file__).resolve().parents[2])
    for candidate in candidates:
        project = _usable_source(candidate)
        if project is not None:
            return project
    if explicit is not None:
        raise UserError(f"{explicit} is not a TinyTorch source project (a folder with modules/ and "
                        "tinytorch/ that is not itself a learner workspace).")
    raise UserError("Cannot find the TinyTorch source project to make a workspace from.",
                    hint="Run `tito init DIR` inside a TinyTorch checkout, or name one: tito init DIR --source PATH")


def read_pyproject(source: Project) -> dict:
    """The source project's pyproject.toml as a dict ({} when there is none)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # a dependency on 3.10 (pyproject.toml)
        import tomli as tomllib
    path = source.root / "pyproject.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError:
        return {}
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"{path} is not valid TOML ({e}).",
                        hint="Restore it from the TinyTorch checkout (git checkout pyproject.toml), then run tito again.") from None


def source_version(source: Project) -> str:
    version = read_pyproject(source).get("project", {}).get("version")
    if isinstance(version, str) and version:
        return version
    from tito import __version__

    return __version__


def generated_package_files(source: Project, curriculum: Curriculum) -> set[Path]:
    """The package files `tito export` writes, as the manifests name them (modules, registry, stubs)."""
    return {spec.package_file(source) for spec in curriculum.modules} | set(generated_facade_files(source.root, curriculum))


# --- tito init --------------------------------------------------------------------------------
def _copy_tree(src: Path, dst: Path, skip=frozenset()) -> None:
    """Copy `src` to `dst` (file contents only), without caches, notebooks and the paths in `skip`."""
    def ignored(folder: str, names: list[str]) -> set[str]:
        return {name for name in names if name in NEVER_COPIED or name.endswith((".pyc", ".ipynb"))
                or Path(folder, name) in skip}

    shutil.copytree(src, dst, ignore=ignored, copy_function=shutil.copyfile, dirs_exist_ok=True)


def _is_generated(path: Path, generated: set[Path]) -> bool:
    if path in generated:
        return True
    if path.suffix not in (".py", ".pyi") or not path.is_file():
        return False
    with open(path, encoding="utf-8", errors="replace") as f:  # a stale generated file: never copied
        return f.read(len(GENERATED_MARK)) == GENERATED_MARK


def _write_module(source: Project, spec: ModuleSpec, build: Path) -> str:
    """The module folder with its student version and notebook; returns the student text."""
    from .notebooks import to_notebook_text

    folder = build / spec.folder.relative_to(source.root)
    _copy_tree(spec.folder, folder, skip={spec.source})
    student = strip_solutions(spec.source.read_text(encoding="utf-8"), spec.source.name)
    target = folder / spec.source.name
    target.write_text(student, encoding="utf-8")
    target.with_suffix(".ipynb").write_text(to_notebook_text(target), encoding="utf-8")
    atomic_write_text(build / ".tito" / "pristine" / spec.source.relative_to(source.root), student)
    return student


def _workspace_pyproject(source: Project, version: str) -> str:
    """The workspace's pyproject.toml: the `tinytorch` distribution (what `tito init` installs in
    editable mode) and the source project's [tool.pytest.ini_options], the same settings."""
    options = read_pyproject(source).get("tool", {}).get("pytest", {}).get("ini_options", {})
    # flat values (strings, numbers, booleans, lists of them): JSON writes them as TOML does
    settings = "\n".join(f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in options.items())
    return ("# Your TinyTorch workspace (made by `tito init`): your own `tinytorch` package, installed in\n"
            "# editable mode, and pytest's settings — the same as the source project's, so your tests\n"
            "# run exactly as they are graded.\n"
            + framework_dist.pyproject(version, "My TinyTorch: the deep-learning framework I built, module by module.")
            + f"\n[tool.pytest.ini_options]\n{settings}\n")


ROOT_CONFTEST = '''"""`pytest` here tests YOUR package: stop at once if `import tinytorch` finds another one.

Written by `tito init`. pytest's `pythonpath` setting (pyproject.toml) puts this folder first,
and `tito init` installed it in editable mode; this check only makes a misconfigured
environment loud instead of silently testing someone else's code.
"""

from pathlib import Path

import pytest

import tinytorch

WORKSPACE = Path(__file__).resolve().parent
if not Path(tinytorch.__file__).resolve().is_relative_to(WORKSPACE):
    raise pytest.UsageError(f"tinytorch was imported from {tinytorch.__file__}, not from your workspace "
                            f"{WORKSPACE}: run pytest from the workspace (or use tito).")
'''

GITIGNORE = """__pycache__/
*.pyc
.ipynb_checkpoints/
.pytest_cache/
.hypothesis/
milestones/*/results/
"""


def learner_readme(curriculum: Curriculum, version: str) -> str:
    """The workspace's README.md: every module, milestone and path in it comes from the manifests."""
    from .docs import journey_table

    try:
        table = journey_table(curriculum)
    except UserError:  # a module unlocks a milestone that is not written yet: list the modules
        table = "\n".join(f"- {m.id}: {m.title}" for m in curriculum.modules)
    first = curriculum.modules[0]
    nn = f"{first.number:02d}"
    example = curriculum.modules[min(2, len(curriculum.modules) - 1)]  # a name that arrives a little later
    example_name = example.provides[min(1, len(example.provides) - 1)]
    milestone = curriculum.milestones[0] if curriculum.milestones else None
    run_milestone = (f"tito milestone run {milestone.name} --quick   # train a historical model with YOUR framework\n"
                     if milestone else "")
    run_script = (f"python milestones/{milestone.id}/{milestone.script} --quick\n" if milestone else "")
    return f"""# My TinyTorch

This folder is your TinyTorch workspace (made by `tito init` from TinyTorch {version}). The
modules in `modules/` are chapters whose code you write: every solution was replaced by
`raise NotImplementedError("Your code here: …")`, while signatures, docstrings and hints stay.
The `tinytorch/` package starts empty. Each module you complete is tested, then exported into
it — your `Tensor`, your layers, your autograd — and milestones train real models with it.

## Commands (run them inside this folder)

```bash
tito status                # where you are: modules, points, milestones, the next step
tito module start {nn}       # checks what it needs, shows the notebook and the .py to edit
tito module test {nn}        # run the module's tests on your code (a short report per failure)
tito module complete {nn}    # your tests → export into tinytorch/ → integration tests → progress
tito module reset {nn}       # back to the starting version (your files are kept in .tito/backups/)
{run_milestone}```

## Notebook or .py: the one you saved last wins

Each module is `modules/NN_name/name_dev.py` and its notebook `name_dev.ipynb` — the same cells.
Edit whichever you like. Before testing or exporting, `tito` compares them: if the notebook was
saved last, its code is copied into the .py; if the .py was saved last, the notebook is updated
from it (outputs kept). `tito` says which file it used, and whatever it overwrites is kept in
`.tito/backups/<module>/`.

## Your package, not the reference

`tito init` installed this folder's `tinytorch/` into your Python environment in editable mode
(`pip install -e .`; the course tool itself ships no `tinytorch`), so `import tinytorch` means
**your** package everywhere: in a shell, in a script in any folder, in a notebook kernel, in `tito`.

```bash
python -m pytest modules/{first.id}    # your tests on your code
{run_script}jupyter lab                          # a kernel started in a module folder imports your package too
```

Made a second workspace? The one installed last is the one Python finds outside its folder;
`pip install -e .` in a workspace makes it the active one again (`tito system doctor` tells which).

A name you have not built yet says where it comes from:

    ImportError: {example_name} arrives in module {example.id} — run `tito module complete {example.number:02d}`.

## The journey

{table}
"""


def _check_destination(dest: Path, source: Project) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        hint = (f"It is a workspace already: cd {dest} && tito status" if Project(dest).is_workspace
                else "Choose a new folder name, e.g. tito init my-tinytorch")
        raise UserError(f"{dest} already exists and is not empty; tito init never overwrites a folder.", hint=hint)
    for part in ("modules", "tinytorch", "tests", "milestones", *OPTIONAL_FOLDERS):
        if dest.is_relative_to(source.root / part):
            raise UserError(f"{dest} is inside the source project's {part}/ folder.",
                            hint="Make the workspace somewhere else, e.g. tito init ~/my-tinytorch")


def init_workspace(source: Project, dest: Path) -> Project:
    """Create a learner workspace at `dest` from `source`; refuse an existing, non-empty `dest`."""
    dest = Path(dest).expanduser().resolve()
    _check_destination(dest, source)
    curriculum = Curriculum(source)
    if not curriculum.modules:
        raise UserError(f"{source.root} has no modules (modules/*/module.yaml) to make a workspace from.")
    with building(dest, "tito-init") as build:
        _build(source, curriculum, build)
    return Project(dest)


def _build(source: Project, curriculum: Curriculum, build: Path) -> None:
    from tito import __version__ as tito_version

    from .sync import digest, stamp

    version = source_version(source)
    synced = {}
    for spec in curriculum.modules:
        text = _write_module(source, spec, build)
        py = build / spec.source.relative_to(source.root)
        synced[spec.id] = {"text": digest(text), "py": stamp(py), "ipynb": stamp(py.with_suffix(".ipynb"))}

    generated = generated_package_files(source, curriculum)
    _copy_tree(source.package_dir, build / "tinytorch",
               skip={p for p in source.package_dir.rglob("*") if _is_generated(p, generated)})
    source_only = {source.tests_dir / name for name in SOURCE_ONLY_TESTS}
    for name in ("tests", "milestones", *OPTIONAL_FOLDERS):
        if (source.root / name).is_dir():
            _copy_tree(source.root / name, build / name, skip=source_only)

    files = {**generated_facade_files(build, curriculum),  # the registry and the stubs
             build / "pyproject.toml": _workspace_pyproject(source, version), build / "conftest.py": ROOT_CONFTEST,
             build / ".gitignore": GITIGNORE, build / "README.md": learner_readme(curriculum, version)}
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    atomic_write_json(build / ".tito" / "sync.json", synced)
    atomic_write_json(build / ".tito" / "workspace.json", {
        "kind": KIND, "format": FORMAT, "source": str(source.root), "source_version": version,
        "tito_version": tito_version, "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "modules": [spec.id for spec in curriculum.modules]})


# --- tito module reset ------------------------------------------------------------------------
def pristine_text(project: Project, spec: ModuleSpec) -> str:
    """The module file as `tito init` wrote it: the kept copy, else the source project stripped again."""
    kept = project.state_dir / "pristine" / spec.source.relative_to(project.root)
    if kept.is_file():
        return kept.read_text(encoding="utf-8")
    source = _usable_source(read_marker(project).get("source"))
    original = source.root / spec.source.relative_to(project.root) if source else None
    if original is not None and original.is_file():
        return strip_solutions(original.read_text(encoding="utf-8"), original.name)
    raise UserError(f"The starting version of {spec.id} is gone: neither {project.relative(kept)} nor the "
                    "source project it came from can be found.",
                    hint="Make a fresh workspace (tito init DIR) and copy the module file from there.")


def reset_module(project: Project, spec: ModuleSpec) -> Path | None:
    """Restore the module's .py and notebook to the starting version; returns the backup folder."""
    from .notebooks import to_notebook_text
    from .sync import record_synced

    if not project.is_workspace:
        raise UserError(f"`tito module reset` works in a learner workspace; {project.root} is the TinyTorch "
                        "source project (its modules hold the reference solutions), so nothing was changed.",
                        hint="Make your own workspace: tito init ~/my-tinytorch")
    text = pristine_text(project, spec)
    backup = backup_files(project, spec, [spec.source, spec.notebook], "reset")
    atomic_write_text(spec.source, text)
    atomic_write_text(spec.notebook, to_notebook_text(spec.source))
    record_synced(project, spec, text)
    return backup
