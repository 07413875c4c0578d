"""`tito dev docs` (or `tito docs`): rewrite the README's journey table from the module manifests."""

from __future__ import annotations

from tito.lib.console import success
from tito.lib.manifest import Curriculum
from tito.lib.project import find_project


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    from tito.lib.atomic import atomic_write_text
    from tito.lib.docs import with_journey_table

    project = find_project()
    readme = project.root / "README.md"
    atomic_write_text(readme, with_journey_table(readme.read_text(encoding="utf-8"), Curriculum(project)))
    success("README.md journey table rewritten from modules/*/module.yaml")
    return 0
