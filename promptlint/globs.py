"""Gitignore-style glob matching, shared by include/exclude, per-file-ignores and .gitignore.

A pattern without a slash matches a file or directory name at any depth; a pattern with a slash
matches the path relative to the base directory (a leading ``/`` only anchors). ``**`` spans
directories, ``*`` and ``?`` stay within one name, ``[...]`` is a character class and ``{a,b}``
alternatives are expanded.
"""

from __future__ import annotations

import re
from functools import lru_cache


def _expand_braces(pattern: str) -> list[str]:
    m = re.search(r"\{([^{}]*,[^{}]*)\}", pattern)
    if not m:
        return [pattern]
    out = []
    for alt in m.group(1).split(","):
        out.extend(_expand_braces(pattern[: m.start()] + alt + pattern[m.end() :]))
    return out


def _translate(pattern: str) -> str:
    i, n, out = 0, len(pattern), []
    while i < n:
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                j = i + 2
                if j < n and pattern[j] == "/":
                    out.append("(?:.*/)?")
                    i = j + 1
                    continue
                out.append(".*")
                i = j
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : j].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


@lru_cache(maxsize=2048)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """Compile a glob to a regex matched against a relative POSIX path."""
    parts = []
    for pat in _expand_braces(pattern.strip()):
        anchored = "/" in pat.rstrip("/")
        pat = pat.lstrip("/").rstrip("/")
        body = _translate(pat)
        parts.append(body if anchored else f"(?:.*/)?{body}")
    return re.compile("^(?:" + "|".join(parts) + ")$")


def match(pattern: str, relpath: str) -> bool:
    """True when ``relpath`` (POSIX, relative) matches ``pattern``."""
    return compile_glob(pattern).match(relpath) is not None


def _name_only(pattern: str) -> bool:
    """True when a glob can only ever match the last name of a path: no slash, no ``**``, no class
    (a class could hold a slash)."""
    return "/" not in pattern.rstrip("/") and "**" not in pattern and "[" not in pattern


class _PatternSet:
    """A pattern list as two regexes: the name-only globs against the last name of a path (cheap),
    the rest against the whole path, exactly as :func:`compile_glob` would match them."""

    __slots__ = ("_names", "_paths")

    def __init__(self, patterns: tuple[str, ...]) -> None:
        names, paths = [], []
        for pattern in patterns:
            for pat in _expand_braces(pattern.strip()):
                if _name_only(pat):
                    names.append(_translate(pat.rstrip("/")))
                else:
                    paths.append(compile_glob(pat).pattern)
        self._names = re.compile("(?:" + "|".join(names) + r")\Z") if names else None
        self._paths = re.compile("|".join(f"(?:{p})" for p in paths)) if paths else None

    def match(self, relpath: str) -> bool:
        if self._names is not None and self._names.match(relpath, relpath.rfind("/") + 1):
            return True
        return self._paths is not None and self._paths.match(relpath) is not None


@lru_cache(maxsize=256)
def _combined(patterns: tuple[str, ...]) -> _PatternSet:
    return _PatternSet(patterns)


def pattern_set(patterns: list[str]) -> _PatternSet:
    """One matcher for a whole pattern list (each glob as by :func:`compile_glob`); its ``match``
    tests the path itself, not its parents."""
    return _combined(tuple(patterns))


def match_any(patterns: list[str], relpath: str) -> bool:
    """True when any pattern matches the path or one of its parent directories."""
    combined = pattern_set(patterns)
    end = relpath.find("/")
    while end != -1:
        if combined.match(relpath[:end]):
            return True
        end = relpath.find("/", end + 1)
    return combined.match(relpath)


def match_path(patterns: list[str], relpath: str) -> bool:
    """True when any pattern matches the path itself (not its parents)."""
    return pattern_set(patterns).match(relpath)
