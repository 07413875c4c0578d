"""Shared pytest setup for tests/: the `needs` marker and `--up-to N` selection.

An integration or system test says which modules it exercises with
`pytestmark = pytest.mark.needs("layers", "losses")`. `tito module complete NN` runs the
integration tests with `--up-to NN`, which keeps only tests whose modules are all ≤ NN.

Real data: tests that need MNIST read it from $TINYTORCH_DATA. When that is unset and the
project sits beside a `shared/data` folder with MNIST in it (how this project's development
machines and CI are laid out, DESIGN.md §6), the suite uses that folder, so the real-data
tests run instead of being skipped. Nothing is copied or committed from it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tito.lib.manifest import Curriculum
from tito.lib.project import Project

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
if not os.environ.get("TINYTORCH_DATA") and (SHARED_DATA / "mnist").is_dir():
    os.environ["TINYTORCH_DATA"] = str(SHARED_DATA)


def pytest_addoption(parser):
    parser.addoption("--up-to", type=int, default=None,
                     help="only tests whose `needs` modules are numbered ≤ this")


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def curriculum(project) -> Curriculum:
    return Curriculum(project)


def pytest_collection_modifyitems(config, items):
    limit = config.getoption("--up-to")
    if limit is None:
        return
    curriculum = Curriculum(Project(ROOT))
    keep, drop = [], []
    for item in items:
        needs = [n for mark in item.iter_markers("needs") for n in mark.args]
        highest = max((curriculum.module(n).number for n in needs), default=0)
        (keep if highest <= limit else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
