"""Each module imports only from the modules it declares (directly or through them)."""

import ast
from pathlib import Path

import pytest

from tito.lib.manifest import Curriculum
from tito.lib.project import Project

CURRICULUM = Curriculum(Project(Path(__file__).resolve().parents[2]))


def _providers_by_path() -> dict[str, str]:
    return {m.exports: m.name for m in CURRICULUM.modules}


def _provider_of_name(name: str) -> str:
    return next(m.name for m in CURRICULUM.modules if name in m.provides)


def imported_modules(source: Path) -> set[str]:
    """Names of the curriculum modules a source file imports from (facades resolved by name)."""
    found: set[str] = set()
    by_path = _providers_by_path()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tinytorch"):
            if node.module in by_path:
                found.add(by_path[node.module])
            else:  # a facade such as `from tinytorch.nn import Linear`
                found.update(_provider_of_name(a.name) for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(by_path[a.name] for a in node.names if a.name in by_path)
    return found


@pytest.mark.parametrize("module", CURRICULUM.modules, ids=lambda m: m.id)
def test_imports_stay_within_declared_dependencies(module):
    allowed = CURRICULUM.dependency_closure(module) | {module.name}
    used = imported_modules(module.source)
    assert used <= allowed, f"{module.id} imports from {sorted(used - allowed)} without depending on them"


def test_the_checker_catches_an_undeclared_import(tmp_path):
    fake = tmp_path / "x_dev.py"
    fake.write_text("from tinytorch.core.losses import MSELoss\nfrom tinytorch.nn import Linear\n")
    assert imported_modules(fake) == {"losses", "layers"}
