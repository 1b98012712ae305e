"""The per-sample cache: ``.promptlint_cache/ensemble/v1/<ab>/<key>.json``.

One file per sample, keyed by a SHA-256 of the schema version, backend, API host, model, the
request (system, messages, max_tokens) and the sample index, so a rerun of unchanged prompts
makes no API call and a changed prompt misses. Only successful responses are stored (never
errors), with atomic writes; nothing about credentials is part of a key or an entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

SCHEMA = 1
CACHE_DIR_NAME = ".promptlint_cache"
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by promptlint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def request_key(backend: str, host: str, model: str, payload: dict[str, Any], index: int) -> str:
    """The cache key of sample ``index`` of a request (``payload``: system, messages, max_tokens)."""
    canonical = json.dumps(
        {"schema": SCHEMA, "backend": backend, "host": host, "model": model, "request": payload, "sample": index},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class SampleCache:
    """Read and write cached samples under ``root/.promptlint_cache/ensemble``."""

    def __init__(self, root: Path, *, read: bool = True) -> None:
        self.base = root / CACHE_DIR_NAME
        self.dir = self.base / "ensemble" / f"v{SCHEMA}"
        self.read = read

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.read:
            return None
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("text"), str):
            return None
        return data

    def put(self, key: str, entry: dict[str, Any]) -> None:
        """Store a successful sample; a cache that cannot be written is silently skipped."""
        try:
            self._ensure_tag()
            body = {"schema": SCHEMA, "key": key, **entry}
            _write_atomic(self._path(key), json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))
        except OSError:
            return

    def _ensure_tag(self) -> None:
        tag = self.base / "CACHEDIR.TAG"
        if not tag.exists():
            self.base.mkdir(parents=True, exist_ok=True)
            _write_atomic(tag, _TAG.encode())
            if not (self.base / ".gitignore").exists():
                _write_atomic(self.base / ".gitignore", b"# Created by promptlint.\n*\n")
