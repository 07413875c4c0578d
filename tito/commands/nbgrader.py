"""`tito nbgrader`: an nbgrader course made from the modules — generate, release, collect, grade, report.
The course folder is tito/instructor/course.py; nbgrader is imported (grader.py) only when an action needs it."""

from __future__ import annotations

import argparse
from pathlib import Path

from tito.instructor.course import (COURSE_TIERS, Course, collect_submissions, find_course, graded_points,
                                    init_course, prebuilt_package_files, write_handout, write_instructor_notebook)
from tito.lib.console import plain, success, table, warning
from tito.lib.errors import UserError

WORKFLOW = """workflow (docs/instructors.md):
  tito nbgrader init ~/course --tier foundation    tiers: foundation, architecture, optimization, all
  cd ~/course
  tito nbgrader generate --all      instructor notebooks, then nbgrader generate_assignment → release/
  tito nbgrader release --all       handout/NN_name.zip: the student versions, for learners to download
  tito nbgrader collect 01 ~/Downloads/submissions   one entry per student: STUDENT/, STUDENT.zip, STUDENT.ipynb
  tito nbgrader autograde 01        nbgrader autograde, with the hidden tests put back
  tito nbgrader feedback 01         an HTML page per student
  tito nbgrader report              reports/grades.csv: one row per student, one column per module
"""


def add_arguments(parser) -> None:
    parser.epilog, parser.formatter_class = WORKFLOW, argparse.RawDescriptionHelpFormatter
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    parser.set_defaults(nbgrader_parser=parser)

    def action(name: str, text: str, modules: str | None = None):
        p = sub.add_parser(name, help=text)
        if name != "init":
            p.add_argument("--course", metavar="DIR", help="the course folder (default: the one around the current folder)")
        if modules:
            p.add_argument("modules", nargs="*", help=modules)
            p.add_argument("--all", action="store_true", help="every module of the course's tier")
        return p

    p = action("init", "make an nbgrader course folder (or switch an existing course's tier)")
    p.add_argument("dir", help="the course folder (new or empty; an existing course only changes its tier)")
    p.add_argument("--tier", choices=list(COURSE_TIERS), help="which modules the course releases (default: all)")
    p.add_argument("--source", help="the TinyTorch checkout whose modules to use (default: this one)")
    action("status", "the course's tier, its modules and what has been generated, collected and graded")
    action("generate", "instructor notebooks into source/, then nbgrader generate_assignment", "modules (01, tensor, …)")
    action("release", "zip the student versions into handout/ for learners to download", "modules (01, tensor, …)")
    p = action("collect", "copy students' notebooks from a downloaded folder or zip into submitted/")
    p.add_argument("module", help="the module the submissions are for (01, tensor, …)")
    p.add_argument("submissions", help="folder or .zip with one entry per student: STUDENT/, STUDENT.zip or STUDENT.ipynb")
    for name, text in [("autograde", "nbgrader autograde: new or changed submissions (--force: all)"),
                       ("feedback", "nbgrader generate_feedback: an HTML page per student and module")]:
        p = action(name, text, "modules (default: every module with submissions)")
        p.add_argument("--student", help="only this student")
        if name == "autograde":
            p.add_argument("--force", action="store_true", help="grade again submissions already autograded")
    p = action("report", "scores as CSV: one row per student, one column per module")
    p.add_argument("--out", help="the CSV file (default: reports/grades.csv in the course)")


def run(args) -> int:
    from tito.instructor.grader import require_nbgrader

    if args.action is None:  # plain `tito nbgrader`: what it needs first, then what it offers
        require_nbgrader()
        args.nbgrader_parser.print_help()
        return 0
    if args.action == "init":
        from tito.lib.workspace import source_project

        require_nbgrader()
        source = source_project(Path(args.source) if args.source else None)
        course, what = init_course(Path(args.dir), args.tier, source)
        if what == "created":
            success(f"Course folder ready: {course.root}")
            plain(f"  tier {course.describe()}\n  modules from {course.source.root}\n\nNext:\n"
                  f"  cd {course.root}\n  tito nbgrader generate --all")
        elif what == "tier changed":
            success(f"{course.root}: the tier is now {course.describe()}")
        else:
            plain(f"{course.root} is a course already (nothing changed); tier {course.describe()}")
        return 0
    action = {"status": _status, "generate": _generate, "release": _release, "collect": _collect,
              "autograde": _autograde, "feedback": _feedback, "report": _report}[args.action]
    return action(find_course(args.course), args)


def _status(course: Course, args) -> int:
    plain(f"Course {course.root}\n  tier {course.describe()}\n  modules from {course.source.root}")
    rows = []
    for spec in course.modules:
        generated = any(course.folder("release", spec).glob("*.ipynb"))
        released = (course.root / "handout" / f"{spec.id}.zip").is_file()
        students = course.students(spec)
        graded = [s for s in students if course.folder("autograded", spec, s).is_dir()]
        rows.append([spec.id, f"{graded_points(spec):g}", "✓" if generated else "",
                     "✓" if released else "", str(len(students)), str(len(graded))])
    table("Modules of this course", ["module", "points", "generated", "released", "submitted", "autograded"], rows)
    return 0


def _generate(course: Course, args) -> int:
    from tito.instructor.grader import Grader

    modules = course.select(args.modules, args.all, "generate")
    grader = Grader(course)
    for spec in modules:
        write_instructor_notebook(course, spec)
        points = grader.generate(spec)
        plain(f"  {spec.id}: source/{spec.id}/ → release/{spec.id}/ ({points:g} points)")
    success(f"Generated {len(modules)} assignment(s). Next: tito nbgrader release "
            f"{'--all' if args.all else ' '.join(args.modules)}")
    return 0


def _release(course: Course, args) -> int:
    modules = course.select(args.modules, args.all, "release")
    package = prebuilt_package_files(course) if course.prebuilt else {}
    for spec in modules:
        plain(f"  {course.state.relative(write_handout(course, spec, package))}")
    if course.prebuilt:
        plain(f"  each zip holds the prebuilt tinytorch/ ({len(package)} files, "
              f"{' + '.join(course.prebuilt)}): learners open the notebook from that folder")
    success(f"Released {len(modules)} assignment(s): hand out the zips in {course.root / 'handout'}")
    return 0


def _collect(course: Course, args) -> int:
    """Copy each student's notebook into submitted/STUDENT/NN_name/, backing up an earlier, different one."""
    spec = course.select([args.module], False, "collect")[0]
    usable, problems = collect_submissions(course, spec, Path(args.submissions))
    for student, notebook in usable:
        target = course.folder("submitted", spec, student) / spec.notebook.name
        backup = course.replace(spec, target, notebook, f"before-collect-{student}")
        if backup:
            plain(f"  an earlier submission was kept in {course.state.relative(backup)}")
    for problem in problems:
        warning(f"not collected: {problem}")
    if usable:
        success(f"Collected {len(usable)} submission(s) of {spec.id}: {', '.join(s for s, _ in usable)}. "
                f"Next: tito nbgrader autograde {spec.number:02d}")
    return 1 if problems else 0


def _submissions(course: Course, args):
    """(module, student) of each collected submission asked for: the modules named (default: every module
    with submissions), and --student or every student."""
    if args.modules or args.all:
        modules = course.select(args.modules, args.all, args.action)
    else:
        modules = [m for m in course.curriculum.modules if course.students(m)]
        if not modules:
            raise UserError("No submissions collected yet.", hint="tito nbgrader collect NN SUBMISSIONS")
    for spec in modules:
        students = course.students(spec)
        if args.student and args.student not in students:
            raise UserError(f"{args.student} has no collected submission of {spec.id}.",
                            hint=f"Submissions: {', '.join(students) or 'none'}")
        for student in [args.student] if args.student else students:
            yield spec, student


def _autograde(course: Course, args) -> int:
    from tito.instructor.grader import Grader

    grader, graded = Grader(course), 0
    for spec, student in _submissions(course, args):
        submitted = course.folder("submitted", spec, student) / spec.notebook.name
        done = course.folder("autograded", spec, student) / spec.notebook.name
        if not args.force and done.exists() and done.stat().st_mtime >= submitted.stat().st_mtime:
            continue  # graded already and unchanged since
        score, points = grader.autograde(spec, student)
        graded += 1
        plain(f"  {spec.id} {student}: {score:g} / {points:g}")
    success(f"Autograded {graded} submission(s)" + ("" if graded else " (nothing new; --force grades again)")
            + ". Next: tito nbgrader report")
    return 0


def _feedback(course: Course, args) -> int:
    from tito.instructor.grader import Grader

    grader, written = Grader(course), 0
    for spec, student in _submissions(course, args):
        if not course.folder("autograded", spec, student).is_dir():
            raise UserError(f"{student}'s {spec.id} is not autograded yet.",
                            hint=f"tito nbgrader autograde {spec.number:02d}")
        grader.feedback(spec, student)
        written += 1
    success(f"Feedback for {written} submission(s) in {course.root / 'feedback'}")
    return 0


def _report(course: Course, args) -> int:
    """A CSV (student_id, a score per module, empty = no submission, total, max_total) and the same as a table."""
    import csv
    import io

    from tito.instructor.grader import Grader
    from tito.lib.atomic import atomic_write_text

    max_scores, scores = Grader(course).scores()
    if not scores:
        raise UserError("Nothing is graded yet.", hint="tito nbgrader autograde")
    modules = [m.id for m in course.curriculum.modules if m.id in max_scores]
    out = Path(args.out).expanduser().resolve() if args.out else course.root / "reports" / "grades.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", *modules, "total", "max_total"])
    max_total = sum(max_scores[m] for m in modules)
    for student, row in sorted(scores.items()):
        writer.writerow([student, *(_number(row[m]) if m in row else "" for m in modules),
                         _number(sum(row.values())), _number(max_total)])
    atomic_write_text(out, buffer.getvalue())
    shown = [m for m in modules if any(m in row for row in scores.values())]  # the CSV has every column
    table("Scores", ["student", *(f"{m} (/{max_scores[m]:g})" for m in shown), "total"],
          [[s, *(f"{row[m]:g}" if m in row else "—" for m in shown), f"{sum(row.values()):g}"]
           for s, row in sorted(scores.items())])
    success(f"Report written: {out}")
    return 0


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"
