"""Shared pytest setup for tests/: the `needs` marker and the options that select by it.

An integration or system test says which modules it exercises with
`pytestmark = pytest.mark.needs("layers", "losses")` (a test function may add its own
`@pytest.mark.needs(...)`); a module it needs brings the modules that one depends on.
tests/validation/test_declared_needs.py checks that every tinytorch import is declared.

- `--built a,b,c` keeps the tests whose needs are all built (`tito module complete` and
  `tito test` in a workspace pass the modules the learner has completed);
- `--involving m` keeps the tests whose needs include module m (`tito module complete m`
  re-runs exactly those, including the ones of modules completed after m);
- `--up-to N` keeps the tests whose modules are all numbered ≤ N.

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
from tito.lib.testing import needs_with_dependencies

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
if not os.environ.get("TINYTORCH_DATA") and (SHARED_DATA / "mnist").is_dir():
    os.environ["TINYTORCH_DATA"] = str(SHARED_DATA)


def pytest_addoption(parser):
    parser.addoption("--up-to", type=int, default=None,
                     help="only tests whose `needs` modules are numbered ≤ this")
    parser.addoption("--built", default=None, help="comma-separated module names: only tests whose "
                     "`needs` (with their dependencies) are all among them")
    parser.addoption("--involving", default=None, help="a module name: only tests whose `needs` "
                     "(with their dependencies) include it")


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def curriculum(project) -> Curriculum:
    return Curriculum(project)


def _selected(item, curriculum: Curriculum, limit, built, involving) -> bool:
    needs = needs_with_dependencies(curriculum, [n for mark in item.iter_markers("needs") for n in mark.args])
    if limit is not None and any(curriculum.module(n).number > limit for n in needs):
        return False
    if built is not None and not needs <= built:
        return False
    return involving is None or involving in needs


def pytest_collection_modifyitems(config, items):
    limit, built, involving = (config.getoption(o) for o in ("--up-to", "--built", "--involving"))
    if limit is None and built is None and involving is None:
        return
    curriculum = Curriculum(Project(ROOT))
    built = None if built is None else set(filter(None, built.split(",")))
    keep = [item for item in items if _selected(item, curriculum, limit, built, involving)]
    if len(keep) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep
