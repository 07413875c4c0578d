"""`tito nbgrader` drives the real nbgrader: the reference earns full marks, the student version zero.

An instructor's journey, through the command line: init a course, generate the assignments,
collect two submissions of module 01 (the reference notebook and the stripped notebook a learner
starts from), autograde them, write the report. The "grading hole" check of test_grading.py,
once more through nbgrader itself. Also: every module generates with points and hands out no
answers; tiers come from the manifests; collecting again keeps the earlier submission.
"""

import contextlib
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from tito.cli import main
from tito.instructor.course import (COURSE_FILE, KIND, active_tier_description, graded_points, leaked_lines,
                                    submission_entries)
from tito.lib.manifest import Curriculum
from tito.lib.notebooks import to_notebook_text
from tito.lib.project import Project
from tito.lib.source import HIDDEN_BEGIN, HIDDEN_END, SOLUTION_BEGIN, SOLUTION_END
from tito.lib.student import strip_solutions
from tests.testkit import copy_project

ROOT = Path(__file__).resolve().parents[2]
CURRICULUM = Curriculum(Project(ROOT))
MODULE01 = CURRICULUM.module("01")


class Run:
    def __init__(self, returncode: int, stdout: str):
        self.returncode, self.stdout = returncode, stdout


def tito(*args, cwd: Path, ok: bool = True) -> Run:
    """`tito nbgrader ARGS` run in `cwd` — through the CLI's own entry point, in this process, so that
    nbgrader (seconds to import) is imported once for the whole file, not once per command."""
    out, before = io.StringIO(), Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            returncode = main(["nbgrader", *map(str, args)])
    finally:
        os.chdir(before)
    assert "Traceback" not in out.getvalue(), out.getvalue()
    if ok:
        assert returncode == 0, out.getvalue()
    return Run(returncode, out.getvalue())


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course of every module, generated (one `generate --all`, shared by the tests below)."""
    folder = tmp_path_factory.mktemp("nbgrader") / "course"
    tito("init", folder, "--tier", "all", "--source", ROOT, cwd=folder.parent)
    tito("generate", "--all", cwd=folder)
    return folder


def regions(text: str, begin: str, end: str) -> list[str]:
    """The code between each begin/end marker pair, markers excluded."""
    found, current = [], None
    for line in text.splitlines():
        if line.strip() == begin:
            current = []
        elif line.strip() == end:
            found.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return found


def code_of(notebook: Path) -> str:
    return "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code")


def test_reference_scores_full_marks_and_the_stripped_notebook_scores_zero(course, tmp_path):
    name = MODULE01.notebook.name
    submissions = tmp_path / "downloads"
    (submissions / "reference" / "work").mkdir(parents=True)
    (submissions / "reference" / "work" / name).write_bytes((course / "source" / MODULE01.id / name).read_bytes())
    stripped_py = tmp_path / MODULE01.source.name  # the learner's starting notebook, as `tito init` makes it
    stripped_py.write_text(strip_solutions(MODULE01.source.read_text(), MODULE01.source.name))
    with zipfile.ZipFile(submissions / "stripped.zip", "w") as archive:
        archive.writestr(f"{MODULE01.id}/{name}", to_notebook_text(stripped_py))

    out = tito("collect", "01", submissions, cwd=course)
    assert "Collected 2 submission(s)" in out.stdout
    tito("autograde", "01", cwd=course)
    assert "Autograded 0 submission(s) (nothing new" in tito("autograde", "01", cwd=course).stdout
    assert "earlier submission" not in tito("collect", "01", submissions, cwd=course).stdout  # the same notebooks
    tito("report", cwd=course)

    with open(course / "reports" / "grades.csv", newline="") as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    full = graded_points(MODULE01)
    assert full > 0
    assert float(rows["reference"][MODULE01.id]) == full
    assert float(rows["stripped"][MODULE01.id]) == 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:  # nbgrader's own record agrees
        assert gradebook.find_submission(MODULE01.id, "reference").score == full
        assert gradebook.find_submission(MODULE01.id, "stripped").score == 0

    tito("feedback", "01", "--student", "reference", cwd=course)
    feedback = (course / "feedback" / "reference" / MODULE01.id / name).with_suffix(".html")
    assert f"Score: {full:.1f} / {full:.1f}" in feedback.read_text()  # nbgrader's page for the whole notebook

    # a second download with a changed notebook: the earlier submission is backed up, the download untouched
    before = (course / "submitted" / "stripped" / MODULE01.id / name).read_bytes()
    again = tmp_path / "again"
    (again / "stripped").mkdir(parents=True)
    changed = nbformat.reads(before.decode(), as_version=4)
    changed.cells.append(nbformat.v4.new_code_cell("x = 1"))
    (again / "stripped" / name).write_text(nbformat.writes(changed))
    downloaded = (again / "stripped" / name).read_bytes()
    out = tito("collect", "01", again, cwd=course)
    assert "an earlier submission was kept" in out.stdout
    backups = list((course / ".tito" / "backups" / MODULE01.id).glob("*-before-collect-stripped/" + name))
    assert [b.read_bytes() for b in backups] == [before]
    assert (again / "stripped" / name).read_bytes() == downloaded


@pytest.mark.parametrize("module", CURRICULUM.modules, ids=lambda m: m.id)
def test_every_module_generates_points_and_a_release_without_answers(course, module):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        points = gradebook.find_assignment(module.id).max_score
    assert points == graded_points(module) > 0

    release = course / "release" / module.id / module.notebook.name
    code = code_of(release)
    text = module.source.read_text()
    solutions = regions(text, SOLUTION_BEGIN, SOLUTION_END)
    hidden = regions(text, HIDDEN_BEGIN, HIDDEN_END)
    assert solutions, f"{module.id} has no solution regions"
    for marker in (SOLUTION_BEGIN, SOLUTION_END, HIDDEN_BEGIN, HIDDEN_END):
        assert marker not in code
    for region in solutions + hidden:
        assert region.strip() not in code
    assert leaked_lines(module, release) == []
    assert leaked_lines(module, course / "source" / module.id / module.notebook.name)  # the check can fail


def test_generate_backs_up_an_edited_instructor_notebook(course):
    notebook = course / "source" / MODULE01.id / MODULE01.notebook.name
    edited = notebook.read_text().replace("Tensor", "EditedTensor", 1)
    notebook.write_text(edited)
    tito("generate", "01", cwd=course)
    assert "EditedTensor" not in notebook.read_text()
    kept = list((course / ".tito" / "backups" / MODULE01.id).glob("*-before-generate/" + notebook.name))
    assert [k.read_text() for k in kept] == [edited]


def test_release_zips_the_student_notebooks(course):
    tito("release", "01", "02", cwd=course)
    for module in CURRICULUM.modules[:2]:
        with zipfile.ZipFile(course / "handout" / f"{module.id}.zip") as archive:
            assert archive.namelist() == [f"{module.id}/{module.notebook.name}"]
            released = (course / "release" / module.id / module.notebook.name).read_bytes()
            assert archive.read(f"{module.id}/{module.notebook.name}") == released


def test_tiers_come_from_the_manifests_and_optimization_hands_out_a_prebuilt_package(tmp_path):
    """No Optimization module exists yet, so a copy of the project moves its last module there."""
    project = copy_project(ROOT, tmp_path)
    last = Curriculum(Project(project)).modules[-1]
    yaml_file = project / "modules" / last.id / "module.yaml"
    yaml_file.write_text(yaml_file.read_text().replace(f"tier: {last.tier}", "tier: Optimization"))
    curriculum = Curriculum(Project(project))
    foundation = [m for m in curriculum.modules if m.tier == "Foundation"]
    course = tmp_path / "course"

    out = tito("init", course, "--tier", "foundation", "--source", project, cwd=tmp_path)
    expected = f"{foundation[0].number:02d}–{foundation[-1].number:02d}"
    assert f"Foundation — modules {expected}" in out.stdout
    assert f"Foundation — modules {expected}" in active_tier_description(course)
    assert json.loads((course / "tinytorch_course.json").read_text())["tier"] == "foundation"
    refused = tito("generate", last.number, cwd=course, ok=False)
    assert refused.returncode == 1 and "outside the tier this course releases" in refused.stdout
    assert not (course / "source" / last.id).exists()

    out = tito("init", course, "--tier", "optimization", cwd=tmp_path)  # an existing course: the tier changes
    assert "the tier is now optimization" in out.stdout
    status = tito("status", cwd=course).stdout
    assert f"Optimization — modules {last.number:02d} (1 released)" in status
    assert f"prebuilt package of Foundation + Architecture (modules {foundation[0].number:02d}–" in status
    assert tito("generate", "--all", cwd=course).stdout.count("points)") == 1
    tito("release", "--all", cwd=course)

    with zipfile.ZipFile(course / "handout" / f"{last.id}.zip") as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "learner")
    earlier = curriculum.modules[:-1]
    for spec in earlier:
        assert f"{last.id}/{spec.exports.replace('.', '/')}.py" in names
    assert f"{last.id}/{last.exports.replace('.', '/')}.py" not in names  # its answer is not handed out
    assert f"{last.id}/{last.notebook.name}" in names
    folder = tmp_path / "learner" / last.id
    check = (f"import tinytorch, {earlier[-1].exports}\n"  # the learner's kernel starts in this folder
             f"assert tinytorch.__file__.startswith({str(folder)!r}), tinytorch.__file__\n"
             "from tinytorch._lazy import NotBuiltYetError, resolve\n"
             f"try:\n    resolve({last.provides[0]!r})\nexcept NotBuiltYetError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", check], cwd=folder, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert f"module {last.id}" in out.stdout

    earlier[0].package_file(Project(project)).unlink()
    refused = tito("release", "--all", cwd=course, ok=False)
    assert "The prebuilt package needs files that are not exported" in refused.stdout
    source = project / "modules" / last.id / last.source.name
    source.write_text(re.sub(r'"points": \d+', '"points": 0', source.read_text()))
    refused = tito("generate", "--all", cwd=course, ok=False)
    assert f"{last.id} has no graded points in nbgrader's gradebook" in refused.stdout


@pytest.mark.parametrize("args", [["nbgrader"], ["nbgrader", "init", "c"]])
def test_without_nbgrader_one_line_says_how_to_install_it(tmp_path, args):
    code = ("import sys; sys.modules['nbgrader'] = None\n"  # makes `import nbgrader` fail
            f"from tito.cli import main; sys.exit(main({args!r}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1 and "pip install" in lines[0] and "nbgrader" in lines[0], out.stdout
    assert not (tmp_path / "c").exists()


def test_collect_reads_folders_zips_and_notebooks_named_by_student(tmp_path):
    notebook = nbformat.writes(nbformat.v4.new_notebook()).encode()
    downloads = tmp_path / "downloads"
    (downloads / "ann" / "deep").mkdir(parents=True)
    (downloads / "ann" / "deep" / "tensor_dev.ipynb").write_bytes(notebook)
    (downloads / "ann" / ".ipynb_checkpoints").mkdir()
    (downloads / "ann" / ".ipynb_checkpoints" / "tensor_dev.ipynb").write_bytes(b"old")
    with zipfile.ZipFile(downloads / "ben.zip", "w") as archive:
        archive.writestr("01_tensor/tensor_dev.ipynb", notebook)
    (downloads / "cat.ipynb").write_bytes(notebook)
    (downloads / "__MACOSX" / "ann").mkdir(parents=True)  # what macOS adds to a zip, and to a folder
    (downloads / "__MACOSX" / "ann" / "tensor_dev.ipynb").write_bytes(notebook)
    (downloads / ".hidden").mkdir()
    (downloads / ".hidden" / "tensor_dev.ipynb").write_bytes(notebook)
    whole = tmp_path / "downloads.zip"  # the same folder zipped, as an LMS "download all" gives it
    with zipfile.ZipFile(whole, "w") as archive:
        for path in downloads.rglob("*"):
            if path.is_file():
                archive.write(path, f"downloads/{path.relative_to(downloads)}")
    for origin in (downloads, whole):
        entries = dict(submission_entries(origin, tmp_path / f"scratch-{origin.suffix}"))
        assert entries == {"ann": {"deep/tensor_dev.ipynb": notebook},
                           "ben": {"01_tensor/tensor_dev.ipynb": notebook}, "cat": {"cat.ipynb": notebook}}


def test_collect_reports_what_it_cannot_use_and_writes_nothing_for_it(course, tmp_path):
    module = CURRICULUM.module("02")
    downloads = tmp_path / "downloads"
    (downloads / "dan").mkdir(parents=True)
    for name in ("a.ipynb", "b.ipynb"):
        (downloads / "dan" / name).write_text(nbformat.writes(nbformat.v4.new_notebook()))
    (downloads / "eve.ipynb").write_text("not a notebook")
    (downloads / "fay+1.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    (downloads / "gil.zip").write_text("not a zip")
    (downloads / "ivy").mkdir()
    for version in ("v1", "v2"):
        (downloads / "hal" / version).mkdir(parents=True)
        (downloads / "hal" / version / module.notebook.name).write_text(nbformat.writes(nbformat.v4.new_notebook()))
    out = tito("collect", module.number, downloads, cwd=course, ok=False)
    assert out.returncode == 1
    assert f"dan: 2 notebooks and none named {module.notebook.name}" in out.stdout
    assert "eve: the notebook cannot be read" in out.stdout and "'fay+1': not usable" in out.stdout
    assert "gil: gil.zip is not a readable zip file" in out.stdout
    assert f"hal: 2 notebooks named {module.notebook.name}" in out.stdout
    assert f"ivy: no notebook (expected {module.notebook.name})" in out.stdout
    assert course.joinpath("submitted").is_dir() and not any(
        (course / "submitted" / s / module.id).exists() for s in ("dan", "eve", "fay+1", "gil", "hal", "ivy"))


def test_tito_status_in_a_course_folder_shows_the_active_tier(course):
    out, before = io.StringIO(), Path.cwd()
    os.chdir(course)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            returncode = main(["status"])
    finally:
        os.chdir(before)
    assert returncode == 0, out.getvalue()
    assert "active tier all:" in out.getvalue(), out.getvalue()


def test_course_mistakes_are_one_line_errors(course, tmp_path):
    """Each mistake an instructor can make with a course gets one line (tito() checks: no traceback)."""
    def refused(*args, cwd: Path = tmp_path) -> str:
        out = tito(*args, cwd=cwd, ok=False)
        assert out.returncode == 1, out.stdout
        return out.stdout

    for name, config in [("broken", "{"), ("other", {"kind": "other"}),
                         ("expert", {"kind": KIND, "tier": "expert", "source": str(ROOT)}),
                         ("moved", {"kind": KIND, "source": str(tmp_path / "gone")})]:
        (tmp_path / name).mkdir()
        (tmp_path / name / COURSE_FILE).write_text(config if isinstance(config, str) else json.dumps(config))
    assert "cannot be read" in refused("status", cwd=tmp_path / "broken")
    assert "is not a TinyTorch course file" in refused("status", cwd=tmp_path / "other")
    assert "Unknown tier 'expert'" in refused("status", cwd=tmp_path / "expert")
    assert "this course was made from" in refused("status", cwd=tmp_path / "moved")
    assert "is not a TinyTorch course" in refused("status", "--course", tmp_path / "nowhere")
    assert "No TinyTorch course at or above" in refused("status")
    assert "workflow" in tito(cwd=tmp_path).stdout  # plain `tito nbgrader`: its help

    (tmp_path / "skeleton" / "modules").mkdir(parents=True)
    (tmp_path / "skeleton" / "tinytorch").mkdir()
    assert "has no modules" in refused("init", tmp_path / "empty", "--source", tmp_path / "skeleton")
    assert "already exists and is not empty" in refused("init", tmp_path / "skeleton")
    shutil.copytree(MODULE01.source.parent, tmp_path / "skeleton" / "modules" / MODULE01.id)  # a Foundation module
    tito("init", tmp_path / "opt", "--tier", "optimization", "--source", tmp_path / "skeleton", cwd=tmp_path)
    assert "The optimization tier has no modules in this project yet" in refused("generate", "--all",
                                                                                cwd=tmp_path / "opt")

    fresh = tmp_path / "fresh"  # a course where nothing is generated yet
    tito("init", fresh, "--tier", "foundation", "--source", ROOT, cwd=tmp_path)
    assert "is a course already (nothing changed)" in tito("init", fresh, "--tier", "foundation", cwd=tmp_path).stdout
    assert "tier foundation" in tito("status", "--course", fresh, cwd=tmp_path).stdout
    assert "not both" in refused("generate", "01", "--all", cwd=fresh)
    assert "Which modules?" in refused("generate", cwd=fresh)
    assert f"{MODULE01.id} has not been generated" in refused("release", "01", cwd=fresh)
    assert "has not been generated in this course" in refused("collect", "01", tmp_path, cwd=fresh)
    assert "No submissions collected yet" in refused("autograde", cwd=fresh)
    assert f"zed has no collected submission of {MODULE01.id}" in refused("autograde", "01", "--student", "zed",
                                                                          cwd=fresh)
    assert "Nothing is graded yet" in refused("report", cwd=fresh)
    (fresh / "submitted" / "ann" / MODULE01.id).mkdir(parents=True)
    assert f"ann's {MODULE01.id} is not autograded yet" in refused("feedback", "01", cwd=fresh)
    (fresh / "autograded" / "ann" / MODULE01.id).mkdir(parents=True)  # a folder, but nbgrader has no record
    assert f"nbgrader generate_feedback of {MODULE01.id} for ann failed" in refused("feedback", "01", cwd=fresh)
    (fresh / "nbgrader_config.py").unlink()
    assert "nbgrader_config.py is missing" in refused("report", cwd=fresh)

    assert "is neither a folder nor a .zip" in refused("collect", "01", tmp_path / "nowhere", cwd=course)
    (tmp_path / "none").mkdir()
    assert "holds no submissions" in refused("collect", "01", tmp_path / "none", cwd=course)
    module = CURRICULUM.module("03")
    release = course / "release" / module.id / module.notebook.name
    kept, mtime = release.read_bytes(), release.stat().st_mtime
    try:
        os.utime(release, (0, 0))
        assert "the release is stale" in refused("release", "03", cwd=course)
        leaked = nbformat.reads(kept.decode(), as_version=4)
        leaked.cells.append(nbformat.v4.new_code_cell(leaked_lines(module, course / "source" / module.id /
                                                                   module.notebook.name)[0]))
        release.write_text(nbformat.writes(leaked))
        assert "contains solution or hidden-test code" in refused("release", "03", cwd=course)
        assert not (course / "handout" / f"{module.id}.zip").exists()
    finally:
        release.write_bytes(kept)
        os.utime(release, (mtime, mtime))
