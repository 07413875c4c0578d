"""`tito nbgrader`: an nbgrader course made from the modules — generate, release, collect, grade, report.

Thin: what each action does is in tito/instructor/nbgrader.py, the course folder and tiers in
tito/instructor/course.py, the nbgrader calls in tito/instructor/grader.py. Nothing heavy is
imported until a subcommand runs (`tito --help` stays fast).
"""

from __future__ import annotations

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
    from tito.instructor.course import COURSE_TIERS  # standard library only: the parser stays fast

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
        from tito.instructor.grader import require_nbgrader

        require_nbgrader()
        args.nbgrader_parser.print_help()
        return 0
    from tito.instructor import nbgrader

    return getattr(nbgrader, args.action)(args)
