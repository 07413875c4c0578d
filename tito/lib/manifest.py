"""module.yaml and milestone.yaml: the one source of truth for numbers, names, paths and unlocks
(docs/module-format.md, docs/decisions.md)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import UserError
from .project import Project

TIERS = ("Foundation", "Architecture", "Optimization", "Capstone")
GOALS = ("max", "min")  # a milestone's metric is better when higher (the default: accuracy) or lower (a loss)

# Each key of the two manifests and the YAML type its value must have; OPTIONAL_KEYS may be left out.
MODULE_KEYS = {
    "number": int, "name": str, "title": str, "tier": str, "depends_on": list,
    "exports": str, "provides": list, "capability": str, "unlocks": list, "facades": dict,
}
MILESTONE_KEYS = {
    "number": int, "name": str, "year": int, "title": str, "script": str,
    "metric": str, "criterion": (int, float), "summary": str, "goal": str,
}
OPTIONAL_KEYS = {"facades", "goal"}


@dataclass(frozen=True)
class ModuleSpec:
    """One curriculum module, as its module.yaml describes it."""

    number: int
    name: str
    title: str
    tier: str
    depends_on: tuple[str, ...]
    exports: str
    provides: tuple[str, ...]
    capability: str
    unlocks: tuple[str, ...]
    folder: Path
    facades: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (facade, names) pairs, in module.yaml's order

    @property
    def id(self) -> str:
        return f"{self.number:02d}_{self.name}"

    @property
    def source(self) -> Path:
        return self.folder / f"{self.name}_dev.py"

    @property
    def notebook(self) -> Path:
        return self.source.with_suffix(".ipynb")

    def package_file(self, project: Project) -> Path:
        return project.root.joinpath(*self.exports.split(".")).with_suffix(".py")


@dataclass(frozen=True)
class MilestoneSpec:
    """One historical milestone, as its milestone.yaml describes it."""

    number: int
    name: str
    year: int
    title: str
    script: str
    metric: str
    criterion: float
    summary: str
    folder: Path
    goal: str = "max"

    @property
    def id(self) -> str:
        return self.folder.name

    def meets(self, value: float) -> bool:
        """Whether `value` of the metric meets the criterion, in the direction of `goal`."""
        return value <= self.criterion if self.goal == "min" else value >= self.criterion

    @property
    def relation(self) -> str:
        """How the criterion reads: `≥` (at least) or `≤` (at most)."""
        return "≤" if self.goal == "min" else "≥"

    @property
    def script_path(self) -> Path:
        return self.folder / self.script


@dataclass(frozen=True)
class PlannedMilestone:
    """A milestone the course plans but has not built yet: a row of milestones/README.md's
    "Planned" table (the one place that lists them)."""

    number: int
    name: str
    year: str
    title: str
    unlocked_by: str  # the module id, e.g. 14_kv_caching

    @property
    def id(self) -> str:
        return f"{self.number:02d}_{self.name}"


PLANNED_HEADER = "| # | name | year | title | unlocked by |"


def read_planned(readme: Path) -> list[PlannedMilestone]:
    """The rows of the table under PLANNED_HEADER in `readme` (none if it has no such table)."""
    try:
        lines = [ln.strip() for ln in readme.read_text(encoding="utf-8").splitlines()]
    except (OSError, UnicodeDecodeError):
        return []
    planned = []
    for line in lines[lines.index(PLANNED_HEADER) + 2:] if PLANNED_HEADER in lines else []:
        if not line.startswith("|"):
            break
        cells = [c.strip().strip("`") for c in line.strip("|").split("|")]
        if len(cells) == 5 and cells[0].isdigit():
            planned.append(PlannedMilestone(int(cells[0]), *cells[1:]))
    return planned


def spellings(item: ModuleSpec | MilestoneSpec | PlannedMilestone) -> tuple[str, ...]:
    """What a user may type for it: `01_tensor`, `tensor`, `1` or `01`."""
    return item.id, item.name, str(item.number), f"{item.number:02d}"


def did_you_mean(query: str, names: list[str]) -> str:
    """` — did you mean tensor?` for a typo close to one of `names`; `.` otherwise."""
    close = difflib.get_close_matches(query, names, n=1, cutoff=0.6)
    return f" — did you mean {close[0]}?" if close else "."


def _read_yaml(path: Path, schema: dict) -> dict:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise UserError(f"{path}: not valid YAML ({e}).") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of keys, got {type(data).__name__}.")
    missing = [k for k in schema if k not in data and k not in OPTIONAL_KEYS]
    unknown = [k for k in data if k not in schema]
    if missing or unknown:
        raise UserError(f"{path}: missing keys {missing}, unknown keys {unknown}.")
    for key, value in data.items():
        if not isinstance(value, schema[key]) or isinstance(value, bool):
            raise UserError(f"{path}: '{key}' should be {schema[key]}, got {value!r}.")
    return data


def load_module(folder: Path) -> ModuleSpec:
    path = folder / "module.yaml"
    data = _read_yaml(path, MODULE_KEYS)
    facades = data.pop("facades", {})
    if not all(isinstance(names, list) for names in facades.values()):
        raise UserError(f"{path}: 'facades' should map each facade to a list of names, got {facades!r}.")
    spec = ModuleSpec(folder=folder, facades=tuple((facade, tuple(names)) for facade, names in facades.items()),
                      **{key: tuple(v) if isinstance(v, list) else v for key, v in data.items()})
    if folder.name != spec.id:
        raise UserError(f"{path}: folder is {folder.name} but number/name say {spec.id}.")
    if spec.tier not in TIERS:
        raise UserError(f"{path}: tier {spec.tier!r} is not one of {TIERS}.")
    return spec


def load_milestone(folder: Path) -> MilestoneSpec:
    path = folder / "milestone.yaml"
    data = _read_yaml(path, MILESTONE_KEYS)
    if data.get("goal", "max") not in GOALS:
        raise UserError(f"{path}: 'goal' should be one of {GOALS}, got {data['goal']!r}.")
    return MilestoneSpec(folder=folder, **{**data, "criterion": float(data["criterion"])})


class Curriculum:
    """All modules and milestones of a project, with lookups by the names users type."""

    def __init__(self, project: Project):
        self.project = project

    @cached_property
    def modules(self) -> list[ModuleSpec]:
        folders = sorted(p.parent for p in self.project.modules_dir.glob("*/module.yaml"))
        return sorted((load_module(f) for f in folders), key=lambda m: m.number)

    @cached_property
    def milestones(self) -> list[MilestoneSpec]:
        folders = sorted(p.parent for p in self.project.milestones_dir.glob("*/milestone.yaml"))
        return sorted((load_milestone(f) for f in folders), key=lambda m: m.number)

    @cached_property
    def planned_milestones(self) -> list[PlannedMilestone]:
        """Milestones planned in milestones/README.md and not built yet (no folder of that number or name)."""
        built = {ms.number for ms in self.milestones} | {ms.name for ms in self.milestones}
        return [p for p in read_planned(self.project.milestones_dir / "README.md")
                if p.number not in built and p.name not in built]

    def module(self, query: str | int) -> ModuleSpec:
        """Find a module by `01`, `1`, `01_tensor` or `tensor`."""
        q = str(query).strip().lower()
        for m in self.modules:
            if q in spellings(m):
                return m
        valid = ", ".join(m.id for m in self.modules)
        names = [name for m in self.modules for name in (m.name, m.id, f"{m.number:02d}")]
        raise UserError(f"Unknown module {query!r}{did_you_mean(q, names)}", hint=f"Valid modules: {valid}")

    def milestone(self, query: str | int) -> MilestoneSpec:
        """Find a milestone by `01`, `1`, `01_perceptron_1957` or `perceptron`; a planned one is not built yet."""
        q = str(query).strip().lower()
        for ms in self.milestones:
            if q in spellings(ms):
                return ms
        for p in self.planned_milestones:
            if q in spellings(p):
                label = f"{p.title} ({p.year})" if p.year.isdigit() else p.title
                either = "" if self.has_module(p.unlocked_by) else " (that module is not written yet either)"
                raise UserError(f"Milestone {p.number:02d}, {label}, is not built yet: module {p.unlocked_by} "
                                f"will unlock it{either}.", hint="The milestones you can run: tito milestone list")
        valid = ", ".join(f"{ms.id} ({ms.name})" for ms in self.milestones)
        planned = ", ".join(p.name for p in self.planned_milestones)
        names = [name for ms in [*self.milestones, *self.planned_milestones] for name in (ms.name, ms.id)]
        raise UserError(f"Unknown milestone {query!r}{did_you_mean(q, names)}",
                        hint=f"Valid milestones: {valid}" + (f"; planned, not built yet: {planned}" if planned else ""))

    def has_module(self, module_id: str) -> bool:
        return any(m.id == module_id for m in self.modules)

    def unlocking_module(self, milestone: MilestoneSpec) -> ModuleSpec:
        for m in self.modules:
            if milestone.name in m.unlocks:
                return m
        raise UserError(f"No module.yaml lists milestone {milestone.name!r} under 'unlocks'.")

    def required_modules(self, milestone: MilestoneSpec) -> list[ModuleSpec]:
        """The journey is linear: a milestone needs every module up to the one that unlocks it."""
        last = self.unlocking_module(milestone).number
        return [m for m in self.modules if m.number <= last]

    def facades(self) -> dict[str, list[str]]:
        """Each facade (`tinytorch.nn`) and the names it re-exports, in module order."""
        merged: dict[str, list[str]] = {}
        for m in self.modules:
            for facade, names in m.facades:
                merged.setdefault(facade, []).extend(names)
        return dict(sorted(merged.items()))

    def dependency_closure(self, module: ModuleSpec) -> set[str]:
        """Names of every module `module` depends on, directly or not."""
        seen: set[str] = set()
        stack = list(module.depends_on)
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.add(name)
                stack.extend(self.module(name).depends_on)
        return seen
