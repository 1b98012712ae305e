"""Baselines: record today's findings, then report only new ones.

A finding is identified by its code, its file (relative to the project root) and a content
fingerprint: a hash of the stripped text of the line it starts on plus its message's rule code,
numbered by occurrence. Lines inserted above a finding therefore do not make it "new".
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

from promptlint.findings import Finding
from promptlint.model import LineIndex

VERSION = 1


class BaselineError(Exception):
    """An unreadable or invalid baseline file."""


def _relpath(path: str, root: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root.resolve()).as_posix()
    except ValueError:
        return absolute.as_posix()


def fingerprints(findings: list[Finding], sources: dict[str, str], root: Path) -> list[tuple[str, str, str]]:
    """(code, relative path, fingerprint) for each finding, in order."""
    indexes: dict[str, LineIndex] = {}
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for f in findings:
        text = sources.get(f.path)
        line = ""
        if text is not None:
            index = indexes.get(f.path) or indexes.setdefault(f.path, LineIndex(text))
            line = " ".join(index.line_text(f.line).split())
        base = hashlib.sha256(f"{f.code}\0{line or f.message}".encode()).hexdigest()[:16]
        rel = _relpath(f.path, root)
        key = (f.code, rel, base)
        seen[key] += 1
        out.append((f.code, rel, f"{base}:{seen[key]}"))
    return out


def write_baseline(path: str, findings: list[Finding], sources: dict[str, str], root: Path) -> int:
    """Write the baseline file; return how many findings it records."""
    entries = [
        {"code": code, "filename": rel, "fingerprint": fp, "message": f.message}
        for (code, rel, fp), f in zip(fingerprints(findings, sources, root), findings)
    ]
    payload = {"version": VERSION, "findings": entries}
    Path(path).write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries)


def load_baseline(path: str) -> set[tuple[str, str, str]]:
    """The recorded (code, filename, fingerprint) triples."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BaselineError(f"{path}: baseline file not found (create it with --write-baseline)") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not a promptlint baseline (version {VERSION})")
    out = set()
    for entry in data["findings"]:
        try:
            out.add((entry["code"], entry["filename"], entry["fingerprint"]))
        except (KeyError, TypeError) as exc:
            raise BaselineError(f"{path}: malformed entry {entry!r}") from exc
    return out


def new_findings(
    findings: list[Finding], sources: dict[str, str], root: Path, known: set[tuple[str, str, str]]
) -> list[Finding]:
    """The findings that the baseline does not record."""
    return [f for f, key in zip(findings, fingerprints(findings, sources, root)) if key not in known]
