"""Tables in README.md that are derived from the manifests (kept in sync by a validation test)."""

from __future__ import annotations

from .manifest import Curriculum

START, END = "<!-- journey:start (generated from module.yaml; `tito docs` rewrites it) -->", "<!-- journey:end -->"


def journey_table(curriculum: Curriculum) -> str:
    rows = ["| # | module | tier | you build (package) | capability | unlocks |", "|---|---|---|---|---|---|"]
    for m in curriculum.modules:
        unlocks = ", ".join(f"{curriculum.milestone(n).title} ({curriculum.milestone(n).year})" for n in m.unlocks)
        rows.append(f"| {m.number:02d} | {m.name} | {m.tier} | `{m.exports}` | {m.capability} | {unlocks} |")
    return "\n".join(rows)


def with_journey_table(readme: str, curriculum: Curriculum) -> str:
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{journey_table(curriculum)}\n{END}{tail}"
