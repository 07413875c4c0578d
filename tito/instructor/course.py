"""An nbgrader course folder made from the TinyTorch modules, and the tier it releases.

`tito nbgrader init DIR` writes a standard nbgrader course (so `nbgrader` itself works in it too)
plus one file of tito's own, `tinytorch_course.json` (the tier this course releases and the
TinyTorch project it comes from); docs/instructors.md shows the whole folder.

Tiers come from the `tier` field of every module.yaml: a course tier names which manifest tiers
are handed out and which come prebuilt, never module numbers.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import time
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..lib.atomic import atomic_write_bytes, atomic_write_json, atomic_write_text, building
from ..lib.backups import backup_files
from ..lib.errors import UserError
from ..lib.journey import numbers_text
from ..lib.manifest import TIERS, Curriculum, ModuleSpec
from ..lib.project import Project
from ..lib.source import HIDDEN_BEGIN, HIDDEN_END, SOLUTION_BEGIN, SOLUTION_END, parse_cells

COURSE_FILE = "tinytorch_course.json"
KIND = "tinytorch-nbgrader-course"
FORMAT = 1
FOLDERS = ("source", "release", "submitted", "autograded", "feedback", "handout", "reports")
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")  # a folder name nbgrader's exchange accepts (no '+')


# --- Tiers ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CourseTier:
    """Which manifest tiers a course hands out, and which it gives learners already built."""

    name: str
    released: tuple[str, ...]
    prebuilt: tuple[str, ...] = ()

    def modules(self, curriculum: Curriculum, prebuilt: bool = False) -> list[ModuleSpec]:
        """The modules it hands out (or, with `prebuilt`, those it gives already built)."""
        return [m for m in curriculum.modules if m.tier in (self.prebuilt if prebuilt else self.released)]


COURSE_TIERS = {
    "foundation": CourseTier("foundation", ("Foundation",)),
    "architecture": CourseTier("architecture", ("Foundation", "Architecture")),
    "optimization": CourseTier("optimization", ("Optimization",), prebuilt=("Foundation", "Architecture")),
    "all": CourseTier("all", TIERS),
}
DEFAULT_TIER = "all"


def course_tier(name: str) -> CourseTier:
    try:
        return COURSE_TIERS[name.strip().lower()]
    except KeyError:
        raise UserError(f"Unknown tier {name!r}.", hint=f"Tiers: {', '.join(COURSE_TIERS)}") from None


def module_range(modules: list[ModuleSpec]) -> str:
    """'01–08' for a contiguous run of modules (runs collapsed, as everywhere in tito)."""
    return numbers_text(modules) or "none yet"


def describe_tier(tier: CourseTier, curriculum: Curriculum) -> str:
    """One line: the tier, the modules it hands out, and what comes prebuilt."""
    modules = tier.modules(curriculum)
    tiers = " + ".join(tier.released) if tier.name != "all" else "all tiers"
    text = f"{tier.name}: {tiers} — modules {module_range(modules)} ({len(modules)} released)"
    if tier.prebuilt:
        built = tier.modules(curriculum, prebuilt=True)
        text += f", on a prebuilt package of {' + '.join(tier.prebuilt)} (modules {module_range(built)})"
    return text


# --- The course folder ------------------------------------------------------------------------
@dataclass(frozen=True)
class Course:
    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / COURSE_FILE

    @cached_property
    def config(self) -> dict:
        try:
            data = json.loads(self.config_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise UserError(f"{self.config_file} cannot be read ({e}).",
                            hint="Restore it, or make a new course with `tito nbgrader init DIR`.") from None
        if not isinstance(data, dict) or data.get("kind") != KIND:
            raise UserError(f"{self.config_file} is not a TinyTorch course file.")
        return data

    @property
    def tier(self) -> CourseTier:
        return course_tier(self.config.get("tier", DEFAULT_TIER))

    @cached_property
    def source(self) -> Project:
        """The TinyTorch project whose modules this course hands out."""
        from ..lib.project import is_root

        folder = Path(self.config.get("source", ""))
        if not is_root(folder):
            raise UserError(f"The TinyTorch project this course was made from ({folder}) is gone.",
                            hint=f'Point the course at a checkout: edit "source" in {self.config_file}.')
        return Project(folder)

    @cached_property
    def curriculum(self) -> Curriculum:
        return Curriculum(self.source)

    @property
    def modules(self) -> list[ModuleSpec]:
        """The modules this course releases (its tier), in order."""
        return self.tier.modules(self.curriculum)

    @property
    def state(self) -> Project:
        """For backups.py: backups land in DIR/.tito/backups/<module>/<time>-<reason>/."""
        return Project(self.root)

    def folder(self, kind: str, spec: ModuleSpec, student: str | None = None) -> Path:
        return self.root / kind / (student or "") / spec.id  # an empty part adds nothing

    def students(self, spec: ModuleSpec) -> list[str]:
        """Students with a collected submission of this module."""
        return sorted(p.parent.name for p in (self.root / "submitted").glob(f"*/{spec.id}") if p.is_dir())

    def select(self, queries: list[str], every: bool, what: str) -> list[ModuleSpec]:
        """The modules named (`01`, `tensor`, …) or, with --all, every module of the tier."""
        if every and queries:
            raise UserError(f"Name modules or use --all, not both (tito nbgrader {what}).")
        if not queries and not every:
            raise UserError(f"Which modules? e.g. tito nbgrader {what} 01, or --all for the whole tier.",
                            hint=f"This course releases {describe_tier(self.tier, self.curriculum)}.")
        if every:
            if not self.modules:
                raise UserError(f"The {self.tier.name} tier has no modules in this project yet "
                                f"(it has {module_range(self.curriculum.modules)}).",
                                hint="Choose another tier: tito nbgrader init DIR --tier foundation|architecture|all")
            return self.modules
        chosen = [self.curriculum.module(q) for q in queries]
        outside = [m for m in chosen if m not in self.modules]
        if outside:
            names = ", ".join(f"{m.id} ({m.tier})" for m in outside)
            fitting = [t.name for t in COURSE_TIERS.values() if all(m.tier in t.released for m in chosen)]
            raise UserError(f"{names} is outside the tier this course releases "
                            f"({describe_tier(self.tier, self.curriculum)}).",
                            hint=f"Change the tier: tito nbgrader init {self.root} --tier {' or '.join(fitting)}")
        return chosen


def course_at_or_above(start: str | Path) -> Course | None:
    folder = Path(start).expanduser().resolve()
    for candidate in [folder, *folder.parents]:
        if (candidate / COURSE_FILE).is_file():
            return Course(candidate)
    return None


def find_course(explicit: str | Path | None = None) -> Course:
    """The course named by --course, else the one at or above the current folder."""
    if explicit is not None:
        folder = Path(explicit).expanduser().resolve()
        if not (folder / COURSE_FILE).is_file():
            raise UserError(f"{folder} is not a TinyTorch course (no {COURSE_FILE}).",
                            hint=f"Make one: tito nbgrader init {folder}")
        return Course(folder)
    course = course_at_or_above(Path.cwd())
    if course is None:
        raise UserError(f"No TinyTorch course at or above {Path.cwd()}.",
                        hint="Run inside a course folder, pass --course DIR, or make one: tito nbgrader init DIR")
    return course


def active_tier_description(course_dir: str | Path) -> str:
    """For `tito status`: the tier of the course at or above `course_dir` (needs no nbgrader);
    raises UserError when there is none."""
    course = course_at_or_above(course_dir)
    if course is None:
        raise UserError(f"No TinyTorch course at or above {course_dir}.")
    return describe_tier(course.tier, course.curriculum)


NBGRADER_CONFIG = '''# nbgrader settings for this TinyTorch course (written by `tito nbgrader init`).
# `nbgrader` commands work here as in any course; `tito nbgrader status` shows the tier
# (kept in tinytorch_course.json) and where the modules come from.
import os

c = get_config()  # noqa: F821 — provided by nbgrader when it loads this file
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = {course_id!r}
# Graded cells run the module's tests; demo cells measure speed and memory. Give them time.
c.Execute.timeout = 600
# Kernels run on this machine only; their warning about unencrypted local TCP is noise for graders.
c.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
'''


def init_course(dest: Path, tier: str | None, source: Project) -> tuple[Course, str]:
    """Make a course at `dest`; on an existing course, only switch its tier. Returns (course, what happened)."""
    dest = Path(dest).expanduser().resolve()
    if (dest / COURSE_FILE).is_file():
        course = Course(dest)
        if tier is None or course_tier(tier).name == course.tier.name:
            return course, "unchanged"
        config = {**course.config, "tier": course_tier(tier).name}
        atomic_write_json(course.config_file, config)
        return Course(dest), "tier changed"
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UserError(f"{dest} already exists and is not empty; tito nbgrader init never overwrites a folder.",
                        hint="Choose a new folder, e.g. tito nbgrader init ~/tinytorch-course")
    chosen = course_tier(tier or DEFAULT_TIER)
    if not Curriculum(source).modules:
        raise UserError(f"{source.root} has no modules (modules/*/module.yaml) to make a course from.")
    from tito import __version__

    from .grader import create_gradebook

    with building(dest, "tito-course") as build:
        for name in FOLDERS:
            (build / name).mkdir()
        course_id = re.sub(r"[^A-Za-z0-9_-]", "-", dest.name) or "tinytorch"
        (build / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(course_id=course_id), encoding="utf-8")
        create_gradebook(build / "gradebook.db", course_id)
        atomic_write_json(build / COURSE_FILE, {
            "kind": KIND, "format": FORMAT, "tier": chosen.name, "source": str(source.root),
            "tito_version": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%S")})
    return Course(dest), "created"


# --- Instructor notebooks (source/) and what may never reach learners -------------------------
def instructor_notebook_text(spec: ModuleSpec) -> str:
    """The module as a notebook with its solutions and hidden tests, for nbgrader's source/ folder."""
    from ..lib.notebooks import to_notebook_text

    notebook = json.loads(to_notebook_text(spec.source))
    notebook["metadata"].pop("jupytext", None)  # a handed-out notebook should not pair itself with a .py
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def write_instructor_notebook(course: Course, spec: ModuleSpec) -> Path:
    """source/NN_name/name_dev.ipynb from the module; an edited one is backed up before it is replaced."""
    target = course.folder("source", spec) / spec.notebook.name
    text = instructor_notebook_text(spec)
    if target.exists() and target.read_text(encoding="utf-8") != text:
        backup_files(course.state, spec, [target], "before-generate")
    atomic_write_text(target, text)
    return target


def secret_lines(spec: ModuleSpec) -> set[str]:
    """Code lines that exist only inside solution or hidden-test regions of the module source."""
    inside, outside, region = set(), set(), False
    for line in spec.source.read_text(encoding="utf-8").splitlines():
        marker = line.strip()
        if marker in (SOLUTION_BEGIN, HIDDEN_BEGIN, SOLUTION_END, HIDDEN_END):
            region = marker in (SOLUTION_BEGIN, HIDDEN_BEGIN)
            inside.add(marker)
        elif marker and not marker.startswith("#"):
            (inside if region else outside).add(marker)
    return inside - outside


def leaked_lines(spec: ModuleSpec, notebook: Path) -> list[str]:
    """Lines of a handed-out notebook that give away a solution or a hidden test."""
    import nbformat

    secrets = secret_lines(spec)
    cells = nbformat.read(notebook, as_version=4).cells
    return [line.strip() for cell in cells if cell.cell_type == "code"
            for line in cell.source.splitlines() if line.strip() in secrets]


def graded_points(spec: ModuleSpec) -> float:
    """Total points of the module's graded test cells, from the source (no nbgrader needed)."""
    return float(sum(cell.nbgrader.get("points", 0) for cell in parse_cells(spec.source) if cell.is_graded_test))


# --- Handouts: the release notebooks zipped for an LMS, with the prebuilt package when the tier has one ---
def prebuilt_package_files(course: Course) -> dict[str, Path]:
    """Archive name → file of the package learners start from: the hand-written files plus the
    reference exports of the prebuilt tiers' modules (never a module the course hands out)."""
    from ..lib.export import generated_facade_files
    from ..lib.workspace import NEVER_COPIED, _is_generated, generated_package_files

    source, curriculum = course.source, course.curriculum
    generated = generated_package_files(source, curriculum)
    wanted = {m.package_file(source) for m in course.tier.modules(curriculum, prebuilt=True)}
    wanted |= set(generated_facade_files(source.root, curriculum))  # the registry and the stubs
    missing = sorted(source.relative(p) for p in wanted if not p.is_file())
    if missing:
        raise UserError(f"The prebuilt package needs files that are not exported: {', '.join(missing)}.",
                        hint="Export them in the source project: tito export --all")
    files = {}
    for path in sorted(source.package_dir.rglob("*")):
        if not path.is_file() or path.suffix == ".pyc" or NEVER_COPIED & set(path.relative_to(source.root).parts):
            continue
        if path in wanted or not _is_generated(path, generated):  # hand-written, or a prebuilt module
            files[str(path.relative_to(source.root))] = path
    return files


def write_handout(course: Course, spec: ModuleSpec) -> Path:
    """handout/NN_name.zip: the release notebook(s) in a NN_name/ folder (+ tinytorch/ if prebuilt)."""
    release = course.folder("release", spec)
    notebooks = sorted(release.glob("*.ipynb"))
    if not notebooks:
        raise UserError(f"{spec.id} has not been generated: {course.state.relative(release)} holds no notebook.",
                        hint=f"tito nbgrader generate {spec.number:02d}")
    if spec.source.stat().st_mtime > min(p.stat().st_mtime for p in notebooks):
        raise UserError(f"{spec.source.name} changed after {spec.id} was generated; the release is stale.",
                        hint=f"tito nbgrader generate {spec.number:02d}, then release again")
    for notebook in notebooks:
        leaks = leaked_lines(spec, notebook)
        if leaks:
            raise UserError(f"{course.state.relative(notebook)} contains solution or hidden-test code "
                            f"({leaks[0]!r}…); nothing was released.",
                            hint="Check the module's BEGIN/END SOLUTION markers, then generate again.")
    extra = prebuilt_package_files(course) if course.tier.prebuilt else {}
    target = course.root / "handout" / f"{spec.id}.zip"
    buffer = io.BytesIO()  # the zip is written whole, or not at all
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for notebook in notebooks:
            archive.write(notebook, f"{spec.id}/{notebook.name}")
        for name, path in extra.items():
            archive.write(path, f"{spec.id}/{name}")
    atomic_write_bytes(target, buffer.getvalue())
    return target


# --- Collecting submissions from a folder (or a zip) downloaded from an LMS -------------------
@dataclass
class Collected:
    students: list[str]
    problems: list[str]
    backups: list[Path]


SKIPPED = {"__MACOSX", ".ipynb_checkpoints"}


def _notebooks_under(folder: Path) -> dict[str, bytes]:
    """{path inside the student's entry → bytes} of every notebook there."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.ipynb"))
            if not SKIPPED & set(p.relative_to(folder).parts)}


def _unzip(archive: Path, into: Path) -> Path:
    """Extract a zip (zipfile drops absolute paths and '..', so nothing lands outside `into`)."""
    try:
        with zipfile.ZipFile(archive) as z:
            z.extractall(into)
    except zipfile.BadZipFile:
        raise UserError(f"{archive.name} is not a readable zip file.") from None
    return into


def submission_entries(origin: Path, scratch: Path) -> list[tuple[str, dict[str, bytes] | str]]:
    """(student id, {path → bytes of each notebook} or a problem) for each entry of the submissions folder or zip.

    One entry per student, named by the student id: a folder STUDENT/ (the notebook anywhere
    inside), a zip STUDENT.zip, or the notebook itself, STUDENT.ipynb. A zip of the whole folder
    works too; if its only entry is a folder named like the zip, that folder is looked through.
    """
    if origin.is_file() and origin.suffix == ".zip":
        folder = _unzip(origin, scratch / "all")
        inner = [p for p in folder.iterdir() if p.name not in SKIPPED]
        if len(inner) == 1 and inner[0].is_dir() and inner[0].name == origin.stem:
            folder = inner[0]
        origin = folder
    if not origin.is_dir():
        raise UserError(f"{origin} is neither a folder nor a .zip of submissions.",
                        hint="One entry per student: STUDENT/ (a folder), STUDENT.zip or STUDENT.ipynb")
    entries: list[tuple[str, dict[str, bytes] | str]] = []
    for n, entry in enumerate(sorted(origin.iterdir())):
        if entry.name.startswith(".") or entry.name in SKIPPED:
            continue
        if entry.is_dir():
            entries.append((entry.name, _notebooks_under(entry)))
        elif entry.suffix == ".zip":
            try:
                entries.append((entry.stem, _notebooks_under(_unzip(entry, scratch / f"student-{n}"))))
            except UserError as e:  # one broken zip: that student is reported, the others collected
                entries.append((entry.stem, str(e)))
        elif entry.suffix == ".ipynb":
            entries.append((entry.stem, {entry.name: entry.read_bytes()}))
    return entries


def _pick_notebook(files: dict[str, bytes] | str, expected: str) -> bytes | str:
    """The submitted notebook's bytes, or a problem in words."""
    if isinstance(files, str):
        return files
    named = sorted(path for path in files if Path(path).name == expected)
    if len(named) == 1:
        return files[named[0]]
    if named:
        return f"{len(named)} notebooks named {expected}: {', '.join(named)}"
    if len(files) == 1:  # one notebook under another name (e.g. alice.ipynb): it is the submission
        return next(iter(files.values()))
    if not files:
        return f"no notebook (expected {expected})"
    return f"{len(files)} notebooks and none named {expected}: {', '.join(sorted(files))}"


def collect_submissions(course: Course, spec: ModuleSpec, origin: Path) -> Collected:
    """Copy each student's notebook into submitted/STUDENT/NN_name/ — never touching `origin`, and
    backing up an earlier submission before replacing it."""
    import nbformat

    expected = spec.notebook.name
    if not course.folder("source", spec).is_dir():
        raise UserError(f"{spec.id} has not been generated in this course.",
                        hint=f"tito nbgrader generate {spec.number:02d}")
    result = Collected([], [], [])
    with tempfile.TemporaryDirectory(prefix="tito-collect-") as scratch:
        entries = submission_entries(Path(origin).expanduser().resolve(), Path(scratch))
    if not entries:
        raise UserError(f"{origin} holds no submissions.",
                        hint="One entry per student: STUDENT/ (a folder), STUDENT.zip or STUDENT.ipynb")
    for student, files in entries:
        if not STUDENT_ID.match(student):
            result.problems.append(f"{student!r}: not usable as a student id (letters, digits, . _ @ - only)")
            continue
        picked = _pick_notebook(files, expected)
        if isinstance(picked, str):
            result.problems.append(f"{student}: {picked}")
            continue
        try:
            nbformat.reads(picked.decode("utf-8"), as_version=4)
        except Exception as e:  # noqa: BLE001 — nbformat raises several unrelated types for a damaged file
            result.problems.append(f"{student}: the notebook cannot be read ({type(e).__name__})")
            continue
        target = course.folder("submitted", spec, student) / expected
        if target.exists() and target.read_bytes() != picked:
            result.backups.append(backup_files(course.state, spec, [target], f"before-collect-{student}"))
        if not target.exists() or target.read_bytes() != picked:
            atomic_write_bytes(target, picked)
        result.students.append(student)
    return result


# --- The report: one row per student, one column per module -----------------------------------
def write_report(path: Path, modules: list[str], max_scores: dict[str, float],
                 scores: dict[str, dict[str, float]]) -> Path:
    """CSV: student_id, one score column per module (empty = no submission), total, max_total."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", *modules, "total", "max_total"])
    max_total = sum(max_scores[m] for m in modules)
    for student, row in sorted(scores.items()):
        writer.writerow([student, *(_number(row[m]) if m in row else "" for m in modules),
                         _number(sum(row.values())), _number(max_total)])
    atomic_write_text(path, buffer.getvalue())
    return path


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"
