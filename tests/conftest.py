"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptlint.catalog import load_catalog
from promptlint.config import Config
from promptlint.engine import Settings


@pytest.fixture(autouse=True)
def _no_results_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see fresh results; tests/test_results_cache.py turns the cache back on."""
    monkeypatch.setenv("PROMPTLINT_NO_CACHE", "1")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings rooted at a temporary directory, every rule enabled."""
    rules = load_catalog()
    s = Settings.build(Config(path=None, root=tmp_path, values={}), rules)
    s.enabled = set(rules)
    return s
