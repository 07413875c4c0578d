"""A tool tito needs but cannot find gets the command that installs it, not a traceback."""

import sys

import pytest

from tito.lib.errors import UserError
from tito.lib.testing import require_pytest


def test_missing_pytest_names_the_install_command(monkeypatch):
    require_pytest()  # here it is installed: nothing to say
    monkeypatch.setitem(sys.modules, "pytest", None)  # what importlib sees when it is not installed
    with pytest.raises(UserError) as caught:
        require_pytest()
    assert "pytest is not installed" in str(caught.value)
    assert caught.value.hint == f"Install it: {sys.executable} -m pip install pytest"
