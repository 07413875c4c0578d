"""Every command the README's "For learners" block shows is one tito's parser accepts."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tito.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def learner_commands() -> list[str]:
    """The tito commands of every bash block in the README's "For learners" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## For learners", 1)[1].split("\n## ", 1)[0]
    blocks = [chunk.split("```", 1)[0] for chunk in section.split("```bash")[1:]]
    return [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()
            if line.startswith("tito ")]


def test_the_learner_section_starts_with_tito_init_and_links_the_workspace_guide():
    assert learner_commands()[0].startswith("tito init ")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## For learners", 1)[1].split("\n## ", 1)[0]
    assert "docs/learner-workspace.md" in section and "tests the reference" in section


def test_the_block_shows_the_board_commands():
    shown = {" ".join(c.split()[:2]) for c in learner_commands()}
    assert {"tito status", "tito milestone", "tito examples", "tito demo"} <= shown, shown


@pytest.mark.parametrize("command", learner_commands())
def test_each_learner_command_parses(command):
    try:
        build_parser().parse_args(shlex.split(command)[1:])
    except SystemExit as e:  # argparse exits on an unknown command or argument
        pytest.fail(f"README shows `{command}`, which tito does not accept (exit {e.code})")


# ----------------------------------------------------------------------------------------------
# Names typed wrong, and milestones not built yet
# ----------------------------------------------------------------------------------------------
def tito(*args: str):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "tito", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("args, suggestion", [
    (["module", "test", "tensr"], "Unknown module 'tensr' — did you mean tensor?"),
    (["module", "info", "activation"], "did you mean activations?"),
    (["module", "info", "01_tensr"], "did you mean 01_tensor?"),
    (["milestone", "run", "perceptorn"], "Unknown milestone 'perceptorn' — did you mean perceptron?"),
    (["milestone", "info", "gtp"], "did you mean gpt?"),
])
def test_a_typo_gets_did_you_mean(args, suggestion):
    out = tito(*args)
    assert out.returncode == 1 and suggestion in out.stdout, out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_nothing_close_gets_only_the_list():
    out = tito("module", "info", "xyzzy")
    assert out.returncode == 1 and "did you mean" not in out.stdout and "Valid modules: 01_tensor" in out.stdout


@pytest.mark.parametrize("query", ["systems", "06", "6"])
def test_a_planned_milestone_names_the_module_that_will_unlock_it(query):
    out = tito("milestone", "run", query)
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    assert "Milestone 06, Systems capstone" in out.stdout and "is not built yet" in out.stdout, out.stdout
    assert "module 19_benchmarking will unlock it" in out.stdout and "Unknown milestone" not in out.stdout
