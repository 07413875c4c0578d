"""`tito test [unit|integration|system|validation|properties|oracle|all]`."""

from __future__ import annotations

from tito.lib.project import find_project
from tito.lib.testing import run_pytest, suite_targets


def run(args) -> int:
    project = find_project()
    targets = [] if args.suite == "all" else suite_targets(project, args.suite)
    return run_pytest(project, targets, "-q", capture=False).returncode
