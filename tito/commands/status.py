"""`tito status`: modules done, the capability each unlocked, milestones and demos, the next step."""

from __future__ import annotations

from pathlib import Path

from tito.lib.console import info, plain, table
from tito.lib.errors import UserError
from tito.lib.journey import Journey
from tito.lib.project import find_project


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    try:
        project = find_project()
    except UserError as no_project:
        return _course_status(no_project)  # an instructor's nbgrader course folder is not a project
    journey = Journey.load(project, warn=True)
    if project.is_workspace:
        from tito.lib.workspace import read_marker

        marker = read_marker(project)
        plain(f"Your workspace: {project.root} (TinyTorch {marker.get('source_version', '?')}, "
              f"made from {marker.get('source', '?')})")
    _modules(journey)
    _milestones(journey)
    info(f"\nNext: {journey.next_step()}")
    for ms in journey.curriculum.milestones:
        if journey.milestone_state(ms) == "available":
            plain(f"Ready to run: tito milestone run {ms.name}   ({ms.title}, {ms.year})")
    return 0


def _score(journey: Journey, module) -> str:
    record = journey.progress.completed.get(module.id, {})
    if "score" in record:
        return "{:g}/{:g}".format(*record["score"])
    return "untested" if record.get("tested") is False else ""


def _modules(journey: Journey) -> None:
    """The modules table, then what the built ones let the learner do (module.yaml's `capability`)."""
    modules = journey.curriculum.modules
    done = sum(journey.is_complete(m) for m in modules)
    rows = [[m.id, m.tier, journey.state_mark(m), _score(journey, m),
             ", ".join(journey.curriculum.milestone(n).id for n in m.unlocks)] for m in modules]
    table(f"Modules — {done}/{len(modules)} complete", ["module", "tier", "done", "score", "unlocks"], rows)
    built = [m for m in modules if journey.is_built(m)]
    if len(built) > done:  # only in the source project: exported counts as built there
        plain(f"{len(built)}/{len(modules)} built — ref: exported in this source project (the reference package), "
              "not completed with tito; milestones and demos can use it")
    info("\n[bold]Capabilities unlocked[/]" + ("" if built else ": none yet"))
    for m in built:
        plain(f"  ✓ {m.id}: {m.capability}")
    upcoming = [m for m in modules if m not in built]
    if upcoming:
        plain(f"  next, with {upcoming[0].id}: {upcoming[0].capability}")


def _milestones(journey: Journey) -> None:
    """The milestones table, then how many demos are available."""
    from tito.lib.demos import discover
    from tito.lib.milestones import best_result, state_text

    milestones = journey.curriculum.milestones
    achieved = sum(journey.milestone_state(ms) == "achieved" for ms in milestones)
    rows = [[f"{ms.id} ({ms.name})", str(ms.year), state_text(journey, ms), best_result(journey, ms)]
            for ms in milestones]
    table(f"Milestones — {achieved}/{len(milestones)} achieved", ["milestone", "year", "state", "best result"], rows)
    demos = discover(journey.project)
    ready = [str(d.number) for d in demos if journey.demo_state(d) == "available"]
    if demos:
        plain(f"Demos: {len(ready)}/{len(demos)} available" + (f" ({', '.join(ready)})" if ready else "")
              + " — tito demo")


def _course_status(no_project: UserError) -> int:
    """Inside a course made by `tito nbgrader init`: the active tier; elsewhere, the usual error."""
    from tito.instructor.course import active_tier_description

    try:
        tier = active_tier_description(Path.cwd())
    except UserError:
        raise no_project from None
    plain(f"TinyTorch course — active tier {tier}")
    info("Next: tito nbgrader status (assignments), or tito nbgrader generate --all")
    return 0
