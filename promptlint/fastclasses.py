"""Faster start-up for modules full of dataclasses: the methods' compiled code is cached on disk.

``@dataclass`` writes the source of ``__init__``, ``__repr__``, ``__eq__``… for every class and
compiles it each time the module is imported — about a millisecond per class, some 25 ms of a
one-file run. :func:`install` wraps CPython 3.11's ``dataclasses._create_fn`` so that the same
source text is compiled once and its code object is kept, with marshal, in the user's cache
directory. The generated functions are exactly those of the stock implementation (same text,
same globals and locals); only ``compile`` is skipped. Only promptlint's own classes are cached;
other Python versions are left alone.
"""

from __future__ import annotations

import dataclasses
import marshal
import os
import sys
from typing import Any

from promptlint import __version__

_STAMP = f"{__version__}|{sys.version}|{sys.implementation.cache_tag}"
_CODES: dict[str, Any] = {}
_NEW = False
_LOADED = False
_original = getattr(dataclasses, "_create_fn", None)


def user_cache_base() -> str:
    """``$XDG_CACHE_HOME/promptlint`` or ``~/.cache/promptlint`` (not created here)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "promptlint")


def _cache_file() -> str:
    return os.path.join(user_cache_base(), "dataclass-code.marshal")


def _load() -> None:
    global _LOADED
    _LOADED = True
    try:
        with open(_cache_file(), "rb") as fh:
            stamp, codes = marshal.loads(fh.read())
    except Exception:  # missing, truncated or foreign: compile as usual
        return
    if stamp == _STAMP and isinstance(codes, dict):
        for text, code in codes.items():
            _CODES.setdefault(text, code)


def _create_fn(name, args, body, *, globals=None, locals=None, return_type=dataclasses.MISSING):
    """CPython 3.11's ``dataclasses._create_fn``, with the compiled code looked up by its text."""
    global _NEW
    if locals is None:
        locals = {}
    return_annotation = ""
    if return_type is not dataclasses.MISSING:
        locals["_return_type"] = return_type
        return_annotation = "->_return_type"
    args = ",".join(args)
    body = "\n".join(f"  {b}" for b in body)
    txt = f" def {name}({args}){return_annotation}:\n{body}"
    local_vars = ", ".join(locals.keys())
    txt = f"def __create_fn__({local_vars}):\n{txt}\n return {name}"
    if not str((globals or {}).get("__name__", "")).startswith("promptlint"):
        code = compile(txt, "<string>", "exec")  # other libraries' classes: not cached
    else:
        if not _LOADED:
            _load()
        code = _CODES.get(txt)
        if code is None:
            code = _CODES[txt] = compile(txt, "<string>", "exec")
            _NEW = True
    ns: dict[str, Any] = {}
    exec(code, globals, ns)
    return ns["__create_fn__"](**locals)


def install() -> bool:
    """Use the caching ``_create_fn`` when this is the CPython whose function it copies."""
    original = _original
    if sys.implementation.name != "cpython" or sys.version_info[:2] != (3, 11) or original is None:
        return False
    code = getattr(original, "__code__", None)
    if code is None or code.co_varnames[:3] != ("name", "args", "body") or code.co_kwonlyargcount != 3:
        return False
    dataclasses._create_fn = _create_fn  # type: ignore[attr-defined]
    return True


def save_cache() -> None:
    """Write the compiled methods back when this run compiled new ones."""
    global _NEW
    if not _NEW:
        return
    _NEW = False
    try:
        directory = user_cache_base()
        os.makedirs(directory, exist_ok=True)
        from pathlib import Path

        from promptlint.cache import write_bytes_atomic

        write_bytes_atomic(Path(_cache_file()), marshal.dumps((_STAMP, dict(_CODES))))
    except (OSError, ValueError):
        pass
