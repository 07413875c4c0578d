"""The integration report of `tito package report` (docs/package.md): one JSON document and its Markdown
rendering, everything derived: manifests and imports, test files (counted, not run), tito.lib.validate,
and .tito/build.json (and whether dist/ still holds those very files).
"""

from __future__ import annotations

import ast
from pathlib import Path

from ..lib.atomic import atomic_write_json, atomic_write_text
from ..lib.errors import UserError
from ..lib.manifest import Curriculum, ModuleSpec
from ..lib.project import Project


def count_tests(path: Path) -> int:
    """Test functions in a file (top level and in Test* classes), counted without importing it."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, OSError, UnicodeDecodeError):
        return 0
    nodes = list(tree.body) + [n for c in tree.body if isinstance(c, ast.ClassDef) for n in c.body]
    return sum(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test_") for n in nodes)


def _module_entry(m: ModuleSpec, project: Project, curriculum: Curriculum, stale: set[str],
                  needed_by: dict[str, list[str]]) -> dict:
    from ..lib.report import graded_cells
    from ..lib.validate import imported_modules

    exported = m.package_file(project).is_file()
    try:
        cells = graded_cells(m.source)
        imports = sorted(imported_modules(m.source, curriculum) - {m.name})
    except (OSError, SyntaxError, UserError):  # the validation section of the report says why
        cells, imports = [], []
    return {
        "id": m.id, "number": m.number, "name": m.name, "title": m.title, "tier": m.tier,
        "exports": m.exports, "provides": list(m.provides), "depends_on": list(m.depends_on),
        "imports": imports, "exported": exported,
        "in_sync": exported and project.relative(m.package_file(project)) not in stale,
        "unit_tests": count_tests(m.source), "points": sum(c.points for c in cells),
        "integration_tests": needed_by.get(m.name, []), "unlocks": list(m.unlocks),
    }


def _build_status(project: Project) -> dict:
    """The last build and verify, and whether dist/ still holds exactly the files they were about."""
    from .distribution import read_build_record, sha256

    record = read_build_record(project)
    if not record.get("build"):
        return {"built": False, "summary": "not built (run `tito package build`)"}
    files = record["build"]["files"]
    current = all((project.root / f["path"]).is_file() and sha256(project.root / f["path"]) == f["sha256"]
                  for f in files)
    verify = record.get("verify")
    wheel = next((f for f in files if f["path"].endswith(".whl")), None)
    verified = bool(verify and verify.get("ok") and wheel and verify.get("sha256") == wheel["sha256"])
    summary = f"built {record['build']['time']}: " + ", ".join(Path(f["path"]).name for f in files)
    summary += "" if current else " (dist/ no longer holds these files: rebuild)"
    if not verify:
        summary += "; not verified (run `tito package verify`)"
    elif verified:
        summary += f"; verified {verify['time']} in a fresh venv, held-out accuracy {verify['test_accuracy']:.1%}"
    else:
        summary += "; the last verify failed or was of another wheel"
    return {"built": True, "current": current, "verified": verified, "summary": summary, **record}


def collect(project: Project) -> dict:
    """The whole report as plain data (what the JSON file holds)."""
    from tito import __version__

    from ..lib.export import out_of_sync
    from ..lib.project import SUITES
    from ..lib.testing import declared_needs
    from ..lib.validate import find_cycles, import_graph, run_checks

    curriculum = Curriculum(project)
    checks = run_checks(project)
    try:
        stale = set(out_of_sync(project))
    except UserError:  # a module that cannot be rendered: the validation section says why
        stale = {project.relative(m.package_file(project)) for m in curriculum.modules}
    needed_by: dict[str, list[str]] = {}  # module name → the integration and system test files that need it
    for path in [*sorted((project.tests_dir / "integration").rglob("test_*.py")),
                 *sorted((project.tests_dir / "system").rglob("test_*.py"))]:
        for name in declared_needs(path):
            needed_by.setdefault(name, []).append(project.relative(path))
    modules = [_module_entry(m, project, curriculum, stale, needed_by) for m in curriculum.modules]
    tests = {"unit": {"files": len(modules), "tests": sum(m["unit_tests"] for m in modules)}}
    for suite in SUITES[1:]:
        files = sorted((project.tests_dir / suite).rglob("test_*.py"))
        tests[suite] = {"files": len(files), "tests": sum(count_tests(f) for f in files)}
    graph = import_graph(project, curriculum)
    return {
        "version": __version__,
        "project": str(project.root),
        "modules": modules,
        "exports": {m["exports"]: m["provides"] for m in modules if m["exported"]},
        "tests": tests,
        "dependency_graph": {
            "declared": {m["name"]: m["depends_on"] for m in modules},
            "imports": {name: sorted(deps) for name, deps in graph.items()},
            "cycles": find_cycles(graph),
        },
        "validation": {c.name: c.problems for c in checks},
        "valid": all(c.ok for c in checks),
        "build": _build_status(project),
    }


def _table(header: list[str], rows: list[list]) -> list[str]:
    """A Markdown table."""
    return [f"| {' | '.join(header)} |", "|---" * len(header) + "|", *(f"| {' | '.join(map(str, r))} |" for r in rows)]


def render_markdown(data: dict) -> str:
    modules, graph, validation = data["modules"], data["dependency_graph"], data["validation"]
    problems = sum(len(p) for p in validation.values())
    lines = [f"# TinyTorch integration report (version {data['version']})", "",
             f"- Modules: {len(modules)}, exported: {sum(m['exported'] for m in modules)}, "
             f"public names: {sum(len(v) for v in data['exports'].values())}",
             f"- Validation: {'all checks pass' if data['valid'] else f'{problems} problem(s)'}",
             f"- Build: {data['build']['summary']}", "", "## Modules", ""]
    lines += _table(["module", "tier", "package", "names", "unit tests", "points", "exported", "depends on",
                     "imports from"],
                    [[m["id"], m["tier"], f"`{m['exports']}`", len(m["provides"]), m["unit_tests"], f"{m['points']:g}",
                      "in sync" if m["in_sync"] else ("out of sync" if m["exported"] else "no"),
                      ", ".join(m["depends_on"]) or "—", ", ".join(m["imports"]) or "—"] for m in modules])
    lines += ["", "## Exports", ""]
    lines += [f"- `{path}`: {', '.join(f'`{n}`' for n in names)}" for path, names in data["exports"].items()]
    lines += ["", "## Tests", ""]
    lines += _table(["suite", "files", "test functions (a parametrized one counts once)"],
                    [[suite, c["files"], c["tests"]] for suite, c in data["tests"].items()])
    lines += ["", "Integration and system test files per module (their `needs` marker):", ""]
    lines += [f"- {m['id']}: {len(m['integration_tests'])} file(s)" for m in modules]
    lines += ["", "## Dependency graph", "",
              "Declared in module.yaml (solid) and imported by the generated package (dotted, when not declared directly).",
              "", "```mermaid", "graph LR"]
    for name, deps in graph["declared"].items():
        lines += [f"  {dep} --> {name}" for dep in deps]
        lines += [f"  {dep} -.-> {name}" for dep in graph["imports"].get(name, []) if dep not in deps]
    lines += ["```", ""]
    if graph["cycles"]:
        lines += ["Circular imports: " + "; ".join(" → ".join(c) for c in graph["cycles"]), ""]
    lines += ["## Validation", ""]
    lines += _table(["check", "result"],
                    [[name, f"✗ {len(found)} problem(s)" if found else "✓"] for name, found in validation.items()])
    for name, found in validation.items():
        if found:
            lines += ["", f"### {name}", ""] + [f"- {p}" for p in found]
    return "\n".join(lines) + "\n"


def write_report(project: Project, markdown_path: Path | None = None) -> tuple[Path, Path, dict]:
    """Write the report as Markdown and JSON (beside it, same stem), atomically; return both paths and the data."""
    md = Path(markdown_path) if markdown_path else project.state_dir / "report.md"
    if md.suffix != ".md":
        md = md / "report.md" if md.is_dir() or not md.suffix else md.with_suffix(".md")
    data = collect(project)
    atomic_write_text(md, render_markdown(data))
    atomic_write_json(md.with_suffix(".json"), data)
    return md, md.with_suffix(".json"), data
