"""Declared `needs` match reality: every curriculum module a test of the package uses is declared.

`tito module complete NN` picks the integration tests whose `needs` are built; a test that imports
a module it does not declare fails for a learner whose package does not have that module yet (it
happened: a module-05 test imported module 06's Adam, and no learner could complete 05).
"""

from pathlib import Path

import pytest

from tito.lib.manifest import Curriculum
from tito.lib.project import Project
from tito.lib.validate import undeclared_needs_problems

ROOT = Path(__file__).resolve().parents[2]
CURRICULUM = Curriculum(Project(ROOT))


def test_every_test_of_the_package_declares_the_modules_it_imports():
    assert undeclared_needs_problems(Project(ROOT), CURRICULUM) == []


def _problems_of(tmp_path: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        path = tmp_path / "tests" / "integration" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return undeclared_needs_problems(Project(tmp_path), CURRICULUM)


@pytest.mark.parametrize("use", [
    "    from tinytorch.core.optimizers import Adam\n",          # inside a function: the bug it was written for
    "    import tinytorch.core.optimizers\n",
    "    import tinytorch\n    tinytorch.optim.SGD\n",           # a facade name used as an attribute
])
def test_an_undeclared_import_is_found_wherever_it_is(tmp_path, use):
    problems = _problems_of(tmp_path, {"test_x.py": (
        'import pytest\nfrom tinytorch.core.tensor import Tensor\n'
        'pytestmark = pytest.mark.needs("autograd")\n\n'
        f'def test_leak():\n{use}')})
    assert len(problems) == 1 and "optimizers" in problems[0] and "test_leak" in problems[0], problems


def test_dependencies_of_a_declared_module_and_a_tests_own_marker_count(tmp_path):
    problems = _problems_of(tmp_path, {"test_x.py": (
        'import pytest\nfrom tinytorch.core.tensor import Tensor\nfrom tinytorch.nn import Linear\n'
        'pytestmark = pytest.mark.needs("autograd")  # autograd depends on tensor and layers\n\n'
        '@pytest.mark.needs("optimizers")\ndef test_step():\n    from tinytorch.core.optimizers import SGD\n')})
    assert problems == []


def test_imports_in_a_helper_file_of_the_folder_count_where_it_is_imported(tmp_path):
    problems = _problems_of(tmp_path, {
        "helpers.py": "from tinytorch.core.training import Trainer\n",
        "test_x.py": 'import pytest\npytestmark = pytest.mark.needs("tensor")\n\n'
                     'def test_it():\n    from helpers import Trainer\n'})
    assert len(problems) == 1 and "training" in problems[0]
