"""Milestone 01 (Rosenblatt's Perceptron, 1957) end to end, in quick mode, plus the shared harness.

The script runs as a user would run it — a subprocess with this interpreter — and its
results.json, plot and exit code are checked against the contract in milestones/README.md.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from milestone_contract import RESULT_KEYS, ROOT, assert_real_png, harness, milestone, project_env, read_results
import yaml

FOLDER, SPEC, SCRIPT = milestone("01_perceptron_1957")

pytestmark = pytest.mark.needs("tensor", "layers")



def run_script(out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--quick", "--out", str(out), *args],
                          capture_output=True, text=True, timeout=120, env=project_env())


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("perceptron")
    proc = run_script(out, "--seed", "3")
    return proc, out


def test_quick_run_meets_the_criterion(quick_run):
    proc, out = quick_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = read_results(out)
    assert RESULT_KEYS <= set(results), f"missing keys: {RESULT_KEYS - set(results)}"
    assert results["milestone"] == FOLDER.name
    assert results["metric"] == SPEC["metric"] == "test_accuracy"
    assert results["criterion"] == SPEC["criterion"]
    assert results["passed"] is True
    assert results["value"] >= SPEC["criterion"]
    assert results["quick"] is True and results["seed"] == 3
    assert results["wall_time_s"] > 0
    # The run itself reports what happened: it converged within the theorem's bound.
    assert results["converged"] is True
    assert 0 < results["updates"] <= results["novikoff_bound"]
    assert results["train_accuracy"] == 1.0
    assert f"{SPEC['metric']} = {results['value']:.4f}" in proc.stdout


def test_quick_run_saves_a_real_png(quick_run):
    _, out = quick_run
    assert_real_png(out)


def test_same_seed_gives_the_same_result(quick_run, tmp_path):
    _, first_out = quick_run
    proc = run_script(tmp_path, "--seed", "3")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first, second = read_results(first_out), read_results(tmp_path)
    assert second["value"] == first["value"]
    assert second["weight"] == first["weight"] and second["bias"] == first["bias"]
    assert second["updates"] == first["updates"]


def test_another_seed_gives_another_problem(quick_run, tmp_path):
    _, first_out = quick_run
    proc = run_script(tmp_path, "--seed", "4")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert read_results(tmp_path)["weight"] != read_results(first_out)["weight"]


def test_untrained_perceptron_fails_the_criterion(tmp_path):
    """With --epochs 0 the weights stay zero: step(0) = 1 says "class 1" for every point."""
    proc = run_script(tmp_path, "--epochs", "0")
    assert proc.returncode == harness.FAILED, proc.stdout + proc.stderr
    results = read_results(tmp_path)
    assert results["passed"] is False
    assert results["value"] < SPEC["criterion"]
    assert results["updates"] == 0
    assert "criterion NOT met" in proc.stdout


def stand_in_project(tmp_path: Path) -> Path:
    """A project folder with modules/, tinytorch/ and this milestone's script and harness."""
    workspace = tmp_path / "ws"
    (workspace / "modules").mkdir(parents=True)
    (workspace / "tinytorch").mkdir()
    shutil.copytree(FOLDER, workspace / "milestones" / FOLDER.name, ignore=shutil.ignore_patterns("results"))
    shutil.copy2(ROOT / "milestones" / "harness.py", workspace / "milestones" / "harness.py")
    return workspace


def test_a_script_that_would_train_another_projects_package_stops_with_one_sentence(tmp_path):
    """The harness edits no sys.path: it checks that `import tinytorch` is its own project's package.
    Here Python finds the source project's (on PYTHONPATH), not the stand-in project's own."""
    workspace = stand_in_project(tmp_path)
    script = workspace / "milestones" / FOLDER.name / SPEC["script"]
    proc = subprocess.run([sys.executable, str(script), "--quick", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120, env=project_env(ROOT))
    assert proc.returncode == harness.CANNOT_RUN, proc.stdout + proc.stderr
    assert proc.stderr.startswith("Cannot run: `import tinytorch` here finds") and str(ROOT) in proc.stderr
    assert "PYTHONPATH=. python" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_missing_module_exits_2_with_a_plain_message(tmp_path):
    """A framework that lacks a module: one sentence naming it, exit 2, no traceback."""
    # A stand-in for a fresh learner's workspace: modules/, milestones/ and a `tinytorch` whose
    # every name raises the lazy facade's ImportError, found first on PYTHONPATH as tito runs it.
    workspace = stand_in_project(tmp_path)
    fake = workspace / "tinytorch"
    (fake / "nn").mkdir(parents=True)
    facade = ("def __getattr__(name):\n"
              "    raise ImportError(f'{name} arrives in module 01_tensor — run `tito module complete 01`.')\n")
    for package in (fake, fake / "nn"):
        (package / "__init__.py").write_text(facade, encoding="utf-8")
    script = workspace / "milestones" / FOLDER.name / SPEC["script"]
    proc = subprocess.run([sys.executable, str(script), "--quick", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120, env=project_env(workspace))
    assert proc.returncode == harness.CANNOT_RUN, proc.stdout + proc.stderr
    assert "arrives in module 01_tensor" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "out" / "results.json").exists()


# ----- the harness on its own ---------------------------------------------------------------
def test_verdict_passes_at_the_criterion_and_fails_below(capsys):
    milestone = harness.load_milestone(SCRIPT)
    assert harness.verdict(milestone, milestone.criterion) == harness.PASSED
    assert harness.verdict(milestone, milestone.criterion - 1e-6) == harness.FAILED
    assert "criterion NOT met" in capsys.readouterr().out


def test_main_turns_import_error_into_exit_2(capsys):
    def run():
        raise ImportError("Linear arrives in module 03_layers — run `tito module complete 03`.")

    with pytest.raises(SystemExit) as exit_info:
        harness.main(run)
    assert exit_info.value.code == harness.CANNOT_RUN
    assert "Linear arrives in module 03_layers" in capsys.readouterr().err


def test_default_out_folders():
    milestone = harness.load_milestone(SCRIPT)
    assert harness.parse_args(milestone, argv=[]).out == FOLDER / "results"
    assert harness.parse_args(milestone, argv=["--quick"]).out == FOLDER / "results" / "quick"
    assert harness.parse_args(milestone, argv=["--out", "elsewhere"]).out == Path("elsewhere")


def test_milestone_yaml_must_have_exactly_the_contract_keys(tmp_path):
    spec = dict(SPEC)
    del spec["metric"]
    spec["modules"] = ["tensor"]
    (tmp_path / "milestone.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing keys \['metric'\], unknown keys \['modules'\]"):
        harness.load_milestone(tmp_path / "script.py")
