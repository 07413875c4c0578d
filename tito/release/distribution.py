"""The tinytorch distribution (docs/package.md): build the wheel and sdist and check what is in them, then
verify the wheel where a user would meet it, a fresh virtual environment far from this checkout. Both
record what they did in .tito/build.json, which `tito package report` reads.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..lib import framework_dist
from ..lib.atomic import atomic_write_json, read_json
from ..lib.errors import UserError
from ..lib.project import Project

# The sdist may hold, besides tinytorch/ and setuptools' metadata, only these files.
SDIST_FILES = {"PKG-INFO", "README.md", "pyproject.toml", "setup.cfg", "LICENSE"}
# The pipeline in the fresh venv must beat chance (10 %) by far: it reaches about 98 %.
MIN_PIPELINE_ACCURACY = 0.9
PIPELINE_SCRIPT = Path(__file__).with_name("pipeline_check.py")


def read_build_record(project: Project) -> dict:
    return read_json(project.state_dir / "build.json")


def _record(project: Project, key: str, value: dict, reset: bool = False) -> None:
    """Keep what build and verify did, and when, in .tito/build.json; a new build forgets the old verify."""
    record = {} if reset else read_build_record(project)
    record[key] = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **value}
    atomic_write_json(project.state_dir / "build.json", record)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()  # a wheel or sdist: well under a megabyte


# --- What belongs in the archives -------------------------------------------------------------
def wheel_problems(wheel: Path, project: Project) -> list[str]:
    """The wheel holds every .py and .pyi file of tinytorch/ (generated modules, facades, registry), its
    .dist-info metadata and nothing else: no tito, tests, modules, milestones or data."""
    with zipfile.ZipFile(wheel) as archive:
        names = {n for n in archive.namelist() if not n.endswith("/")}
    package = {path.relative_to(project.root).as_posix()
               for path in [*project.package_dir.rglob("*.py"), *project.package_dir.rglob("*.pyi")]}
    missing = sorted(package - names)
    in_package = {n for n in names if n.split("/")[0] == "tinytorch"}
    found = [(f"lacks {len(missing)} file(s) of tinytorch/", missing),
             ("holds files that are not part of the package",
              sorted(n for n in names - in_package if not n.split("/")[0].endswith(".dist-info"))),
             ("holds non-Python files (data?) in the packages",
              sorted(n for n in in_package if not n.endswith((".py", ".pyi"))))]
    return [f"{wheel.name} {what}: {', '.join(files[:5])}" for what, files in found if files]


def sdist_problems(sdist: Path) -> list[str]:
    """The sdist holds the package, setuptools' metadata and the files that describe them: no data."""
    with tarfile.open(sdist) as archive:
        names = [m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile() and "/" in m.name]
    folders = ("tinytorch", f"{framework_dist.NAME}.egg-info")
    stray = sorted(n for n in names if n not in SDIST_FILES and n.split("/")[0] not in folders)
    return [f"{sdist.name} holds files that are not part of the package: {', '.join(stray[:5])}"] if stray else []


# --- Build ------------------------------------------------------------------------------------
@dataclass
class Built:
    wheel: Path
    sdist: Path
    seconds: float


def stage_framework(project: Project, folder: Path) -> Path:
    """A buildable copy of the framework in `folder`: tinytorch/, its pyproject.toml, the README."""
    from ..lib.workspace import source_version

    shutil.copytree(project.package_dir, folder / "tinytorch", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    description = "A deep-learning framework built from scratch in NumPy, one module at a time."
    readme = project.root / "README.md"
    if readme.is_file():
        shutil.copy(readme, folder / readme.name)
    (folder / "pyproject.toml").write_text(framework_dist.pyproject(
        source_version(project), description, readme=readme.name if readme.is_file() else None), encoding="utf-8")
    return folder


def build(project: Project, outdir: Path, isolation: bool = True) -> Built:
    """Build the wheel and sdist with `python -m build` in a scratch folder inside outdir, check them, and only
    then move them into outdir (so it never holds a half-written or wrong file)."""
    import importlib.util

    if importlib.util.find_spec("build") is None:
        raise UserError("`python -m build` is not installed here.",
                        hint='Install it with `python -m pip install build` (it comes with `pip install -e ".[test]"`).')
    outdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=".tito-build-", dir=outdir) as tmp:
        staged = stage_framework(project, Path(tmp) / "src")
        _run([sys.executable, "-m", "build", "--outdir", tmp, *([] if isolation else ["--no-isolation"]),
              str(staged)], staged, "`python -m build`", clean=False,
             hint="Without network access, try `tito package build --no-isolation` (it uses the setuptools "
                  "installed here).")
        # build's default makes the sdist, then a wheel from it; another build backend might not
        wheel, sdist = next(Path(tmp).glob("*.whl"), None), next(Path(tmp).glob("*.tar.gz"), None)
        if wheel is None or sdist is None:
            raise UserError("`python -m build` succeeded without making both a wheel and an sdist.")
        problems = wheel_problems(wheel, project) + sdist_problems(sdist)
        if problems:
            raise UserError("The built archives are wrong, so dist/ was not changed:\n  " + "\n  ".join(problems),
                            hint="Check the framework's pyproject.toml in tito/lib/framework_dist.py.")
        for path in (wheel, sdist):  # same folder, so each replace is atomic
            os.replace(path, outdir / path.name)
    built = Built(outdir / wheel.name, outdir / sdist.name, time.perf_counter() - start)
    _record(project, "build", {
        "seconds": round(built.seconds, 2), "isolation": isolation,
        "files": [{"path": project.relative(p), "bytes": p.stat().st_size, "sha256": sha256(p)}
                  for p in (built.wheel, built.sdist)],
    }, reset=True)
    return built


def latest_wheel(outdir: Path) -> Path:
    wheels = sorted(outdir.glob("tinytorch-*.whl"), key=lambda p: p.stat().st_mtime)
    if not wheels:
        raise UserError(f"No tinytorch wheel in {outdir}.", hint="Build one first: tito package build")
    return wheels[-1]


# --- Verify: a fresh virtual environment, outside the checkout --------------------------------
def clean_env() -> dict[str, str]:
    """The environment of a user who never saw this checkout: no PYTHONPATH, no active venv."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "TITO_ROOT", "PYTHONSAFEPATH")}
    env.update(PYTHONNOUSERSITE="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def _run(cmd: list[str], cwd: Path, what: str, hint: str | None = None, clean: bool = True) -> str:
    """Run `cmd` (in clean_env() unless told otherwise): its output, or a UserError ending with the last lines."""
    proc = subprocess.run(cmd, cwd=cwd, env=clean_env() if clean else None, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-12:])
        raise UserError(f"{what} failed:\n{tail}", hint=hint)
    return proc.stdout


def make_venv(venv: Path, work: Path) -> tuple[str, list[str]]:
    """Create a fresh venv (never with system site-packages); return its python and the pip command that
    installs into it.

    pip ≥ 22.3 installs into another environment with `--python`, which saves seeding the venv with a
    pip of its own (several seconds); an older pip, or none here (a venv made by uv), gets the venv's own.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        host_pip = tuple(int(part) for part in version("pip").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        host_pip = (0, 0)
    python = str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    if host_pip >= (22, 3):
        _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], work, "Creating the virtual environment")
        return python, [sys.executable, "-m", "pip", "--python", python]
    _run([sys.executable, "-m", "venv", str(venv)], work, "Creating the virtual environment")
    return python, [python, "-m", "pip"]


def verify(project: Project, wheel: Path, keep: Path | None = None, log=lambda line: None) -> tuple[dict, float]:
    """Install `wheel` into a new venv and run pipeline_check.py there from an empty folder: what it printed and
    the seconds taken, or a UserError. The outcome is recorded either way, so the report never shows an old
    success."""
    start = time.perf_counter()
    record = {"wheel": project.relative(wheel), "sha256": sha256(wheel), "ok": False}
    try:
        with tempfile.TemporaryDirectory(prefix="tito-verify-") as tmp:
            work = Path(tmp)
            venv = keep or work / "venv"
            if venv.exists():
                raise UserError(f"{venv} already exists.", hint="Give --keep a folder that does not exist yet.")
            log(f"creating a fresh virtual environment in {venv}")
            python, pip = make_venv(venv, work)
            log(f"installing {wheel.name} and its dependencies with pip")
            _run([*pip, "install", "--quiet", str(wheel.resolve())], work,
                 f"Installing {wheel.name}", hint="pip needs its package index (or a --find-links folder in "
                                                 "pip's configuration) for the one dependency, numpy")
            log("running data → model → train → predict in it (generated digits, an MLP, Adam, a checkpoint)")
            shutil.copy(PIPELINE_SCRIPT, work / PIPELINE_SCRIPT.name)  # nothing else importable beside it
            out = _run([python, PIPELINE_SCRIPT.name], work, "The pipeline in the fresh environment")
            result = json.loads(out.strip().splitlines()[-1])
            problems = pipeline_problems(result, venv, project)
    except UserError as e:
        _record(project, "verify", {**record, "problems": [str(e)]})
        raise
    seconds = time.perf_counter() - start
    _record(project, "verify", {
        **record, "ok": not problems, "problems": problems, "seconds": round(seconds, 2),
        "test_accuracy": result["test_accuracy"], "tinytorch_file": result["tinytorch_file"],
    })
    if problems:
        raise UserError("The installed wheel does not work:\n  " + "\n  ".join(problems))
    return result, seconds


def pipeline_problems(result: dict, venv: Path, project: Project) -> list[str]:
    problems = []
    imported = Path(result["tinytorch_file"])
    if not imported.is_relative_to(venv.resolve()):
        problems.append(f"tinytorch was imported from {imported}, not from the virtual environment")
    if imported.is_relative_to(project.root.resolve()):
        problems.append(f"tinytorch was imported from the checkout ({imported}), not from the wheel")
    if not result["test_accuracy"] >= MIN_PIPELINE_ACCURACY:
        problems.append(f"held-out accuracy {result['test_accuracy']:.1%} is below {MIN_PIPELINE_ACCURACY:.0%} "
                        "(chance is 10%)")
    if not result["last_train_loss"] < result["first_train_loss"]:
        problems.append(f"the training loss did not fall ({result['first_train_loss']:.3f} → "
                        f"{result['last_train_loss']:.3f})")
    if not result["same_after_reload"]:
        problems.append("predictions changed after a checkpoint save and load")
    return problems
