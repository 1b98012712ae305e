"""The on-disk cache directory (``.promptlint_cache/``) and atomic writes into it."""

from __future__ import annotations

import contextlib
import marshal
import os
from pathlib import Path
from typing import Any

CACHE_DIR_NAME = ".promptlint_cache"
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by promptlint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def cache_dir(root: Path) -> Path:
    """The cache directory under the project root, created with CACHEDIR.TAG and .gitignore."""
    path = root / CACHE_DIR_NAME
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
    tag = path / "CACHEDIR.TAG"
    if not tag.exists():
        write_bytes_atomic(tag, _TAG.encode())
        write_bytes_atomic(path / ".gitignore", b"# Created by promptlint.\n*\n")
    return path


def user_cache_dir() -> Path | None:
    """A per-user directory for caches that do not depend on a project (compiled rule patterns,
    the parsed rule catalog): ``$XDG_CACHE_HOME/promptlint`` or ``~/.cache/promptlint``; None when
    it cannot be created."""
    from promptlint.fastclasses import user_cache_base

    path = Path(user_cache_base())
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK) else None


def write_bytes_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write a file so readers see either the old or the new content, never a torn one
    (``mode``: the permission bits to give it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A private, unique sibling (what tempfile.mkstemp does, without importing tempfile).
    tmp = str(path.parent / f".promptlint-{os.getpid()}-{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_marshal(path: Path) -> Any:
    """A marshalled value, or None when the file is missing or unreadable.

    The caches hold only plain data (tuples, lists, dicts, strings, numbers), so :mod:`marshal`,
    built into the interpreter, serves instead of :mod:`pickle`, whose import a one-file run would pay.
    """
    try:
        with open(path, "rb") as fh:
            return marshal.loads(fh.read())
    except Exception:  # a corrupt or foreign cache file is a miss, never an error
        return None


def dump_marshal(path: Path, value: Any) -> None:
    """Marshal ``value`` to ``path`` atomically; failures are ignored (the cache is optional)."""
    with contextlib.suppress(OSError, ValueError):
        write_bytes_atomic(path, marshal.dumps(value))
