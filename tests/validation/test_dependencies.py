"""Each module imports only from the modules it declares (directly or through them), and the
generated modules import each other without a cycle. The checks live in tito.lib.validate,
which `tito package validate` runs too."""

from pathlib import Path

import pytest

from tito.lib import validate
from tito.lib.manifest import Curriculum
from tito.lib.project import Project

PROJECT = Project(Path(__file__).resolve().parents[2])
CURRICULUM = Curriculum(PROJECT)


@pytest.mark.parametrize("module", CURRICULUM.modules, ids=lambda m: m.id)
def test_imports_stay_within_declared_dependencies(module):
    assert validate.declared_import_problems(module, CURRICULUM) == []


def test_generated_modules_import_each_other_without_a_cycle():
    assert validate.circular_import_problems(PROJECT, CURRICULUM) == []


def test_the_checker_catches_an_undeclared_import(tmp_path):
    fake = tmp_path / "x_dev.py"
    fake.write_text("from tinytorch.core.losses import MSELoss\nfrom tinytorch.nn import Linear\n")
    assert validate.imported_modules(fake, CURRICULUM) == {"losses", "layers"}


def test_an_import_of_a_name_no_module_provides_is_reported(tmp_path):
    fake = tmp_path / "x_dev.py"
    fake.write_text("from tinytorch.nn import Linaer\n")
    assert validate.imported_modules(fake, CURRICULUM) == {"?"}


def test_the_cycle_finder_finds_cycles_and_only_cycles():
    assert validate.find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert validate.find_cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []
