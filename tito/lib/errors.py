"""UserError, the one exception for mistakes a user can fix, and the words for the system errors behind
them (`from_os_error`, `not_utf8`): which path, what went wrong, what to do."""

from __future__ import annotations

import errno
import os
from pathlib import Path


class UserError(Exception):
    """A problem in the user's terms (which module, which file, what to do next)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


def read_text(path: str | os.PathLike, shown: str | None = None) -> str:
    """A text file tito reads on the user's behalf (their module, notebook): UTF-8, or a UserError
    that names (as `shown`, default the path) the line holding the first byte that is not."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise not_utf8(Path(path), e, shown) from None


def not_utf8(path: Path, error: UnicodeDecodeError, shown: str | None = None) -> UserError:
    """`PATH is not UTF-8 text: byte 0xff at line 12, column 5` — the first such byte of the whole file
    (a reader may have decoded only a chunk of it)."""
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as whole:
        error = whole
    except OSError:
        pass
    data = error.object
    line = data.count(b"\n", 0, error.start) + 1
    column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
    bad = data[error.start:error.start + 1].hex() or "??"
    return UserError(f"{shown or path} is not UTF-8 text: byte 0x{bad} at line {line}, column {column} "
                     f"({error.reason}).",
                     hint="Save the file as UTF-8 in your editor (or delete that character), "
                          "then run the command again.")


def from_os_error(e: OSError, original=Path, shown=str) -> UserError:
    """One line for an OSError — the path and the reason — and a hint with the fix.

    `original(path)` maps a path to the one the user knows (a file of a scratch copy to the file
    it was copied from); `shown(path)` formats it for the message (e.g. relative to the project)."""
    path = original(e.filename) if isinstance(e.filename, (str, os.PathLike)) and e.filename else None
    reason = e.strerror or type(e).__name__
    if path is None:
        return UserError(f"A system error stopped tito: {reason}.", hint=_generic_hint(e.errno))
    code, around = e.errno, [path, *path.parents]
    file = (next((p for p in around if p.exists() and not p.is_dir()), None)  # a file where a folder is needed
            if code in (errno.ENOTDIR, errno.EEXIST) else None)
    if file is not None:
        return UserError(f"{shown(file)} is a file, but tito needs a folder there ({reason}).",
                         hint=f"Choose another path, or move {shown(file)} away and run the command again.")
    if code in (errno.EACCES, errno.EPERM):
        target = next((p for p in around if p.exists()), path)  # the path, else the nearest existing folder above
        kind = "folder" if target.is_dir() else "file"
        unreadable = not os.access(target, os.R_OK)
        verb, mode, able = ("read", "u+r", "readable") if unreadable else ("write", "u+w", "writable")
        return UserError(f"Permission denied: tito cannot {verb} the {kind} {shown(target)}.",
                         hint=f"Make it {able} (chmod {mode} {shown(target)}) or work in a folder you own, "
                              "then run the command again.")
    return UserError(f"{shown(path)}: {reason}.", hint=_generic_hint(code))


def _generic_hint(code: int | None) -> str:
    full = ("free some space, then run the command again "
            "(tito writes files whole or not at all, so nothing is half-written).")
    hints = {
        errno.ENOSPC: f"The disk is full: {full}",
        errno.EDQUOT: f"Your disk quota is used up: {full}",
        errno.EROFS: "That disk is mounted read-only: work in a folder on a writable disk.",
        errno.ENOENT: "Check the path; `tito status` shows where tito looks.",
        errno.EISDIR: "A folder stands where tito expects a file: move it away, then run the command again.",
    }
    return hints.get(code, "Check the path and its permissions, then run the command again.")
