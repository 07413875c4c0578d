"""A learner's journey in a workspace made by `tito init`: THEIR code is tested, exported and graded.

The test plays a learner: make a workspace, see a module fail with a short message, put the
reference solution in (what a learner who did the work would have), complete it, and go on
through every module the curriculum has, checking each time that progress and status are
right, that `import tinytorch` inside the workspace is the workspace's own package, and that a
name not built yet says which module provides it. Every module goes through the full path
(unit tests → export → integration tests → progress), every milestone it unlocks runs in quick
mode from the workspace, and at the end an earlier module completed again with a change that
breaks the later ones is refused.

The journey runs in its own virtual environment (it sees this one's packages), where `tito init`
really installs the workspace: so a script in a subfolder and a Jupyter kernel started in a module
folder are checked to import the learner's package, with no PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tito.lib.demos import discover, required_modules
from tito.lib.export import generated_facade_files
from tito.lib.journey import Journey
from tito.lib.manifest import Curriculum
from tito.lib.notebooks import source_text, to_notebook_text
from tito.lib.project import Project
from tito.lib.student import strip_solutions

ROOT = Path(__file__).resolve().parents[2]
CURRICULUM = Curriculum(Project(ROOT))
MODULES = CURRICULUM.modules
DEMOS = discover(Project(ROOT))
FIRST_MILESTONE = CURRICULUM.milestones[0] if CURRICULUM.milestones else None

PROBE = """
import importlib, json, sys
import tinytorch
from tinytorch._lazy import NotBuiltYetError, resolve
report = {"tinytorch": tinytorch.__file__, "built": {}, "not_built": None}
for path in filter(None, sys.argv[1].split(",")):
    report["built"][path] = importlib.import_module(path).__file__
if sys.argv[2]:
    try:
        resolve(sys.argv[2])
    except NotBuiltYetError as e:
        report["not_built"] = str(e)
print(json.dumps(report))
"""


def clean_env() -> dict[str, str]:
    """The learner's shell: no PYTHONPATH or TITO_ROOT pointing at the source project."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TITO_ROOT")}


def tito(cwd: Path, *args: str, python: str = sys.executable) -> subprocess.CompletedProcess:
    out = subprocess.run([python, "-m", "tito", *args], capture_output=True, text=True,
                         cwd=cwd, env=clean_env(), check=False)
    assert "Traceback" not in out.stdout + out.stderr, out.stdout + out.stderr
    return out


def make_workspace(tmp_path: Path, name: str = "ws") -> Path:
    """A workspace that is NOT installed: this test environment's Python must stay as it is."""
    out = tito(tmp_path, "init", name, "--source", str(ROOT), "--no-install")
    assert out.returncode == 0, out.stdout
    return tmp_path / name


def learner_python(folder: Path) -> str:
    """A virtual environment of the learner's own, that sees this environment's packages (numpy, tito,
    jupyter) through a .pth file — after its own — and keeps what `tito init` installs to itself."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, capture_output=True)
    python = folder / "bin" / "python"
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    host = [p for p in sys.path if p.endswith("site-packages")]
    (Path(own) / "zz_host_packages.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in host))  # zz: read after the venv's own
    return str(python)


def probe(ws: Path, built: list[str], not_built_name: str = "", python: str = sys.executable,
          cwd: Path | None = None) -> dict:
    """`python -c` in the workspace (or `cwd`), as a learner would run it (no PYTHONPATH)."""
    out = subprocess.run([python, "-c", PROBE, ",".join(built), not_built_name],
                         capture_output=True, text=True, cwd=cwd or ws, env=clean_env(), check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


KERNEL = """
import json, sys
import nbclient, nbformat
folder = sys.argv[1]
cell = nbformat.v4.new_code_cell("import tinytorch\\nfrom tinytorch.core.tensor import Tensor\\n"
                                 "print(tinytorch.__file__)")
notebook = nbformat.v4.new_notebook(cells=[cell])
nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3",
                        resources={"metadata": {"path": folder}}).execute()
print(json.dumps({"tinytorch": cell.outputs[0]["text"].strip()}))
"""


def kernel_imports(python: str, folder: Path) -> str:
    """What `import tinytorch` gives in a Jupyter kernel started in `folder` (nbclient, the learner's Python)."""
    out = subprocess.run([python, "-c", KERNEL, str(folder)], capture_output=True, text=True,
                         env=clean_env(), check=False, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])["tinytorch"]


def progress(ws: Path) -> dict:
    return json.loads((ws / ".tito" / "progress.json").read_text())


def in_workspace(ws: Path, path: str) -> bool:
    return Path(path).resolve().is_relative_to(ws.resolve())


def put_reference_solution(ws: Path, module, keep_notebook: bool) -> None:
    """What a learner who wrote the module would have: the reference code, saved after the notebook.

    Without `keep_notebook` the notebook is deleted first (a learner who works in the .py only;
    it also spares the step a notebook conversion)."""
    target = ws / module.source.relative_to(ROOT)
    if not keep_notebook:
        target.with_suffix(".ipynb").unlink()
    shutil.copyfile(module.source, target)
    later = time.time() + 1  # clearly the file saved last
    os.utime(target, (later, later))


# ----------------------------------------------------------------------------------------------
# The workspace as `tito init` makes it
# ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """Made from inside the checkout, as a learner who cloned it would: tito finds the source itself."""
    ws = tmp_path_factory.mktemp("fresh") / "ws"
    out = tito(ROOT, "init", str(ws), "--no-install")
    assert out.returncode == 0, out.stdout
    return ws


def test_the_package_starts_with_nothing_exported(fresh):
    ws = Project(fresh)
    assert ws.is_workspace and json.loads(ws.workspace_file.read_text())["source"] == str(ROOT)
    for m in MODULES:
        assert not m.package_file(ws).exists(), f"{m.exports} is exported before the learner wrote it"
    for path, text in generated_facade_files(fresh, CURRICULUM).items():  # the registry and the .pyi stubs
        assert path.read_text() == text, path
    assert (fresh / "tinytorch" / "nn" / "__init__.pyi").is_file()
    for hand_written in ("__init__.py", "_lazy.py", "nn/__init__.py"):
        assert (fresh / "tinytorch" / hand_written).read_text() == (ROOT / "tinytorch" / hand_written).read_text()
    report = probe(fresh, [], MODULES[0].provides[0])
    assert in_workspace(fresh, report["tinytorch"])
    assert f"arrives in module {MODULES[0].id}" in report["not_built"]


def test_every_module_is_the_student_version_with_its_notebook(fresh):
    for m in MODULES:
        folder = fresh / m.folder.relative_to(ROOT)
        text = (folder / m.source.name).read_text()
        assert text == strip_solutions(m.source.read_text(), m.source.name)
        assert "### BEGIN SOLUTION" not in text and "NotImplementedError" in text
        assert (folder / m.notebook.name).exists() and (folder / "module.yaml").exists()
        assert (fresh / ".tito" / "pristine" / m.source.relative_to(ROOT)).read_text() == text


def test_milestones_and_tests_come_without_results_or_source_checks(fresh):
    assert (fresh / "milestones" / "harness.py").exists()
    for ms in CURRICULUM.milestones:
        copied = fresh / ms.folder.relative_to(ROOT)
        assert (copied / "milestone.yaml").exists() and (copied / ms.script).exists()
        assert not (copied / "results").exists()
    assert (fresh / "tests" / "conftest.py").exists() and (fresh / "tests" / "integration").is_dir()
    assert not (fresh / "tests" / "validation").exists() and not (fresh / "tests" / "system").exists()


def test_init_never_overwrites(fresh, tmp_path):
    again = tito(fresh.parent, "init", fresh.name, "--source", str(ROOT), "--no-install")
    assert again.returncode == 1 and "already exists" in again.stdout and "tito status" in again.stdout
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    refused = tito(tmp_path, "init", "busy", "--source", str(ROOT), "--no-install")
    assert refused.returncode == 1 and "not empty" in refused.stdout
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]


def test_mistakes_get_a_message(fresh):
    later = MODULES[-1]
    out = tito(fresh, "module", "start", f"{later.number:02d}")
    missing = CURRICULUM.dependency_closure(later)
    assert out.returncode == 1 and all(CURRICULUM.module(n).id in out.stdout for n in missing)
    out = tito(fresh, "module", "start", "99")
    assert out.returncode == 1 and f"Valid modules: {MODULES[0].id}" in out.stdout
    out = tito(ROOT, "module", "reset", "01")  # the source project holds the reference: never reset
    assert out.returncode == 1 and "source project" in out.stdout
    out = tito(ROOT, "module", "test", "01")  # it runs, and says whose code it tests
    assert "source project: this tests the reference solutions" in out.stdout and "tito init" in out.stdout


# ----------------------------------------------------------------------------------------------
# The journey through every module
# ----------------------------------------------------------------------------------------------
def test_a_learner_completes_every_module_with_their_own_package(tmp_path):
    python = learner_python(tmp_path / "venv")
    made = tito(tmp_path, "init", "ws", "--source", str(ROOT), python=python)
    assert made.returncode == 0 and "Installed as this Python's tinytorch" in made.stdout, made.stdout
    ws = tmp_path / "ws"
    first = MODULES[0]

    started = tito(ws, "module", "start", f"{first.number:02d}", python=python)
    assert started.returncode == 0 and first.notebook.name in started.stdout and first.source.name in started.stdout

    failed = tito(ws, "module", "complete", f"{first.number:02d}", python=python)
    assert failed.returncode == 1, failed.stdout
    assert "NotImplementedError" in failed.stdout and "→ implement" in failed.stdout
    assert str(first.source.relative_to(ROOT)) in failed.stdout and "points" in failed.stdout
    # a summary, not tracebacks: one short entry per cause of failure
    assert 'File "' not in failed.stdout and len(failed.stdout.splitlines()) < 30, failed.stdout
    assert not first.package_file(Project(ws)).exists()

    for i, m in enumerate(MODULES):
        complete_on_the_full_path(ws, m, i, python)
        nxt = MODULES[i + 1] if i + 1 < len(MODULES) else None
        # `import tinytorch` from the workspace root, and from a folder outside it (the installed package)
        for where in (ws, tmp_path):
            report = probe(ws, [x.exports for x in MODULES[: i + 1]], nxt.provides[0] if nxt else "",
                           python=python, cwd=where)
            assert in_workspace(ws, report["tinytorch"]), report
            assert all(in_workspace(ws, f) for f in report["built"].values()), report
            if nxt:
                assert f"arrives in module {nxt.id}" in report["not_built"]
                assert f"tito module complete {nxt.number:02d}" in report["not_built"]
        for ms in CURRICULUM.milestones:
            if ms.name in m.unlocks:
                run_milestone_with_the_learners_package(ws, ms, python)
        if i == 1:  # a kernel in the next module's folder imports the learner's module 01
            assert in_workspace(ws, kernel_imports(python, ws / MODULES[1].folder.relative_to(ROOT)))

    completing_an_earlier_module_again_cannot_break_the_later_ones(ws, python)
    corrupt_progress_is_rebuilt_from_the_package(ws)


def complete_on_the_full_path(ws: Path, m, i: int, python: str) -> None:
    """The reference solution in the learner's files, then `tito module complete` with every step."""
    nn = f"{m.number:02d}"
    keep_notebook = i < 2  # two modules keep their notebook (tito must say the .py was saved after it)
    put_reference_solution(ws, m, keep_notebook=keep_notebook)
    done = tito(ws, "module", "complete", nn, python=python)
    assert done.returncode == 0, done.stdout + done.stderr
    assert ("saved after the notebook" if keep_notebook else "there is no notebook") in done.stdout
    assert "unit tests pass" in done.stdout and "exported →" in done.stdout and "3/4" in done.stdout
    assert "Capability unlocked" in done.stdout and m.capability in done.stdout
    for ms in CURRICULUM.milestones:
        if ms.name in m.unlocks:
            assert f"Milestone unlocked: {ms.title}" in done.stdout
    for demo in DEMOS:  # a demo is announced by the module that completes what it needs
        completes_it = max(x.number for x in required_modules(CURRICULUM, demo)) == m.number
        assert (f"Demo unlocked: {demo.title}" in done.stdout) == completes_it, (demo.id, m.id)

    record = progress(ws)["completed"]
    assert sorted(record) == [x.id for x in MODULES[: i + 1]]
    earned, total = record[m.id]["score"]
    assert earned == total > 0 and "tested" not in record[m.id]

    journey = Journey.load(Project(ws))
    assert [x.id for x in MODULES if journey.is_complete(x)] == [x.id for x in MODULES[: i + 1]]
    for ms in journey.curriculum.milestones:  # locked until the module that unlocks it is complete
        unlocked = journey.curriculum.unlocking_module(ms).number <= m.number
        assert (journey.milestone_state(ms) != "locked") == unlocked, (ms.id, m.id)
    nxt = MODULES[i + 1] if i + 1 < len(MODULES) else None
    if i in (0, len(MODULES) - 1):  # the status board itself, at the first and last step
        status = tito(ws, "status", python=python).stdout
        assert f"{i + 1}/{len(MODULES)} complete" in status and m.id in status
        assert (f"tito module start {nxt.number:02d}" if nxt else "every module is complete") in status


def run_milestone_with_the_learners_package(ws: Path, ms, python: str) -> None:
    """`tito milestone run` in quick mode, and the script run by hand from its own folder: both
    train the learner's package (a script's folder, not the workspace, is first on sys.path)."""
    ran = tito(ws, "milestone", "run", ms.name, "--quick", python=python)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert progress(ws)["milestones"][ms.id]["passed"] is True
    if ms != FIRST_MILESTONE:
        return
    folder = ws / ms.folder.relative_to(ROOT)
    by_hand = subprocess.run([python, ms.script, "--quick", "--out", str(ws / ".tito" / "by-hand" / ms.id)],
                             capture_output=True, text=True, cwd=folder, env=clean_env(), check=False)
    assert by_hand.returncode == 0, by_hand.stdout + by_hand.stderr
    tensor = MODULES[0].package_file(Project(ws))  # proof it is the workspace's package: take its Tensor away
    kept = tensor.with_suffix(".kept")
    tensor.rename(kept)
    try:
        blocked = tito(ws, "milestone", "run", ms.name, "--quick", python=python)
    finally:
        kept.rename(tensor)
    assert blocked.returncode == 1
    assert f"arrives in module {MODULES[0].id}" in blocked.stdout + blocked.stderr


def completing_an_earlier_module_again_cannot_break_the_later_ones(ws: Path, python: str) -> None:
    """Rename a helper of module 01 that later modules use: 01's own tests still pass, but the
    integration tests of the modules completed after it fail — so the change is not exported."""
    first = MODULES[0]
    source = ws / first.source.relative_to(ROOT)
    exported = first.package_file(Project(ws))
    before = exported.read_text()
    source.write_text(source.read_text().replace("_wrap(", "_wrap_renamed("))
    later = time.time() + 2
    os.utime(source, (later, later))
    again = tito(ws, "module", "complete", f"{first.number:02d}", python=python)
    assert again.returncode == 1, again.stdout
    assert "unit tests pass" in again.stdout and "export was undone" in again.stdout
    assert exported.read_text() == before
    assert sorted(progress(ws)["completed"]) == [m.id for m in MODULES]
    shutil.copyfile(first.source, source)  # the learner fixes it


def corrupt_progress_is_rebuilt_from_the_package(ws: Path) -> None:
    (ws / ".tito" / "progress.json").write_text("{not json")
    out = tito(ws, "status")
    assert out.returncode == 0 and "unreadable" in out.stdout and "rebuilt" in out.stdout
    assert (ws / ".tito" / "progress.json.corrupt").read_text() == "{not json"
    rebuilt = progress(ws)
    assert sorted(rebuilt["completed"]) == [m.id for m in MODULES]
    if FIRST_MILESTONE:
        assert rebuilt["milestones"][FIRST_MILESTONE.id]["passed"] is True


# ----------------------------------------------------------------------------------------------
# Notebook or .py, reset
# ----------------------------------------------------------------------------------------------
def test_a_newer_notebook_is_used_and_reported_and_reset_keeps_a_backup(tmp_path):
    ws = make_workspace(tmp_path)
    m = MODULES[0]
    py, nb = ws / m.source.relative_to(ROOT), ws / m.notebook.relative_to(ROOT)
    student = py.read_text()

    # The learner solved the module in the notebook (saved after the .py).
    nb.write_text(to_notebook_text(m.source))
    later = time.time() + 5
    os.utime(nb, (later, later))
    out = tito(ws, "module", "test", f"{m.number:02d}")
    assert out.returncode == 0, out.stdout
    assert f"using your notebook {m.notebook.relative_to(ROOT)}" in out.stdout
    assert py.read_text() == m.source.read_text()  # the notebook's code is now in the .py
    backups = sorted((ws / ".tito" / "backups" / m.id).iterdir())
    assert len(backups) == 1 and (backups[0] / py.name).read_text() == student

    # Reset: back to the starting version; the learner's files are kept.
    out = tito(ws, "module", "reset", f"{m.number:02d}")
    assert out.returncode == 0 and ".tito/backups" in out.stdout
    assert py.read_text() == student
    restored = nbformat.read(nb, as_version=4)
    assert "### BEGIN SOLUTION" not in "".join(c.source for c in restored.cells)
    newest = max((ws / ".tito" / "backups" / m.id).iterdir())
    assert (newest / py.name).read_text() == m.source.read_text() and (newest / nb.name).exists()


# ----------------------------------------------------------------------------------------------
# tito test: only what the learner's package can import
# ----------------------------------------------------------------------------------------------
def test_tito_test_runs_only_what_the_learners_package_can_import(tmp_path):
    ws = make_workspace(tmp_path)
    nothing = tito(ws, "test", "unit")
    assert nothing.returncode == 1 and "Nothing to test yet" in nothing.stdout
    assert "tito module start 01" in nothing.stdout
    not_here = tito(ws, "test", "system")
    assert not_here.returncode == 1 and "This learner workspace has no tests/system/" in not_here.stdout
    not_exported = tito(ws, "test", "integration")
    assert not_exported.returncode == 1 and "No module is exported yet" in not_exported.stdout

    first = MODULES[0]
    put_reference_solution(ws, first, keep_notebook=False)
    assert tito(ws, "module", "complete", f"{first.number:02d}", "--no-test").returncode == 0
    # Files that need later modules are left out (they could not even be collected), and so are
    # single tests marked with them (tests/conftest.py's --built): both would fail here otherwise.
    out = tito(ws, "test", "robustness")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "left out" in out.stdout and " passed" in out.stdout and " deselected" in out.stdout, out.stdout
    # No integration test uses 01_tensor alone: nothing to run is said, and is not a failure.
    alone = tito(ws, "test", "integration")
    assert alone.returncode == 0 and f"No integration test covers modules up to {first.id} yet" in alone.stdout


def test_a_damaged_or_missing_file_is_rebuilt_from_the_other(tmp_path):
    """`tito notebooks` in a workspace syncs the two views: a notebook that is not JSON is kept and
    written again from the .py; a deleted .py is written from the notebook; touching both changes nothing."""
    ws = make_workspace(tmp_path)
    m = MODULES[0]
    py, nb = ws / m.source.relative_to(ROOT), ws / m.notebook.relative_to(ROOT)
    student = py.read_text()

    os.utime(py)
    os.utime(nb)
    out = tito(ws, "notebooks", f"{m.number:02d}")
    assert out.returncode == 0 and "its notebook holds the same code" in out.stdout, out.stdout

    nb.write_text("{not json")
    out = tito(ws, "notebooks", f"{m.number:02d}")
    assert out.returncode == 0 and "is not a readable notebook" in out.stdout, out.stdout
    assert f"{nb.name} was written again from {py.name}" in out.stdout
    backups = list((ws / ".tito" / "backups" / m.id).iterdir())
    assert len(backups) == 1 and (backups[0] / nb.name).read_text() == "{not json"
    assert source_text(nb) == student

    py.unlink()
    out = tito(ws, "notebooks", f"{m.number:02d}")
    assert out.returncode == 0 and f"({py.name} was missing: written from it)" in out.stdout, out.stdout
    assert py.read_text() == student

    py.unlink()
    nb.write_text("{not json")
    out = tito(ws, "module", "test", f"{m.number:02d}")  # nothing tito could use: say so, change nothing
    assert out.returncode == 1 and "is not a readable notebook" in out.stdout and not py.exists(), out.stdout
    nb.unlink()
    out = tito(ws, "module", "test", f"{m.number:02d}")
    assert out.returncode == 1 and "and its notebook are both missing" in out.stdout, out.stdout
    assert f"tito module reset {m.number:02d}" in out.stdout


def test_start_writes_a_missing_notebook_and_reset_finds_the_source_when_the_copy_is_gone(tmp_path):
    ws = make_workspace(tmp_path)
    m = MODULES[0]
    py, nb = ws / m.source.relative_to(ROOT), ws / m.notebook.relative_to(ROOT)
    nb.unlink()
    out = tito(ws, "module", "start", f"{m.number:02d}")
    assert out.returncode == 0 and nb.exists(), out.stdout
    assert "finds no tinytorch" in out.stdout and "pip install --no-deps -e" in out.stdout  # made with --no-install
    py.unlink()
    nb.unlink()
    out = tito(ws, "module", "start", f"{m.number:02d}")
    assert out.returncode == 1 and f"{m.source.relative_to(ROOT)} is missing" in out.stdout, out.stdout

    shutil.rmtree(ws / ".tito" / "pristine")  # reset strips the source project's file again
    out = tito(ws, "module", "reset", f"{m.number:02d}")
    assert out.returncode == 0 and py.read_text() == strip_solutions(m.source.read_text(), m.source.name)
    marker = json.loads((ws / ".tito" / "workspace.json").read_text())
    (ws / ".tito" / "workspace.json").write_text(json.dumps({**marker, "source": str(tmp_path / "gone")}))
    out = tito(ws, "module", "reset", f"{m.number:02d}")
    assert out.returncode == 1 and f"The starting version of {m.id} is gone" in out.stdout, out.stdout
    assert py.read_text() == strip_solutions(m.source.read_text(), m.source.name)


def test_two_backups_in_the_same_second_get_their_own_folders(tmp_path, monkeypatch):
    from tito.lib import backups

    ws = Project(make_workspace(tmp_path))
    spec = Curriculum(ws).modules[0]
    monkeypatch.setattr(backups.time, "strftime", lambda fmt: "20250101-120000")
    first = backups.backup_files(ws, spec, [spec.source], "reset")
    second = backups.backup_files(ws, spec, [spec.source], "reset")
    assert first.name == "20250101-120000-reset" and second.name == "20250101-120000-reset-2"
