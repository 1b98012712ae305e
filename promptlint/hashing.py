"""SHA-256 without importing :mod:`hashlib` (whose OpenSSL binding costs milliseconds at start-up)."""

from __future__ import annotations

from typing import Any

try:  # CPython's own implementation: _sha256 up to 3.11, _sha2 from 3.12
    from _sha256 import sha256 as _sha256  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the interpreter
    try:
        from _sha2 import sha256 as _sha256  # type: ignore[import-not-found,no-redef]
    except ImportError:
        from hashlib import sha256 as _sha256  # type: ignore[assignment]


def sha256(data: bytes = b"") -> Any:
    """A SHA-256 hash object (``update``/``hexdigest``), as :func:`hashlib.sha256`."""
    return _sha256(data)


def sha256_hex(data: bytes) -> str:
    """The hex SHA-256 digest of ``data``."""
    return _sha256(data).hexdigest()
