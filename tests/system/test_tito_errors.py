"""`tito` never shows a traceback for what the system or a learner's file did: one line with the fix.

Read-only cases are tested for real, by the kernel: tito runs as a process that cannot bypass file
permissions. As root (CI, the development machines) that is root without CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH — dropped from the capability bounding set before exec, so `chmod` binds it
like any user; as another user, `chmod` binds already. Only a root without CAP_SETPCAP (which
cannot drop them) skips those tests, saying so.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tito.cli import main
from tito.lib.errors import from_os_error, not_utf8, read_text

ROOT = Path(__file__).resolve().parents[2]
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def _bounded_by_permissions() -> None:
    """preexec_fn: a root child loses the capabilities that ignore file permissions."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _permissions_bind() -> bool:
    """Can this test make a process that file permissions stop? (probe: write a 0444 file)"""
    probe = Path(os.environ.get("TMPDIR", "/tmp")) / f"tito-permission-probe-{os.getpid()}"
    probe.write_text("x")
    probe.chmod(0o444)
    try:
        out = subprocess.run([sys.executable, "-c", f"open({str(probe)!r}, 'a')"], capture_output=True,
                             preexec_fn=_bounded_by_permissions, check=False)
        return out.returncode != 0
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        probe.chmod(0o644)
        probe.unlink()


PERMISSIONS_BIND = _permissions_bind()
needs_permissions = pytest.mark.skipif(not PERMISSIONS_BIND, reason="root without CAP_SETPCAP: permissions "
                                       "cannot be made to bind a child process here")


def tito(cwd: Path, *args: str, bounded: bool = False) -> subprocess.CompletedProcess:
    """`tito ARGS` from a learner's shell (no PYTHONPATH/TITO_ROOT); never a traceback."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TITO_ROOT")}
    out = subprocess.run([sys.executable, "-m", "tito", *args], cwd=cwd, env={**env, "COLUMNS": "250"},
                         capture_output=True, text=True, timeout=300, check=False,
                         preexec_fn=_bounded_by_permissions if bounded else None)
    assert "Traceback" not in out.stdout + out.stderr, out.stdout + out.stderr
    return out


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    """One workspace for the module, with 01_tensor completed from the reference solution."""
    parent = tmp_path_factory.mktemp("errors")
    assert tito(parent, "init", "ws", "--source", str(ROOT), "--no-install").returncode == 0
    ws = parent / "ws"
    (ws / "modules/01_tensor/tensor_dev.ipynb").unlink()
    shutil.copyfile(ROOT / "modules/01_tensor/tensor_dev.py", ws / "modules/01_tensor/tensor_dev.py")
    done = tito(ws, "module", "complete", "01", "--no-test")
    assert done.returncode == 0, done.stdout
    return ws


def one_error(out: subprocess.CompletedProcess, *expected: str) -> None:
    """Exit 1, and the message (its ✗ line and hint) says each of `expected`."""
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stdout.lstrip().startswith(("✗", "→")) or "✗" in out.stdout, out.stdout
    for text in expected:
        assert text in out.stdout, out.stdout


# ----------------------------------------------------------------------------------------------
# Read-only folders and files, checked by the kernel
# ----------------------------------------------------------------------------------------------
@needs_permissions
def test_read_only_state_folder(ws):
    state = ws / ".tito"
    state.chmod(0o555)
    try:
        out = tito(ws, "module", "start", "02", bounded=True)
    finally:
        state.chmod(0o755)
    one_error(out, "Permission denied: tito cannot write the folder .tito", "chmod u+w .tito")


@needs_permissions
def test_read_only_exported_package_file(ws):
    package_file = ws / "tinytorch/core/tensor.py"
    before = package_file.read_bytes()
    package_file.chmod(0o444)
    try:
        out = tito(ws, "module", "complete", "01", bounded=True)
    finally:
        package_file.chmod(0o644)
    one_error(out, "cannot write the file tinytorch/core/tensor.py", "chmod u+w tinytorch/core/tensor.py")
    assert package_file.read_bytes() == before


@needs_permissions
def test_init_into_a_read_only_parent(tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        out = tito(tmp_path, "init", "locked/ws", "--source", str(ROOT), "--no-install", bounded=True)
    finally:
        parent.chmod(0o755)
    one_error(out, f"Permission denied: tito cannot write the folder {parent}", f"chmod u+w {parent}")
    assert list(parent.iterdir()) == []


def test_atomic_write_keeps_a_read_only_file(tmp_path, monkeypatch):
    """A rename would go around the file's permissions: the write refuses instead (as any user)."""
    from tito.lib.atomic import atomic_write_text

    target = tmp_path / "kept.txt"
    target.write_text("mine")
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != target)
    with pytest.raises(PermissionError) as raised:
        atomic_write_text(target, "replaced")
    assert raised.value.filename == str(target) and target.read_text() == "mine"


# ----------------------------------------------------------------------------------------------
# A file where a folder belongs; a full disk
# ----------------------------------------------------------------------------------------------
def test_init_into_a_path_through_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("a file")
    out = tito(tmp_path, "init", "notes.txt/ws", "--source", str(ROOT), "--no-install")
    one_error(out, f"{tmp_path / 'notes.txt'} is a file, but tito needs a folder there",
              f"move {tmp_path / 'notes.txt'} away")


def test_init_onto_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("a file")
    out = tito(tmp_path, "init", "notes.txt", "--source", str(ROOT), "--no-install")
    one_error(out, "notes.txt")
    assert (tmp_path / "notes.txt").read_text() == "a file"


def test_state_folder_that_is_a_file(tmp_path):
    """.tito is a file: every write under it fails with ENOTDIR — named, with the fix."""
    from tests.testkit import copy_project

    proj = copy_project(ROOT, tmp_path)
    (proj / ".tito").write_text("not a folder")
    out = tito(proj, "module", "complete", "01", "--no-test")
    one_error(out, ".tito is a file, but tito needs a folder there", "move .tito away")


def test_disk_full_is_one_line(ws, monkeypatch, capsys):
    """ENOSPC while saving progress (simulated in os.fsync: a full disk cannot be made safely)."""
    import tito.lib.atomic as atomic

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.chdir(ws)
    monkeypatch.delenv("TITO_ROOT", raising=False)
    monkeypatch.setattr(atomic.os, "fsync", full)
    progress = (ws / ".tito/progress.json").read_bytes()
    assert main(["module", "start", "02"]) == 1
    out = capsys.readouterr().out
    assert "No space left on device" in out and "free some space" in out
    assert (ws / ".tito/progress.json").read_bytes() == progress
    assert not list((ws / ".tito").glob(".progress.json.*.tmp"))


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "The disk is full"),
    (errno.EROFS, "mounted read-only"),
    (errno.EISDIR, "A folder stands where tito expects a file"),
])
def test_each_system_error_has_a_fix(tmp_path, code, words):
    error = from_os_error(OSError(code, os.strerror(code), str(tmp_path / "x")))
    assert str(tmp_path / "x") in str(error) and words in error.hint


# ----------------------------------------------------------------------------------------------
# Progress entries that parse but do not fit
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("entries, named", [
    ({"completed": {"01_tensor": 5}}, 'completed["01_tensor"] is 5, not a record'),
    ({"completed": []}, "'completed' is [], not a mapping of records"),
    ({"milestones": {"01_perceptron_1957": "passed"}}, 'milestones["01_perceptron_1957"] is "passed"'),
    ({"completed": {"01_tensor": {"score": "60"}}}, 'completed["01_tensor"]["score"] is "60"'),
    ({"completed": {"01_tensor": {"score": [60]}}}, 'completed["01_tensor"]["score"] is [60]'),
    ({"milestones": {"01_perceptron_1957": {"passed": "no"}}}, '["passed"] is "no"'),
    ({"started": {"02_activations": None}}, 'started["02_activations"] is null'),
])
def test_malformed_progress_entry_is_named_kept_and_rebuilt(ws, entries, named):
    check_progress_recovery(ws, entries, named, ("status",))


@pytest.mark.parametrize("command", [("module", "list"), ("milestone", "list"), ("module", "info", "01")])
def test_every_board_recovers_from_a_malformed_entry(ws, command):
    check_progress_recovery(ws, {"completed": {"01_tensor": {"score": "x"}}}, '["score"] is "x"', command)


def check_progress_recovery(ws: Path, entries: dict, named: str, command: tuple[str, ...]) -> None:
    state = ws / ".tito"
    good = (state / "progress.json").read_text()
    (state / "progress.json").write_text(json.dumps({"version": 1, **entries}))
    try:
        out = tito(ws, *command)
        kept = sorted(state.glob("progress.json.corrupt*"))
        assert out.returncode == 0, out.stdout
        assert named in out.stdout and "kept it as .tito/progress.json.corrupt" in out.stdout, out.stdout
        assert len(kept) == 1 and json.loads(kept[0].read_text()) == {"version": 1, **entries}
        assert "01_tensor" in json.loads((state / "progress.json").read_text())["completed"]
    finally:
        for path in state.glob("progress.json.corrupt*"):
            path.unlink()
        (state / "progress.json").write_text(good)


# ----------------------------------------------------------------------------------------------
# A byte that is not UTF-8 in a learner's file
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [("module", "test", "01"), ("module", "complete", "01"), ("export", "01"),
                                     ("notebooks", "01")])
def test_non_utf8_module_file_names_its_line(ws, command):
    source = ws / "modules/01_tensor/tensor_dev.py"
    good = source.read_bytes()
    line = good.count(b"\n") + 1
    source.write_bytes(good + b"x = '\xff'\n")
    try:
        out = tito(ws, *command)
    finally:
        source.write_bytes(good)
    one_error(out, f"modules/01_tensor/tensor_dev.py is not UTF-8 text: byte 0xff at line {line}, column 6",
              "Save the file as UTF-8")


def test_non_utf8_file_in_the_source_project_is_named_too(tmp_path):
    """No sync step there: the safety net finds the file from the failed read."""
    from tests.testkit import copy_project

    proj = copy_project(ROOT, tmp_path)
    source = proj / "modules/01_tensor/tensor_dev.py"
    source.write_bytes(source.read_bytes().replace(b"\n", b"\n# caf\xe9\n", 1))
    out = tito(proj, "export", "01", "--no-test")
    one_error(out, "modules/01_tensor/tensor_dev.py is not UTF-8 text: byte 0xe9 at line 2, column 6")


def test_utf8_reader_reports_line_and_column(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes("a = 1\nb = 'é'\n".encode() + b"c = '\x80'\n")
    with pytest.raises(Exception) as raised:
        read_text(path, shown="m.py")
    assert str(raised.value) == "m.py is not UTF-8 text: byte 0x80 at line 3, column 6 (invalid start byte)."
    try:
        b"\x80".decode("utf-8")
    except UnicodeDecodeError as e:  # an error about one chunk still finds the first bad byte of the file
        assert "line 3, column 6" in str(not_utf8(path, e))


def test_a_file_error_in_a_scratch_copy_names_the_project_file(tmp_path, monkeypatch):
    """tito checks an export in a scratch copy (a `tito-*` folder in the temp dir): an error there
    names the file of the project it was copied from."""
    import tempfile

    from tito.cli import _original_path
    from tests.testkit import copy_project

    proj = copy_project(ROOT, tmp_path)
    monkeypatch.chdir(proj)
    monkeypatch.delenv("TITO_ROOT", raising=False)
    scratch = Path(tempfile.gettempdir()) / "tito-export-abc123" / "tinytorch" / "core" / "tensor.py"
    assert _original_path(scratch) == proj / "tinytorch/core/tensor.py"
    elsewhere = Path(tempfile.gettempdir()) / "other-abc" / "tinytorch" / "core" / "tensor.py"
    assert _original_path(elsewhere) == elsewhere


# ----------------------------------------------------------------------------------------------
# A progress file tito cannot read twice, an option in the wrong place
# ----------------------------------------------------------------------------------------------
def test_a_progress_file_of_another_layout_is_kept_each_time(ws):
    """Each unreadable progress file is kept: the second beside the first, under a dated name."""
    state = ws / ".tito"
    good = (state / "progress.json").read_text()
    try:
        for _ in range(2):
            (state / "progress.json").write_text('{"version": 99}')
            out = tito(ws, "status")
            assert out.returncode == 0 and "unexpected layout" in out.stdout, out.stdout
        kept = sorted(state.glob("progress.json.corrupt*"))
        assert [p.name for p in kept][0] == "progress.json.corrupt" and len(kept) == 2
        assert all(p.read_text() == '{"version": 99}' for p in kept)
    finally:
        for path in state.glob("progress.json.corrupt*"):
            path.unlink()
        (state / "progress.json").write_text(good)


def test_up_to_outside_integration_tests_says_where_it_belongs(ws):
    one_error(tito(ws, "dev", "test", "unit", "--up-to", "02"), "--up-to selects integration tests")


def test_a_locked_milestone_names_what_is_missing_and_run_all_runs_none(ws):
    """Only 01_tensor is complete: every milestone is locked."""
    info = tito(ws, "milestone", "info", "01")
    assert info.returncode == 0 and "missing:    02_activations" in info.stdout
    assert "tito module start 02" in info.stdout
    out = tito(ws, "milestone", "run", "all")
    one_error(out, "No milestone is available yet.", "tito status", "locked: needs 02")


# ----------------------------------------------------------------------------------------------
# module.yaml and milestone.yaml mistakes name the file and the key
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("change, message", [
    ({"tier": "Basics"}, "tier 'Basics' is not one of"),
    ({"number": "one"}, "'number' should be <class 'int'>, got 'one'"),
    ({"number": 2}, "folder is 01_tensor but number/name say 02_tensor"),
    ({"facades": {"tinytorch": "Tensor"}}, "'facades' should map each facade to a list of names"),
    ({"exports": None, "owner": "me"}, "missing keys ['exports'], unknown keys ['owner']"),
])
def test_a_module_manifest_mistake_is_named(tmp_path, change, message):
    import yaml

    from tito.lib.errors import UserError
    from tito.lib.manifest import load_module

    data = yaml.safe_load((ROOT / "modules/01_tensor/module.yaml").read_text()) | change
    folder = tmp_path / "01_tensor"
    folder.mkdir()
    (folder / "module.yaml").write_text(yaml.safe_dump({k: v for k, v in data.items() if v is not None}))
    with pytest.raises(UserError, match="01_tensor/module.yaml: ") as e:
        load_module(folder)
    assert message in str(e.value)


def test_a_milestone_manifest_mistake_is_named(tmp_path):
    import yaml

    from tito.lib.errors import UserError
    from tito.lib.manifest import Curriculum, load_milestone, read_planned
    from tito.lib.project import Project

    source = ROOT / "milestones/01_perceptron_1957"
    folder = tmp_path / "milestones" / source.name
    folder.mkdir(parents=True)
    (folder / "milestone.yaml").write_text("- a list\n")
    with pytest.raises(UserError, match="milestone.yaml: expected a mapping of keys, got list"):
        load_milestone(folder)
    (folder / "milestone.yaml").write_text(yaml.safe_dump(yaml.safe_load((source / "milestone.yaml").read_text())
                                                          | {"goal": "up"}))
    with pytest.raises(UserError, match="'goal' should be one of"):
        load_milestone(folder)

    # A milestone that no module.yaml unlocks, in a project without milestones/README.md (no planned table).
    (folder / "milestone.yaml").write_text((source / "milestone.yaml").read_text())
    (tmp_path / "modules" / "01_tensor").mkdir(parents=True)
    shutil.copyfile(ROOT / "modules/01_tensor/module.yaml", tmp_path / "modules/01_tensor/module.yaml")
    curriculum = Curriculum(Project(tmp_path))
    assert read_planned(tmp_path / "milestones" / "README.md") == [] and curriculum.planned_milestones == []
    with pytest.raises(UserError, match="No module.yaml lists milestone 'perceptron' under 'unlocks'"):
        curriculum.unlocking_module(curriculum.milestones[0])


# ----------------------------------------------------------------------------------------------
# The safety net around every command
# ----------------------------------------------------------------------------------------------
def _failing_status(monkeypatch, exception: BaseException) -> None:
    import tito.commands.status as status

    def run(args):
        raise exception

    monkeypatch.setattr(status, "run", run)


def test_ctrl_c_is_one_word_and_exit_130(monkeypatch, capsys):
    _failing_status(monkeypatch, KeyboardInterrupt())
    assert main(["status"]) == 130
    assert capsys.readouterr().err == "\ninterrupted\n"


def test_a_decode_error_without_a_file_is_still_one_line(monkeypatch, capsys):
    _failing_status(monkeypatch, UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"))
    assert main(["status"]) == 1
    out = capsys.readouterr().out
    assert "A file tito read is not UTF-8 text (invalid start byte)" in out and "Save your module files" in out


def test_a_closed_pipe_ends_quietly(tmp_path):
    """`tito status | head`: the reader left; no second error when Python flushes stdout at exit."""
    code = ("import sys\nimport tito.commands.status as status\nfrom tito.cli import main\n"
            "def run(args):\n    raise BrokenPipeError\n"
            "status.run = run\nsys.exit(main(['status']))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert out.returncode == 1 and out.stdout == "" and out.stderr == ""


def test_utf8_error_of_a_file_gone_since_uses_the_reader_error(tmp_path):
    try:
        b"ok\n\xff".decode("utf-8")
    except UnicodeDecodeError as e:
        assert "line 2, column 1" in str(not_utf8(tmp_path / "gone.py", e))


# ----------------------------------------------------------------------------------------------
# tito init: where it copies from, where it writes, and pip
# ----------------------------------------------------------------------------------------------
def test_init_names_a_source_that_is_not_a_project(tmp_path):
    out = tito(tmp_path, "init", "ws", "--source", str(tmp_path), "--no-install")
    one_error(out, f"{tmp_path} is not a TinyTorch source project")
    (tmp_path / "src" / "modules").mkdir(parents=True)
    (tmp_path / "src" / "tinytorch").mkdir()
    out = tito(tmp_path, "init", "ws", "--source", str(tmp_path / "src"), "--no-install")
    one_error(out, "has no modules (modules/*/module.yaml)")
    assert not (tmp_path / "ws").exists()


def test_init_refuses_a_folder_inside_the_source_project():
    out = tito(ROOT, "init", "modules/ws", "--no-install")
    one_error(out, "is inside the source project's modules/ folder", "tito init ~/my-tinytorch")
    assert not (ROOT / "modules" / "ws").exists()


def test_init_without_any_source_project_says_how_to_name_one(tmp_path, monkeypatch):
    """A tito installed from a wheel, run outside a checkout: nothing to copy from."""
    import tito.lib.workspace as workspace
    from tito.lib.errors import UserError

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TITO_ROOT", raising=False)
    monkeypatch.setattr(workspace, "__file__", str(tmp_path / "site-packages" / "tito" / "lib" / "workspace.py"))
    with pytest.raises(UserError) as raised:
        workspace.source_project()
    assert "Cannot find the TinyTorch source project" in str(raised.value) and "--source PATH" in raised.value.hint


def test_init_into_an_empty_folder_and_a_failed_pip_install(tmp_path, monkeypatch, capsys):
    """An empty folder is used as it is; when pip fails the workspace stays, with the command to retry."""
    from tito.lib import framework_dist

    (tmp_path / "ws").mkdir()
    failed = subprocess.CompletedProcess([], 1, stdout="", stderr="Collecting …\nERROR: no network\n")
    monkeypatch.setattr(framework_dist, "install_editable", lambda folder: failed)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TITO_ROOT", raising=False)
    assert main(["init", "ws", "--source", str(ROOT)]) == 0
    out = capsys.readouterr().out
    assert "pip could not install it (ERROR: no network)" in out and "python -m pip install --no-deps -e" in out
    assert (tmp_path / "ws" / ".tito" / "workspace.json").is_file()


def test_init_from_a_broken_pyproject_leaves_nothing_behind(tmp_path):
    from tests.testkit import copy_project

    proj = copy_project(ROOT, tmp_path)
    (proj / "pyproject.toml").write_text("[project\n")
    out = tito(tmp_path, "init", "ws", "--source", str(proj), "--no-install")
    one_error(out, "pyproject.toml is not valid TOML", "git checkout pyproject.toml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]


def test_a_completed_module_started_tested_verbosely_and_reset(ws):
    """Not errors, but the messages a learner sees on a module already complete."""
    source, notebook = ws / "modules/01_tensor/tensor_dev.py", ws / "modules/01_tensor/tensor_dev.ipynb"
    out = tito(ws, "module", "start", "01")
    assert out.returncode == 0 and "already complete" in out.stdout, out.stdout
    out = tito(ws, "module", "test", "01", "--verbose")  # pytest's own report
    assert out.returncode == 0 and " passed" in out.stdout and "PASSED" in out.stdout, out.stdout
    try:
        out = tito(ws, "module", "reset", "01")
        unchanged = "Your exported tinytorch/core/tensor.py and your progress are unchanged"
        assert out.returncode == 0 and unchanged in out.stdout, out.stdout
    finally:
        shutil.copyfile(ROOT / "modules/01_tensor/tensor_dev.py", source)
        notebook.unlink(missing_ok=True)
