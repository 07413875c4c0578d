"""The real nbgrader, driven through its Python API on a course folder (see course.py).

nbgrader takes seconds to import, so one `tito nbgrader` command imports it once and makes every
call through one `NbGraderAPI` — the same object nbgrader's own formgrader uses. Its settings
come from the course's `nbgrader_config.py`, exactly as the `nbgrader` command would read them.
Each call's log is kept in DIR/.tito/logs/ so a failure can be read in full.
"""

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

    try:
        found = importlib.util.find_spec("nbgrader") is not None
    except (ImportError, ValueError):  # ValueError: an entry in sys.modules without a spec
        found = False
    if not found:
        raise UserError(f"`tito nbgrader` needs nbgrader, which is not installed: {INSTALL}")


def create_gradebook(path: Path, course_id: str) -> None:
    """An empty nbgrader gradebook (sqlite) with nbgrader's own schema."""
    require_nbgrader()
    from nbgrader.api import Gradebook

    with _quiet(), Gradebook(f"sqlite:///{Path(path).resolve()}", course_id=course_id):
        pass


@contextlib.contextmanager
def _quiet():
    """nbgrader's gradebook code emits SQLAlchemy warnings that mean nothing to an instructor."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


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
        self.db_url = f"sqlite:///{course.root / 'gradebook.db'}"
        config.CourseDirectory.db_url = self.db_url
        self.api = NbGraderAPI(CourseDirectory(config=config), config=config)
        self.course_id = self.api.coursedir.course_id

    @contextlib.contextmanager
    def _course_package(self):
        """Notebook kernels import the course's TinyTorch (earlier modules are the reference)."""
        before = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.course.source.root), before]))
        try:
            with _quiet():
                yield
        finally:
            if before is None:
                os.environ.pop("PYTHONPATH", None)
            else:
                os.environ["PYTHONPATH"] = before

    def _call(self, what: str, spec: ModuleSpec, student: str | None, method, *args, **kwargs) -> None:
        with self._course_package():
            result = method(*args, **kwargs)
        name = f"{what}-{spec.id}" + (f"-{student}" if student else "")
        log = self.course.root / ".tito" / "logs" / f"{name}.log"
        atomic_write_text(log, (result.get("log") or "") + "\n" + (result.get("error") or ""))
        if not result.get("success"):
            lines = [ln for ln in (result.get("error") or result.get("log") or "").splitlines() if ln.strip()]
            last = lines[-1].strip() if lines else "no message"
            who = f" for {student}" if student else ""
            raise UserError(f"nbgrader {what} of {spec.id}{who} failed: {last}",
                            hint=f"The full log: {self.course.state.relative(log)}")

    def generate(self, spec: ModuleSpec) -> float:
        """`nbgrader generate_assignment`: source/ → release/ (solutions and hidden tests removed);
        returns the assignment's points as the gradebook records them."""
        self._call("generate_assignment", spec, None, self.api.generate_assignment, spec.id, force=True, create=True)
        points = self.max_scores().get(spec.id, 0.0)
        if points <= 0:
            raise UserError(f"{spec.id} has no graded points in nbgrader's gradebook.",
                            hint="Graded test cells need nbgrader metadata with \"grade\": true and \"points\".")
        return points

    def autograde(self, spec: ModuleSpec, student: str) -> None:
        """`nbgrader autograde`: run the submission with the instructor's test cells restored."""
        self._call("autograde", spec, student, self.api.autograde, spec.id, student, force=True, create=True)

    def feedback(self, spec: ModuleSpec, student: str) -> None:
        """`nbgrader generate_feedback`: an HTML page per notebook in feedback/STUDENT/NN_name/."""
        self._call("generate_feedback", spec, student, self.api.generate_feedback, spec.id, student, force=True)

    def max_scores(self) -> dict[str, float]:
        from nbgrader.api import Gradebook

        with _quiet(), Gradebook(self.db_url, course_id=self.course_id) as gradebook:
            return {a.name: float(a.max_score) for a in gradebook.assignments}

    def scores(self) -> dict[str, dict[str, float]]:
        """student id → {assignment → score} for every autograded submission in the gradebook."""
        from nbgrader.api import Gradebook

        found: dict[str, dict[str, float]] = {}
        with _quiet(), Gradebook(self.db_url, course_id=self.course_id) as gradebook:
            for assignment in gradebook.assignments:
                for submission in assignment.submissions:
                    found.setdefault(submission.student.id, {})[assignment.name] = float(submission.score)
        return found
