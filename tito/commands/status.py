"""`tito status`: modules done, capabilities, milestones, and the next step."""

from __future__ import annotations

from tito.commands.milestone import result_text
from tito.lib.console import info, plain, table, warning
from tito.lib.journey import Journey
from tito.lib.project import find_project


def run(args) -> int:
    journey = Journey.load(find_project())
    if journey.progress.warning:
        warning(journey.progress.warning)
    project = journey.project
    if project.is_workspace:
        from tito.lib.workspace import read_marker

        marker = read_marker(project)
        plain(f"Your workspace: {project.root} (TinyTorch {marker.get('source_version', '?')}, "
              f"made from {marker.get('source', '?')})")
    modules = journey.curriculum.modules
    done = sum(journey.is_complete(m) for m in modules)
    columns = ["module", "tier", "done", "score", "capability"]
    rows = [[m.id, m.tier, journey.state_mark(m), journey.score_text(m), m.capability] for m in modules]
    table(f"Modules — {done}/{len(modules)} complete", columns, rows)
    table("Milestones", ["milestone", "year", "state", "result"],
          [[ms.id, str(ms.year), journey.milestone_state(ms),
            result_text(journey.progress.milestones.get(ms.id))] for ms in journey.curriculum.milestones])
    info(f"Next: {journey.next_step()}")
    return 0
