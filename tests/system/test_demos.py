"""`tito demo`: every demo runs and prints its result; locked demos say what to complete; the
learner's package is the one a demo uses; the declarations and the capability matrix are derived.

Demos are discovered from demos/NN_name.py, so a new demo is tested without touching this file.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from learner_steps import complete_with_reference, make_workspace, tito

from tito.lib import demos as demo_lib
from tito.lib.errors import UserError
from tito.lib.journey import Journey
from tito.lib.manifest import Curriculum
from tito.lib.project import Project

ROOT = Path(__file__).resolve().parents[2]
CURRICULUM = Curriculum(Project(ROOT))
DEMOS = demo_lib.discover(Project(ROOT))


def result_lines(stdout: str) -> list[str]:
    return [line.strip() for line in stdout.splitlines() if "Result:" in line]


def test_there_are_demos_for_the_built_stages():
    assert DEMOS, "demos/ has no NN_name.py demo"
    assert DEMOS[0].number == 1 and [d.number for d in DEMOS] == list(range(1, len(DEMOS) + 1))


# ----------------------------------------------------------------------------------------------
# In the source project every module is built: every demo runs
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("demo", DEMOS, ids=lambda d: d.id)
def test_every_demo_runs_in_the_reference_project_and_prints_its_result(demo):
    out = tito(ROOT, "demo", str(demo.number))
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"Demo {demo.number} — {demo.title}" in out.stdout
    results = result_lines(out.stdout)
    assert len(results) == 1 and results[0].startswith("✓ Result:"), out.stdout


def test_the_list_shows_every_demo_available_in_the_reference_project():
    out = tito(ROOT, "demo")
    assert out.returncode == 0 and f"Demos — {len(DEMOS)}/{len(DEMOS)} available" in out.stdout
    for demo in DEMOS:
        row = next(line for line in out.stdout.splitlines() if demo.title.split(":")[0] in line)
        assert "available" in row and "locked" not in row, row


def test_an_unknown_demo_lists_the_valid_ones():
    out = tito(ROOT, "demo", "99")
    assert out.returncode == 1 and "Unknown demo '99'" in out.stdout
    assert "Valid demos: " + ", ".join(f"{d.number} ({d.name})" for d in DEMOS) in out.stdout


@pytest.mark.parametrize("demo", DEMOS, ids=lambda d: d.id)
def test_a_demo_is_found_by_every_spelling(demo):
    for spelling in (str(demo.number), f"{demo.number:02d}", demo.name, demo.id, demo.name.upper()):
        assert demo_lib.find(DEMOS, spelling) == demo


# ----------------------------------------------------------------------------------------------
# The declarations: read without running, naming real modules, importing only the learner's package
# ----------------------------------------------------------------------------------------------
ALLOWED_IMPORTS = {"_demo", "numpy", "tinytorch"} | set(sys.stdlib_module_names)


@pytest.mark.parametrize("demo", DEMOS, ids=lambda d: d.id)
def test_each_demo_declares_what_it_needs_and_uses_only_the_learners_package(demo):
    name, colon, shows = demo.title.partition(":")
    assert colon and name and shows.strip() and demo.summary, "docstring: 'Name: what it shows', then a paragraph"
    needed = demo_lib.required_modules(CURRICULUM, demo)  # raises for a name that is not a module
    assert {CURRICULUM.module(q).id for q in demo.needs} <= {m.id for m in needed}
    tree = ast.parse(demo.path.read_text(encoding="utf-8"))
    imported = [(node.lineno, alias.name.split(".")[0]) for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names]
    imported += [(node.lineno, node.module.split(".")[0]) for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module]
    assert {top for _, top in imported} <= ALLOWED_IMPORTS, imported
    first_demo = min(line for line, top in imported if top == "_demo")
    assert all(line > first_demo for line, top in imported if top == "tinytorch"), \
        "import _demo (which puts this project's tinytorch first on sys.path) before tinytorch"


def test_the_demos_readme_lists_every_demo():
    readme = (ROOT / "demos" / "README.md").read_text(encoding="utf-8")
    for demo in DEMOS:
        assert f"`{demo.path.name}`" in readme, f"demos/README.md does not mention {demo.path.name}"


@pytest.mark.parametrize("text, problem", [
    ('"""T: x."""\nimport _demo\n', "NEEDS"),
    ('"""T: x."""\nNEEDS = "tensor"\n', "NEEDS"),
    ('"""T: x."""\nNEEDS = [tensor]\n', "NEEDS"),
    ('NEEDS = ["tensor"]\n', "docstring"),
    ('"""T: x."""\nNEEDS = [\n', "not valid Python"),
])
def test_a_broken_declaration_is_reported_with_its_file(tmp_path, text, problem):
    path = tmp_path / "07_broken.py"
    path.write_text(text)
    with pytest.raises(UserError, match=problem) as e:
        demo_lib.load_demo(path)
    assert "07_broken.py" in str(e.value)


def test_a_demo_file_name_and_its_number_are_checked(tmp_path):
    with pytest.raises(UserError, match="named NN_name.py"):
        demo_lib.load_demo(tmp_path / "07_Broken.py")
    (tmp_path / "demos").mkdir()
    for name in ("07_one.py", "07_two.py"):
        (tmp_path / "demos" / name).write_text('"""T: x."""\nNEEDS = ["tensor"]\n')
    with pytest.raises(UserError, match="more than one demo is numbered 07"):
        demo_lib.discover(Project(tmp_path))


def test_a_demo_needing_a_module_that_does_not_exist_says_so(tmp_path):
    path = tmp_path / "07_attention.py"
    path.write_text('"""Attention: later."""\nNEEDS = ["attention_that_is_not_here"]\n')
    with pytest.raises(UserError, match="not a module of this curriculum") as e:
        demo_lib.required_modules(CURRICULUM, demo_lib.load_demo(path))
    assert CURRICULUM.modules[0].id in e.value.hint


# ----------------------------------------------------------------------------------------------
# The capability matrix: capability × module, derived from module.yaml and the demo declarations
# ----------------------------------------------------------------------------------------------
def closure(name: str) -> set[str]:
    """depends_on followed to the end, straight from the manifests (independent of tito's helper)."""
    found, todo = set(), list(CURRICULUM.module(name).depends_on)
    while todo:
        if (n := todo.pop()) not in found:
            found.add(n)
            todo += CURRICULUM.module(n).depends_on
    return found


def test_the_matrix_rows_are_derived_from_the_manifests_and_the_demos():
    rows = demo_lib.capability_matrix(Journey.load(Project(ROOT)), DEMOS)
    by_section = {s: [r for r in rows if r.section == s] for s in ("module", "demo", "milestone")}
    assert len(by_section["module"]) == len(CURRICULUM.modules) and len(by_section["demo"]) == len(DEMOS)
    assert len(by_section["milestone"]) == len(CURRICULUM.milestones)
    for m, row in zip(CURRICULUM.modules, by_section["module"]):
        assert row.label.startswith(f"{m.number:02d} ") and row.label[3:].rstrip("…") in m.capability
        expected = {CURRICULUM.module(n).id: "○" for n in closure(m.name)} | {m.id: "●"}
        assert row.marks == expected, (m.id, row.marks)
    for demo, row in zip(DEMOS, by_section["demo"]):
        named = {CURRICULUM.module(q) for q in demo.needs}
        beneath = set().union(*(closure(m.name) for m in named)) - {m.name for m in named}
        assert row.marks == {CURRICULUM.module(n).id: "○" for n in beneath} | {m.id: "●" for m in named}
        assert row.state == "available"
    for ms, row in zip(CURRICULUM.milestones, by_section["milestone"]):
        unlocker = next(m for m in CURRICULUM.modules if ms.name in m.unlocks)
        assert row.marks == {m.id: "○" for m in CURRICULUM.modules if m.number < unlocker.number} | {unlocker.id: "●"}


def test_the_matrix_is_shown_by_flag_and_by_name():
    flag, name = tito(ROOT, "demo", "--matrix"), tito(ROOT, "demo", "matrix")
    assert flag.returncode == name.returncode == 0 and flag.stdout == name.stdout
    header = next(line for line in flag.stdout.splitlines() if "capability" in line and "state" in line)
    assert all(f"{m.number:02d}" in header for m in CURRICULUM.modules)
    for demo in DEMOS:
        assert f"demo {demo.number}: {demo.title.split(':')[0]}" in flag.stdout


# ----------------------------------------------------------------------------------------------
# In a learner workspace: locked until the learner completes the modules, then on THEIR package
# ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("demos"))


def test_init_copies_the_demos_into_the_workspace(workspace):
    for path in [*(d.path for d in DEMOS), ROOT / "demos" / "_demo.py", ROOT / "demos" / "README.md"]:
        assert (workspace / "demos" / path.name).read_text() == path.read_text()


def test_a_workspace_without_demos_says_where_they_come_from(workspace):
    (workspace / "demos").rename(workspace / "demos.kept")
    try:
        out = tito(workspace, "demo")
    finally:
        (workspace / "demos.kept").rename(workspace / "demos")
    assert out.returncode == 1 and "There is no demos/ folder" in out.stdout and "source checkout" in out.stdout


def test_in_a_workspace_demos_are_locked_then_run_on_the_learners_package(workspace):
    first = DEMOS[0]
    needed = demo_lib.required_modules(CURRICULUM, first)
    listed = tito(workspace, "demo")
    assert listed.returncode == 0 and f"Demos — 0/{len(DEMOS)} available" in listed.stdout
    none_yet = tito(workspace, "demo", "all")
    assert none_yet.returncode == 1 and "No demo is available yet" in none_yet.stdout
    assert f"tito module start {CURRICULUM.modules[0].number:02d}" in none_yet.stdout

    locked = tito(workspace, "demo", str(first.number))
    assert locked.returncode == 1
    assert f"needs modules you have not completed: {', '.join(m.id for m in needed)}" in locked.stdout
    assert f"tito module start {needed[0].number:02d}" in locked.stdout
    assert not result_lines(locked.stdout)  # refused before running anything

    for module in needed:
        complete_with_reference(workspace, module)
    ran = tito(workspace, "demo", str(first.number))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert result_lines(ran.stdout)[0].startswith("✓ Result:")
    journey = Journey.load(Project(workspace))
    listed = tito(workspace, "demo").stdout
    available = [d for d in DEMOS if journey.demo_state(d) == "available"]
    assert first in available and f"Demos — {len(available)}/{len(DEMOS)} available" in listed
    for demo in DEMOS:
        row = next(line for line in listed.splitlines() if line.startswith(f"│ {demo.number} "))
        assert ("available" in row) == (demo in available), row
    every = tito(workspace, "demo", "all")
    assert every.returncode == 0, every.stdout + every.stderr
    assert len(result_lines(every.stdout)) == len(available)
    assert f"{len(available)}/{len(available)} available demos ran as promised" in every.stdout
    locked = [d for d in DEMOS if d not in available]
    assert not locked or f"Still locked: {locked[0].number} (needs " in every.stdout

    # A demo whose promise is not kept (its script exits 1) fails and names its file.
    broken = workspace / "demos" / "99_broken_promise.py"
    broken.write_text(f'"""Broken: a promise not kept."""\nNEEDS = {list(first.needs)!r}\nraise SystemExit(1)\n')
    try:
        failed = tito(workspace, "demo", "99")
    finally:
        broken.unlink()
    assert failed.returncode == 1 and "its result is not what it promises" in failed.stdout
    assert "demos/99_broken_promise.py" in failed.stdout

    # Proof the demo imports the workspace's package: take the learner's file away and it cannot
    # run (the installed reference package, which has it, is never used).
    package_file = needed[-1].package_file(Project(workspace))
    kept = package_file.with_suffix(".kept")
    package_file.rename(kept)
    try:
        blocked = tito(workspace, "demo", str(first.number))
    finally:
        kept.rename(package_file)
    assert blocked.returncode == 1 and f"arrives in module {needed[-1].id}" in blocked.stdout + blocked.stderr
