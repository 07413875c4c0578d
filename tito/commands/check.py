"""`tito dev check` (or `tito package validate`): every check of tito.lib.validate, as a table; exit 1 on any problem."""

from __future__ import annotations

from tito.lib.console import error, success
from tito.lib.project import find_project


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    from tito.lib.validate import run_checks, show_checks

    project = find_project()
    checks = run_checks(project)
    problems = show_checks(checks)
    if problems:
        rebuild = ("`tito module complete NN` for each module named" if project.is_workspace
                   else "`tito export --all`")
        error(f"{problems} problem(s) in {sum(not c.ok for c in checks)} of {len(checks)} checks.",
              hint=f"Fix them in modules/ (or module.yaml), then {rebuild} and validate again.")
        return 1
    success(f"all {len(checks)} checks pass")
    return 0


