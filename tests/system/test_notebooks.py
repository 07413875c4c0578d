"""Notebooks are generated from the sources on demand, keep nbgrader metadata, never clobber edits."""

import os
import time
from pathlib import Path

import nbformat
import pytest

from tito.lib.errors import UserError
from tito.lib.manifest import Curriculum
from tito.lib.notebooks import write_notebook
from tito.lib.project import Project
from tests.testkit import copy_project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def module01(tmp_path):
    return Curriculum(Project(copy_project(ROOT, tmp_path))).module("01")


def test_generated_notebook_is_valid_and_keeps_grading_metadata(module01):
    path = write_notebook(module01)
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    graded = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded and all(c.metadata["nbgrader"]["locked"] for c in graded)
    assert notebook.metadata["jupytext"]["formats"] == "ipynb,py:percent"


def test_a_notebook_newer_than_its_source_is_not_overwritten(module01):
    path = write_notebook(module01)
    path.write_text(path.read_text().replace("Tensor", "MyEditedTensor", 1))
    later = time.time() + 5
    os.utime(path, (later, later))
    edited = path.read_text()
    with pytest.raises(UserError, match="newer than"):
        write_notebook(module01)
    assert path.read_text() == edited


def test_a_newer_notebook_that_cannot_be_read_is_not_overwritten_either(module01):
    """It may hold work tito cannot see: only the learner can decide to drop it."""
    module01.notebook.write_text("{not json")
    later = time.time() + 5
    os.utime(module01.notebook, (later, later))
    with pytest.raises(UserError, match="newer than"):
        write_notebook(module01)
    assert module01.notebook.read_text() == "{not json"
