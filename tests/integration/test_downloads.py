"""Module 08 downloads against a real HTTP server on 127.0.0.1 serving generated files.

The server speaks plain HTTP from the standard library and serves tiny MNIST idx files and
tiny CIFAR-10 binary batches in the real formats. The checksum registry is patched to match
them, so every code path of the real downloads runs: mirrors, checksums, truncation, atomic
writes, the offline error, caching and CIFAR's archive extraction.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import os
import re
import socket
import stat
import tarfile
import threading

import numpy as np
import pytest

from tinytorch.data import loader
from tinytorch.data.loader import (ChecksumError, DownloadError, download_cifar10, download_file,
                                   download_mnist)

pytestmark = pytest.mark.needs("tensor", "dataloader")

MNIST_NAMES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
CIFAR_NAMES = [f"data_batch_{k}.bin" for k in range(1, 6)] + ["test_batch.bin"]


# ----- generated files in the real formats -----
def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def cifar_bytes(images: np.ndarray, labels: np.ndarray) -> bytes:
    records = np.concatenate([labels.reshape(-1, 1), images.reshape(len(images), -1)], axis=1)
    return records.astype(np.uint8).tobytes()


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def mnist():
    """{name: gz bytes} and the arrays inside: 8 training and 4 test images."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, size=(8, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, size=8, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, size=(4, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, size=4, dtype=np.uint8),
    }
    files = {name: gzip.compress(idx_bytes(a), mtime=0) for name, a in arrays.items()}
    return files, arrays


@pytest.fixture(scope="module")
def cifar():
    """{name: .bin bytes}, the arrays inside (3 records per file), and the archive bytes."""
    rng = np.random.default_rng(1)
    arrays = {name: (rng.integers(0, 256, size=(3, 3, 32, 32), dtype=np.uint8), rng.integers(0, 10, size=3))
              for name in CIFAR_NAMES}
    files = {name: cifar_bytes(*arrays[name]) for name in CIFAR_NAMES}
    return files, arrays, make_archive(files)


def make_archive(members: dict[str, bytes], folder: str = "cifar-10-batches-bin", extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in {**{f"{folder}/{n}": d for n, d in members.items()}, **(extra or {})}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def registered(monkeypatch, mnist, cifar):
    """The checksum registry, patched to the generated files (restored after the test)."""
    for name, data in {**mnist[0], **cifar[0]}.items():
        monkeypatch.setitem(loader.CHECKSUMS, name, sha256(data))
    monkeypatch.setitem(loader.CHECKSUMS, "cifar-10-binary.tar.gz", "md5:" + hashlib.md5(cifar[2]).hexdigest())
    return loader.CHECKSUMS


# ----- the server -----
class Handler(http.server.BaseHTTPRequestHandler):
    """Serves self.server.routes: path -> (mode, bytes). Modes: ok, truncate, html."""

    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.server.log.append(self.path)
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        mode, body = route
        if mode == "html":  # a "soft" error: status 200, but not the file
            body = b"<html><body>Quota exceeded. Try again tomorrow.</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "truncate":  # promise everything, send half, hang up
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)

    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture(scope="module")
def running_server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.routes, httpd.log = {}, []
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def server(running_server):
    """The module's server with no routes and an empty request log."""
    running_server.routes.clear()
    running_server.log.clear()
    return running_server


def serve(httpd, folder: str, files: dict[str, bytes], mode: str = "ok", only: str | None = None) -> str:
    """Publish `files` under /folder/ (mode applies to `only`, or to all); return the base URL."""
    for name, data in files.items():
        httpd.routes[f"/{folder}/{name}"] = (mode if only in (None, name) else "ok", data)
    return f"{httpd.url}/{folder}/"


@pytest.fixture
def refused_url():
    """A URL on a port where nothing listens: connection refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


def leftovers(folder) -> list[str]:
    return sorted(os.listdir(folder)) if folder.exists() else []


# ----- MNIST -----
def test_good_download_loads_the_served_files(server, registered, mnist, tmp_path):
    files, arrays = mnist
    base = serve(server, "mnist", files)
    train, test = download_mnist(root=tmp_path, mirrors=[base], progress=False)
    assert (len(train), len(test)) == (8, 4)
    np.testing.assert_array_equal(train.data[:, 0], arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(test.targets, arrays["t10k-labels-idx1-ubyte.gz"])
    x, y = train.get_batch([0, 7])
    np.testing.assert_allclose(x[1, 0], arrays["train-images-idx3-ubyte.gz"][7] / 255.0, rtol=1e-6)
    # Only the canonical files, byte-identical to what was served; no temp files.
    assert leftovers(tmp_path / "mnist") == sorted(MNIST_NAMES)
    for name in MNIST_NAMES:
        assert (tmp_path / "mnist" / name).read_bytes() == files[name]
    # Downloads get the permissions of any new file (not mkstemp's owner-only 0600), so a
    # shared data folder stays readable by its other users.
    (tmp_path / "plain").write_bytes(b"")
    mode = stat.S_IMODE((tmp_path / "plain").stat().st_mode)
    assert stat.S_IMODE((tmp_path / "mnist" / MNIST_NAMES[0]).stat().st_mode) == mode


def test_progress_bar_does_not_disturb_the_download(server, registered, mnist, tmp_path, capsys):
    base = serve(server, "mnist", mnist[0])
    train, _ = download_mnist(root=tmp_path, mirrors=[base], progress=True)
    assert len(train) == 8
    printed = capsys.readouterr()
    assert printed.out == ""  # the bar goes to stderr, never into stdout
    for name in MNIST_NAMES:  # one bar per file, run to the end: "<name> ━━━━ 6.3/6.3 kB …"
        assert re.search(rf"^{re.escape(name)} .* (\S+)/\1 ", printed.err, re.MULTILINE), printed.err


def test_without_progress_nothing_is_printed(server, registered, mnist, tmp_path, capsys):
    download_mnist(root=tmp_path, mirrors=[serve(server, "mnist", mnist[0])], progress=False)
    assert capsys.readouterr() == ("", "")


def test_corrupted_download_is_rejected_and_nothing_is_kept(server, registered, mnist, tmp_path):
    files = dict(mnist[0])
    bad = bytearray(files["train-images-idx3-ubyte.gz"])
    bad[len(bad) // 2] ^= 0xFF
    files["train-images-idx3-ubyte.gz"] = bytes(bad)
    base = serve(server, "mnist", files)
    with pytest.raises(DownloadError) as info:
        download_mnist(root=tmp_path, mirrors=[base], progress=False)
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz failed its checksum" in message
    assert registered["train-images-idx3-ubyte.gz"] in message  # the expected value
    assert sha256(bytes(bad)) in message                        # the actual value
    assert leftovers(tmp_path / "mnist") == []


def test_truncated_transfer_is_detected_and_nothing_is_kept(server, registered, mnist, tmp_path):
    base = serve(server, "mnist", mnist[0], mode="truncate", only="train-labels-idx1-ubyte.gz")
    size = len(mnist[0]["train-labels-idx1-ubyte.gz"])
    with pytest.raises(DownloadError, match=rf"closed after {size // 2:,} of {size:,} bytes"):
        download_mnist(root=tmp_path, mirrors=[base], progress=False)
    # The file before it arrived whole; the truncated one left nothing behind.
    assert leftovers(tmp_path / "mnist") == ["train-images-idx3-ubyte.gz"]


def test_truncated_gzip_is_rejected_by_checksum_and_by_the_parser(server, registered, mnist, tmp_path, monkeypatch):
    files = dict(mnist[0])
    cut = files["t10k-images-idx3-ubyte.gz"][:-40]  # complete transfer of an incomplete file
    files["t10k-images-idx3-ubyte.gz"] = cut
    base = serve(server, "mnist", files)
    with pytest.raises(DownloadError, match="t10k-images-idx3-ubyte.gz failed its checksum"):
        download_mnist(root=tmp_path, mirrors=[base], progress=False)
    assert "t10k-images-idx3-ubyte.gz" not in leftovers(tmp_path / "mnist")
    # Even if a registry vouched for the cut file, the parser would refuse it.
    monkeypatch.setitem(loader.CHECKSUMS, "t10k-images-idx3-ubyte.gz", sha256(cut))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz is not a complete gzip file"):
        download_mnist(root=tmp_path, mirrors=[base], progress=False)


def test_html_error_page_with_status_200_is_not_accepted(server, registered, mnist, tmp_path):
    base = serve(server, "mnist", mnist[0], mode="html")
    with pytest.raises(DownloadError, match="failed its checksum"):
        download_mnist(root=tmp_path, mirrors=[base], progress=False)
    assert leftovers(tmp_path / "mnist") == []


def test_dead_mirrors_are_skipped(server, registered, mnist, tmp_path, refused_url):
    base = serve(server, "mirror2", mnist[0])
    mirrors = [refused_url, f"{server.url}/missing/", base]
    train, _ = download_mnist(root=tmp_path, mirrors=mirrors, progress=False)
    assert len(train) == 8
    assert f"/missing/{MNIST_NAMES[0]}" in server.log  # the 404 mirror was asked, then skipped
    assert leftovers(tmp_path / "mnist") == sorted(MNIST_NAMES)


def test_offline_error_names_the_file_the_folder_and_every_mirror(server, registered, tmp_path, refused_url):
    mirrors = [refused_url, f"{server.url}/missing/"]
    with pytest.raises(DownloadError) as info:
        download_mnist(root=tmp_path, mirrors=mirrors, progress=False)
    message = str(info.value)
    assert message.startswith("train-images-idx3-ubyte.gz is missing and could not be downloaded")
    assert f"looked in: {tmp_path / 'mnist'} (from the root argument)" in message
    assert refused_url + "train-images-idx3-ubyte.gz" in message and "refused" in message.lower()
    assert f"{server.url}/missing/train-images-idx3-ubyte.gz: Not Found" in message
    assert [url for url, _ in info.value.failures] == [m + "train-images-idx3-ubyte.gz" for m in mirrors]
    assert leftovers(tmp_path / "mnist") == []


def test_the_folder_comes_from_the_environment_then_the_home_cache(registered, tmp_path, monkeypatch, refused_url):
    monkeypatch.setenv("TINYTORCH_DATA", str(tmp_path / "env"))
    with pytest.raises(DownloadError, match=r"looked in: .*env/mnist \(from \$TINYTORCH_DATA\)"):
        download_mnist(mirrors=[refused_url], progress=False)
    monkeypatch.delenv("TINYTORCH_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(DownloadError, match=r"looked in: .*home/\.cache/tinytorch/mnist \(from the default"):
        download_mnist(mirrors=[refused_url], progress=False)


def test_valid_files_are_not_downloaded_again(server, registered, mnist, tmp_path):
    base = serve(server, "mnist", mnist[0])
    download_mnist(root=tmp_path, mirrors=[base], progress=False)
    assert len(server.log) == 4
    server.log.clear()
    train, _ = download_mnist(root=tmp_path, mirrors=[base], progress=False)
    assert len(train) == 8 and server.log == []


def test_an_existing_corrupted_file_is_detected_not_replaced(server, registered, mnist, tmp_path):
    base = serve(server, "mnist", mnist[0])
    download_mnist(root=tmp_path, mirrors=[base], progress=False)
    target = tmp_path / "mnist" / "train-labels-idx1-ubyte.gz"
    target.write_bytes(b"\x1f\x8b garbage")
    server.log.clear()
    with pytest.raises(ChecksumError) as info:
        download_mnist(root=tmp_path, mirrors=[base], progress=False)
    error = info.value
    assert error.name == "train-labels-idx1-ubyte.gz"
    assert error.expected == registered["train-labels-idx1-ubyte.gz"]
    assert error.actual == sha256(b"\x1f\x8b garbage")
    assert f"delete {target}" in str(error)
    assert target.read_bytes() == b"\x1f\x8b garbage" and server.log == []


def test_download_file_cleans_up_after_a_failure_of_every_mirror(server, tmp_path, refused_url):
    server.routes["/a/blob"] = ("truncate", b"x" * 10_000)
    with pytest.raises(DownloadError, match="every mirror failed") as info:
        download_file([refused_url + "blob", f"{server.url}/a/blob"], tmp_path / "blob", sha256(b"x" * 10_000),
                      progress=False)
    assert len(info.value.failures) == 2 and leftovers(tmp_path) == []


# ----- CIFAR-10 -----
def test_cifar10_downloads_the_archive_and_extracts_verified_files(server, registered, cifar, tmp_path):
    files, arrays, archive = cifar
    base = serve(server, "cifar", {"cifar-10-binary.tar.gz": archive})
    train, test = download_cifar10(root=tmp_path, mirrors=[base], progress=False)
    assert (len(train), len(test)) == (15, 3)
    assert train.data.shape == (15, 3, 32, 32) and train.data.dtype == np.uint8
    np.testing.assert_array_equal(train.data[3:6], arrays["data_batch_2.bin"][0])
    np.testing.assert_array_equal(train.targets[12:], arrays["data_batch_5.bin"][1])
    np.testing.assert_array_equal(test.data, arrays["test_batch.bin"][0])
    assert train.classes == loader.CIFAR10_CLASSES
    x, y = train[4]
    np.testing.assert_allclose(x, arrays["data_batch_2.bin"][0][1] / 255.0, rtol=1e-6)
    assert leftovers(tmp_path / "cifar10") == sorted(CIFAR_NAMES + ["cifar-10-binary.tar.gz"])
    # A second call reads the six files and never asks the server again.
    server.log.clear()
    assert len(download_cifar10(root=tmp_path, mirrors=[base], progress=False)[0]) == 15
    assert server.log == []


def test_cifar10_from_local_bin_files_only(registered, cifar, tmp_path):
    folder = tmp_path / "cifar10"
    folder.mkdir()
    for name, data in cifar[0].items():
        (folder / name).write_bytes(data)
    train, test = download_cifar10(root=tmp_path, download=False)
    assert (len(train), len(test)) == (15, 3)
    (folder / "data_batch_4.bin").write_bytes(cifar[0]["data_batch_3.bin"])  # the wrong file
    with pytest.raises(ChecksumError, match="data_batch_4.bin failed its checksum"):
        download_cifar10(root=tmp_path, download=False)


def test_cifar10_archive_never_writes_outside_the_folder(server, registered, cifar, tmp_path, monkeypatch):
    files, _, _ = cifar
    evil = make_archive(files, extra={"../escaped.bin": b"owned", "cifar-10-batches-bin/../../escaped2.bin": b"x"})
    monkeypatch.setitem(loader.CHECKSUMS, "cifar-10-binary.tar.gz", sha256(evil))
    base = serve(server, "cifar", {"cifar-10-binary.tar.gz": evil})
    root = tmp_path / "data"
    assert len(download_cifar10(root=root, mirrors=[base], progress=False)[0]) == 15
    assert sorted(p.name for p in tmp_path.rglob("*escaped*")) == []


def test_cifar10_corrupted_archive_or_missing_member(server, registered, cifar, tmp_path, monkeypatch):
    files, _, archive = cifar
    base = serve(server, "cifar", {"cifar-10-binary.tar.gz": archive[:-100]})
    with pytest.raises(DownloadError, match="cifar-10-binary.tar.gz failed its checksum"):
        download_cifar10(root=tmp_path, mirrors=[base], progress=False)
    assert leftovers(tmp_path / "cifar10") == []

    partial = make_archive({k: v for k, v in files.items() if k != "test_batch.bin"})
    monkeypatch.setitem(loader.CHECKSUMS, "cifar-10-binary.tar.gz", sha256(partial))
    base = serve(server, "cifar2", {"cifar-10-binary.tar.gz": partial})
    with pytest.raises(DownloadError, match="has no test_batch.bin under cifar-10-batches-bin/"):
        download_cifar10(root=tmp_path / "other", mirrors=[base], progress=False)


def test_cifar10_member_with_wrong_content_is_not_extracted(server, registered, cifar, tmp_path, monkeypatch):
    files, _, _ = cifar
    swapped = make_archive({**files, "data_batch_1.bin": files["data_batch_2.bin"]})
    monkeypatch.setitem(loader.CHECKSUMS, "cifar-10-binary.tar.gz", sha256(swapped))
    base = serve(server, "cifar", {"cifar-10-binary.tar.gz": swapped})
    with pytest.raises(ChecksumError, match="data_batch_1.bin failed its checksum"):
        download_cifar10(root=tmp_path, mirrors=[base], progress=False)
    assert "data_batch_1.bin" not in leftovers(tmp_path / "cifar10")
    assert not [n for n in leftovers(tmp_path / "cifar10") if n.endswith(".part")]


# ----------------------------------------------------------------------------------------------
# Checksums (given code of module 08, in tinytorch/data/_download.py)
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("algorithm", ["sha256", "md5"])
def test_file_checksum_reads_in_chunks_and_equals_hashlib_on_the_whole_file(tmp_path, monkeypatch, algorithm):
    data = np.random.default_rng(0).integers(0, 256, 10_000, dtype=np.uint8).tobytes()
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    from tinytorch.data import _download
    monkeypatch.setattr(_download, "HASH_CHUNK", 999)  # ten pieces and a short one
    expected = f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"
    assert loader.file_checksum(path, algorithm) == expected
    assert loader.verify_checksum(path, expected) == path


def test_a_wrong_checksum_names_both_digests_and_the_file(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(b"some bytes")
    wrong = "sha256:" + "0" * 64
    with pytest.raises(ChecksumError) as caught:
        loader.verify_checksum(path, wrong)
    err = caught.value
    assert err.name == "blob.bin" and err.expected == wrong and err.actual == loader.file_checksum(path)
    assert "blob.bin" in str(err) and wrong in str(err)


def test_every_published_checksum_names_an_algorithm_hashlib_has():
    assert loader.CHECKSUMS
    for name, checksum in loader.CHECKSUMS.items():
        algorithm, _, digest = checksum.partition(":")
        assert algorithm in hashlib.algorithms_available, name
        assert len(digest) == hashlib.new(algorithm).digest_size * 2 and int(digest, 16) >= 0, name
