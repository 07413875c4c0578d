"""`tito milestone run` finds data the way the test suite does, says which data it trained on,
and knows the milestones that are planned but not built yet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tito.lib import milestones as milestones_lib
from tito.lib.journey import Journey
from tito.lib.manifest import Curriculum, read_planned
from tito.lib.datasets import MNIST_FILES, data_folder, data_note
from tito.lib.milestones import run_milestone
from tito.lib.project import Project
from tests.testkit import copy_project

ROOT = Path(__file__).resolve().parents[2]


def fake_mnist(data: Path) -> Path:
    (data / "mnist").mkdir(parents=True)
    for name in MNIST_FILES:
        (data / "mnist" / name).write_bytes(b"")
    return data


def bare_project(folder: Path, source: Path | None = None) -> Project:
    """A folder tito takes for a project (or, given `source`, a workspace made from it)."""
    for part in ("modules", "tinytorch", ".tito"):
        (folder / part).mkdir(parents=True, exist_ok=True)
    if source is not None:
        (folder / ".tito" / "workspace.json").write_text(json.dumps({"source": str(source)}))
    return Project(folder)


@pytest.fixture
def no_data_env(monkeypatch, tmp_path):
    monkeypatch.delenv("TINYTORCH_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def test_tinytorch_data_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("TINYTORCH_DATA", str(tmp_path / "mine"))
    fake_mnist(tmp_path / "shared" / "data")
    assert data_folder(bare_project(tmp_path / "proj"))[0] == tmp_path / "mine"


def test_shared_data_beside_the_project(no_data_env, tmp_path):
    shared = fake_mnist(tmp_path / "shared" / "data")
    folder, why = data_folder(bare_project(tmp_path / "proj"))
    assert folder == shared and "shared/data" in why


def test_shared_data_beside_the_source_of_a_workspace(no_data_env, tmp_path):
    shared = fake_mnist(tmp_path / "src" / "shared" / "data")
    source = bare_project(tmp_path / "src" / "main").root
    workspace = bare_project(tmp_path / "elsewhere" / "ws", source=source)
    assert data_folder(workspace)[0] == shared


def test_default_is_the_cache_and_the_note_says_where_mnist_goes(no_data_env, tmp_path):
    project = bare_project(tmp_path / "proj")
    folder, _ = data_folder(project)
    assert folder == tmp_path / "home" / ".cache" / "tinytorch"
    note = data_note(project)
    assert "no MNIST there" in note and str(folder / "mnist") in note and "generated stand-in digits" in note


def test_the_note_says_real_mnist_when_it_is_there(no_data_env, tmp_path):
    fake_mnist(tmp_path / "shared" / "data")
    assert "real MNIST found" in data_note(bare_project(tmp_path / "proj"))


def test_a_shared_folder_with_only_tiny_shakespeare_is_found_and_named(no_data_env, tmp_path):
    shared = tmp_path / "shared" / "data"
    (shared / "shakespeare").mkdir(parents=True)
    (shared / "shakespeare" / "input.txt").write_text("First Citizen:\n", encoding="utf-8")
    project = bare_project(tmp_path / "proj")
    assert data_folder(project)[0] == shared
    note = data_note(project)
    assert "tiny Shakespeare found" in note and "no MNIST there" in note


def test_the_note_says_where_tiny_shakespeare_goes(no_data_env, tmp_path):
    project = bare_project(tmp_path / "proj")
    folder, _ = data_folder(project)
    assert f"input.txt at {folder / 'shakespeare' / 'input.txt'}" in data_note(project)


def test_the_script_gets_the_folder(no_data_env, tmp_path, monkeypatch):
    """run_milestone hands the folder it chose to the script as $TINYTORCH_DATA."""
    shared = fake_mnist(tmp_path / "shared" / "data")
    journey = Journey.load(Project(copy_project(ROOT, tmp_path)))
    seen = {}

    def fake_run(cmd, cwd, env):
        seen.update(env)
        return subprocess.CompletedProcess(cmd, 2)

    monkeypatch.setattr(milestones_lib.subprocess, "run", fake_run)
    run_milestone(journey, journey.curriculum.milestone("mlp"), quick=True)
    assert seen["TINYTORCH_DATA"] == str(shared)


def test_a_script_run_by_hand_finds_the_same_folder(tmp_path):
    """The harness makes the choice tito makes when $TINYTORCH_DATA is unset."""
    shared = fake_mnist(tmp_path / "shared" / "data")
    proj = copy_project(ROOT, tmp_path)
    code = ("import sys; sys.path.insert(0, 'milestones'); import harness; "
            "print(harness.use_project_data(harness.load_milestone('milestones/03_mlp_1986/mlp.py')))")
    env = {k: v for k, v in os.environ.items() if k not in ("TINYTORCH_DATA", "TITO_ROOT")}
    env["PYTHONPATH"] = str(proj)
    out = subprocess.run([sys.executable, "-c", code], cwd=proj, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == str(shared)


# ----------------------------------------------------------------------------------------------
# Planned milestones: one table, in milestones/README.md
# ----------------------------------------------------------------------------------------------
def test_the_planned_table_names_the_systems_capstone():
    planned = {p.name: p for p in read_planned(ROOT / "milestones" / "README.md")}
    assert planned["systems"].unlocked_by == "19_benchmarking" and planned["systems"].number == 6


def test_a_planned_row_stops_counting_once_its_milestone_exists(tmp_path):
    proj = copy_project(ROOT, tmp_path)
    assert [p.name for p in Curriculum(Project(proj)).planned_milestones] == ["systems"]
    built = proj / "milestones" / "06_systems_2026"
    built.mkdir()
    (built / "milestone.yaml").write_text(
        "number: 6\nname: systems\nyear: 2026\ntitle: Systems capstone\nscript: systems.py\n"
        "metric: speedup\ncriterion: 1.0\nsummary: The systems capstone.\n")
    curriculum = Curriculum(Project(proj))
    assert curriculum.planned_milestones == []
    assert curriculum.milestone("systems").folder == built


def test_planned_rows_are_numbered_after_the_built_milestones():
    curriculum = Curriculum(Project(ROOT))
    last_built = max(ms.number for ms in curriculum.milestones)
    assert all(p.number > last_built for p in curriculum.planned_milestones)
