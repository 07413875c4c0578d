"""`tito milestone list|info|run|available`: milestones by number (`01`, `1`), name (`perceptron`) or folder.

`available` (also spelled `tito examples available`) tells the facts of `tito status` and `list`
(tito.lib.journey) as a to-do list: what your framework can run now, and what is missing.
"""

from __future__ import annotations

from tito.lib.console import error, info, plain, success, table
from tito.lib.journey import Journey, numbers_text
from tito.lib.milestones import best_result, data_text, result_text, short_result, state_text
from tito.lib.project import find_project


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("list", help="all milestones, locked, available or achieved")
    sub.add_parser("info", help="history, requirements and criterion").add_argument("milestone")
    run = sub.add_parser("run", help="run a milestone (`all` runs every available one)")
    run.add_argument("milestone", help="01, perceptron, 01_perceptron_1957 … or all")
    run.add_argument("--quick", action="store_true", help="small, fast run (as in the test suite)")
    sub.add_parser("available", help="what your framework can run now, and what the others are missing")


def run(args) -> int:
    journey = Journey.load(find_project(), warn=True)
    return {"list": _list, "info": _info, "run": _run, "available": _available}[args.action](journey, args)


def _unlocker(journey: Journey, planned) -> str:
    """The module that will unlock a planned milestone; `(not written yet)` when there is none yet either."""
    return planned.unlocked_by + ("" if journey.curriculum.has_module(planned.unlocked_by) else " (not written yet)")


def _list(journey: Journey, args) -> int:
    rows = [[f"{ms.id} ({ms.name})", str(ms.year), ms.title, f"after {journey.curriculum.unlocking_module(ms).id}",
             state_text(journey, ms), best_result(journey, ms)] for ms in journey.curriculum.milestones]
    rows += [[f"{p.id} ({p.name})", p.year, p.title, f"after {_unlocker(journey, p)}", "not built yet", "—"]
             for p in journey.curriculum.planned_milestones]
    table("Milestones", ["milestone", "year", "title", "unlocked", "state", "best result"], rows)
    info("Run one by number or name: tito milestone run 1   (or: perceptron, 01_perceptron_1957; "
         "`all` runs every available one; --quick takes seconds)")
    return 0


def _info(journey: Journey, args) -> int:
    from tito.lib.milestones import recorded_reference_result

    ms = journey.curriculum.milestone(args.milestone)
    relative = journey.project.relative
    info(f"[bold]{ms.id}[/] — {ms.title} ({ms.year})")
    plain(f"  {ms.summary}\n"
          f"  run it:     tito milestone run {ms.name}   (or {ms.number}, {ms.id}; --quick for a seconds-long run)\n"
          f"  needs:      {', '.join(m.id for m in journey.needs(ms))}\n"
          f"  criterion:  {ms.metric} {ms.relation} {ms.criterion:g} on held-out data\n"
          f"  script:     {relative(ms.script_path)}\n"
          f"  state:      {journey.milestone_state(ms)}\n"
          f"  your best:  {best_result(journey, ms)}")
    reference = recorded_reference_result(ms)
    if reference:
        took = f" in {reference['wall_time_s']:.0f} s" if isinstance(reference.get("wall_time_s"), (int, float)) else ""
        plain(f"  reference:  {result_text(reference)}{took} ({relative(ms.folder / 'results' / 'results.json')})")
    plain(f"  history:    {relative(ms.folder / 'README.md')}")
    missing = journey.missing_for(ms)
    if missing:
        plain(f"  missing:    {', '.join(m.id for m in missing)} — next: {journey.step_for(missing[0])}")
    return 0


def _run(journey: Journey, args) -> int:
    from tito.lib.datasets import data_note
    from tito.lib.milestones import run_milestone

    run_all = args.milestone.lower() == "all"
    chosen = ([ms for ms in journey.curriculum.milestones if not journey.missing_for(ms)] if run_all
              else [journey.curriculum.milestone(args.milestone)])
    for ms in chosen:  # refuse before running anything
        journey.require(ms, ms.title)
    if run_all and not chosen:
        _summary(journey, {})
        error("No milestone is available yet.", "Complete modules first: tito status")
        return 1
    plain(data_note(journey.project))
    outcomes: dict[str, dict | None] = {}
    for ms in chosen:
        info(f"\n[bold]▶ {ms.title} ({ms.year})[/]{' — quick mode' if args.quick else ''}")
        outcomes[ms.id] = results = run_milestone(journey, ms, args.quick)
        trained_on = f" — trained on {data_text(results)}" if data_text(results) != "—" else ""
        if results and results.get("passed"):
            success(f"{ms.id}: {result_text(results)} — achieved{trained_on}")
        else:
            error(f"{ms.id}: " + (f"{result_text(results)} — not achieved{trained_on}" if results
                                   else "the script stopped before writing its results"))
    if run_all:
        _summary(journey, outcomes)
    return 1 if any(not (r and r.get("passed")) for r in outcomes.values()) else 0


def _summary(journey: Journey, outcomes: dict[str, dict | None]) -> None:
    """Every milestone after `run all`: passed, failed, locked (with the next step to it) or not built yet."""
    rows, curriculum = [], journey.curriculum
    for ms in curriculum.milestones:
        unlocker, results, missing = curriculum.unlocking_module(ms).id, outcomes.get(ms.id), journey.missing_for(ms)
        if ms.id in outcomes:
            outcome = "passed" if results and results.get("passed") else "failed" if results else "did not finish"
            rows.append([ms.id, outcome, short_result(results), data_text(results), unlocker])
        else:  # `run all` ran every milestone that was not locked
            rows.append([ms.id, f"locked: needs {numbers_text(missing)}", "—", "—",
                         f"{unlocker} — next: {journey.step_for(missing[0])}"])
    rows += [[p.id, "not built yet", "—", "—", _unlocker(journey, p)] for p in curriculum.planned_milestones]
    table("Milestones", ["milestone", "outcome", "result", "trained on", "unlocked by"], rows)


def _available(journey: Journey, args) -> int:
    """For each milestone: achieved (with the measured result), ready to run, or locked — and then
    which modules are missing and the command that builds the first of them."""
    milestones = journey.curriculum.milestones
    runnable = [ms for ms in milestones if journey.milestone_state(ms) != "locked"]
    info(f"[bold]Historical examples your framework can run now: {len(runnable)} of {len(milestones)}[/]")
    if not runnable:
        plain("  none yet")
    for ms in runnable:
        achieved = journey.milestone_state(ms) == "achieved"
        plain(f"  {'✓' if achieved else '▶'} {ms.number:02d} {ms.name} — {ms.title} ({ms.year}): "
              + (f"achieved, {best_result(journey, ms)}" if achieved else "ready")
              + f"\n      tito milestone run {ms.name}   (--quick: seconds)")
    locked = [ms for ms in milestones if ms not in runnable]
    if locked:
        info("\n[bold]Not yet — what each one is missing[/]")
    for ms in locked:
        missing = journey.missing_for(ms)
        plain(f"  · {ms.number:02d} {ms.name} — {ms.title} ({ms.year}): complete "
              f"{', '.join(m.id for m in missing)}\n      next: {journey.step_for(missing[0])}")
    info("\nQuick capability demos: tito demo · everything at once: tito status")
    return 0
