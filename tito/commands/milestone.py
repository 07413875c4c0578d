"""`tito milestone list|info|run`."""

from __future__ import annotations

from tito.lib.console import error, info, success, table
from tito.lib.journey import Journey
from tito.lib.milestones import run_milestone
from tito.lib.project import find_project


def run(args) -> int:
    journey = Journey.load(find_project())
    if journey.progress.warning:
        from tito.lib.console import warning

        warning(journey.progress.warning)
    return {"list": _list, "info": _info, "run": _run}[args.action](journey, args)


def result_text(results: dict | None) -> str:
    if not results:
        return "—"
    mode = " (quick)" if results.get("quick") else ""
    return f"{results['metric']} = {results['value']:.4f}{mode}"


def _list(journey: Journey, args) -> int:
    rows = []
    for ms in journey.curriculum.milestones:
        unlocker = journey.curriculum.unlocking_module(ms)
        rows.append([ms.id, str(ms.year), ms.title, f"after {unlocker.id}",
                     journey.milestone_state(ms), result_text(journey.progress.milestones.get(ms.id))])
    table("Milestones", ["milestone", "year", "title", "unlocked", "state", "best result"], rows)
    return 0


def _info(journey: Journey, args) -> int:
    ms = journey.curriculum.milestone(args.milestone)
    needs = ", ".join(m.id for m in journey.curriculum.required_modules(ms))
    info(f"[bold]{ms.id}[/] — {ms.title} ({ms.year})\n"
         f"  {ms.summary}\n"
         f"  needs:      {needs}\n"
         f"  criterion:  {ms.metric} ≥ {ms.criterion}\n"
         f"  script:     {journey.project.relative(ms.script_path)}\n"
         f"  state:      {journey.milestone_state(ms)}\n"
         f"  history:    {journey.project.relative(ms.folder / 'README.md')}")
    return 0


def _run(journey: Journey, args) -> int:
    if args.milestone.lower() == "all":
        chosen = [ms for ms in journey.curriculum.milestones if journey.milestone_state(ms) != "locked"]
        if not chosen:
            error("No milestone is available yet.", "Complete modules first: tito status")
            return 1
    else:
        chosen = [journey.curriculum.milestone(args.milestone)]
    failed = 0
    for ms in chosen:
        info(f"\n[bold]▶ {ms.title} ({ms.year})[/]{' — quick mode' if args.quick else ''}")
        results = run_milestone(journey, ms, args.quick)
        if results and results.get("passed"):
            success(f"{ms.id}: {result_text(results)} ≥ {ms.criterion} — achieved")
        else:
            failed += 1
            error(f"{ms.id}: " + (f"{result_text(results)} is below {ms.criterion}" if results
                                   else "the script stopped before writing its results"))
    return 1 if failed else 0
