"""`tito status`, `tito milestone list|info` and `tito examples available` agree, in the source
project (where exported counts as built, shown as `ref`) and in a learner workspace (where only
completed modules count), and say what is missing. Milestone IDs work in every spelling.

Milestones, modules and demos are discovered, so new ones are covered without editing this file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from learner_steps import complete_with_reference, make_workspace, tito

from tito.lib.demos import discover
from tito.lib.journey import Journey, numbers_text
from tito.lib.manifest import Curriculum
from tito.lib.project import Project
from tests.testkit import copy_project

ROOT = Path(__file__).resolve().parents[2]
CURRICULUM = Curriculum(Project(ROOT))
MODULES, MILESTONES = CURRICULUM.modules, CURRICULUM.milestones


def row(stdout: str, key: str) -> str:
    """The table row (or line) that starts with `key` inside its first cell."""
    lines = [line for line in stdout.splitlines() if line.startswith(f"│ {key} ") or line.startswith(f"  {key}")]
    assert len(lines) == 1, (key, stdout)
    return lines[0]


def boards(proj: Path) -> dict[str, str]:
    return {name: tito(proj, *args).stdout for name, args in
            {"status": ["status"], "list": ["milestone", "list"], "examples": ["examples", "available"]}.items()}


def example_line(examples: str, ms) -> str:
    """The milestone's line in `tito examples available`."""
    lines = [line for line in examples.splitlines() if f" {ms.number:02d} {ms.name} — " in line]
    assert len(lines) == 1, (ms.id, examples)
    return lines[0]


def check_boards_agree(proj: Path) -> None:
    """Each milestone has the same state on every board, and the state the Journey computes."""
    journey = Journey.load(Project(proj))
    shown = boards(proj)
    for ms in MILESTONES:
        state = journey.milestone_state(ms)
        for board in ("status", "list"):
            cells = row(shown[board], f"{ms.id} ({ms.name})")
            assert state in cells, (board, ms.id, state, cells)
            if state == "locked":
                assert f"needs {numbers_text(journey.missing_for(ms))}" in cells
        line = example_line(shown["examples"], ms)
        expected = {"achieved": "achieved", "available": "ready", "locked": "complete "}[state]
        assert expected in line, (ms.id, state, line)
        if state == "locked":
            assert ", ".join(m.id for m in journey.missing_for(ms)) in line


# ----------------------------------------------------------------------------------------------
# Milestone IDs
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ms", MILESTONES, ids=lambda ms: ms.id)
def test_milestone_info_accepts_every_spelling(ms):
    for spelling in (f"{ms.number:02d}", str(ms.number), ms.name, ms.id, ms.name.upper()):
        out = tito(ROOT, "milestone", "info", spelling)
        assert out.returncode == 0 and out.stdout.startswith(f"{ms.id} — {ms.title}"), (spelling, out.stdout)


@pytest.mark.parametrize("action", ["info", "run"])
def test_an_unknown_milestone_lists_every_valid_one(action):
    out = tito(ROOT, "milestone", action, "alexnet_2099")
    assert out.returncode == 1 and "Unknown milestone 'alexnet_2099'" in out.stdout
    for ms in MILESTONES:
        assert f"{ms.id} ({ms.name})" in out.stdout


# ----------------------------------------------------------------------------------------------
# The source project: the reference package is built, so milestones are available — and status says why
# ----------------------------------------------------------------------------------------------
@pytest.fixture
def proj(tmp_path) -> Path:
    """A copy of the source project without any progress recorded."""
    return copy_project(ROOT, tmp_path)


def test_in_the_source_project_exported_modules_show_as_built_and_the_boards_agree(proj):
    status = tito(proj, "status").stdout
    assert f"0/{len(MODULES)} complete" in status and f"{len(MODULES)}/{len(MODULES)} built" in status
    for m in MODULES:
        assert "│ ref " in row(status, m.id), row(status, m.id)
        assert f"✓ {m.id}: {m.capability}" in status
    assert "every module is built" in status
    for ms in MILESTONES:
        assert f"Ready to run: tito milestone run {ms.name}" in status
    examples = tito(proj, "examples").stdout  # `available` is the default
    assert f"can run now: {len(MILESTONES)} of {len(MILESTONES)}" in examples
    check_boards_agree(proj)

    losses = next(m for m in MODULES if m.name == "losses")
    losses.package_file(Project(proj)).unlink()
    status = tito(proj, "status").stdout
    assert "│ · " in row(status, losses.id) and f"✓ {losses.id}:" not in status
    assert f"Next: tito module complete {losses.number:02d}" in status
    assert f"next, with {losses.id}: {losses.capability}" in status
    check_boards_agree(proj)
    assert all(Journey.load(Project(proj)).milestone_state(ms) == "locked" for ms in MILESTONES
               if CURRICULUM.unlocking_module(ms).number >= losses.number)


# ----------------------------------------------------------------------------------------------
# A learner workspace: only completed modules count
# ----------------------------------------------------------------------------------------------
def test_in_a_workspace_status_follows_the_learners_completed_modules(tmp_path):
    ws = make_workspace(tmp_path)
    status = tito(ws, "status").stdout
    assert f"0/{len(MODULES)} complete" in status and "built" not in status.split("Capabilities")[0]
    assert "Capabilities unlocked: none yet" in status
    assert f"next, with {MODULES[0].id}: {MODULES[0].capability}" in status
    check_boards_agree(ws)
    assert "can run now: 0 of" in tito(ws, "examples").stdout

    first = MILESTONES[0]
    needed = CURRICULUM.required_modules(first)
    for module in needed:
        complete_with_reference(ws, module)
    journey = Journey.load(Project(ws))
    status = tito(ws, "status").stdout
    assert f"{len(needed)}/{len(MODULES)} complete" in status
    for m in MODULES:
        assert (f"✓ {m.id}: {m.capability}" in status) == (m in needed), m.id
        assert ("│ ✓ " in row(status, m.id)) == (m in needed)
    following = MODULES[len(needed)]
    assert f"next, with {following.id}: {following.capability}" in status
    assert f"Next: tito module start {following.number:02d}" in status
    assert f"Ready to run: tito milestone run {first.name}" in status
    ready_demos = [d.number for d in discover(Project(ws)) if journey.demo_state(d) == "available"]
    assert f"Demos: {len(ready_demos)}/" in status and ready_demos  # the tensor demo at least
    check_boards_agree(ws)
    for ms in MILESTONES[1:]:
        missing = journey.missing_for(ms)
        assert missing and f"next: tito module start {missing[0].number:02d}" in tito(ws, "examples").stdout

    ran = tito(ws, "milestone", "run", first.name, "--quick")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    measured = json.loads((ws / ".tito" / "progress.json").read_text())["milestones"][first.id]
    assert measured["passed"] is True and measured["value"] >= first.criterion
    result = f"{measured['metric']} = {measured['value']:.4f} ≥ {measured['criterion']:g} (quick run)"
    shown = boards(ws)
    assert "achieved" in row(shown["status"], f"{first.id} ({first.name})")
    assert result in row(shown["status"], f"{first.id} ({first.name})")
    assert result in row(shown["list"], f"{first.id} ({first.name})")
    assert f"achieved, {result}" in example_line(shown["examples"], first)
    assert f"Milestones — 1/{len(MILESTONES)} achieved" in shown["status"]
    assert f"Ready to run: tito milestone run {first.name}" not in shown["status"]
    check_boards_agree(ws)


def test_a_recorded_result_without_its_value_is_reported_not_a_traceback(proj):
    first = MILESTONES[0]
    state = proj / ".tito"
    state.mkdir()
    record = {"version": 1, "completed": {}, "started": {}, "milestones": {first.id: {"passed": True, "metric": "x"}}}
    (state / "progress.json").write_text(json.dumps(record))
    for args in (["status"], ["milestone", "list"], ["examples"]):
        out = tito(proj, *args)  # tito() fails the test on a traceback
        assert out.returncode == 0 and "a recorded run without a readable value" in out.stdout, out.stdout
