"""`tito package validate|test|report` on copies of the project: each check can fail, and says
where, in the user's terms; the integration report is complete and written atomically."""

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tito.release.distribution import wheel_problems
from tito.lib.manifest import Curriculum
from tito.lib.project import Project
from tito.lib.source import parse_cells
from tests.testkit import copy_project

ROOT = Path(__file__).resolve().parents[2]


def tito(proj: Path, *args: str) -> subprocess.CompletedProcess:
    """Run tito in `proj`, on a terminal wide enough that rich's table does not wrap a problem."""
    return subprocess.run([sys.executable, "-m", "tito", *args], capture_output=True, text=True, cwd=proj,
                          env={**os.environ, "COLUMNS": "400"})


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _delete_a_test_after_an_implementation(source: Path) -> str:
    """Delete the only graded test cell that follows some solution cell; return the solution's grade_id."""
    cells = parse_cells(source)
    code = [c for c in cells if c.kind == "code"]
    for i, cell in enumerate(code):
        if not cell.is_solution:
            continue
        between = []
        for later in code[i + 1:]:
            if later.is_solution:
                break
            between.append(later)
        graded = [c for c in between if c.is_graded_test]
        if len(graded) == 1:
            doomed = graded[0]
            after = [c.header_line for c in cells if c.header_line > doomed.header_line]
            lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
            end = after[0] - 1 if after else len(lines)
            source.write_text("".join(lines[: doomed.header_line - 1] + lines[end:]), encoding="utf-8")
            return cell.grade_id
    raise AssertionError(f"no solution in {source} is followed by exactly one graded test")


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess, str]:
    """A copy with four deliberate mistakes, validated once."""
    proj = copy_project(ROOT, tmp_path_factory.mktemp("broken"))
    # 1. an import of a module that module.yaml does not list (in a test cell: the package is unchanged)
    activations = proj / "modules" / "02_activations" / "activations_dev.py"
    _replace(activations, "\ndef test_unit_", "\nfrom tinytorch.core.losses import MSELoss  # noqa\n\n\ndef test_unit_")
    # 2. a name provided by two modules (layers.py does define Tensor: it imports it)
    _replace(proj / "modules" / "03_layers" / "module.yaml", "provides: [", "provides: [Tensor, ")
    # 3. an implementation without its test
    solution = _delete_a_test_after_an_implementation(proj / "modules" / "03_layers" / "layers_dev.py")
    # 4. a cycle in the generated package: tensor imports layers, which imports tensor
    tensor = proj / "tinytorch" / "core" / "tensor.py"
    tensor.write_text(tensor.read_text() + "\nfrom tinytorch.core.layers import Module  # noqa\n")
    return proj, tito(proj, "package", "validate"), solution


def test_validate_reports_an_undeclared_import_with_its_line(broken):
    _, out, _ = broken
    assert out.returncode == 1
    assert "02_activations line" in out.stdout and "imports from losses" in out.stdout, out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_validate_reports_a_name_exported_twice(broken):
    assert "Tensor is provided by 01_tensor and 03_layers" in broken[1].stdout


def test_validate_reports_an_implementation_without_its_test(broken):
    _, out, solution = broken
    assert f"03_layers: implementation cell '{solution}'" in out.stdout
    assert "is not followed by a graded test cell" in out.stdout


def test_validate_reports_a_circular_import_and_the_drifted_file(broken):
    out = broken[1].stdout
    assert re.search(r"circular import: (tensor → layers → tensor|layers → tensor → layers)", out), out
    assert "tinytorch/core/tensor.py differs from modules/01_tensor/tensor_dev.py — run `tito export 01`" in out
    assert "tinytorch/core/layers.py differs from modules/03_layers/layers_dev.py" in out  # __all__ changed
    for check in ("exports in sync", "package imports", "no circular imports", "declared imports",
                  "unique exports", "module standards"):
        assert re.search(rf"│ {check} +│ ✗ \d+ │", out), f"{check} is not marked as failing:\n{out}"


def test_validate_passes_on_the_project_as_it_is(tmp_path):
    proj = copy_project(ROOT, tmp_path)
    out = tito(proj, "package", "validate")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "✗" not in out.stdout and out.stdout.count("✓") >= 8  # seven checks and the closing line


def test_package_test_runs_integration_tests_and_reports_a_failure(tmp_path):
    proj = copy_project(ROOT, tmp_path)
    good = tito(proj, "package", "test", "--up-to", "04")
    assert good.returncode == 0 and "passed" in good.stdout, good.stdout + good.stderr
    (proj / "tests" / "integration" / "test_wrong_on_purpose.py").write_text(
        "import pytest\nfrom tinytorch import Tensor\n\npytestmark = pytest.mark.needs('tensor')\n\n\n"
        "def test_shape_is_wrong_on_purpose():\n    assert Tensor([1.0]).shape == (2,), 'wrong on purpose'\n")
    bad = tito(proj, "package", "test", "--up-to", "01")
    assert bad.returncode == 1, bad.stdout
    assert "test_shape_is_wrong_on_purpose" in bad.stdout and "wrong on purpose" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


def test_package_test_refuses_modules_not_exported(tmp_path):
    proj = copy_project(ROOT, tmp_path)
    (proj / "tinytorch" / "core" / "layers.py").unlink()
    out = tito(proj, "package", "test", "--up-to", "04")
    assert out.returncode == 1 and "03_layers is not exported" in out.stdout and "tito export 03" in out.stdout, out.stdout


def test_report_writes_markdown_and_json_with_everything(tmp_path):
    proj = copy_project(ROOT, tmp_path)
    out = tito(proj, "package", "report", "--out", str(tmp_path / "out" / "integration.md"))
    assert out.returncode == 0, out.stdout + out.stderr
    data = json.loads((tmp_path / "out" / "integration.json").read_text())
    modules = Curriculum(Project(proj)).modules
    assert [m["id"] for m in data["modules"]] == [m.id for m in modules]
    assert data["exports"]["tinytorch.core.layers"] == list(next(m for m in modules if m.name == "layers").provides)
    assert data["dependency_graph"]["declared"]["layers"] == ["tensor", "activations"]
    assert "tensor" in data["dependency_graph"]["imports"]["layers"] and data["dependency_graph"]["cycles"] == []
    assert data["tests"]["unit"]["tests"] > 0 and data["tests"]["integration"]["files"] > 0
    assert sum(m["unit_tests"] for m in data["modules"]) == data["tests"]["unit"]["tests"]
    assert data["build"]["built"] is False and set(data["validation"]) >= {"exports in sync", "module standards"}
    markdown = (tmp_path / "out" / "integration.md").read_text()
    for heading in ("## Modules", "## Exports", "## Tests", "## Dependency graph", "## Validation", "Build:"):
        assert heading in markdown
    assert "  tensor --> layers" in markdown
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["integration.json", "integration.md"]


def test_verify_without_a_wheel_says_how_to_build_one(tmp_path):
    proj = copy_project(ROOT, tmp_path)
    out = tito(proj, "package", "verify")
    assert out.returncode == 1 and "No tinytorch wheel" in out.stdout and "tito package build" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_the_wheel_check_finds_missing_package_files_and_strays(tmp_path):
    wheel = tmp_path / "tinytorch-0.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("tinytorch/__init__.py", "")
        archive.writestr("tests/test_x.py", "")
        archive.writestr("tinytorch/data/mnist.gz", b"")
    problems = " ".join(wheel_problems(wheel, Project(ROOT)))
    assert "lacks" in problems and "tinytorch/_lazy.py" in problems
    assert "tests/test_x.py" in problems and "tinytorch/data/mnist.gz" in problems


def test_validate_names_a_module_that_is_not_exported(tmp_path):
    from tito.lib import validate

    proj = copy_project(ROOT, tmp_path)
    (proj / "tinytorch" / "core" / "layers.py").unlink()
    assert "03_layers is not exported (tinytorch/core/layers.py is missing) — run `tito export 03`" in (
        validate.export_problems(Project(proj)))


def test_validate_reports_an_unreadable_manifest_without_a_traceback(tmp_path):
    proj = copy_project(ROOT, tmp_path)
    (proj / "modules" / "02_activations" / "module.yaml").write_text("number: [2\n")
    out = tito(proj, "package", "validate")
    assert out.returncode == 1 and "02_activations/module.yaml: not valid YAML" in out.stdout, out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_validate_reports_a_source_that_does_not_parse_without_a_traceback(tmp_path):
    proj = copy_project(ROOT, tmp_path)
    source = proj / "modules" / "02_activations" / "activations_dev.py"
    source.write_text(source.read_text() + "\nbroken(\n")
    out = tito(proj, "package", "validate")
    assert out.returncode == 1 and "activations_dev.py line" in out.stdout and "does not parse" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr
    report = tito(proj, "package", "report")  # still written (by default into .tito/), with the problem in it
    assert report.returncode == 0 and ".tito/report.md and .tito/report.json" in report.stdout, report.stdout
    assert "does not parse" in (proj / ".tito" / "report.md").read_text()
    assert json.loads((proj / ".tito" / "report.json").read_text())["valid"] is False


def test_verify_fails_on_a_checkout_import_chance_accuracy_or_a_changed_reload(tmp_path):
    from tito.release.distribution import pipeline_problems

    venv = tmp_path / "venv"
    good = {"tinytorch_file": str(venv / "lib" / "site-packages" / "tinytorch" / "__init__.py"),
            "test_accuracy": 0.98, "first_train_loss": 1.7, "last_train_loss": 0.04, "same_after_reload": True}
    assert pipeline_problems(good, venv, Project(ROOT)) == []
    bad = {**good, "tinytorch_file": str(ROOT / "tinytorch" / "__init__.py"), "test_accuracy": 0.1,
           "last_train_loss": 2.0, "same_after_reload": False}
    problems = " ".join(pipeline_problems(bad, venv, Project(ROOT)))
    for expected in ("not from the virtual environment", "from the checkout", "held-out accuracy 10.0% is below 90%",
                     "the training loss did not fall", "predictions changed after a checkpoint"):
        assert expected in problems


def test_report_draws_the_cycle_and_accepts_a_folder_for_out(broken, tmp_path):
    from tito.release.integration_report import write_report

    md, js, _ = write_report(Project(broken[0]), tmp_path)
    assert (md, js) == (tmp_path / "report.md", tmp_path / "report.json")
    assert re.search(r"Circular imports: (tensor → layers → tensor|layers → tensor → layers)", md.read_text())


def test_each_project_check_names_the_mistake_it_finds(tmp_path):
    """Mistakes only a whole project shows, each found by its check and none stopping the others."""
    from tito.lib import validate
    from tito.release.integration_report import collect

    proj = copy_project(ROOT, tmp_path)
    # a name module.yaml provides but no exported cell defines: the module cannot be rendered at all
    _replace(proj / "modules" / "04_losses" / "module.yaml", "provides: [", "provides: [Nowhere, ")
    # a dependency that is not a module, and an import of a name no module provides
    _replace(proj / "modules" / "14_kv_cache" / "module.yaml", "depends_on: [", "depends_on: [atlantis, ")
    _replace(proj / "modules" / "03_layers" / "layers_dev.py", "\ndef test_unit_",
             "\nfrom tinytorch.nn import Conv9d  # noqa\n\n\ndef test_unit_")
    # a hand-edited package file that does not parse, and one that ends the interpreter when imported
    (proj / "tinytorch" / "core" / "optimizers.py").write_text("def broken(:\n")
    _replace(proj / "tinytorch" / "core" / "spatial.py", "\nimport ", "\nimport os\nos._exit(3)\nimport ")
    project = Project(proj)
    curriculum = Curriculum(project)
    report = collect(project)  # runs every check, as `tito package validate` does, and is still written
    assert report["validation"]["exports in sync"] == [
        "04_losses: module.yaml provides ['Nowhere'], but no exported cell defines them."]
    assert not any(m["in_sync"] for m in report["modules"])
    assert report["validation"]["declared test needs"] == ["Unknown module 'atlantis'."]
    declared = report["validation"]["declared imports"]
    assert re.match(r"03_layers line \d+: `from tinytorch.nn import Conv9d` names something no module provides",
                    declared[0]), declared
    assert declared[1:] == ["14_kv_cache: Unknown module 'atlantis'."]
    assert report["validation"]["package imports"] == ["the import check itself failed: no output"]
    assert validate.import_graph(project, curriculum)["optimizers"] == set()


def test_verify_names_a_missing_wheel_or_a_kept_venv_that_exists(tmp_path):
    proj = copy_project(ROOT, tmp_path)
    out = tito(proj, "package", "verify", "--wheel", "nowhere.whl")
    assert out.returncode == 1 and "No wheel at nowhere.whl." in out.stdout, out.stdout + out.stderr
    wheel = tmp_path / "tinytorch-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"not installed: the check comes first")
    out = tito(proj, "package", "verify", "--wheel", str(wheel), "--keep", str(tmp_path))
    assert out.returncode == 1 and "already exists" in out.stdout and "Traceback" not in out.stdout + out.stderr
    verify = json.loads((proj / ".tito" / "build.json").read_text())["verify"]  # the report never shows an old success
    assert verify["ok"] is False and "already exists" in verify["problems"][0], verify


def test_a_failed_step_ends_with_its_last_output_lines_and_build_needs_the_build_tool(tmp_path, monkeypatch):
    import importlib.util

    from tito.lib.errors import UserError
    from tito.release import distribution

    with pytest.raises(UserError, match="Counting failed:\nthree\nfour"):
        distribution._run([sys.executable, "-c", "print('three'); print('four'); raise SystemExit(2)"], tmp_path,
                          "Counting")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(UserError, match="`python -m build` is not installed here"):
        distribution.build(Project(ROOT), tmp_path / "dist")
    assert not (tmp_path / "dist").exists()


def test_a_build_that_makes_no_wheel_is_one_error_and_dist_stays_empty(tmp_path, monkeypatch):
    from tito.lib.errors import UserError
    from tito.release import distribution

    monkeypatch.setattr(distribution, "_run", lambda *args, **kwargs: "")  # a backend that exits 0, makes nothing
    with pytest.raises(UserError, match="without making both a wheel and an sdist"):
        distribution.build(Project(ROOT), tmp_path / "dist")
    assert list((tmp_path / "dist").iterdir()) == []
