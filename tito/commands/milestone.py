"""`tito milestone list|info|run`: milestones by number (`01`, `1`), name (`perceptron`) or folder."""

from __future__ import annotations

from tito.lib.console import error, info, plain, success, table
from tito.lib.journey import Journey
from tito.lib.milestones import (missing_modules_error, recorded_reference_result, result_text, run_milestone,
                                 state_text)
from tito.lib.project import find_project


def run(args) -> int:
    journey = Journey.load(find_project())
    if journey.progress.warning:
        from tito.lib.console import warning

        warning(journey.progress.warning)
    return {"list": _list, "info": _info, "run": _run}[args.action](journey, args)


def _list(journey: Journey, args) -> int:
    rows = []
    for ms in journey.curriculum.milestones:
        unlocker = journey.curriculum.unlocking_module(ms)
        rows.append([f"{ms.id} ({ms.name})", str(ms.year), ms.title, f"after {unlocker.id}",
                     state_text(journey, ms), result_text(journey.milestone_result(ms))])
    table("Milestones", ["milestone", "year", "title", "unlocked", "state", "best result"], rows)
    info("Run one by number or name: tito milestone run 1   (or: perceptron, 01_perceptron_1957; "
         "`all` runs every available one; --quick takes seconds)")
    return 0


def _info(journey: Journey, args) -> int:
    ms = journey.curriculum.milestone(args.milestone)
    project = journey.project
    needs = ", ".join(m.id for m in journey.curriculum.required_modules(ms))
    info(f"[bold]{ms.id}[/] — {ms.title} ({ms.year})")
    plain(f"  {ms.summary}\n"
          f"  run it:     tito milestone run {ms.name}   (or {ms.number}, {ms.id}; --quick for a seconds-long run)\n"
          f"  needs:      {needs}\n"
          f"  criterion:  {ms.metric} ≥ {ms.criterion:g} on held-out data\n"
          f"  script:     {project.relative(ms.script_path)}\n"
          f"  state:      {journey.milestone_state(ms)}\n"
          f"  your best:  {result_text(journey.milestone_result(ms))}")
    reference = recorded_reference_result(ms)
    if reference:
        took = f" in {reference['wall_time_s']:.0f} s" if isinstance(reference.get("wall_time_s"), (int, float)) else ""
        plain(f"  reference:  {result_text(reference)}{took} "
              f"({project.relative(ms.folder / 'results' / 'results.json')})")
    plain(f"  history:    {project.relative(ms.folder / 'README.md')}")
    missing = journey.missing_for(ms)
    if missing:
        plain(f"  missing:    {', '.join(m.id for m in missing)} — next: {journey.step_for(missing[0])}")
    return 0


def _run(journey: Journey, args) -> int:
    if args.milestone.lower() == "all":
        chosen = [ms for ms in journey.curriculum.milestones if journey.milestone_state(ms) != "locked"]
        if not chosen:
            error("No milestone is available yet.", "Complete modules first: tito status")
            return 1
    else:
        chosen = [journey.curriculum.milestone(args.milestone)]
    for ms in chosen:  # refuse before running anything
        missing = journey.missing_for(ms)
        if missing:
            raise missing_modules_error(journey, ms.title, missing)
    failed = 0
    for ms in chosen:
        info(f"\n[bold]▶ {ms.title} ({ms.year})[/]{' — quick mode' if args.quick else ''}")
        results = run_milestone(journey, ms, args.quick)
        if results and results.get("passed"):
            success(f"{ms.id}: {result_text(results)} — achieved")
        else:
            failed += 1
            error(f"{ms.id}: " + (f"{result_text(results)} — not achieved" if results
                                   else "the script stopped before writing its results"))
    return 1 if failed else 0
