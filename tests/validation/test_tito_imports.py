"""tito's import graph (every import, function-local ones included, relative ones resolved) has
no cycle, and no command module imports another command module (what commands share is in tito.lib)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "tito"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """tito module → the tito modules it imports (anywhere in the file)."""
    files = {module_name(p, package.parent): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                # `from pkg import module` imports the module; `from module import name`, the module
                found = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in files else stem for a in node.names]
            else:
                continue
            for target in found:
                while target and target not in files:  # `a.b.c` where only `a.b` is a file
                    target = target.rpartition(".")[0]
                if target and target != name and target.startswith("tito"):
                    targets.add(target)
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_graph_sees_function_local_and_relative_imports():
    graph = import_graph()
    assert "tito.lib.errors" in graph["tito.lib.project"]  # `from .errors import UserError`
    assert "tito.lib.errors" in graph["tito.cli"]  # inside main()


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle in tito: " + " → ".join(cycle)


def test_no_command_imports_another_command():
    graph = import_graph()
    bad = sorted(f"{a} imports {b}" for a, targets in graph.items() if a.startswith("tito.commands.")
                 for b in targets if b.startswith("tito.commands.") and b != "tito.commands")
    assert not bad, "commands share code through tito.lib, not through each other:\n" + "\n".join(bad)


def test_the_checker_finds_a_cycle(tmp_path):
    pkg = tmp_path / "tito"
    (pkg / "lib").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "lib" / "__init__.py").write_text("")
    (pkg / "lib" / "a.py").write_text("from .b import x\n")
    (pkg / "lib" / "b.py").write_text("def f():\n    from tito.lib import a\n")
    (pkg / "lib" / "c.py").write_text("from . import a\n")
    graph = import_graph(pkg)
    assert graph["tito.lib.c"] == {"tito.lib.a"}
    assert find_cycle(graph) == ["tito.lib.a", "tito.lib.b", "tito.lib.a"]
