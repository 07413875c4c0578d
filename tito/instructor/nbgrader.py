"""What each `tito nbgrader` action does (the parser is tito/commands/nbgrader.py): one function per action."""

from __future__ import annotations

from pathlib import Path

from ..lib.console import plain, success, table, warning
from ..lib.errors import UserError
from ..lib.workspace import source_project
from .course import (collect_submissions, describe_tier, find_course, graded_points, init_course,
                     prebuilt_package_files, write_handout, write_instructor_notebook, write_report)
from .grader import Grader, require_nbgrader


def _course(args):
    return find_course(args.course)


def init(args) -> int:
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


def status(args) -> int:
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


def generate(args) -> int:
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


def release(args) -> int:
    course = _course(args)
    modules = course.select(args.modules, args.all, "release")
    for spec in modules:
        plain(f"  {course.state.relative(write_handout(course, spec))}")
    if course.tier.prebuilt:
        plain(f"  each zip holds the prebuilt tinytorch/ ({len(prebuilt_package_files(course))} files, "
              f"{' + '.join(course.tier.prebuilt)}): learners open the notebook from that folder")
    success(f"Released {len(modules)} assignment(s): hand out the zips in {course.root / 'handout'}")
    return 0


def collect(args) -> int:
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


def autograde(args) -> int:
    course = _course(args)
    grader, graded = Grader(course), 0
    for spec in _modules_with_submissions(course, args):
        name = spec.notebook.name
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


def feedback(args) -> int:
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


def report(args) -> int:
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
