"""Lazily compiled patterns and their on-disk code cache."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from promptlint import lazyre


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(lazyre, "_CODES", {})
    monkeypatch.setattr(lazyre, "_NEW", False)
    monkeypatch.setattr(lazyre, "_CACHE_FILE", None)
    lazyre.use_cache_dir(tmp_path)
    return tmp_path


def test_patterns_behave_like_re_compile(fresh_cache: Path) -> None:
    pattern = lazyre.lazy_compile(r"(?P<word>\b[a-z]+)\s*:", re.I | re.M)
    text = "Name: x\nAGE : y"
    expected = re.compile(r"(?P<word>\b[a-z]+)\s*:", re.I | re.M)
    assert [m.group("word") for m in pattern.finditer(text)] == [m.group("word") for m in expected.finditer(text)]
    assert pattern.sub("-", text) == expected.sub("-", text)


def test_compiled_code_is_saved_and_reused(fresh_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Flags given as re.RegexFlag must not stop the cache from being written."""
    lazyre.lazy_compile(r"\d+(?P<unit>ms|s)\b", re.I | re.S).search("took 12ms")
    lazyre.compile_cached(r"^[ \t]*- ", re.M)
    lazyre.save_cache()
    saved = fresh_cache / "regex-code.marshal"
    assert saved.is_file()
    monkeypatch.setattr(lazyre, "_CODES", {})
    monkeypatch.setattr(lazyre, "_CACHE_FILE", None)
    lazyre.use_cache_dir(fresh_cache)
    assert (r"\d+(?P<unit>ms|s)\b", int(re.I | re.S)) in lazyre._CODES
    again = lazyre.lazy_compile(r"\d+(?P<unit>ms|s)\b", re.I | re.S)
    assert again.search("took 12MS").group("unit") == "MS"


def test_corrupt_cache_file_is_ignored(fresh_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (fresh_cache / "regex-code.marshal").write_bytes(b"\x00not marshal")
    monkeypatch.setattr(lazyre, "_CACHE_FILE", None)
    lazyre.use_cache_dir(fresh_cache)
    assert lazyre.lazy_compile(r"a+b").fullmatch("aaab")


def test_caseless_pattern_matches_like_ignorecase() -> None:
    pattern = r"\b(?:best practices?|all of)\b"
    caseless = lazyre.CaselessPattern(pattern)
    for text in ("Follow BEST Practice here", "do all of it", "nothing", "Ünïcode: All Of them", "ſome best practices"):
        expected = re.search(pattern, text, re.I)
        found = caseless.search(text)
        assert (found is None) == (expected is None), text
        if found is not None:
            assert found.span() == expected.span(), text
