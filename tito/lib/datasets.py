"""Where the course's datasets are: $TINYTORCH_DATA, else a `shared/data` folder holding MNIST or tiny
Shakespeare beside the project (or beside the source project of a workspace), else ~/.cache/tinytorch —
tests/conftest.py's choice. `tito milestone run` and `tito demo` pass it to scripts as $TINYTORCH_DATA."""

from __future__ import annotations

import os
from pathlib import Path

from .atomic import read_json
from .project import Project, subprocess_env

MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")  # tinytorch.data.loader.MNIST_FILES
SHAKESPEARE_FILE = Path("shakespeare") / "input.txt"  # tinytorch.text._tokenizer_support.shakespeare_path
DATASET_FOLDERS = ("mnist", "shakespeare")  # a shared/data folder holding either is the course's data


def data_folder(project: Project) -> tuple[Path, str]:
    """(the folder datasets are read from, why that one) — see the module docstring."""
    env = os.environ.get("TINYTORCH_DATA")
    if env:
        return Path(env).expanduser(), "from $TINYTORCH_DATA"
    source = read_json(project.workspace_file).get("source")  # the source project a workspace was made from
    roots = [project.root] + ([Path(source)] if project.is_workspace and isinstance(source, str) else [])
    for root in roots:
        shared = root.resolve().parent / "shared" / "data"
        if any((shared / dataset).is_dir() for dataset in DATASET_FOLDERS):
            return shared, f"the shared/data folder beside {root}"
    return Path.home() / ".cache" / "tinytorch", "the default; set $TINYTORCH_DATA to use another folder"


def script_env(project: Project) -> dict[str, str]:
    """The environment of a milestone script or demo: this project's tinytorch first, the data folder above."""
    return {**subprocess_env(project), "TINYTORCH_DATA": str(data_folder(project)[0])}


def has_mnist(folder: Path) -> bool:
    return all((folder / "mnist" / name).is_file() for name in MNIST_FILES)


def data_note(project: Project) -> str:
    """One line: where the milestones read data from, and which of their datasets are there."""
    folder, why = data_folder(project)
    mnist = ("real MNIST found" if has_mnist(folder) else
             f"no MNIST there: quick runs train on generated stand-in digits, full runs stop; for real MNIST put "
             f"the four MNIST .gz files in {folder / 'mnist'}")
    text = ("tiny Shakespeare found" if (folder / SHAKESPEARE_FILE).is_file() else
            f"no tiny Shakespeare: the GPT's quick run uses a built-in excerpt, its full run stops; put "
            f"char-rnn's input.txt at {folder / SHAKESPEARE_FILE}")
    return f"data: {folder} ({why}) — {mnist}; {text} (or point $TINYTORCH_DATA at a folder that has them)"
