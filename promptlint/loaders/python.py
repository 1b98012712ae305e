"""Python files: prompt extraction from code arrives with libcst (issue #5).

Until then Python files are recognised but hold no prompt documents, so they are skipped.
"""

from __future__ import annotations

from promptlint.model import LoadResult


def load(path: str, text: str) -> LoadResult | None:
    """Return None: no Python prompt extraction yet."""
    return None
