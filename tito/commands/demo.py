"""`tito demo [N|name|all]` and `tito demo --matrix`: quick, offline demos of what your framework can do.

Without an argument, the list, locked or available; `--matrix` (or `matrix`) shows capability × module.
Each demo runs in its own process on this project's (in a workspace, the learner's) tinytorch.
"""

from __future__ import annotations

from tito.lib import demos as demo_lib
from tito.lib.console import console, error, info, plain, table
from tito.lib.errors import UserError
from tito.lib.journey import Journey, numbers_text
from tito.lib.project import find_project


def add_arguments(parser) -> None:
    parser.add_argument("demo", nargs="?", default=None,
                        help="a demo: 3, 03, 03_xor or xor; `all` runs every available one; "
                             "`matrix` shows what each capability needs (default: list the demos)")
    parser.add_argument("--matrix", action="store_true",
                        help="capability × module: what every module, demo and milestone builds on")


def run(args) -> int:
    journey = Journey.load(find_project(), warn=True)
    demos = demo_lib.discover(journey.project)
    if args.matrix or (args.demo or "").lower() == "matrix":
        return _matrix(journey, demos)
    if args.demo is None:
        return _list(journey, demos)
    if args.demo.lower() == "all":
        return _run_all(journey, demos)
    return _run_one(journey, demo_lib.find(demos, args.demo))


def _list(journey, demos) -> int:
    if not demos:
        raise UserError(f"There is no demos/ folder in {journey.project.root}.",
                        hint="Demos come with the source project; a workspace made before they existed "
                             "can copy the source checkout's demos/ folder.")
    rows = []
    for d in demos:
        missing = journey.missing_for(d)
        name, _, shows = d.title.partition(":")
        state = f"locked: needs {numbers_text(missing)}" if missing else "available"
        rows.append([str(d.number), name, shows.strip(), numbers_text(journey.needs(d)), state])
    available = sum(row[-1] == "available" for row in rows)
    table(f"Demos — {available}/{len(demos)} available", ["#", "demo", "what it shows", "modules", "state"], rows)
    info("Run one: tito demo 1 (or its name) · all available: tito demo all · "
         "what each needs: tito demo --matrix")
    return 0


def _run_one(journey, demo) -> int:
    journey.require(demo, f"Demo {demo.number} ({demo.title.split(':')[0]})")
    info(f"\n[bold]▶ Demo {demo.number}[/] — {demo.title}")
    code = demo_lib.run_demo(journey.project, demo)
    if code == demo_lib.PASSED:
        return 0
    if code == demo_lib.CANNOT_RUN:
        error(f"Demo {demo.number} could not run: your package lacks a piece it needs (see above).")
    else:
        error(f"Demo {demo.number} ran, but its result is not what it promises (see above).",
              hint=f"Check the modules it uses: tito module test NN; the demo is {journey.project.relative(demo.path)}")
    return 1


def _run_all(journey, demos) -> int:
    ready = [d for d in demos if journey.demo_state(d) == "available"]
    if not ready:
        error("No demo is available yet.", hint=f"Next: {journey.next_step()}")
        return 1
    failed = [d.number for d in ready if _run_one(journey, d) != 0]
    locked = [d for d in demos if d not in ready]
    info(f"\n[bold]{len(ready) - len(failed)}/{len(ready)} available demos ran as promised[/]"
         + (f"; failed: {', '.join(map(str, failed))}" if failed else ""))
    if locked:
        plain("Still locked: " + "; ".join(f"{d.number} (needs {', '.join(m.id for m in journey.missing_for(d))})"
                                          for d in locked))
    return 1 if failed else 0


def _matrix(journey, demos) -> int:
    from rich.markup import escape
    from rich.table import Table

    modules = journey.curriculum.modules
    grid = Table(title="Capability × module — ● provides it or is named by it, ○ needed beneath it",
                 title_justify="left")
    grid.add_column("capability")
    for m in modules:
        grid.add_column(f"{m.number:02d}", justify="center")
    grid.add_column("state")
    section = None
    for row in demo_lib.capability_matrix(journey, demos):
        if section is not None and row.section != section:
            grid.add_section()
        section = row.section
        grid.add_row(escape(row.label), *(row.marks.get(m.id, "") for m in modules), escape(row.state))
    console().print(grid)
    plain("Rows: each module's capability (module.yaml: capability, depends_on), each demo (NEEDS in "
          "demos/NN_name.py), each milestone (the module.yaml that unlocks it, and every module before it).")
    return 0
