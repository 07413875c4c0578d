"""An nbgrader course folder made from the TinyTorch modules: its tier, instructor notebooks, handouts
and collected submissions. docs/instructors.md shows the folder and the tiers."""

from __future__ import annotations

import io
import json
import re
import tempfile
import time
import zipfile
from pathlib import Path

from ..lib.atomic import atomic_write_bytes, atomic_write_json, building
from ..lib.backups import backup_files
from ..lib.errors import UserError
from ..lib.journey import numbers_text
from ..lib.manifest import TIERS, Curriculum, ModuleSpec
from ..lib.project import Project, is_root
from ..lib.source import HIDDEN_BEGIN, HIDDEN_END, SOLUTION_BEGIN, SOLUTION_END, parse_cells

COURSE_FILE = "tinytorch_course.json"
KIND = "tinytorch-nbgrader-course"
FOLDERS = ("source", "release", "submitted", "autograded", "feedback", "handout", "reports")
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")  # a folder name nbgrader's exchange accepts (no '+')
# A course tier: the manifest tiers (module.yaml's `tier`) it hands out, and those learners get already built.
COURSE_TIERS = {
    "foundation": (("Foundation",), ()),
    "architecture": (("Foundation", "Architecture"), ()),
    "optimization": (("Optimization",), ("Foundation", "Architecture")),
    "all": (TIERS, ()),
}
DEFAULT_TIER = "all"


class Course:
    """A course folder made by `tito nbgrader init`: its tier and the project whose modules it hands out."""

    def __init__(self, root: Path):
        self.root = root
        self.state = Project(root)  # for backups.py: backups land in DIR/.tito/backups/<module>/<time>-<reason>/
        self.config_file = root / COURSE_FILE
        try:
            self.config = json.loads(self.config_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise UserError(f"{self.config_file} cannot be read ({e}).",
                            hint="Restore it, or make a new course with `tito nbgrader init DIR`.") from None
        if not isinstance(self.config, dict) or self.config.get("kind") != KIND:
            raise UserError(f"{self.config_file} is not a TinyTorch course file.")
        self.tier = str(self.config.get("tier", DEFAULT_TIER)).strip().lower()
        if self.tier not in COURSE_TIERS:
            raise UserError(f"Unknown tier {self.tier!r} in {self.config_file}.",
                            hint=f"Tiers: {', '.join(COURSE_TIERS)}")
        self.released, self.prebuilt = COURSE_TIERS[self.tier]
        source = Path(self.config.get("source", ""))
        if not is_root(source):
            raise UserError(f"The TinyTorch project this course was made from ({source}) is gone.",
                            hint=f'Point the course at a checkout: edit "source" in {self.config_file}.')
        self.source = Project(source)
        self.curriculum = Curriculum(self.source)
        self.modules = [m for m in self.curriculum.modules if m.tier in self.released]
        self.prebuilt_modules = [m for m in self.curriculum.modules if m.tier in self.prebuilt]

    def describe(self) -> str:
        """One line: the tier, the modules it hands out, and what comes prebuilt."""
        tiers = " + ".join(self.released) if self.tier != "all" else "all tiers"
        modules = numbers_text(self.modules) or "none yet"
        text = f"{self.tier}: {tiers} — modules {modules} ({len(self.modules)} released)"
        if self.prebuilt:
            text += (f", on a prebuilt package of {' + '.join(self.prebuilt)} "
                     f"(modules {numbers_text(self.prebuilt_modules) or 'none yet'})")
        return text

    def folder(self, kind: str, spec: ModuleSpec, student: str | None = None) -> Path:
        return self.root / kind / (student or "") / spec.id  # an empty part adds nothing

    def students(self, spec: ModuleSpec) -> list[str]:
        """Students with a collected submission of this module."""
        return sorted(p.parent.name for p in (self.root / "submitted").glob(f"*/{spec.id}") if p.is_dir())

    def replace(self, spec: ModuleSpec, target: Path, data: bytes, reason: str) -> Path | None:
        """Write `target` atomically, backing up a different file there first; returns the backup folder."""
        if target.is_file() and target.read_bytes() == data:
            return None
        backup = backup_files(self.state, spec, [target], reason)
        atomic_write_bytes(target, data)
        return backup

    def select(self, queries: list[str], every: bool, what: str) -> list[ModuleSpec]:
        """The modules named (`01`, `tensor`, …) or, with --all, every module of the tier."""
        if every and queries:
            raise UserError(f"Name modules or use --all, not both (tito nbgrader {what}).")
        if not queries and not every:
            raise UserError(f"Which modules? e.g. tito nbgrader {what} 01, or --all for the whole tier.",
                            hint=f"This course releases {self.describe()}.")
        if every:
            if not self.modules:
                raise UserError(f"The {self.tier} tier has no modules in this project yet "
                                f"(it has {numbers_text(self.curriculum.modules) or 'none yet'}).",
                                hint="Choose another tier: tito nbgrader init DIR --tier foundation|architecture|all")
            return self.modules
        chosen = [self.curriculum.module(q) for q in queries]
        outside = [m for m in chosen if m not in self.modules]
        if outside:
            names = ", ".join(f"{m.id} ({m.tier})" for m in outside)
            fitting = [name for name, (released, _) in COURSE_TIERS.items() if all(m.tier in released for m in chosen)]
            raise UserError(f"{names} is outside the tier this course releases ({self.describe()}).",
                            hint=f"Change the tier: tito nbgrader init {self.root} --tier {' or '.join(fitting)}")
        return chosen


def find_course(explicit: str | Path | None = None, start: str | Path = ".") -> Course:
    """The course named by --course, else the one at or above `start` (the current folder)."""
    if explicit is not None:
        folder = Path(explicit).expanduser().resolve()
        if not (folder / COURSE_FILE).is_file():
            raise UserError(f"{folder} is not a TinyTorch course (no {COURSE_FILE}).",
                            hint=f"Make one: tito nbgrader init {folder}")
        return Course(folder)
    folder = Path(start).expanduser().resolve()
    for candidate in [folder, *folder.parents]:
        if (candidate / COURSE_FILE).is_file():
            return Course(candidate)
    raise UserError(f"No TinyTorch course at or above {folder}.",
                    hint="Run inside a course folder, pass --course DIR, or make one: tito nbgrader init DIR")


def active_tier_description(course_dir: str | Path) -> str:
    """For `tito status`: the tier of the course at or above `course_dir` (needs no nbgrader);
    raises UserError when there is none."""
    return find_course(start=course_dir).describe()


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
    """Make a course at `dest`; on an existing course, only switch its tier (one of COURSE_TIERS).
    Returns (course, what happened)."""
    dest = Path(dest).expanduser().resolve()
    if (dest / COURSE_FILE).is_file():
        course = Course(dest)
        if tier is None or tier == course.tier:
            return course, "unchanged"
        atomic_write_json(course.config_file, {**course.config, "tier": tier})
        return Course(dest), "tier changed"
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UserError(f"{dest} already exists and is not empty; tito nbgrader init never overwrites a folder.",
                        hint="Choose a new folder, e.g. tito nbgrader init ~/tinytorch-course")
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
            "kind": KIND, "format": 1, "tier": tier or DEFAULT_TIER, "source": str(source.root),
            "tito_version": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%S")})
    return Course(dest), "created"


# --- Instructor notebooks (source/) and what may never reach learners -------------------------
def write_instructor_notebook(course: Course, spec: ModuleSpec) -> None:
    """source/NN_name/name_dev.ipynb: the module with its solutions and hidden tests, for nbgrader
    (an edited one is backed up before it is replaced)."""
    from ..lib.notebooks import to_notebook_text

    notebook = json.loads(to_notebook_text(spec.source))
    notebook["metadata"].pop("jupytext", None)  # a handed-out notebook should not pair itself with a .py
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    course.replace(spec, course.folder("source", spec) / spec.notebook.name, text.encode("utf-8"), "before-generate")


def leaked_lines(spec: ModuleSpec, notebook: Path) -> list[str]:
    """Lines of a handed-out notebook that give away a solution or a hidden test: code lines that the
    module source has only inside solution or hidden-test regions."""
    import nbformat

    inside, outside, region = set(), set(), False
    for line in spec.source.read_text(encoding="utf-8").splitlines():
        marker = line.strip()
        if marker in (SOLUTION_BEGIN, HIDDEN_BEGIN, SOLUTION_END, HIDDEN_END):
            region = marker in (SOLUTION_BEGIN, HIDDEN_BEGIN)
            inside.add(marker)
        elif marker and not marker.startswith("#"):
            (inside if region else outside).add(marker)
    secrets = inside - outside
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

    source = course.source
    generated = generated_package_files(source, course.curriculum)
    wanted = {m.package_file(source) for m in course.prebuilt_modules}
    wanted |= set(generated_facade_files(source.root, course.curriculum))  # the registry and the stubs
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


def write_handout(course: Course, spec: ModuleSpec, package: dict[str, Path]) -> Path:
    """handout/NN_name.zip: the release notebook(s) and the `package` files (prebuilt_package_files) in NN_name/."""
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
    target = course.root / "handout" / f"{spec.id}.zip"
    buffer = io.BytesIO()  # the zip is written whole, or not at all
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in ({p.name: p for p in notebooks} | package).items():
            archive.write(path, f"{spec.id}/{name}")
    atomic_write_bytes(target, buffer.getvalue())
    return target


# --- Collecting submissions from a folder (or a zip) downloaded from an LMS -------------------
SKIPPED = {"__MACOSX", ".ipynb_checkpoints"}
ENTRIES = "One entry per student: STUDENT/ (a folder), STUDENT.zip or STUDENT.ipynb"


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
    """(student id, {path → bytes of each notebook} or a problem) for each entry of the submissions folder or
    zip (the layouts read are in docs/instructors.md; a zip holding only a folder named like it is looked through)."""
    if origin.is_file() and origin.suffix == ".zip":
        folder = _unzip(origin, scratch / "all")
        inner = [p for p in folder.iterdir() if p.name not in SKIPPED]
        if len(inner) == 1 and inner[0].is_dir() and inner[0].name == origin.stem:
            folder = inner[0]
        origin = folder
    if not origin.is_dir():
        raise UserError(f"{origin} is neither a folder nor a .zip of submissions.", hint=ENTRIES)
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
    """The submitted notebook's bytes, or what is wrong with the entry in words."""
    import nbformat

    if isinstance(files, str):
        return files
    named = sorted(path for path in files if Path(path).name == expected)
    if len(named) > 1:
        return f"{len(named)} notebooks named {expected}: {', '.join(named)}"
    if not files:
        return f"no notebook (expected {expected})"
    if not named and len(files) > 1:
        return f"{len(files)} notebooks and none named {expected}: {', '.join(sorted(files))}"
    picked = files[named[0]] if named else next(iter(files.values()))  # one notebook under another name
    try:
        nbformat.reads(picked.decode("utf-8"), as_version=4)
    except Exception as e:  # noqa: BLE001 — nbformat raises several unrelated types for a damaged file
        return f"the notebook cannot be read ({type(e).__name__})"
    return picked


def collect_submissions(course: Course, spec: ModuleSpec, origin: Path) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The submissions downloaded to `origin` (only read): ([(student, notebook bytes)], [each unusable entry])."""
    if not course.folder("source", spec).is_dir():
        raise UserError(f"{spec.id} has not been generated in this course.",
                        hint=f"tito nbgrader generate {spec.number:02d}")
    with tempfile.TemporaryDirectory(prefix="tito-collect-") as scratch:
        entries = submission_entries(Path(origin).expanduser().resolve(), Path(scratch))
    if not entries:
        raise UserError(f"{origin} holds no submissions.", hint=ENTRIES)
    usable, problems = [], []
    for student, files in entries:
        picked = _pick_notebook(files, spec.notebook.name)
        if not STUDENT_ID.match(student):
            problems.append(f"{student!r}: not usable as a student id (letters, digits, . _ @ - only)")
        elif isinstance(picked, str):
            problems.append(f"{student}: {picked}")
        else:
            usable.append((student, picked))
    return usable, problems
