"""Regular expressions compiled on first use, with their compiled code cached on disk.

Rule modules hold many large patterns. Compiling them costs more than linting a short prompt
(CPython's regex compiler is written in Python), so patterns are compiled only when first used,
and the compiled code of each pattern is kept between runs in the user's cache directory (or the
project's ``.promptlint_cache/``), as a marshal file. The cache is keyed by the exact Python
build and falls back to a plain :func:`re.compile` whenever the interpreter's internals differ.
"""

from __future__ import annotations

import marshal
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from promptlint import __version__

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")
_CODES: dict[tuple[str, int], tuple[Any, ...]] = {}
_NEW = False
_CACHE_FILE: Path | None = None
_STAMP = f"{__version__}|{sys.version}|{getattr(__import__('_sre'), 'MAGIC', 0)}"


def _compile(pattern: str, flags: int) -> re.Pattern[str]:
    """Compile through the code cache when the interpreter's internals allow it."""
    global _NEW
    try:
        import _sre
        from re import _compiler, _parser  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - other interpreters
        return re.compile(pattern, flags)
    cached = _CODES.get((pattern, flags))
    if cached is not None:
        try:
            return _sre.compile(pattern, *cached)
        except Exception:
            _CODES.pop((pattern, flags), None)
    try:
        parsed = _parser.parse(pattern, flags)
        code = [int(c) for c in _compiler._code(parsed, flags)]  # plain ints: picklable
        groupindex = parsed.state.groupdict
        indexgroup = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        args = (int(flags | parsed.state.flags), code, parsed.state.groups - 1, dict(groupindex), tuple(indexgroup))
        compiled = _sre.compile(pattern, *args)
    except Exception:
        return re.compile(pattern, flags)
    _CODES[(pattern, int(flags))] = args
    _NEW = True
    return compiled


def use_cache_dir(directory: Path) -> None:
    """Load compiled patterns from ``directory`` (once) and save new ones there at the end."""
    global _CACHE_FILE
    if _CACHE_FILE is not None:
        return
    _CACHE_FILE = directory / "regex-code.marshal"
    data = _load(_CACHE_FILE)
    if isinstance(data, tuple) and len(data) == 2 and data[0] == _STAMP and isinstance(data[1], dict):
        for key, value in data[1].items():
            _CODES.setdefault(key, value)


def save_cache() -> None:
    """Write the compiled patterns back when this run compiled new ones."""
    global _NEW
    if _CACHE_FILE is None or not _NEW:
        return
    import contextlib

    from promptlint.cache import write_bytes_atomic

    data = _load(_CACHE_FILE)
    merged = dict(data[1]) if isinstance(data, tuple) and len(data) == 2 and data[0] == _STAMP else {}
    merged.update(_CODES)
    with contextlib.suppress(OSError, ValueError):
        write_bytes_atomic(_CACHE_FILE, marshal.dumps((_STAMP, merged)))
    _NEW = False


def _load(path: Path) -> Any:
    """The cache file's content (marshal: plain tuples, lists, ints and strings), or None."""
    try:
        with open(path, "rb") as fh:
            return marshal.loads(fh.read())
    except Exception:  # missing, truncated or foreign: a miss
        return None


class LazyPattern:
    """A stand-in for ``re.compile(pattern, flags)`` that compiles when first used."""

    __slots__ = ("_compiled", "_flags", "_pattern", *_METHODS)

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = _compile(self._pattern, self._flags)
            for name in _METHODS:  # later calls go straight to the compiled pattern
                object.__setattr__(self, name, getattr(self._compiled, name))
        return self._compiled

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled(), name)


def lazy_compile(pattern: str, flags: int = 0) -> LazyPattern:
    """Like :func:`re.compile`, but the pattern is compiled on first use."""
    return LazyPattern(pattern, flags)


class CaselessPattern:
    """A case-insensitive pattern that searches ASCII text lower-cased, with a case-sensitive twin.

    IGNORECASE matching is several times slower; on lower-cased ASCII text, which has no other
    case variants, the twin matches exactly the same. The pattern must therefore contain no
    upper-case letters; non-ASCII text is searched with IGNORECASE as usual.
    """

    __slots__ = ("ignorecase", "lowercase")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.ignorecase = lazy_compile(pattern, flags | re.I)
        self.lowercase = lazy_compile(pattern, flags & ~re.I)

    def _on(self, text: str) -> tuple[Any, str]:
        if text.isascii():  # lower-casing ASCII keeps every offset
            return self.lowercase, text.lower()
        return self.ignorecase, text

    def compiled(self) -> re.Pattern[str]:
        """The case-insensitive pattern, compiled."""
        return self.ignorecase.compiled()

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """``re.search(pattern, text, re.I)``; on ASCII text the match is on ``text.lower()``."""
        pattern, text = self._on(text)
        return pattern.search(text, pos)

    def match(self, text: str) -> re.Match[str] | None:
        pattern, text = self._on(text)
        return pattern.match(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        pattern, text = self._on(text)
        return pattern.finditer(text)

    def sub(self, repl: str, text: str) -> str:
        """Substitute in the text; on ASCII text the result is lower-cased."""
        pattern, text = self._on(text)
        return pattern.sub(repl, text)


_BY_SOURCE: dict[tuple[str, int], re.Pattern[str]] = {}


def compile_cached(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile now, through the code cache (for patterns that are not module constants)."""
    return _get(pattern, flags)


def _get(pattern: Any, flags: int) -> Any:
    if not isinstance(pattern, str):
        return pattern
    compiled = _BY_SOURCE.get((pattern, flags))
    if compiled is None:
        compiled = _BY_SOURCE[(pattern, flags)] = _compile(pattern, flags)
    return compiled


class _CachedRe:
    """The module-level functions of :mod:`re`, compiling through the code cache."""

    @staticmethod
    def search(pattern: Any, string: str, flags: int = 0) -> re.Match[str] | None:
        return _get(pattern, flags).search(string)

    @staticmethod
    def match(pattern: Any, string: str, flags: int = 0) -> re.Match[str] | None:
        return _get(pattern, flags).match(string)

    @staticmethod
    def fullmatch(pattern: Any, string: str, flags: int = 0) -> re.Match[str] | None:
        return _get(pattern, flags).fullmatch(string)

    @staticmethod
    def finditer(pattern: Any, string: str, flags: int = 0) -> Any:
        return _get(pattern, flags).finditer(string)

    @staticmethod
    def findall(pattern: Any, string: str, flags: int = 0) -> list[Any]:
        return _get(pattern, flags).findall(string)

    @staticmethod
    def sub(pattern: Any, repl: Any, string: str, count: int = 0, flags: int = 0) -> str:
        return _get(pattern, flags).sub(repl, string, count)

    @staticmethod
    def subn(pattern: Any, repl: Any, string: str, count: int = 0, flags: int = 0) -> tuple[str, int]:
        return _get(pattern, flags).subn(repl, string, count)

    @staticmethod
    def split(pattern: Any, string: str, maxsplit: int = 0, flags: int = 0) -> list[Any]:
        return _get(pattern, flags).split(string, maxsplit)


cached = _CachedRe()
