"""Downloads you can trust: checksums, mirrors, atomic writes, the data folder.

Hand-written given code of module 08 (not generated, not an exercise): the chapter explains it and
re-exports its public names from `tinytorch.data.loader`; tests/integration/test_downloads.py tests
it against a local HTTP server. It needs only the standard library.

The rules it implements (DESIGN.md §6):
- a file is used only after its checksum matches the registry `CHECKSUMS` (never unpickled);
- a file appears under its real name only when it is complete and verified (temp file in the
  same folder, fsync, `os.replace`), so a crash or a cut connection never leaves a broken file;
- several mirrors are tried in order, and one error lists what each answered;
- the folder is: argument -> $TINYTORCH_DATA -> ~/.cache/tinytorch.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tarfile
import urllib.request
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

# The one source of truth for what a good file is: file name -> "algorithm:hex digest".
CHECKSUMS: dict[str, str] = {
    # MNIST: the original idx files (sha256 of the published .gz files).
    "train-images-idx3-ubyte.gz": "sha256:440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "sha256:3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "sha256:8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "sha256:f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    # CIFAR-10, binary version: the archive (md5 from the authors' page) and the files inside it
    # (sha1, as pinned by MXNet's gluon CIFAR10).
    "cifar-10-binary.tar.gz": "md5:c32a1d4ab5d03f1284b67883e8d87530",
    "data_batch_1.bin": "sha1:aadd24acce27caa71bf4b10992e9e7b2d74c2540",
    "data_batch_2.bin": "sha1:c0ba65cce70568cd57b4e03e9ac8d2a5367c1795",
    "data_batch_3.bin": "sha1:1dd00a74ab1d17a6e7d73e185b69dbf31242f295",
    "data_batch_4.bin": "sha1:aab85764eb3584312d3c7f65fd2fd016e36a258e",
    "data_batch_5.bin": "sha1:26e2849e66a845b7f1e4614ae70f4889ae604628",
    "test_batch.bin": "sha1:67eb016db431130d61cd03c7ad570b013799c88c",
}

HASH_CHUNK = 1 << 20  # read and hash 1 MiB at a time: constant memory for any file size


class ChecksumError(ValueError):
    """A file whose checksum is not the published one. It is never parsed."""

    def __init__(self, name: str, expected: str, actual: str, hint: str = "") -> None:
        self.name, self.expected, self.actual = name, expected, actual
        super().__init__(f"{name} failed its checksum: expected {expected}, got {actual}. "
                         + (hint or "The file is corrupted or incomplete, so it was not used."))


def _split_checksum(expected: str) -> tuple[str, str]:
    """("sha256", "hexdigest") from "sha256:hexdigest", checking that hashlib knows the algorithm."""
    algorithm, _, digest = expected.partition(":")
    if not digest or algorithm not in hashlib.algorithms_available:
        raise ValueError(f"A checksum must look like 'sha256:<hex digest>', got {expected!r}.")
    return algorithm, digest.lower()


def file_checksum(path: str | Path, algorithm: str = "sha256") -> str:
    """The checksum of a file as "algorithm:hexdigest", reading it in HASH_CHUNK pieces."""
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK):
            hasher.update(chunk)
    return f"{algorithm}:{hasher.hexdigest()}"


def verify_checksum(path: str | Path, expected: str, hint: str = "") -> Path:
    """Return `path` if its checksum is `expected` ("algorithm:hex"); raise ChecksumError otherwise."""
    path = Path(path)
    algorithm, digest = _split_checksum(expected)
    actual = file_checksum(path, algorithm)
    if actual != f"{algorithm}:{digest}":
        raise ChecksumError(path.name, expected, actual, hint)
    return path


# Base URLs, tried in order; a file's URL is base + file name.
MIRRORS: dict[str, list[str]] = {
    "mnist": [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",       # torchvision's mirror
        "https://storage.googleapis.com/cvdf-datasets/mnist/",  # TensorFlow's mirror
    ],
    "cifar10": [
        "https://www.cs.toronto.edu/~kriz/",                    # the authors' page
    ],
}

DOWNLOAD_TIMEOUT = 30.0  # seconds without data before a mirror counts as down


class DownloadError(OSError):
    """A file that could not be obtained. `failures` lists (url, reason) for every mirror tried."""

    def __init__(self, message: str, failures: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.failures = list(failures)


@contextmanager
def _progress(label: str | None, total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr, as a function advance(n_bytes); silent when label is None."""
    if label is None:
        yield lambda n: None
        return
    try:
        from rich.console import Console
        from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn,
                                   TransferSpeedColumn)
    except ImportError:  # rich is a TinyTorch dependency, but a bar is not worth a crash
        yield lambda n: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _temp_name(destination: Path) -> Path:
    """A hidden name beside `destination` for a file in progress: .name.<random>.part"""
    return destination.with_name(f".{destination.name}.{os.urandom(6).hex()}.part")


def _write_verified(stream: Any, destination: Path, expected: str, total: int | None = None,
                    label: str | None = None) -> Path:
    """Copy `stream` to `destination` atomically, only if it is complete and its checksum is `expected`.

    Writes to a temp file in the destination's folder, hashing as it goes; checks the length
    (when `total` is known) and the checksum; then os.replace. On ANY failure (including
    Ctrl-C) the temp file is deleted and nothing appears under `destination`.
    """
    algorithm, digest = _split_checksum(expected)
    hasher = hashlib.new(algorithm)
    temp = _temp_name(destination)
    received = 0
    try:
        with open(temp, "xb") as out, _progress(label, total) as advance:
            while chunk := stream.read(HASH_CHUNK):
                out.write(chunk)
                hasher.update(chunk)
                received += len(chunk)
                advance(len(chunk))
            out.flush()
            os.fsync(out.fileno())  # the bytes are on disk before the name points at them
        if total is not None and received != total:
            raise DownloadError(f"the connection closed after {received:,} of {total:,} bytes")
        actual = f"{algorithm}:{hasher.hexdigest()}"
        if actual != f"{algorithm}:{digest}":
            raise ChecksumError(destination.name, expected, actual)
        os.replace(temp, destination)  # atomic: the complete, verified file or nothing
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return destination


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None)  # urllib wraps the real cause (refused, 404, DNS...)
    return str(reason if reason is not None and not isinstance(error, ChecksumError) else error)


def download_file(urls: Sequence[str], destination: str | Path, expected: str, progress: bool = True) -> Path:
    """Download the first URL that works to `destination`, verified against `expected`, atomically.

    Tries the URLs in order; a mirror that is down, returns an error, sends too few bytes or a
    file with the wrong checksum is skipped. Raises DownloadError listing every URL and why it
    failed; nothing is ever left under `destination` unless it is complete and verified.
    """
    destination = Path(destination)
    failures: list[tuple[str, str]] = []
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
                length = response.headers.get("Content-Length")
                total = int(length) if length is not None and length.isdigit() else None
                return _write_verified(response, destination, expected, total,
                                       label=destination.name if progress else None)
        except (OSError, ValueError, http.client.HTTPException) as e:
            failures.append((url, _reason(e)))
    tried = "\n".join(f"  {url}: {why}" for url, why in failures) or "  (no URLs given)"
    raise DownloadError(f"Could not download {destination.name}; every mirror failed:\n{tried}", failures)


MNIST_FILES = {  # split -> (images file, labels file)
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
CIFAR10_ARCHIVE = "cifar-10-binary.tar.gz"
CIFAR10_FOLDER_IN_ARCHIVE = "cifar-10-batches-bin"
CIFAR10_FILES = {
    "train": [f"data_batch_{k}.bin" for k in range(1, 6)],
    "test": ["test_batch.bin"],
}


def data_root(root: str | Path | None = None) -> Path:
    """The data folder: `root` if given, else $TINYTORCH_DATA, else ~/.cache/tinytorch."""
    if root is not None:
        return Path(root).expanduser()
    from_env = os.environ.get("TINYTORCH_DATA")
    if from_env:
        return Path(from_env).expanduser()
    return Path.home() / ".cache" / "tinytorch"


def root_origin(root: str | Path | None) -> str:
    if root is not None:
        return "the root argument"
    if os.environ.get("TINYTORCH_DATA"):
        return "$TINYTORCH_DATA"
    return "the default, because $TINYTORCH_DATA is not set"


def ensure_file(folder: Path, name: str, mirrors: Sequence[str], download: bool, progress: bool,
                 origin: str) -> Path:
    """`folder/name`, verified: checked if present, downloaded if absent, or a clear error."""
    path = folder / name
    if path.exists():
        return verify_checksum(path, CHECKSUMS[name], hint=(
            f"It was not used. If you put it there, check where it came from; otherwise delete "
            f"{path} and run again to download it."))
    failures: list[tuple[str, str]] = []
    if download:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DownloadError(f"Cannot create the data folder {folder} ({e}). Set $TINYTORCH_DATA "
                                f"or pass root= to use another folder.") from None
        urls = [base.rstrip("/") + "/" + name for base in mirrors]
        try:
            return download_file(urls, path, CHECKSUMS[name], progress)
        except DownloadError as e:
            failures = e.failures
    tried = "\n".join(f"    {url}: {why}" for url, why in failures) or "    nothing (download=False)"
    raise DownloadError(
        f"{name} is missing and could not be downloaded.\n"
        f"  looked in: {folder} (from {origin})\n"
        f"  mirrors tried:\n{tried}\n"
        f"Connect to the internet and run again, copy {name} into {folder}, or point "
        f"$TINYTORCH_DATA (or root=) at a folder whose {folder.name}/ holds it.", failures)


def extract_cifar10(archive: Path, folder: Path, names: Sequence[str]) -> None:
    """Stream the members `names` out of the verified archive, each verified, by names we choose."""
    wanted = {f"{CIFAR10_FOLDER_IN_ARCHIVE}/{name}": name for name in names}
    found: set[str] = set()
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.name in wanted and member.isfile():
                    with tar.extractfile(member) as stream:
                        _write_verified(stream, folder / wanted[member.name], CHECKSUMS[wanted[member.name]],
                                        total=member.size)
                    found.add(wanted[member.name])
    except (tarfile.TarError, EOFError, zlib.error) as e:
        raise DownloadError(f"{archive} cannot be read as a tar.gz archive ({e}).") from None
    missing = sorted(set(names) - found)
    if missing:
        raise DownloadError(f"{archive.name} has no {', '.join(missing)} under {CIFAR10_FOLDER_IN_ARCHIVE}/.")


# ----------------------------------------------------------------------------------------------
# Used by module 08's chapter: its demonstration of the rules, and its tests' checksum registry
# ----------------------------------------------------------------------------------------------
@contextmanager
def registered_checksums(files: dict[str, bytes]) -> Iterator[None]:
    """Temporarily register the sha256 of generated files (the real registry lists the real files)."""
    saved = dict(CHECKSUMS)
    CHECKSUMS.update({name: "sha256:" + hashlib.sha256(data).hexdigest() for name, data in files.items()})
    try:
        yield
    finally:
        CHECKSUMS.clear()
        CHECKSUMS.update(saved)


def tour_of_downloads() -> None:
    """download_file, live: a dead mirror skipped, a wrong checksum refused, nothing half-written."""
    import random
    import tempfile
    import time

    data = random.Random(1).randbytes(3_000_000)
    good = "sha256:" + hashlib.sha256(data).hexdigest()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "server").mkdir()
        (tmp / "server" / "blob.bin").write_bytes(data)
        (tmp / "cache").mkdir()
        dead, live = (tmp / "nowhere").as_uri() + "/blob.bin", (tmp / "server").as_uri() + "/blob.bin"
        start = time.perf_counter()
        path = download_file([dead, live], tmp / "cache" / "blob.bin", good, progress=False)
        print(f"dead mirror skipped, {path.stat().st_size:,} bytes verified in "
              f"{(time.perf_counter() - start) * 1e3:.1f} ms; cache folder holds {os.listdir(tmp / 'cache')}")
        path.unlink()
        try:
            download_file([live], tmp / "cache" / "blob.bin", "sha256:" + "0" * 64, progress=False)
        except DownloadError as e:
            print(f"wrong checksum -> DownloadError; cache folder holds {os.listdir(tmp / 'cache')}")
            print("   " + str(e).replace("\n", "\n   ")[:160] + "…")


def idx_bytes(array: Any) -> bytes:
    """A uint8 NumPy array in the idx format: magic (0, 0, 0x08, ndim), the sizes (big-endian), the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(size).to_bytes(4, "big") for size in array.shape)
    return header + array.astype("uint8").tobytes()


def cifar_bytes(images: Any, labels: Any) -> bytes:
    """Records in the CIFAR-10 binary format: 1 label byte, then 3 072 pixel bytes (R, G, B planes)."""
    return b"".join(bytes([int(label)]) + image.astype("uint8").tobytes() for image, label in zip(images, labels))
