"""Every module.yaml and milestone.yaml is valid and consistent with the others (the checks live in
tito.lib.validate, which `tito package validate` runs too)."""

import pytest

from tito.lib import validate
from tito.lib.manifest import Curriculum


def test_module_numbers_are_contiguous_names_and_exports_unique(curriculum: Curriculum):
    assert validate.numbering_problems(curriculum) == []


def test_no_public_name_is_provided_twice(curriculum):
    assert validate.duplicate_export_problems(curriculum) == []


def test_dependencies_exist_and_point_backwards(curriculum):
    """Dependencies on earlier modules only: the graph is acyclic by construction."""
    assert validate.dependency_order_problems(curriculum) == []


def test_tiers_are_known_and_in_order(curriculum):
    assert validate.tier_problems(curriculum) == []


def test_every_module_has_its_files(curriculum):
    assert validate.module_file_problems(curriculum) == []


def test_unlocks_name_real_milestones_each_unlocked_once(curriculum):
    assert validate.unlock_problems(curriculum) == []


def test_milestones_have_script_and_readme(curriculum):
    assert validate.milestone_file_problems(curriculum) == []


@pytest.mark.parametrize("query", ["01", "1", "01_tensor", "tensor", " Tensor "])
def test_module_lookup_accepts_every_spelling(curriculum, query):
    assert curriculum.module(query).id == "01_tensor"


def test_facades_list_provided_names_and_match_the_facade_files(curriculum):
    assert validate.facade_problems(curriculum) == []


def test_a_facade_name_the_module_does_not_provide_is_a_problem(tmp_path):
    from pathlib import Path

    from tito.lib.project import Project
    from tests.testkit import copy_project

    proj = copy_project(Path(__file__).resolve().parents[2], tmp_path)
    manifest = proj / "modules" / "03_layers" / "module.yaml"
    manifest.write_text(manifest.read_text().replace("tinytorch.nn: [Module,", "tinytorch.nn: [Conv1d, Module,"))
    assert validate.facade_problems(Curriculum(Project(proj))) == [
        "03_layers: facades puts Conv1d in tinytorch.nn, but provides does not list it"]
