"""Which files to lint: walking directories with include/exclude globs and .gitignore files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from promptlint.globs import compile_glob, match_any, match_path, pattern_set


@dataclass(frozen=True)
class Candidate:
    """A file to lint: its display path, absolute real path and whether it was named explicitly."""

    display: str
    path: str
    explicit: bool


@dataclass
class _IgnoreRule:
    base: str  # directory of the .gitignore, relative to the root ('' for the root)
    pattern: str
    negate: bool
    dir_only: bool


def _read_gitignore(directory: Path, base: str) -> list[_IgnoreRule]:
    rules: list[_IgnoreRule] = []
    for name in (".gitignore", ".git/info/exclude") if base == "" else (".gitignore",):
        try:
            text = (directory / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            line = line.rstrip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            if negate:
                line = line[1:]
            if line.startswith("\\"):
                line = line[1:]
            dir_only = line.endswith("/")
            rules.append(_IgnoreRule(base, line.rstrip("/"), negate, dir_only))
    return rules


def _git_ignored(rules: list[_IgnoreRule], relpath: str, is_dir: bool) -> bool:
    ignored = False
    for rule in rules:
        if rule.dir_only and not is_dir:
            continue
        sub = relpath
        if rule.base:
            if not relpath.startswith(rule.base + "/"):
                continue
            sub = relpath[len(rule.base) + 1 :]
        if compile_glob(rule.pattern).match(sub):
            ignored = not rule.negate
    return ignored


def _explicit_git_ignored(path: Path, root: Path, root_rules: list[_IgnoreRule]) -> bool:
    """Whether a walk from ``root`` would skip ``path``: an ignored parent directory, or the file
    itself ignored by the root's or a nested directory's .gitignore."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return False  # outside the project: no .gitignore applies
    rules = root_rules
    for k in range(1, len(parts)):
        rel_dir = "/".join(parts[:k])
        if _git_ignored(rules, rel_dir, True):
            return True
        rules = rules + _read_gitignore(root / rel_dir, rel_dir)
    return _git_ignored(rules, "/".join(parts), False)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix().lstrip("/")


def _display(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def is_included(relpath: str, include: list[str]) -> bool:
    """True when a file's relative path matches an include glob."""
    return match_path(include, relpath)


def discover(
    paths: list[str],
    *,
    root: Path,
    include: list[str],
    exclude: list[str],
    respect_gitignore: bool = True,
    force_exclude: bool = False,
    cwd: Path | None = None,
) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """Files to lint, deduplicated, in a stable order; plus (path, problem) pairs for bad paths.

    Explicit files are linted whatever include/exclude say, unless ``force_exclude`` is set: then
    they are filtered exactly as a directory walk would filter them.
    """
    cwd = cwd or Path.cwd()
    seen: set[str] = set()
    out: list[Candidate] = []
    problems: list[tuple[str, str]] = []
    root_rules = _read_gitignore(root, "") if respect_gitignore else []

    def add(path: Path | str, given: str | None, explicit: bool, real: str | None = None) -> None:
        if real is None:
            try:
                real = os.path.realpath(path)
            except (OSError, RuntimeError):
                problems.append((given or str(path), "cannot resolve path (symlink loop?)"))
                return
        if real in seen:
            return
        seen.add(real)
        out.append(Candidate(given if given is not None else _display(path, cwd), real, explicit))

    for arg in paths:
        p = Path(arg)
        absolute = (cwd / p) if not p.is_absolute() else p
        absolute = Path(os.path.normpath(absolute))
        try:
            is_dir = absolute.is_dir()
            exists = is_dir or absolute.exists() or absolute.is_symlink()
        except OSError as exc:
            problems.append((arg, f"cannot access: {exc.strerror or exc}"))
            continue
        if not exists:
            problems.append((arg, "no such file or directory"))
            continue
        rel = _relative(absolute, root)
        if not is_dir:
            if force_exclude and (
                match_any(exclude, rel)
                or not is_included(rel, include)
                or (respect_gitignore and _explicit_git_ignored(absolute, root, root_rules))
            ):
                continue
            add(absolute, _display(absolute, cwd) if not p.is_absolute() else arg, True)
            continue
        if force_exclude and rel and match_any(exclude, rel):
            continue
        _walk(absolute, root, cwd, include, exclude, root_rules, respect_gitignore, add)
    return out, problems


def _walk(top, root, cwd, include, exclude, root_rules, respect_gitignore, add) -> None:
    rules_by_dir: dict[str, list[_IgnoreRule]] = {}
    visited: set[tuple[int, int]] = set()
    # Like ruff, a directory named on the command line is walked even when excluded (unless
    # --force-exclude): exclude patterns apply to what lies below it, not to it or its parents.
    # Each directory is checked when the walk enters it, so a file's own path is all that is left.
    included, excluded = pattern_set(include), pattern_set(exclude)
    sep = os.sep
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        here = Path(dirpath)
        try:
            st = here.stat()
            key = (st.st_dev, st.st_ino)
        except OSError:
            dirnames[:] = []
            continue
        if key in visited:
            dirnames[:] = []
            continue
        visited.add(key)
        rel_dir = _relative(here, root)
        rel_dir = "" if rel_dir == "." else rel_dir
        parent_rules = rules_by_dir.get(str(here.parent), root_rules)
        rules = parent_rules
        if respect_gitignore and here != root:
            extra = _read_gitignore(here, rel_dir)
            if extra:
                rules = parent_rules + extra
        rules_by_dir[dirpath] = rules
        kept = []
        for d in sorted(dirnames):
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if excluded.match(rel):  # its parents were checked on the way down
                continue
            if respect_gitignore and _git_ignored(rules, rel, True):
                continue
            if os.path.islink(os.path.join(dirpath, d)):
                continue
            kept.append(d)
        dirnames[:] = kept
        real_dir: str | None = None
        links: set[str] | None = None
        shown = _display(here, cwd)
        shown = "" if shown == "." else shown + "/"
        for f in sorted(filenames):
            rel = f"{rel_dir}/{f}" if rel_dir else f
            # This directory and its parents passed the exclude check on the way down.
            if not included.match(rel) or excluded.match(rel):
                continue
            if respect_gitignore and _git_ignored(rules, rel, False):
                continue
            if real_dir is None:  # one realpath per directory; only symlinked files need their own
                try:
                    real_dir = os.path.realpath(dirpath)
                    real_dir = real_dir if real_dir.endswith(sep) else real_dir + sep
                    with os.scandir(dirpath) as entries:
                        links = {e.name for e in entries if e.is_symlink()}
                except (OSError, RuntimeError):
                    real_dir, links = "", None
            real = real_dir + f if real_dir and links is not None and f not in links else None
            add(os.path.join(dirpath, f) if real is None else "", shown + f, False, real)
