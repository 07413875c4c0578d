"""`tito notebooks`: generate .ipynb files from the module sources (never committed)."""

from __future__ import annotations

from tito.lib.console import success
from tito.lib.manifest import Curriculum
from tito.lib.notebooks import write_notebook
from tito.lib.project import find_project


def run(args) -> int:
    curriculum = Curriculum(find_project())
    specs = [curriculum.module(q) for q in args.modules] if args.modules else curriculum.modules
    for spec in specs:
        path = write_notebook(spec)
        success(f"{spec.id} → {curriculum.project.relative(path)}")
    return 0
