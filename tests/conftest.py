"""Shared pytest setup for tests/: the `needs` marker and `--up-to N` selection.

An integration or system test says which modules it exercises with
`pytestmark = pytest.mark.needs("layers", "losses")`. `tito module complete NN` runs the
integration tests with `--up-to NN`, which keeps only tests whose modules are all ≤ NN.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tito.lib.manifest import Curriculum
from tito.lib.project import Project

ROOT = Path(__file__).resolve().parents[1]


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
