"""`tito module list|info|test|complete`."""

from __future__ import annotations

from tito.lib import progress as progress_store
from tito.lib.console import error, info, success, table
from tito.lib.errors import UserError
from tito.lib.export import export_module
from tito.lib.journey import Journey
from tito.lib.manifest import ModuleSpec
from tito.lib.project import find_project
from tito.lib.testing import NO_TESTS_COLLECTED, run_integration_up_to, run_module_tests


def run(args) -> int:
    journey = Journey.load(find_project())
    if journey.progress.warning:
        error(journey.progress.warning)
    action = {"list": _list, "info": _info, "test": _test, "complete": _complete}[args.action]
    return action(journey, args)


def _list(journey: Journey, args) -> int:
    rows = [[m.id, m.tier, "✓" if journey.is_complete(m) else "·", m.title]
            for m in journey.curriculum.modules]
    table("TinyTorch modules", ["module", "tier", "done", "title"], rows)
    return 0


def _info(journey: Journey, args) -> int:
    m = journey.curriculum.module(args.module)
    project = journey.project
    unlocks = ", ".join(journey.curriculum.milestone(n).id for n in m.unlocks) or "—"
    info(f"[bold]{m.id}[/] — {m.title}\n"
         f"  tier:        {m.tier}\n"
         f"  needs:       {', '.join(m.depends_on) or '—'}\n"
         f"  source:      {project.relative(m.source)}\n"
         f"  exports to:  {m.exports}  ({project.relative(m.package_file(project))})\n"
         f"  provides:    {', '.join(m.provides)}\n"
         f"  capability:  {m.capability}\n"
         f"  unlocks:     {unlocks}\n"
         f"  status:      {'complete' if journey.is_complete(m) else 'not complete'}")
    return 0


def _test(journey: Journey, args) -> int:
    m = journey.curriculum.module(args.module)
    info(f"Running the unit tests of {m.id} ({journey.project.relative(m.source)}) …")
    result = run_module_tests(m, journey.project)
    if result.ok:
        success(f"{m.id}: all unit tests pass ({result.summary.splitlines()[-1].strip()})")
        return 0
    error(f"{m.id}: some unit tests fail\n{result.summary}",
          f"Fix {journey.project.relative(m.source)} and run `tito module test {m.number:02d}` again.")
    return 1


def _missing_prerequisites(journey: Journey, m: ModuleSpec) -> list[str]:
    needed = journey.curriculum.dependency_closure(m)
    return sorted(journey.curriculum.module(n).id for n in needed
                  if not journey.is_complete(journey.curriculum.module(n))
                  and not journey.curriculum.module(n).package_file(journey.project).exists())


def _complete(journey: Journey, args) -> int:
    project, m = journey.project, journey.curriculum.module(args.module)
    missing = _missing_prerequisites(journey, m)
    if missing:
        raise UserError(f"{m.id} builds on modules you have not completed: {', '.join(missing)}.",
                        hint=f"Complete them first: tito module complete {missing[0].split('_')[0]}")
    info(f"[bold]1/4[/] unit tests of {m.id}")
    target = export_module(m, project)  # runs the module's tests; refuses to export on failure
    success(f"unit tests pass; [bold]2/4[/] exported → {project.relative(target)}")
    info(f"[bold]3/4[/] integration tests for modules up to {m.id}")
    result = run_integration_up_to(m, project)
    if not result.ok and result.returncode != NO_TESTS_COLLECTED:
        error(f"Integration tests fail with your {m.id}:\n{result.summary}",
              "Your module passes its own tests but does not work with the others yet.")
        return 1
    before = {ms.id for ms in journey.curriculum.milestones if journey.milestone_state(ms) != "locked"}
    progress_store.mark_complete(project, m.id)
    success(f"[bold]4/4[/] progress saved — {m.id} complete")
    info(f"\n[bold green]Capability unlocked:[/] {m.capability}")
    after = Journey.load(project)
    for ms in after.curriculum.milestones:
        newly_open = ms.id not in before or ms.name in m.unlocks
        if newly_open and after.milestone_state(ms) != "locked":
            info(f"[bold magenta]Milestone unlocked:[/] {ms.title} ({ms.year}) — "
                 f"run it: tito milestone run {ms.name}")
    info(f"\nNext: {after.next_step()}")
    return 0
