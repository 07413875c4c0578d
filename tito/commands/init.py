"""`tito init DIR`: a learner workspace — the modules with solutions stripped, an empty package."""

from __future__ import annotations

from pathlib import Path

from tito.lib.console import info, plain, success
from tito.lib.manifest import Curriculum
from tito.lib.workspace import init_workspace, source_project


def run(args) -> int:
    source = source_project(Path(args.source) if args.source else None)
    workspace = init_workspace(source, Path(args.dir))
    modules = Curriculum(workspace).modules
    success(f"Your TinyTorch workspace is ready: {workspace.root}")
    plain(f"  {len(modules)} modules to write ({modules[0].id} … {modules[-1].id}), each as a .py and a notebook;\n"
          f"  an empty tinytorch/ package that grows as you complete them; made from {source.root}.")
    info("\nNext:")
    plain(f"  cd {workspace.root}\n"
          f"  tito module start {modules[0].number:02d}")
    return 0
