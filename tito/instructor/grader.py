"""The real nbgrader, driven through its Python API (`NbGraderAPI`, as nbgrader's formgrader uses it) on a
course folder, with the settings of the course's `nbgrader_config.py`. nbgrader is imported only here."""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path

from ..lib.atomic import atomic_write_text
from ..lib.errors import UserError
from ..lib.manifest import ModuleSpec

INSTALL = 'python -m pip install -e ".[instructor]" in a TinyTorch checkout, or python -m pip install "nbgrader>=0.9"'


def require_nbgrader() -> None:
    """Refuse, in one line, when nbgrader is missing (found without importing it: that takes seconds)."""
    import importlib.util

    if importlib.util.find_spec("nbgrader") is None:
        raise UserError(f"`tito nbgrader` needs nbgrader, which is not installed: {INSTALL}")


@contextlib.contextmanager
def _quiet():
    """nbgrader's gradebook code emits SQLAlchemy warnings that mean nothing to an instructor."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def create_gradebook(path: Path, course_id: str) -> None:
    """An empty nbgrader gradebook (sqlite) with nbgrader's own schema (nbgrader is known to be installed)."""
    from nbgrader.api import Gradebook

    with _quiet(), Gradebook(f"sqlite:///{Path(path).resolve()}", course_id=course_id):
        pass


class Grader:
    """nbgrader on one course: generate, autograde, feedback, and the gradebook's scores."""

    def __init__(self, course):  # a tito.instructor.course.Course
        require_nbgrader()
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader

        self.course = course
        config_file = course.root / "nbgrader_config.py"
        if not config_file.is_file():
            raise UserError(f"{config_file} is missing.", hint="Recreate the course: tito nbgrader init NEWDIR")
        config = PyFileConfigLoader(config_file.name, path=str(course.root)).load_config()
        config.CourseDirectory.root = str(course.root)  # wherever tito was started from
        config.CourseDirectory.db_url = f"sqlite:///{course.root / 'gradebook.db'}"
        self.api = NbGraderAPI(CourseDirectory(config=config), config=config)

    def _call(self, what: str, spec: ModuleSpec, student: str | None = None, **options) -> None:
        """The NbGraderAPI method `what` on one assignment (and student); its log is kept in DIR/.tito/logs/."""
        from unittest import mock

        # Notebook kernels import the course's TinyTorch (earlier modules are the reference).
        path = os.pathsep.join(filter(None, [str(self.course.source.root), os.environ.get("PYTHONPATH")]))
        with mock.patch.dict(os.environ, PYTHONPATH=path), _quiet():
            result = getattr(self.api, what)(*((spec.id, student) if student else (spec.id,)), **options)
        name = f"{what}-{spec.id}" + (f"-{student}" if student else "")
        log = self.course.root / ".tito" / "logs" / f"{name}.log"
        text, error = result.get("log") or "", result.get("error") or ""
        atomic_write_text(log, text + "\n" + error)
        if not result.get("success"):
            lines = [line.strip() for line in (error or text).splitlines() if line.strip()]
            last = lines[-1] if lines else "no message"
            who = f" for {student}" if student else ""
            raise UserError(f"nbgrader {what} of {spec.id}{who} failed: {last}",
                            hint=f"The full log: {self.course.state.relative(log)}")

    def generate(self, spec: ModuleSpec) -> float:
        """`nbgrader generate_assignment`: source/ → release/ (solutions and hidden tests removed);
        returns the assignment's points as the gradebook records them."""
        self._call("generate_assignment", spec, force=True, create=True)
        points = self.scores()[0].get(spec.id, 0.0)
        if points <= 0:
            raise UserError(f"{spec.id} has no graded points in nbgrader's gradebook.",
                            hint="Graded test cells need nbgrader metadata with \"grade\": true and \"points\".")
        return points

    def autograde(self, spec: ModuleSpec, student: str) -> tuple[float, float]:
        """`nbgrader autograde`: run the submission with the instructor's test cells restored;
        returns (its score, the assignment's points)."""
        self._call("autograde", spec, student, force=True, create=True)
        max_scores, scores = self.scores()
        return scores.get(student, {}).get(spec.id, 0.0), max_scores.get(spec.id, 0.0)

    def feedback(self, spec: ModuleSpec, student: str) -> None:
        """`nbgrader generate_feedback`: an HTML page per notebook in feedback/STUDENT/NN_name/."""
        self._call("generate_feedback", spec, student, force=True)

    def scores(self) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
        """({assignment → max score}, {student id → {assignment → score}}) for every assignment and autograded
        submission in the gradebook."""
        max_scores: dict[str, float] = {}
        scores: dict[str, dict[str, float]] = {}
        with _quiet(), self.api.gradebook as gradebook:
            for assignment in gradebook.assignments:
                max_scores[assignment.name] = float(assignment.max_score)
                for submission in assignment.submissions:
                    scores.setdefault(submission.student.id, {})[assignment.name] = float(submission.score)
        return max_scores, scores
