"""`tito nbgrader`: an nbgrader course made from the modules — generate, release, collect, grade, report.

Thin: the course folder and tiers are in tito/lib/course.py, the nbgrader calls in
tito/lib/grader.py. Nothing heavy is imported until a subcommand runs (`tito --help` stays fast).
"""

from __future__ import annotations

from pathlib import Path

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
    import argparse

    from tito.lib.course import COURSE_TIERS  # standard library only: the parser stays fast

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
    if args.action is None:  # plain `tito nbgrader`: what it needs first, then what it offers
        from tito.lib.grader import require_nbgrader

        require_nbgrader()
        args.nbgrader_parser.print_help()
        return 0
    handler = {"init": _init, "status": _status, "generate": _generate, "release": _release,
               "collect": _collect, "autograde": _autograde, "feedback": _feedback, "report": _report}
    return handler[args.action](args)


def _course(args):
    from tito.lib.course import find_course

    return find_course(args.course)


def _init(args) -> int:
    from tito.lib.console import plain, success
    from tito.lib.course import describe_tier, init_course
    from tito.lib.grader import require_nbgrader
    from tito.lib.workspace import source_project

    require_nbgrader()
    course, what = init_course(Path(args.dir), args.tier, source_project(Path(args.source) if args.source else None))
    tier = describe_tier(course.tier, course.curriculum)
    if what == "created":
        success(f"Course folder ready: {course.root}")
        plain(f"  tier {tier}\n  modules from {course.source.root}\n\nNext:\n"
              f"  cd {course.root}\n  tito nbgrader generate --all")
    elif what == "tier changed":
        success(f"{course.root}: the tier is now {tier}")
    else:
        plain(f"{course.root} is a course already (nothing changed); tier {tier}")
    return 0


def _status(args) -> int:
    from tito.lib.console import plain, table
    from tito.lib.course import describe_tier, graded_points

    course = _course(args)
    plain(f"Course {course.root}\n  tier {describe_tier(course.tier, course.curriculum)}\n"
          f"  modules from {course.source.root}")
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


def _generate(args) -> int:
    from tito.lib.console import plain, success
    from tito.lib.course import write_instructor_notebook
    from tito.lib.grader import Grader

    course = _course(args)
    modules = course.select(args.modules, args.all, "generate")
    grader = Grader(course)
    for spec in modules:
        write_instructor_notebook(course, spec)
        points = grader.generate(spec)
        plain(f"  {spec.id}: source/{spec.id}/ → release/{spec.id}/ ({points:g} points)")
    success(f"Generated {len(modules)} assignment(s). Next: tito nbgrader release "
            f"{'--all' if args.all else ' '.join(args.modules)}")
    return 0


def _release(args) -> int:
    from tito.lib.console import plain, success
    from tito.lib.course import prebuilt_package_files, write_handout

    course = _course(args)
    modules = course.select(args.modules, args.all, "release")
    for spec in modules:
        plain(f"  {course.state.relative(write_handout(course, spec))}")
    if course.tier.prebuilt:
        plain(f"  each zip holds the prebuilt tinytorch/ ({len(prebuilt_package_files(course))} files, "
              f"{' + '.join(course.tier.prebuilt)}): learners open the notebook from that folder")
    success(f"Released {len(modules)} assignment(s): hand out the zips in {course.root / 'handout'}")
    return 0


def _collect(args) -> int:
    from tito.lib.console import plain, success, warning
    from tito.lib.course import collect_submissions

    course = _course(args)
    spec = course.select([args.module], False, "collect")[0]
    result = collect_submissions(course, spec, Path(args.submissions))
    for folder in result.backups:
        plain(f"  an earlier submission was kept in {course.state.relative(folder)}")
    for problem in result.problems:
        warning(f"not collected: {problem}")
    if result.students:
        success(f"Collected {len(result.students)} submission(s) of {spec.id}: {', '.join(result.students)}. "
                f"Next: tito nbgrader autograde {spec.number:02d}")
    return 1 if result.problems else 0


def _modules_with_submissions(course, args) -> list:
    if args.modules or args.all:
        return course.select(args.modules, args.all, args.action)
    modules = [m for m in course.curriculum.modules if course.students(m)]
    if not modules:
        raise UserError("No submissions collected yet.", hint="tito nbgrader collect NN SUBMISSIONS")
    return modules


def _students(course, spec, args) -> list[str]:
    students = course.students(spec)
    if args.student:
        if args.student not in students:
            raise UserError(f"{args.student} has no collected submission of {spec.id}.",
                            hint=f"Submissions: {', '.join(students) or 'none'}")
        return [args.student]
    return students


def _autograde(args) -> int:
    from tito.lib.console import plain, success
    from tito.lib.grader import Grader

    course = _course(args)
    grader, graded = Grader(course), 0
    for spec in _modules_with_submissions(course, args):
        name = course.notebook_name(spec)
        for student in _students(course, spec, args):
            submitted = course.folder("submitted", spec, student) / name
            done = course.folder("autograded", spec, student) / name
            if not args.force and done.exists() and done.stat().st_mtime >= submitted.stat().st_mtime:
                continue  # graded already and unchanged since
            grader.autograde(spec, student)
            graded += 1
            plain(f"  {spec.id} {student}: {grader.scores().get(student, {}).get(spec.id, 0):g}"
                  f" / {grader.max_scores().get(spec.id, 0):g}")
    success(f"Autograded {graded} submission(s)" + ("" if graded else " (nothing new; --force grades again)")
            + ". Next: tito nbgrader report")
    return 0


def _feedback(args) -> int:
    from tito.lib.console import success
    from tito.lib.grader import Grader

    course = _course(args)
    grader, written = Grader(course), 0
    for spec in _modules_with_submissions(course, args):
        for student in _students(course, spec, args):
            if not course.folder("autograded", spec, student).is_dir():
                raise UserError(f"{student}'s {spec.id} is not autograded yet.",
                                hint=f"tito nbgrader autograde {spec.number:02d}")
            grader.feedback(spec, student)
            written += 1
    success(f"Feedback for {written} submission(s) in {course.root / 'feedback'}")
    return 0


def _report(args) -> int:
    from tito.lib.console import success, table
    from tito.lib.course import write_report
    from tito.lib.grader import Grader

    course = _course(args)
    grader = Grader(course)
    max_scores, scores = grader.max_scores(), grader.scores()
    modules = [m.id for m in course.curriculum.modules if m.id in max_scores]
    if not scores:
        raise UserError("Nothing is graded yet.", hint="tito nbgrader autograde")
    out = Path(args.out).expanduser().resolve() if args.out else course.root / "reports" / "grades.csv"
    write_report(out, modules, max_scores, scores)
    shown = [m for m in modules if any(m in row for row in scores.values())]  # the CSV has every column
    table("Scores", ["student", *(f"{m} (/{max_scores[m]:g})" for m in shown), "total"],
          [[s, *(f"{row[m]:g}" if m in row else "—" for m in shown), f"{sum(row.values()):g}"]
           for s, row in sorted(scores.items())])
    success(f"Report written: {out}")
    return 0
