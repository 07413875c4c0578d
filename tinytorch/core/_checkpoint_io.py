"""The checkpoint file: one .npz written atomically, read back with every damage check.

Hand-written given code of module 07 (not generated, not an exercise): the chapter explains it in
section 6 and re-exports `CheckpointError` from `tinytorch.core.training`. What a checkpoint holds
(the arrays and the metadata) and loading it all or nothing are the learner's; this file only
moves bytes safely. tests/robustness/test_checkpoint_files.py and the chapter's tests test it.
It needs only NumPy and the standard library.

The rules it implements (docs/decisions.md, "Choices inside modules 05-09"):
- no pickle: arrays are raw numbers (`np.savez`, loaded with allow_pickle=False), everything
  else is one JSON document, "meta.json";
- atomic: a temp file `.NAME.tmp-<pid>-<random>` beside the target, fsync, `os.replace`; an
  interrupted save leaves the previous checkpoint byte for byte, and the next save removes the
  temp files of processes that were killed mid-save (`read_checkpoint` warns about them);
- a file the user made read-only is never replaced; every OS failure is a CheckpointError
  naming the file or the folder;
- any damaged byte, a file that is not a checkpoint, or a newer format is a CheckpointError
  that says so — never "load it with pickle".
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import stat
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

CHECKPOINT_FORMAT = "tinytorch-checkpoint"
CHECKPOINT_VERSION = 1
META_KEYS = ("epoch", "history", "extra", "optimizer", "schedule", "rng")
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first entry; an empty zip


class CheckpointError(Exception):
    """A checkpoint could not be written or read. The message names the file and what to do."""


# ----------------------------------------------------------------------------------------------
# Paths and metadata
# ----------------------------------------------------------------------------------------------
def checkpoint_path(path: Any, action: str) -> Path:
    """`path` as a Path, with errors for a wrong type or a folder where a file should be."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{action}: the path must be a str or a Path, got {type(path).__name__}.")
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"{action}: '{path}' is a directory; give a file name such as '{path / 'run.npz'}'.")
    return path


def writable_path(path: Any) -> Path:
    """The target of a save: its folder must exist and a read-only file there is never replaced."""
    path = checkpoint_path(path, "save_checkpoint")
    if not path.parent.is_dir():
        problem = "is a file, not a folder" if path.parent.exists() else "does not exist"
        raise CheckpointError(f"Cannot save checkpoint '{path}': the folder '{path.parent}' {problem}. "
                              f"Create it first (Path('{path.parent}').mkdir(parents=True)).")
    if path.exists() and not (path.stat().st_mode & stat.S_IWUSR and os.access(path, os.W_OK)):
        raise CheckpointError(f"Cannot save checkpoint '{path}': the file is read-only, and save_checkpoint "
                              f"does not replace a file someone protected. Save under another name, or make "
                              f"it writable first (chmod u+w '{path}').")
    return path


def _json_value(value: Any) -> Any:
    """json.dumps' fallback: NumPy scalars become Python numbers; anything else is refused."""
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    raise TypeError(f"a {type(value).__name__} is not a JSON value")


def meta_json(meta: dict[str, Any], path: Path) -> np.ndarray:
    """The metadata as one JSON string in a 0-d unicode array, or a CheckpointError naming the culprit."""
    entries = [(key, value) for key, value in meta.items() if key != "extra"] + list(meta.get("extra", {}).items())
    for key, value in entries:
        try:
            json.dumps(value, default=_json_value)
        except (TypeError, ValueError) as e:
            raise CheckpointError(
                f"Cannot save checkpoint '{path}': '{key}' is not JSON-serialisable ({e}). Store numbers, "
                f"strings, lists and dicts there; arrays belong in the model's state_dict.") from None
    return np.array(json.dumps(meta, default=_json_value))


# ----------------------------------------------------------------------------------------------
# Writing: atomic, and cleaning up after killed writers
# ----------------------------------------------------------------------------------------------
def plain_file_mode(path: Path) -> int:
    """The permissions `open(path, "wb")` would give: the existing file's, or 0o666 minus the umask.

    mkstemp creates its files readable by their owner only (0o600); a checkpoint shared with a
    team, or read by a job running as another user, must keep the usual permissions.
    """
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)  # the only way to read the umask is to set it (and put it back at once)
        os.umask(umask)
        return 0o666 & ~umask


def temporary_prefix(path: Path) -> str:
    """Temporary files of a save to `path` are named `.<name>.tmp-<pid>-<random>`, beside it."""
    return f".{path.name}.tmp-"


def _writer_is_gone(pid: int) -> bool:
    """Whether process `pid` has ended (then a temporary file it left is garbage)."""
    if pid == os.getpid() or os.name != "posix":
        return False  # our own (another thread may be saving); elsewhere we cannot tell safely
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:
        return False     # it exists, under another user
    return False


def interrupted_saves(path: Path) -> list[Path]:
    """Temporary files beside `path` left by saves to it whose process was killed mid-save."""
    prefix = temporary_prefix(path)
    found = []
    for leftover in sorted(path.parent.glob(glob.escape(prefix) + "*")):
        pid = leftover.name[len(prefix):].partition("-")[0]
        if pid.isdigit() and _writer_is_gone(int(pid)):
            found.append(leftover)
    return found


def atomic_savez(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write `arrays` with np.savez to exactly `path`, atomically: a temp file, fsync, os.replace.

    Given a file name, np.savez appends ".npz"; given an open file it writes where it is told.
    On any exception (BaseException: also Ctrl-C) the temporary file is removed and the error
    re-raised; a killed process leaves it, named after `path` and the process.
    """
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{temporary_prefix(path)}{os.getpid()}-")
    except OSError as e:
        raise CheckpointError(f"Cannot save checkpoint '{path}': cannot create a file in the folder "
                              f"'{path.parent}' ({e.strerror or e}). Make the folder writable, or save "
                              f"somewhere else.") from None
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, allow_pickle=False, **arrays)
            f.flush()
            os.fsync(f.fileno())  # on the disk, not only in the OS cache, before the rename
        os.chmod(temporary, plain_file_mode(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)  # the half-written file goes; the old checkpoint was never touched
        raise


def write_checkpoint(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Remove what killed saves to `path` left, then write `arrays` atomically; OSError -> CheckpointError."""
    for leftover in interrupted_saves(path):
        with contextlib.suppress(OSError):
            leftover.unlink()
    try:
        atomic_savez(path, arrays)
    except OSError as e:  # e.g. the disk is full; the temporary file is already gone
        raise CheckpointError(f"Cannot save checkpoint '{path}': {e.strerror or e}. The previous "
                              f"checkpoint (if any) is unchanged.") from e


# ----------------------------------------------------------------------------------------------
# Reading: every way a file can be damaged or wrong
# ----------------------------------------------------------------------------------------------
def _warn_about_interrupted_saves(path: Path, stacklevel: int) -> None:
    leftovers = interrupted_saves(path)
    if leftovers:
        size = sum(f.stat().st_size for f in leftovers if f.exists())
        warnings.warn(f"'{path}': {len(leftovers)} temporary file(s) of interrupted saves lie beside it "
                      f"({size / 1e6:.1f} MB, e.g. '{leftovers[0].name}'). '{path.name}' itself is the last "
                      f"complete save. The next save_checkpoint to '{path}' deletes them.", UserWarning,
                      stacklevel=stacklevel + 1)


def _check_signature(path: Path) -> None:
    """A CheckpointError, naming the file, unless its first bytes are those of a zip (.npz).

    Given anything else (a text file, a .npy), np.load guesses a pickle and suggests loading it
    unsafely: the one advice a checkpoint loader must never give.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as e:
        raise CheckpointError(f"Cannot read checkpoint '{path}' ({e.strerror or e}).") from None
    if head[:4] in ZIP_SIGNATURES:
        return
    found = ("it is empty" if not head else "it is a single NumPy array (.npy)" if head.startswith(b"\x93NUMPY")
             else f"it starts with {head!r}, not with the bytes of a zip archive")
    raise CheckpointError(f"'{path}' is not a TinyTorch checkpoint: {found}. A checkpoint is the .npz "
                          f"file save_checkpoint writes. Check the path.")


def read_checkpoint(path: Any, stacklevel: int = 2) -> tuple[Path, dict[str, np.ndarray], dict[str, Any]]:
    """(path, arrays without "meta.json", meta) of a checkpoint file, or a CheckpointError saying why not.

    Warns (UserWarning, at the caller's `stacklevel`) about temp files of killed saves beside it.
    Corruption inside the zip shows up as zipfile.BadZipFile, ValueError, EOFError, OSError,
    KeyError, NotImplementedError (a damaged "compression method") or RuntimeError (a damaged
    "encrypted" flag): each becomes a CheckpointError.
    """
    path = checkpoint_path(path, "load_checkpoint")
    _warn_about_interrupted_saves(path, stacklevel + 1)
    if not path.exists():
        raise CheckpointError(f"No checkpoint at '{path}'. Check the path, or train first to create it.")
    damaged = (f"'{path}' is not a readable TinyTorch checkpoint: the file is truncated or corrupt ({{}}). "
               f"Restore it from a backup, or delete it and train again.")
    _check_signature(path)
    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as loaded:  # a zip: an NpzFile
            arrays = {key: loaded[key] for key in loaded.files}  # copied out before the file closes
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, KeyError, NotImplementedError, RuntimeError) as e:
        raise CheckpointError(damaged.format(e)) from None
    if "meta.json" not in arrays:
        held = ", ".join(sorted(arrays)[:3]) + (", …" if len(arrays) > 3 else "") or "nothing"
        raise CheckpointError(f"'{path}' is not a TinyTorch checkpoint: it is an .npz archive without "
                              f"meta.json (it holds {held}), so save_checkpoint did not write it. Check the path.")
    try:
        meta = json.loads(arrays.pop("meta.json").item())
    except (ValueError, TypeError) as e:
        raise CheckpointError(damaged.format(f"meta.json is not valid JSON: {e}")) from None
    if not isinstance(meta, dict) or meta.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(damaged.format("meta.json does not describe a TinyTorch checkpoint"))
    if meta.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(f"'{path}' is a version {meta.get('version')!r} checkpoint; this TinyTorch reads "
                              f"version {CHECKPOINT_VERSION}. Load it with the TinyTorch that saved it.")
    missing = sorted(set(META_KEYS) - set(meta))
    if missing:
        raise CheckpointError(damaged.format(f"meta.json lacks {', '.join(missing)}"))
    return path, arrays, meta


# ----------------------------------------------------------------------------------------------
# Checking the content against what it is loaded into
# ----------------------------------------------------------------------------------------------
def checked_model_state(arrays: dict[str, np.ndarray], model: Any, path: Path) -> dict[str, np.ndarray]:
    """The checkpoint's "model/…" arrays by key, checked against model.state_dict(): every
    missing key, unexpected key and shape mismatch (with both shapes) in one CheckpointError."""
    saved = {key[len("model/"):]: value for key, value in arrays.items() if key.startswith("model/")}
    own = model.state_dict()
    problems = []
    missing = [k for k in own if k not in saved]
    unexpected = [k for k in saved if k not in own]
    if missing:
        problems.append("missing from the checkpoint: " + ", ".join(repr(k) for k in missing))
    if unexpected:
        problems.append("in the checkpoint but not in the model: " + ", ".join(repr(k) for k in unexpected))
    problems += [f"shape mismatch for '{k}': the checkpoint has {tuple(saved[k].shape)}, "
                 f"the model has {tuple(np.shape(own[k]))}"
                 for k in own if k in saved and saved[k].shape != np.shape(own[k])]
    if problems:
        raise CheckpointError(f"'{path}' does not fit this {type(model).__name__}: " + "; ".join(problems)
                              + ". Was it saved from a different architecture? Nothing was loaded.")
    return saved


def checked_optimizer_state(arrays: dict[str, np.ndarray], meta: dict[str, Any], optimizer: Any,
                    path: Path) -> dict[str, Any]:
    """The optimizer's state_dict rebuilt from "optimizer/state/<i>/<buffer>" arrays and
    meta["optimizer"], checked against `optimizer` (type, number of parameters, buffer shapes)."""
    saved = meta.get("optimizer")
    name = type(optimizer).__name__
    if saved is None:
        raise CheckpointError(f"'{path}' holds no optimizer state (it was saved without an optimizer). "
                              f"Call load_checkpoint without optimizer= to load only the model.")
    if saved["type"] != name or saved["num_params"] != len(optimizer.params):
        raise CheckpointError(f"'{path}' holds the state of a {saved['type']} over {saved['num_params']} "
                              f"parameters, but the optimizer given is a {name} over {len(optimizer.params)}. "
                              f"Create the same optimizer the run used. Nothing was loaded.")
    state: dict[int, dict[str, np.ndarray]] = {}
    for key, value in arrays.items():
        if key.startswith("optimizer/state/"):
            index, buffer = key[len("optimizer/state/"):].split("/", 1)
            state.setdefault(int(index), {})[buffer] = value
    for index, buffers in state.items():
        shape = tuple(optimizer.params[index].shape) if index < len(optimizer.params) else None
        for buffer, value in buffers.items():
            if shape is None or (value.ndim > 0 and value.shape != shape):
                raise CheckpointError(f"'{path}': optimizer state '{buffer}' of parameter {index} has shape "
                                      f"{tuple(value.shape)}, but that parameter has shape {shape}. "
                                      f"Nothing was loaded.")
    return {"state": state, "param_groups": saved["param_groups"]}


def checked_schedule_state(meta: dict[str, Any], schedule: Any, path: Path) -> dict[str, Any]:
    """meta["schedule"]["state"], checked: saved at all, and by the same schedule type."""
    saved = meta.get("schedule")
    if saved is None:
        raise CheckpointError(f"'{path}' holds no schedule state. Call load_checkpoint without schedule=.")
    if saved["type"] != type(schedule).__name__:
        raise CheckpointError(f"'{path}' holds a {saved['type']}, but the schedule given is a "
                              f"{type(schedule).__name__}. Nothing was loaded.")
    return saved["state"]


def check_rng_state(meta: dict[str, Any], generator: np.random.Generator, path: Path) -> None:
    """A CheckpointError unless meta["rng"] is a state of `generator`'s kind of bit generator."""
    rng = meta.get("rng")
    expected = type(generator.bit_generator).__name__
    if not isinstance(rng, dict) or rng.get("bit_generator") != expected:
        raise CheckpointError(f"'{path}': the saved random-number state is not a {expected} state. "
                              f"The file is damaged; restore it from a backup.")


def snapshot(state: Any) -> Any:
    """A deep copy of a state dict's arrays, dicts and lists (a snapshot no later load can touch)."""
    if isinstance(state, dict):
        return {key: snapshot(value) for key, value in state.items()}
    if isinstance(state, list):
        return [snapshot(value) for value in state]
    return state.copy() if isinstance(state, np.ndarray) else state
