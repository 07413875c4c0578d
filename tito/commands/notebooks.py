"""`tito dev notebooks` (or `tito notebooks`): generate .ipynb files from the module sources (never
committed). In a learner workspace, where a notebook may hold the learner's work, it syncs instead (sync.py).
"""

from __future__ import annotations

from tito.lib.console import success
from tito.lib.errors import read_text
from tito.lib.manifest import Curriculum
from tito.lib.project import find_project


def add_arguments(parser) -> None:
    parser.add_argument("modules", nargs="*", help="modules (default: all)")


def run(args) -> int:
    from tito.lib.notebooks import write_notebook

    project = find_project()
    curriculum = Curriculum(project)
    specs = [curriculum.module(q) for q in args.modules] if args.modules else curriculum.modules
    for spec in specs:
        if project.is_workspace and spec.notebook.exists():
            from tito.lib.complete import use_latest_edit

            use_latest_edit(project, spec, prefix=f"{spec.id}: ")
            continue
        read_text(spec.source, project.relative(spec.source))  # not UTF-8: say where, before jupytext
        path = write_notebook(spec)
        success(f"{spec.id} → {curriculum.project.relative(path)}")
    return 0
