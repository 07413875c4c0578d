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


def test_each_manifest_check_names_the_mistake_it_finds(curriculum, tmp_path):
    """The problem branch of every check, on an edited copy of the manifests (nothing on disk changes)."""
    from dataclasses import replace

    tensor, activations, *later = curriculum.modules
    perceptron, *other_milestones = curriculum.milestones
    broken = Curriculum(curriculum.project)
    broken.modules = [replace(tensor, number=3, unlocks=(*tensor.unlocks, "atlantis")),
                      replace(activations, exports=tensor.exports, depends_on=("atlantis", "layers")), *later]
    broken.milestones = [replace(perceptron, folder=tmp_path / "elsewhere"), *other_milestones]
    assert validate.numbering_problems(broken) == [
        f"module numbers must run 1..N without gaps, got {[3, 2, *(m.number for m in later)]}",
        f"two modules share the same exports: ['{tensor.exports}']"]
    assert validate.dependency_order_problems(broken) == [
        "02_activations: depends_on names 'atlantis', which is not a module",
        "02_activations depends on 03_layers, which does not come before it "
        "(dependencies must point to earlier modules)",
        "03_layers depends on 03_tensor, which does not come before it (dependencies must point to earlier modules)"]
    unlock = validate.unlock_problems(broken)
    assert unlock[0] == "modules unlock milestones that do not exist: ['atlantis']"
    assert unlock[1].startswith("every milestone must be unlocked by exactly one module") and len(unlock) == 2
    assert validate.milestone_file_problems(broken) == [
        f"elsewhere: missing {perceptron.script}", "elsewhere: missing README.md",
        f"elsewhere: folder should be named {perceptron.id}"]


def test_a_milestone_yaml_that_cannot_be_read_is_one_manifest_problem(tmp_path):
    from pathlib import Path

    from tito.lib.project import Project
    from tests.testkit import copy_project

    proj = copy_project(Path(__file__).resolve().parents[2], tmp_path)
    manifest = next((proj / "milestones").glob("01_*/milestone.yaml"))
    manifest.write_text("name: [perceptron\n")
    checks = validate.run_checks(Project(proj))
    assert len(checks) == 8 and checks[0].name == "manifests", checks  # the other checks still run
    assert len(checks[0].problems) == 1 and "milestone.yaml: not valid YAML" in checks[0].problems[0], checks[0]
