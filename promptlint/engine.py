"""The linting pipeline for one file: read, load, check, suppress."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptlint.catalog import CatalogError, Rule, resolve_selectors
from promptlint.config import DEFAULT_MAX_FILE_SIZE, Config, ConfigError, check_rule_parameters
from promptlint.context import RuleContext
from promptlint.findings import Finding
from promptlint.globs import compile_glob
from promptlint.hashing import sha256_hex
from promptlint.loaders import loader_for
from promptlint.model import LoadResult, PromptDocument
from promptlint.suppress import parse_suppressions

UNPARSABLE = "PRM002"
UNREADABLE = "PRM003"
INVALID_UTF8 = "PRM004"
INTERNAL_ERROR = "PRM005"
_BINARY_SNIFF = 8192


@dataclass
class Settings:
    """The effective settings for a run."""

    rules: dict[str, Rule]
    enabled: set[str]
    params: dict[str, dict[str, Any]]
    root: Path
    include: list[str]
    exclude: list[str]
    per_file_ignores: list[tuple[str, set[str]]] = field(default_factory=list)
    respect_gitignore: bool = True
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # [tool.promptlint.python], handed to the Python loader (promptlint.loaders.python.configure).
    python: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        config: Config,
        rules: dict[str, Rule],
        *,
        select: list[str] | None = None,
        extend_select: list[str] | None = None,
        ignore: list[str] | None = None,
    ) -> Settings:
        """Resolve selection ruff-style: the highest-priority ``select`` is the base, then
        ``extend-select`` and ``ignore`` apply."""
        if select is not None:
            base = resolve_selectors(select, rules)
        elif config.get("select") is not None:
            base = _config_selectors(config, "select", config.get("select"), rules)
        else:
            base = {c for c, r in rules.items() if r.default}
        base |= _config_selectors(config, "extend-select", config.get("extend-select", []), rules)
        base |= resolve_selectors(list(extend_select or []), rules)
        base -= _config_selectors(config, "ignore", config.get("ignore", []), rules)
        base -= resolve_selectors(list(ignore or []), rules)
        pfi = [
            (pattern, _config_selectors(config, f'per-file-ignores."{pattern}"', codes, rules))
            for pattern, codes in config.get("per-file-ignores", {}).items()
        ]
        return cls(
            rules=rules,
            enabled=base,
            params=check_rule_parameters(config, rules),
            root=config.root,
            include=config.include,
            exclude=config.exclude,
            per_file_ignores=pfi,
            respect_gitignore=config.get("respect-gitignore", True),
            max_file_size=config.get("max-file-size", DEFAULT_MAX_FILE_SIZE),
            python=dict(config.get("python", {})),
        )

    def ignored_for(self, path: str) -> set[str]:
        """Codes switched off for a file by per-file-ignores."""
        if not self.per_file_ignores:
            return set()
        try:
            rel = Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            rel = Path(path).as_posix()
        out: set[str] = set()
        for pattern, codes in self.per_file_ignores:
            if compile_glob(pattern).match(rel):
                out |= codes
        return out


def _config_selectors(config: Config, key: str, selectors: list[str], rules: dict[str, Rule]) -> set[str]:
    """Resolve selectors read from the config file; an unknown one names the key and the file."""
    try:
        return resolve_selectors(list(selectors), rules)
    except CatalogError as exc:
        where = str(config.path) if config.path else "configuration"
        raise ConfigError(f"{where}: '{key}': {exc}") from exc


@dataclass
class FileResult:
    """What linting one file produced."""

    display: str
    path: str
    findings: list[Finding] = field(default_factory=list)
    text: str | None = None
    documents: list[PromptDocument] = field(default_factory=list)
    internal_error: bool = False
    skipped: bool = False
    # The file was not valid UTF-8: ``text`` holds replacement characters, so it must not be written back.
    lossy: bool = False
    # (size, mtime_ns, sha256) of the bytes that were linted, for the results cache.
    stamp: tuple[int, int, str] | None = None


def _file_finding(settings: Settings, code: str, display: str, message: str, line: int = 1, col: int = 1) -> Finding:
    rule = settings.rules.get(code)
    return Finding(
        code=code,
        name=rule.name if rule else code,
        message=message,
        path=display,
        line=line,
        column=col,
        end_line=line,
        end_column=col + 1,
        severity=rule.severity if rule else "error",
    )


def read_text(path: str, limit: int) -> tuple[str | None, str | None, str | None]:
    """Read a file as text: (text, unreadable reason, utf-8 warning)."""
    text, unreadable, warning, _stamp = _read(path, limit)
    return text, unreadable, warning


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_up_to(fd: int, count: int) -> bytes:
    """Up to ``count`` bytes from ``fd``, fewer only at the end of the file."""
    data = os.read(fd, count)
    if not data or len(data) == count:
        return data
    parts = [data]
    got = len(data)
    while got < count:
        more = os.read(fd, count - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def _read(path: str, limit: int) -> tuple[str | None, str | None, str | None, tuple[int, int, str] | None]:
    """:func:`read_text` plus the stamp (size, mtime, SHA-256) of a file that was read whole."""
    try:
        # A bare descriptor: four system calls, no buffered file object (most prompt files are small).
        fd = os.open(path, _READ_FLAGS)
        try:
            st = os.fstat(fd)
            size = st.st_size
            if size > limit:
                return (
                    None,
                    f"file is too large ({size / 1048576:.1f} MB > {limit / 1048576:.1f} MB limit), skipped",
                    None,
                    None,
                )
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(errno.EISDIR, "Is a directory")
            # Read what fstat promised (+1 to notice growth): reading the whole limit would allocate it.
            data = _read_up_to(fd, size + 1)
            if len(data) > size:  # the file grew since fstat: read on, up to the limit
                data += _read_up_to(fd, limit + 1 - len(data))
        finally:
            os.close(fd)
    except (OSError, RuntimeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return None, f"cannot read file: {reason}", None, None
    stamp = (size, st.st_mtime_ns, sha256_hex(data)) if len(data) == size else None
    if b"\0" in data[:_BINARY_SNIFF]:
        return None, "binary file (contains NUL bytes), skipped", None, stamp
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None, None, stamp
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = data.decode("utf-8", errors="replace")
        warning = f"invalid UTF-8 at line {line} (byte {exc.start}); decoded with replacement characters"
        return text, None, warning, stamp


def lint_text(
    display: str,
    text: str,
    settings: Settings,
    *,
    path: str | None = None,
    enabled: set[str] | None = None,
) -> FileResult:
    """Lint text as if it were the file ``display``."""
    result = FileResult(display=display, path=path or display, text=text)
    enabled = settings.enabled if enabled is None else enabled
    try:
        loader = loader_for(display)
        if loader.__module__ == "promptlint.loaders.python":
            import promptlint.loaders.python as python_loader

            python_loader.configure(settings.python)
        loaded: LoadResult | None = loader(display, text)
    except RecursionError:
        loaded = LoadResult(problems=[])
        result.findings.append(_file_finding(settings, UNPARSABLE, display, "nesting too deep to parse"))
    except Exception as exc:  # a loader bug must not stop the run
        result.internal_error = True
        result.findings.append(_internal(settings, display, "loading", exc))
        return result
    if loaded is None:
        result.skipped = True
        return result
    for problem in loaded.problems:
        result.findings.append(
            _file_finding(settings, problem.code, display, problem.message, problem.line, problem.column)
        )
    result.documents = loaded.documents
    plan = _plan(settings, enabled) if loaded.documents else ()
    for doc in loaded.documents:
        doc.path = display
        for code, rule in plan:
            ctx = RuleContext(rule, settings.params.get(code, rule.parameters), doc, display)
            try:
                check = rule.load_check()
                if check is not None:
                    check(doc, ctx)
            except Exception as exc:  # one rule's bug must not hide the others
                result.internal_error = True
                result.findings.append(_internal(settings, display, f"rule {code}", exc))
                continue
            if ctx.findings:
                result.findings.extend(_doc_suppressed(doc, ctx.findings, text))
    result.findings = _one_per_line(_filter(result.findings, text, settings, enabled), settings)
    return result


_PLANS: dict[tuple[int, frozenset[str]], tuple[Settings, tuple[tuple[str, Rule], ...]]] = {}


def _plan(settings: Settings, enabled: set[str]) -> tuple[tuple[str, Rule], ...]:
    """The enabled document rules in code order (kept per settings object and selection)."""
    key = (id(settings), frozenset(enabled))
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is settings:
        return hit[1]
    plan = tuple((code, rule) for code in sorted(enabled) if (rule := settings.rules[code]).scope == "document")
    if len(_PLANS) > 16:
        _PLANS.clear()
    _PLANS[key] = (settings, plan)
    return plan


def _doc_suppressed(doc: PromptDocument, findings: list[Finding], text: str) -> list[Finding]:
    """Drop findings suppressed on one of the document's ``meta["suppress_lines"]`` (e.g. the line of
    the Python call or assignment holding the prompt) on top of their own first or last line."""
    extra = doc.meta.get("suppress_lines") if findings else None
    if not extra:
        return findings
    sup = parse_suppressions(text)
    if not sup.lines and not sup.file_all and not sup.file_codes:
        return findings
    return [f for f in findings if not any(sup.suppresses(f.code, line, line) for line in extra)]


def _internal(settings: Settings, display: str, where: str, exc: BaseException) -> Finding:
    import traceback

    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    return _file_finding(
        settings, INTERNAL_ERROR, display, f"internal error while {where}: {type(exc).__name__}: {exc}{at}"
    )


def _filter(findings: list[Finding], text: str, settings: Settings, enabled: set[str]) -> list[Finding]:
    sup = parse_suppressions(text)
    ignored = settings.ignored_for(findings[0].path) if findings else set()
    out = []
    for f in findings:
        if f.code != INTERNAL_ERROR and (f.code not in enabled or f.code in ignored):
            continue
        if f.code != INTERNAL_ERROR and sup.suppresses(f.code, f.line, f.end_line):
            continue
        out.append(f)
    return sorted(out, key=Finding.sort_key)


def _one_per_line(findings: list[Finding], settings: Settings) -> list[Finding]:
    """Keep one finding per family and line for rules marked ``exclusive``: one amendment, one report."""
    seen: set[tuple[str, int]] = set()
    out = []
    for f in findings:
        rule = settings.rules.get(f.code)
        if rule is not None and rule.exclusive:
            key = (rule.family, f.line)
            if key in seen:
                continue
            seen.add(key)
        out.append(f)
    return out


def lint_file(display: str, path: str, settings: Settings) -> FileResult:
    """Read and lint one file; never raises for a bad file."""
    text, unreadable, warning, stamp = _read(path, settings.max_file_size)
    if text is None:
        result = FileResult(display=display, path=path, stamp=stamp)
        if UNREADABLE in settings.enabled:
            result.findings.append(_file_finding(settings, UNREADABLE, display, unreadable or "unreadable"))
        return result
    result = lint_text(display, text, settings, path=path)
    result.lossy = warning is not None
    result.stamp = stamp
    if warning and INVALID_UTF8 in settings.enabled and not result.skipped:
        line = int(warning.split("line ", 1)[1].split(" ", 1)[0])
        finding = _file_finding(settings, INVALID_UTF8, display, warning, line)
        if not parse_suppressions(text).suppresses(INVALID_UTF8, line, line):
            result.findings.insert(0, finding)
    return result
