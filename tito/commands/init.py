"""`tito init DIR`: a learner workspace — the modules with solutions stripped, an empty package —
installed as this environment's `tinytorch`, so every Python process imports the learner's code."""

from __future__ import annotations

from pathlib import Path

from tito.lib.console import info, plain, success, warning
from tito.lib.manifest import Curriculum


def add_arguments(parser) -> None:
    parser.add_argument("dir", help="the new workspace folder (must not exist, or be empty)")
    parser.add_argument("--source", help="the TinyTorch checkout to copy from (default: the one around "
                                         "the current folder, else the one tito is installed from)")
    parser.add_argument("--no-install", action="store_true",
                        help="do not install the workspace's tinytorch into this Python (pip install -e DIR); "
                             "tito still uses it, other Python processes will not find it")


def run(args) -> int:
    from tito.lib import framework_dist
    from tito.lib.workspace import init_workspace, source_project

    source = source_project(Path(args.source) if args.source else None)
    workspace = init_workspace(source, Path(args.dir))
    modules = Curriculum(workspace).modules
    success(f"Your TinyTorch workspace is ready: {workspace.root}")
    plain(f"  {len(modules)} modules to write ({modules[0].id} … {modules[-1].id}), each as a .py and a notebook;\n"
          f"  an empty tinytorch/ package that grows as you complete them; made from {source.root}.")
    command = f"python -m pip install --no-deps -e {workspace.root}"
    out = None if args.no_install else framework_dist.install_editable(workspace.root)
    if out is None:
        plain(f"  Not installed (--no-install): tito uses it; for Python itself, run `{command}`.")
    elif out.returncode == 0:
        success("Installed as this Python's tinytorch (editable): `import tinytorch` means YOUR package — "
                "in a shell, a script, a notebook kernel.")
    else:
        last = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["no output"]
        warning(f"The workspace is made, but pip could not install it ({last[0]}). tito works without it; "
                "scripts and notebook kernels need it.", hint=f"Run: {command}")
    info("\nNext:")
    plain(f"  cd {workspace.root}\n"
          f"  tito module start {modules[0].number:02d}")
    return 0
