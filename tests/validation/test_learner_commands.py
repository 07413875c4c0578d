"""Every command the README's "For learners" block shows is one tito's parser accepts."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tito.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def learner_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## For learners", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.startswith("tito ")]


def test_the_block_shows_the_board_commands():
    shown = {" ".join(c.split()[:2]) for c in learner_commands()}
    assert {"tito status", "tito milestone", "tito examples", "tito demo"} <= shown, shown


@pytest.mark.parametrize("command", learner_commands())
def test_each_learner_command_parses(command):
    try:
        build_parser().parse_args(shlex.split(command)[1:])
    except SystemExit as e:  # argparse exits on an unknown command or argument
        pytest.fail(f"README shows `{command}`, which tito does not accept (exit {e.code})")
