"""The README's journey table says what the manifests say."""

import subprocess
import sys
from pathlib import Path

import pytest

from tito.lib.docs import END, START, journey_table

ROOT = Path(__file__).resolve().parents[2]


def test_readme_journey_table_matches_manifests(curriculum):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert START in readme and END in readme
    current = readme.split(START)[1].split(END)[0].strip()
    assert current == journey_table(curriculum), "run `tito docs` to rewrite the README table"


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = [ln for ln in (ROOT / ".ci" / "run").read_text().splitlines() if ln and not ln.startswith(("#", "set ", "cd "))]
    assert len(ci) == 1 and ci[0] in readme, ".ci/run must run exactly the README's test command"


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "benchmarks").glob("bench_*.py")))
def test_readme_benchmark_rows_are_the_recorded_ones(script):
    """The README's benchmark table is printed from benchmarks/results/*.json, never typed by hand."""
    rows = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--readme-rows"],
                          capture_output=True, text=True, check=True).stdout.strip().splitlines()
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert rows and all(row in readme for row in rows), [row for row in rows if row not in readme]


def test_tito_docs_rewrites_only_the_table(tmp_path):
    from tests.testkit import copy_project

    proj = copy_project(ROOT, tmp_path)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (proj / "README.md").write_text(readme.split(START)[0] + f"{START}\n| old |\n{END}" + readme.split(END)[1])
    out = subprocess.run([sys.executable, "-m", "tito", "dev", "docs"], capture_output=True, text=True, cwd=proj)
    assert out.returncode == 0 and "journey table rewritten" in out.stdout, out.stdout + out.stderr
    assert (proj / "README.md").read_text(encoding="utf-8") == readme


def test_a_workspace_readme_lists_the_modules_when_a_milestone_is_not_written_yet(curriculum):
    """A module that unlocks a milestone with no folder yet (a course being written): no table, a list."""
    from tito.lib.errors import UserError
    from tito.lib.workspace import learner_readme

    class Unfinished:
        modules, milestones = curriculum.modules, []

        def milestone(self, name):
            raise UserError(f"no milestone {name}")

    readme = learner_readme(Unfinished(), "0.1")
    assert all(f"- {m.id}: {m.title}" in readme for m in curriculum.modules)
