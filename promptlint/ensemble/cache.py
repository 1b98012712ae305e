"""The per-sample cache: ``.promptlint_cache/ensemble/v1/<ab>/<key>.json``.

One file per sample, keyed by a SHA-256 of the schema version, backend, API host, model, the
request (system, messages, max_tokens) and the sample index, so a rerun of unchanged prompts
makes no API call and a changed prompt misses. Only successful responses are stored (never
errors), with atomic writes; nothing about credentials is part of a key or an entry.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from promptlint.cache import CACHE_DIR_NAME, cache_dir, write_bytes_atomic

SCHEMA = 1


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
            cache_dir(self.base.parent)  # creates CACHEDIR.TAG and .gitignore
            body = {"schema": SCHEMA, "key": key, **entry}
            write_bytes_atomic(self._path(key), json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))
        except OSError:
            return
