"""`tito examples available`: which historical examples (the milestones) your framework can run now.

For each milestone: achieved (with the measured result), ready to run, or locked — and then
which modules are missing and the command that builds the first of them. The same facts as
`tito status` and `tito milestone list` (tito.lib.journey), told as a to-do list.
"""

from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument("action", nargs="?", default="available", choices=["available"],
                        help="available (the default): what your framework can run now, and what is missing")


def run(args) -> int:
    from tito.lib.console import info, plain, warning
    from tito.lib.journey import Journey
    from tito.lib.milestones import result_text
    from tito.lib.project import find_project

    journey = Journey.load(find_project())
    if journey.progress.warning:
        warning(journey.progress.warning)
    milestones = journey.curriculum.milestones
    runnable = [ms for ms in milestones if journey.milestone_state(ms) != "locked"]
    locked = [ms for ms in milestones if journey.milestone_state(ms) == "locked"]

    info(f"[bold]Historical examples your framework can run now: {len(runnable)} of {len(milestones)}[/]")
    if not runnable:
        plain("  none yet")
    for ms in runnable:
        state = journey.milestone_state(ms)
        told = f"achieved, {result_text(journey.milestone_result(ms))}" if state == "achieved" else "ready"
        plain(f"  {'✓' if state == 'achieved' else '▶'} {ms.number:02d} {ms.name} — {ms.title} ({ms.year}): {told}\n"
              f"      tito milestone run {ms.name}   (--quick: seconds)")
    if locked:
        info("\n[bold]Not yet — what each one is missing[/]")
    for ms in locked:
        missing = journey.missing_for(ms)
        plain(f"  · {ms.number:02d} {ms.name} — {ms.title} ({ms.year}): complete {', '.join(m.id for m in missing)}\n"
              f"      next: {journey.step_for(missing[0])}")
    info("\nQuick capability demos: tito demo · everything at once: tito status")
    return 0
