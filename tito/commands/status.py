"""`tito status`: modules done, capabilities, milestones, and the next step."""

from __future__ import annotations

from tito.commands.milestone import result_text
from tito.lib.console import error, info, table
from tito.lib.journey import Journey
from tito.lib.project import find_project


def run(args) -> int:
    journey = Journey.load(find_project())
    if journey.progress.warning:
        error(journey.progress.warning)
    modules = journey.curriculum.modules
    done = sum(journey.is_complete(m) for m in modules)
    table(f"Modules — {done}/{len(modules)} complete", ["module", "tier", "done", "capability"],
          [[m.id, m.tier, "✓" if journey.is_complete(m) else "·", m.capability] for m in modules])
    table("Milestones", ["milestone", "year", "state", "result"],
          [[ms.id, str(ms.year), journey.milestone_state(ms),
            result_text(journey.progress.milestones.get(ms.id))] for ms in journey.curriculum.milestones])
    info(f"Next: {journey.next_step()}")
    return 0
