"""Every module.yaml and milestone.yaml is valid and consistent with the others."""

from collections import Counter

import pytest

from tito.lib.manifest import TIERS, Curriculum


def test_module_numbers_are_unique_and_contiguous(curriculum: Curriculum):
    numbers = [m.number for m in curriculum.modules]
    assert numbers == list(range(1, len(numbers) + 1)), f"module numbers must run 1..N, got {numbers}"


def test_module_names_and_exports_are_unique(curriculum):
    for field in ("name", "exports"):
        counts = Counter(getattr(m, field) for m in curriculum.modules)
        assert [k for k, c in counts.items() if c > 1] == [], f"duplicate {field}"


def test_no_public_name_is_provided_twice(curriculum):
    counts = Counter(n for m in curriculum.modules for n in m.provides)
    assert {n: c for n, c in counts.items() if c > 1} == {}


def test_dependencies_exist_and_point_backwards(curriculum):
    """Dependencies on earlier modules only: the graph is acyclic by construction."""
    for m in curriculum.modules:
        for dep in m.depends_on:
            assert curriculum.module(dep).number < m.number, f"{m.id} depends on later module {dep}"


def test_tiers_are_known_and_in_order(curriculum):
    ranks = [TIERS.index(m.tier) for m in curriculum.modules]
    assert ranks == sorted(ranks), "tiers must not go back (Foundation → … → Capstone)"


def test_every_module_has_its_files(curriculum):
    for m in curriculum.modules:
        assert m.source.is_file(), f"{m.id}: missing {m.source.name}"
        assert (m.folder / "ABOUT.md").is_file(), f"{m.id}: missing ABOUT.md"


def test_unlocks_name_real_milestones_each_unlocked_once(curriculum):
    names = {ms.name for ms in curriculum.milestones}
    unlocked = [n for m in curriculum.modules for n in m.unlocks]
    assert set(unlocked) <= names, f"unknown milestones in unlocks: {set(unlocked) - names}"
    assert sorted(unlocked) == sorted(names), "every milestone is unlocked by exactly one module"


def test_milestones_have_script_and_readme(curriculum):
    for ms in curriculum.milestones:
        assert ms.script_path.is_file(), f"{ms.id}: missing {ms.script}"
        assert (ms.folder / "README.md").is_file(), f"{ms.id}: missing README.md"
        assert ms.folder.name.startswith(f"{ms.number:02d}_{ms.name}_{ms.year}")


@pytest.mark.parametrize("query", ["01", "1", "01_tensor", "tensor", " Tensor "])
def test_module_lookup_accepts_every_spelling(curriculum, query):
    assert curriculum.module(query).id == "01_tensor"
