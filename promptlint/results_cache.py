"""Per-file results cache: unchanged files are not linted (nor read) again.

Entries are keyed by the file's real path and stored per *settings key*: promptlint's version,
the rule catalog's fingerprint and the effective settings. A file is unchanged when its size
and modification time match; when only the time differs, its SHA-256 decides. Concurrent runs
are safe: each run merges its entries into the latest file and replaces it atomically.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

from promptlint import __version__
from promptlint.cache import cache_dir, dump_marshal, load_marshal
from promptlint.catalog import catalog_dir
from promptlint.engine import FileResult, Settings
from promptlint.findings import Edit, Finding, Fix
from promptlint.hashing import sha256, sha256_hex

SCHEMA = 2

# An entry, as stored: (size, mtime_ns, sha256, display, path, findings, text, skipped, lossy), each
# finding a tuple of its fields with its fix as (applicability, ((start, end, content), ...), message).
Entry = tuple


def settings_key(settings: Settings) -> str:
    """A hash of everything that changes findings besides the file content."""
    h = sha256()
    h.update(f"{SCHEMA}|{__version__}|".encode())
    try:
        for path in sorted(catalog_dir().glob("*.toml")):
            st = path.stat()
            h.update(f"{path.name}:{st.st_size}:{st.st_mtime_ns}|".encode())
    except OSError:
        h.update(b"no-catalog")
    # An editable install changes code without changing the version: key on the sources too.
    package = os.path.dirname(os.path.realpath(__file__))
    sources = []
    for folder, dirs, files in os.walk(package):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        sources += [os.path.join(folder, name) for name in files if name.endswith(".py")]
    for path in sorted(sources):
        try:
            h.update(f"{os.path.basename(path)}:{os.stat(path).st_mtime_ns}|".encode())
        except OSError:
            continue
    h.update(repr(sorted(settings.enabled)).encode())
    h.update(repr(sorted((k, sorted(v.items())) for k, v in settings.params.items())).encode())
    h.update(repr(sorted((p, sorted(c)) for p, c in settings.per_file_ignores)).encode())
    h.update(repr((str(settings.root), settings.max_file_size)).encode())
    h.update(repr(sorted((k, repr(v)) for k, v in getattr(settings, "python", {}).items())).encode())
    return h.hexdigest()[:20]


def file_digest(path: str) -> str | None:
    """SHA-256 of a file's bytes, or None when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return sha256_hex(fh.read())
    except OSError:
        return None


class ResultsCache:
    """Load once, look up and store per file, save once."""

    def __init__(self, settings: Settings) -> None:
        self.path: Path | None = None
        self.entries: dict[str, Entry] = {}
        self.dirty: dict[str, Entry] = {}
        try:
            directory = cache_dir(settings.root) / "results"
            self.path = directory / f"{settings_key(settings)}.marshal"
        except OSError:
            return
        loaded = load_marshal(self.path)
        if isinstance(loaded, dict):
            self.entries = loaded

    def get(self, display: str, real: str) -> FileResult | None:
        """The cached result for an unchanged file, with its display path updated."""
        entry = self.entries.get(real)
        if entry is None:
            return None
        try:
            st = os.stat(real)
        except OSError:
            return None
        size, mtime_ns, digest = entry[:3]
        if st.st_size != size:
            return None
        if st.st_mtime_ns != mtime_ns:
            if file_digest(real) != digest:
                return None
            entry = self.dirty[real] = (size, st.st_mtime_ns, *entry[2:])
        try:
            result = _decode(entry)
        except Exception:  # a damaged entry is a miss
            return None
        return _relabel(result, display)

    def put(self, real: str, result: FileResult) -> None:
        """Remember a freshly linted file (not files that failed internally)."""
        if result.internal_error or self.path is None:
            return
        if result.stamp is not None:  # measured when the file was read
            size, mtime_ns, digest = result.stamp
        else:
            try:
                st = os.stat(real)
            except OSError:
                return
            found = file_digest(real)
            if found is None:
                return
            size, mtime_ns, digest = st.st_size, st.st_mtime_ns, found
        findings = tuple(_encode_finding(f) for f in result.findings)
        text = result.text if result.findings else None
        self.dirty[real] = (
            *(size, mtime_ns, digest),
            *(result.display, result.path, findings, text, result.skipped, result.lossy),
        )

    def save(self) -> None:
        """Merge this run's entries into the cache file atomically."""
        if self.path is None or not self.dirty:
            return
        latest = load_marshal(self.path)
        merged: dict[str, Any] = latest if isinstance(latest, dict) else {}
        merged.update(self.dirty)
        try:
            marshal.dumps(merged)
        except ValueError:  # some finding's data holds a value marshal cannot store: leave those files out
            merged = {real: entry for real, entry in merged.items() if _storable(entry)}
        dump_marshal(self.path, merged)
        self.dirty.clear()


def _storable(entry: Entry) -> bool:
    try:
        marshal.dumps(entry)
    except ValueError:
        return False
    return True


def _encode_finding(f: Finding) -> tuple[Any, ...]:
    fix = None
    if f.fix is not None:
        fix = (f.fix.applicability, tuple((e.start, e.end, e.content) for e in f.fix.edits), f.fix.message)
    return (f.code, f.name, f.message, f.path, f.line, f.column, f.end_line, f.end_column, f.severity, fix, f.data)


def _decode(entry: Entry) -> FileResult:
    _, _, _, display, path, findings, text, skipped, lossy = entry
    decoded = []
    for *fields, fix, data in findings:
        if fix is not None:
            applicability, edits, message = fix
            fix = Fix(applicability, [Edit(*e) for e in edits], message)
        decoded.append(Finding(*fields, fix=fix, data=data))
    return FileResult(display=display, path=path, findings=decoded, text=text, skipped=skipped, lossy=lossy)


def _relabel(result: FileResult, display: str) -> FileResult:
    if result.display == display:
        return result
    findings = []
    for f in result.findings:
        f = type(f)(**{**f.__dict__, "path": display})
        findings.append(f)
    return FileResult(
        display=display,
        path=result.path,
        findings=findings,
        text=result.text,
        skipped=result.skipped,
        lossy=result.lossy,
    )
