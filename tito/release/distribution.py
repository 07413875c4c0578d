"""The tinytorch distribution: build the wheel and sdist, check what is in them, and verify the
wheel where a user would meet it — a fresh virtual environment, far from this checkout.

The distribution is the framework alone (`tinytorch`, depending on NumPy only): the course tool
`tito` is the checkout's own distribution (pyproject.toml). `tito package build` stages the
package with the framework's pyproject.toml (tito/lib/framework_dist.py, the same one a learner
workspace has), runs `python -m build` on it into a scratch folder inside dist/, checks the
archives' contents, and only then moves them into place (so dist/ never holds a half-written
or wrong file). `tito package verify` installs the wheel into a new venv (never with
`--system-site-packages`: tinytorch must come from the wheel) and runs pipeline_check.py there:
data → model → train → predict. Both record what they did in .tito/build.json, which
`tito package report` reads.
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

# What the wheel may hold at its top level: the package and the metadata folder.
WHEEL_TOP_LEVEL = {"tinytorch"}
# The sdist may hold, besides those packages and setuptools' metadata, only these files.
SDIST_FILES = {"PKG-INFO", "README.md", "pyproject.toml", "setup.cfg", "LICENSE"}
# The pipeline in the fresh venv must beat chance (10 %) by far: it reaches about 98 %.
MIN_PIPELINE_ACCURACY = 0.9
PIPELINE_SCRIPT = Path(__file__).with_name("pipeline_check.py")


def build_record_path(project: Project) -> Path:
    return project.state_dir / "build.json"


def read_build_record(project: Project) -> dict:
    return read_json(build_record_path(project))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- What belongs in the archives -------------------------------------------------------------
def package_files(project: Project, package: str) -> set[str]:
    """Every .py and .pyi file of a package folder of the checkout, as archive paths ("tinytorch/nn/__init__.py")."""
    root = project.root / package
    return {path.relative_to(project.root).as_posix() for path in root.rglob("*.py*")
            if path.suffix in (".py", ".pyi") and "__pycache__" not in path.parts}


def wheel_problems(wheel: Path, project: Project) -> list[str]:
    """The wheel holds every package file of tinytorch/ (the generated modules, the facades, the
    registry) and nothing else: no tito, tests, modules, milestones or data."""
    with zipfile.ZipFile(wheel) as archive:
        names = {n for n in archive.namelist() if not n.endswith("/")}
    problems = []
    for package in sorted(WHEEL_TOP_LEVEL):
        missing = sorted(package_files(project, package) - names)
        if missing:
            problems.append(f"{wheel.name} lacks {len(missing)} file(s) of {package}/: {', '.join(missing[:5])}")
    stray = sorted(n for n in names if n.split("/")[0] not in WHEEL_TOP_LEVEL
                   and not n.split("/")[0].endswith(".dist-info"))
    if stray:
        problems.append(f"{wheel.name} holds files that are not part of the package: {', '.join(stray[:5])}")
    not_code = sorted(n for n in names if n.split("/")[0] in WHEEL_TOP_LEVEL and not n.endswith((".py", ".pyi")))
    if not_code:
        problems.append(f"{wheel.name} holds non-Python files (data?) in the packages: {', '.join(not_code[:5])}")
    return problems


def sdist_problems(sdist: Path) -> list[str]:
    """The sdist holds the packages, setuptools' metadata and the files that describe them: no data."""
    with tarfile.open(sdist) as archive:
        names = [m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile() and "/" in m.name]
    allowed_folders = WHEEL_TOP_LEVEL | {f"{framework_dist.NAME}.egg-info"}
    stray = sorted(n for n in names if n not in SDIST_FILES and n.split("/")[0] not in allowed_folders)
    return [f"{sdist.name} holds files that are not part of the package: {', '.join(stray[:5])}"] if stray else []


# --- Build ------------------------------------------------------------------------------------
@dataclass
class Built:
    wheel: Path
    sdist: Path
    seconds: float


def _require_build_frontend() -> None:
    import importlib.util

    if importlib.util.find_spec("build") is None:
        raise UserError("`python -m build` is not installed here.",
                        hint='Install it with `python -m pip install build` (it comes with `pip install -e ".[test]"`).')


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
    """Build the framework's wheel and sdist with `python -m build`, check them, move them into outdir."""
    _require_build_frontend()
    outdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=".tito-build-", dir=outdir) as tmp:
        staged = stage_framework(project, Path(tmp) / "src")
        _run([sys.executable, "-m", "build", "--outdir", tmp, *([] if isolation else ["--no-isolation"]),
              str(staged)], staged, "`python -m build`", clean=False,
             hint="Without network access, try `tito package build --no-isolation` (it uses the setuptools "
                  "installed here).")
        wheels, sdists = sorted(Path(tmp).glob("*.whl")), sorted(Path(tmp).glob("*.tar.gz"))
        if len(wheels) != 1 or len(sdists) != 1:
            raise UserError(f"`python -m build` made {[p.name for p in Path(tmp).iterdir()]}, "
                            "expected one wheel and one sdist.")
        problems = wheel_problems(wheels[0], project) + sdist_problems(sdists[0])
        if problems:
            raise UserError("The built archives are wrong, so dist/ was not changed:\n  " + "\n  ".join(problems),
                            hint="Check the framework's pyproject.toml in tito/lib/framework_dist.py.")
        for path in (*wheels, *sdists):  # same folder, so each replace is atomic
            os.replace(path, outdir / path.name)
    built = Built(outdir / wheels[0].name, outdir / sdists[0].name, time.perf_counter() - start)
    _record(project, "build", {
        "time": _now(), "seconds": round(built.seconds, 2), "isolation": isolation,
        "files": [{"path": project.relative(p), "bytes": p.stat().st_size, "sha256": sha256(p)}
                  for p in (built.wheel, built.sdist)],
    }, reset=True)
    return built


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _record(project: Project, key: str, value: dict, reset: bool = False) -> None:
    """Keep what build and verify did in .tito/build.json; a new build forgets the old verify."""
    record = {} if reset else read_build_record(project)
    record[key] = value
    atomic_write_json(build_record_path(project), record)


def latest_wheel(outdir: Path) -> Path:
    wheels = sorted(outdir.glob("tinytorch-*.whl"), key=lambda p: p.stat().st_mtime)
    if not wheels:
        raise UserError(f"No tinytorch wheel in {outdir}.", hint="Build one first: tito package build")
    return wheels[-1]


# --- Verify: a fresh virtual environment, outside the checkout --------------------------------
@dataclass
class Verified:
    wheel: Path
    result: dict          # what pipeline_check.py printed
    seconds: float


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


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def make_venv(venv: Path, work: Path) -> list[str]:
    """Create a fresh venv (no system site-packages); return the pip command that installs into it.

    pip ≥ 22.3 installs into another environment with `--python`, so the venv needs no pip of its
    own: that saves seeding one (several seconds). An older pip gets the venv's own.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        host_pip = tuple(int(part) for part in version("pip").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        host_pip = (0, 0)
    if host_pip >= (22, 3):
        _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], work, "Creating the virtual environment")
        return [sys.executable, "-m", "pip", "--python", str(venv_python(venv))]
    _run([sys.executable, "-m", "venv", str(venv)], work, "Creating the virtual environment")
    return [str(venv_python(venv)), "-m", "pip"]


def verify(project: Project, wheel: Path, keep: Path | None = None, log=lambda line: None) -> Verified:
    """Install `wheel` into a new venv and run the pipeline there; raise UserError if anything is off.

    The outcome is recorded in .tito/build.json either way, so the report never shows an old success.
    """
    start = time.perf_counter()
    record = {"time": _now(), "wheel": project.relative(wheel), "sha256": sha256(wheel), "ok": False}
    try:
        result, problems = _install_and_run(project, wheel, keep, log)
    except UserError as e:
        _record(project, "verify", {**record, "problems": [str(e)]})
        raise
    verified = Verified(wheel, result, time.perf_counter() - start)
    _record(project, "verify", {
        **record, "ok": not problems, "problems": problems, "seconds": round(verified.seconds, 2),
        "test_accuracy": result["test_accuracy"], "tinytorch_file": result["tinytorch_file"],
    })
    if problems:
        raise UserError("The installed wheel does not work:\n  " + "\n  ".join(problems))
    return verified


def _install_and_run(project: Project, wheel: Path, keep: Path | None, log) -> tuple[dict, list[str]]:
    with tempfile.TemporaryDirectory(prefix="tito-verify-") as tmp:
        work = Path(tmp)
        venv = keep or work / "venv"
        if venv.exists():
            raise UserError(f"{venv} already exists.", hint="Give --keep a folder that does not exist yet.")
        log(f"creating a fresh virtual environment in {venv}")
        pip = make_venv(venv, work)
        python = venv_python(venv)
        log(f"installing {wheel.name} and its dependencies with pip")
        _run([*pip, "install", "--quiet", str(wheel.resolve())], work,
             f"Installing {wheel.name}", hint="pip needs its package index (or a --find-links folder in "
                                             "pip's configuration) for the one dependency, numpy")
        log("running data → model → train → predict in it (generated digits, an MLP, Adam, a checkpoint)")
        script = work / PIPELINE_SCRIPT.name
        shutil.copy(PIPELINE_SCRIPT, script)  # run from the empty folder: nothing else importable
        out = _run([str(python), str(script)], work, "The pipeline in the fresh environment")
        result = json.loads(out.strip().splitlines()[-1])
        return result, pipeline_problems(result, venv, project)


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
