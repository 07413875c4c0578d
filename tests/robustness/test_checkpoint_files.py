"""Checkpoint files in a hostile world: read-only files, bad folders, killed saves, wrong files.

Before: a read-only checkpoint was silently replaced (os.replace needs only a writable folder);
an unwritable folder or a full disk raised a raw PermissionError / OSError; every save killed
midway left a random `.run.npz.XXXX.tmp` for ever (15 kills left 12 files, 1.7 GB); loading a
text file said "This file contains pickled (object) data ... use allow_pickle= or pickle.load()".
Now each is a CheckpointError naming the file or folder, and temporary files are named after
their target and their process (`.run.npz.tmp-<pid>-…`): the next save to that target deletes
those whose process is gone, and load_checkpoint warns about them.
"""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tinytorch.core.layers import Linear
from tinytorch.core.tensor import manual_seed
from tinytorch.core.training import CheckpointError, load_checkpoint, save_checkpoint

pytestmark = pytest.mark.needs("training")
ROOT = Path(__file__).resolve().parents[2]


def model(seed=0):
    manual_seed(seed)
    return Linear(3, 2)


def test_a_read_only_checkpoint_is_not_replaced(tmp_path):
    path = tmp_path / "keep.npz"
    save_checkpoint(path, model(0))
    before = path.read_bytes()
    path.chmod(0o444)
    with pytest.raises(CheckpointError, match="read-only") as err:
        save_checkpoint(path, model(1))
    assert str(path) in str(err.value)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["keep.npz"]


def test_a_missing_folder_or_a_file_in_its_place_is_named(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist") as err:
        save_checkpoint(tmp_path / "nowhere" / "run.npz", model())
    assert str(tmp_path / "nowhere") in str(err.value)
    (tmp_path / "notes").write_text("a file, not a folder")
    with pytest.raises(CheckpointError, match="is a file, not a folder"):
        save_checkpoint(tmp_path / "notes" / "run.npz", model())


def test_a_folder_that_refuses_new_files_is_a_checkpoint_error_even_for_root(tmp_path, monkeypatch):
    """An unwritable folder, as the OS reports it (chmod does not stop root, who runs CI)."""
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(CheckpointError, match="Permission denied") as err:
        save_checkpoint(tmp_path / "run.npz", model())
    assert f"folder '{tmp_path}'" in str(err.value)


def test_a_full_disk_is_a_checkpoint_error_and_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "run.npz"
    save_checkpoint(path, model(0))
    before = path.read_bytes()

    def full(f, *args, **kwargs):
        f.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", full)
    with pytest.raises(CheckpointError, match="No space left on device") as err:
        save_checkpoint(path, model(1))
    assert str(path) in str(err.value) and "unchanged" in str(err.value)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["run.npz"]


KILLED_SAVE = textwrap.dedent("""
    import os, sys, time
    from tinytorch.core.layers import Linear
    from tinytorch.core.training import save_checkpoint

    def stuck(*args):                      # the file is written; the process dies before the rename
        print("written", flush=True)
        time.sleep(60)

    os.replace = stuck
    save_checkpoint(sys.argv[1], Linear(300, 300))
""")


def killed_save(path: Path) -> int:
    """Start a save to `path`, kill -9 it once its temporary file is written; return its pid."""
    child = subprocess.Popen([sys.executable, "-c", KILLED_SAVE, str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                             text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert child.stdout.readline().strip() == "written"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    return child.pid


@pytest.mark.skipif(os.name != "posix", reason="kill -9 and process ids, as on Linux and macOS")
def test_temporary_files_of_killed_saves_are_reported_then_deleted_by_the_next_save(tmp_path):
    path = tmp_path / "run.npz"
    save_checkpoint(path, model(0))
    first = killed_save(path)
    (leftover,) = [f for f in os.listdir(tmp_path) if f != "run.npz"]
    assert leftover.startswith(f".run.npz.tmp-{first}-")             # named after its target and process
    second = killed_save(path)                                          # its save deleted the first's file
    (leftover,) = [f for f in os.listdir(tmp_path) if f != "run.npz"]
    assert leftover.startswith(f".run.npz.tmp-{second}-")

    # Not ours to delete: another target's leftover, a name without a pid, a live writer's file.
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        others = [f".other.npz.tmp-{first}-x", ".run.npz.tmp-notapid", f".run.npz.tmp-{sleeper.pid}-x"]
        for name in others:
            (tmp_path / name).write_bytes(b"")

        # Loading reports them, and loads the last complete save.
        loaded = model(5)
        with pytest.warns(UserWarning, match="1 temporary file") as caught:
            load_checkpoint(path, loaded)
        assert "interrupted" in str(caught[0].message) and "MB" in str(caught[0].message)
        np.testing.assert_array_equal(loaded.weight.data, model(0).weight.data)

        # The next save deletes exactly the leftovers of dead saves to this target.
        save_checkpoint(path, model(1))
        assert sorted(os.listdir(tmp_path)) == sorted(["run.npz", *others])
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.parametrize("content, says", [
    (b"not a checkpoint\n", "starts with b'not a ch'"),
    (b"", "it is empty"),
    (b"\x93NUMPY\x01\x00", "single NumPy array (.npy)"),
])
def test_a_file_that_is_not_a_zip_is_named_as_not_a_checkpoint_without_pickle_advice(tmp_path, content, says):
    path = tmp_path / "notes.npz"
    path.write_bytes(content)
    with pytest.raises(CheckpointError) as err:
        load_checkpoint(path, model())
    message = str(err.value)
    assert str(path) in message and "not a TinyTorch checkpoint" in message and says in message
    assert "pickle" not in message


def test_an_npz_that_save_checkpoint_did_not_write_is_named_as_such(tmp_path):
    path = tmp_path / "arrays.npz"
    np.savez(path, w=np.ones(3))
    with pytest.raises(CheckpointError, match="without meta.json") as err:
        load_checkpoint(path, model())
    assert str(path) in str(err.value) and "pickle" not in str(err.value)


def test_a_real_npy_file_is_named_too(tmp_path):
    path = tmp_path / "weights.npy"
    np.save(path, np.ones(3))
    with pytest.raises(CheckpointError, match=r"single NumPy array \(\.npy\)"):
        load_checkpoint(path, model())
