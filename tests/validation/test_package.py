"""The committed package: in sync with modules/, importable, facades complete and helpful."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tito.lib import validate
from tito.lib.manifest import Curriculum
from tito.lib.project import Project
from tests.testkit import copy_project

ROOT = Path(__file__).resolve().parents[2]
# Every hand-written lazy namespace of the package (tinytorch, tinytorch.nn, tinytorch.nn.functional, …).
FACADES = sorted(".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                 for path in (ROOT / "tinytorch").rglob("*.py") if re.search(r"lazy_namespace\(\s*__name__", path.read_text()))


def facade_names(facade: str) -> tuple[str, ...]:
    import importlib

    return importlib.import_module(facade).__reexports__


def test_package_is_in_sync_with_module_sources():
    assert validate.export_problems(Project(ROOT)) == [], "run `tito export --all` and commit tinytorch/"


def test_import_tinytorch_and_star_import_work():
    code = "import tinytorch; from tinytorch import *; print(Tensor([1.0]).shape)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and proc.stdout.strip() == "(1,)", proc.stderr


@pytest.mark.parametrize("facade", FACADES)
def test_every_facade_name_resolves_to_a_generated_module(facade):
    from tinytorch._lazy import provider

    names = facade_names(facade)
    assert names, f"{facade} re-exports nothing"
    for name in names:
        _, path = provider(name)  # raises if no module.yaml provides the name
        import importlib

        obj = getattr(importlib.import_module(facade), name)
        assert obj is getattr(importlib.import_module(path), name), f"{facade}.{name} is not {path}.{name}"
        # defined there, or in a hand-written private helper of the same package that it re-exports
        # (tinytorch.data._download holds the given download code of module 08)
        home = getattr(obj, "__module__", path)
        helper = home.rsplit(".", 1)[0] == path.rsplit(".", 1)[0] and home.rsplit(".", 1)[1].startswith("_")
        assert home == path or helper, f"{facade}.{name} comes from {home}, not {path}"


@pytest.mark.parametrize("facade", FACADES)
def test_dir_of_a_facade_lists_its_names_not_its_plumbing(facade):
    """Tab completion on `tinytorch.nn.` shows what torch.nn would: the facade's names and children."""
    code = f"import {facade} as m; print(' '.join(n for n in dir(m) if not n.startswith('_')))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    public = set(proc.stdout.split())
    assert proc.returncode == 0 and set(facade_names(facade)) <= public, proc.stderr
    assert not public & {"lazy_namespace", "tinytorch"}, f"dir({facade}) shows {sorted(public)}"


def test_every_module_imports_on_its_own_with_what_it_provides():
    """In a fresh interpreter each generated module is imported as the first import of tinytorch,
    its `__all__` equals module.yaml's provides and every provided name exists; `from tinytorch
    import *` binds every built name."""
    project = Project(ROOT)
    assert validate.import_problems(project, Curriculum(project)) == []


def test_missing_module_names_the_module_and_the_command(tmp_path):
    proj = copy_project(ROOT, tmp_path)
    (proj / "tinytorch" / "core" / "layers.py").unlink()
    proc = subprocess.run([sys.executable, "-c", "from tinytorch.nn import Linear"],
                          capture_output=True, text=True, cwd=proj, env={"PYTHONPATH": str(proj), "PATH": ""})
    assert proc.returncode != 0
    assert "Linear arrives in module 03_layers — run `tito module complete 03`" in proc.stderr


def test_tito_export_check_fails_and_names_the_drifted_file(tmp_path):
    proj = copy_project(ROOT, tmp_path)
    target = proj / "tinytorch" / "core" / "tensor.py"
    target.write_text(target.read_text() + "\n# hand edit\n")
    proc = subprocess.run([sys.executable, "-m", "tito", "export", "--check"], capture_output=True,
                          text=True, cwd=proj)
    assert proc.returncode == 1
    assert "tinytorch/core/tensor.py" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr


def test_a_hand_edited_stub_is_drift(tmp_path):
    """The facades' .pyi stubs are generated from module.yaml `facades`, like the registry."""
    proj = copy_project(ROOT, tmp_path)
    stub = proj / "tinytorch" / "nn" / "__init__.pyi"
    assert "from tinytorch.core.layers import Linear as Linear" in stub.read_text()
    stub.write_text(stub.read_text().replace("Linear as Linear\n", ""))
    proc = subprocess.run([sys.executable, "-m", "tito", "export", "--check"], capture_output=True,
                          text=True, cwd=proj)
    assert proc.returncode == 1 and "tinytorch/nn/__init__.pyi" in proc.stdout, proc.stdout
    assert validate.export_problems(Project(proj)) == [
        "tinytorch/nn/__init__.pyi differs from the manifests — run `tito export --all`"]


def test_nn_is_reachable_as_an_attribute_like_torch_nn():
    code = "import tinytorch; print(tinytorch.nn.Linear.__module__)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.strip() == "tinytorch.core.layers", proc.stderr
