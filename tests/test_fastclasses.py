"""The dataclass code cache: classes behave exactly as with the stock dataclasses module."""

from __future__ import annotations

import dataclasses
import sys
import types
from pathlib import Path

import pytest

from promptlint import fastclasses

pytestmark = pytest.mark.skipif(
    dataclasses._create_fn is not fastclasses._create_fn, reason="the cache is installed on CPython 3.11 only"
)


_CLASSES = """
import dataclasses


@dataclasses.dataclass(frozen=True, order=True)
class Point:
    x: int
    y: int = 0


@dataclasses.dataclass
class Bag:
    name: str
    items: list = dataclasses.field(default_factory=list)
    hidden: int = dataclasses.field(default=3, repr=False, compare=False)

    def __post_init__(self):
        self.items = sorted(self.items)
"""


def _define(module: str = "promptlint._fastclasses_probe"):
    """The classes, defined in a fresh module (only promptlint's modules are cached)."""
    mod = types.ModuleType(module)
    sys.modules[module] = mod
    try:
        exec(compile(_CLASSES, module, "exec"), mod.__dict__)
    finally:
        del sys.modules[module]
    return mod.Point, mod.Bag


def _behaviour(point: type, bag: type) -> list[object]:
    p, q = point(1, 2), point(1, 3)
    b = bag("a", [3, 1])
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        bag()
    return [repr(p), p == point(1, 2), p < q, hash(p) == hash(point(1, 2)), repr(b), b.items, b == bag("a", [1, 3], 9)]


def test_generated_methods_match_the_stock_implementation(monkeypatch: pytest.MonkeyPatch) -> None:
    cached = _behaviour(*_define())
    monkeypatch.setattr(dataclasses, "_create_fn", fastclasses._original)
    stock = _behaviour(*_define())
    assert cached == stock


def test_other_libraries_classes_are_not_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastclasses, "_CODES", {})
    monkeypatch.setattr(fastclasses, "_NEW", False)
    monkeypatch.setattr(fastclasses, "_LOADED", True)
    point, _ = _define("someone_elses_module")
    assert point(1) == point(1, 0)
    assert fastclasses._CODES == {} and not fastclasses._NEW


def test_compiled_code_is_saved_and_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(fastclasses, "_CODES", {})
    monkeypatch.setattr(fastclasses, "_NEW", False)
    monkeypatch.setattr(fastclasses, "_LOADED", True)
    _define()
    assert fastclasses._NEW
    texts = set(fastclasses._CODES)
    fastclasses.save_cache()
    assert (tmp_path / "promptlint" / "dataclass-code.marshal").is_file()
    monkeypatch.setattr(fastclasses, "_CODES", {})
    monkeypatch.setattr(fastclasses, "_LOADED", False)
    point, _ = _define()  # served from the file
    assert set(fastclasses._CODES) == texts
    assert not fastclasses._NEW
    assert repr(point(1)).endswith("Point(x=1, y=0)")


def test_a_corrupt_cache_file_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "promptlint").mkdir()
    (tmp_path / "promptlint" / "dataclass-code.marshal").write_bytes(b"\x00garbage")
    monkeypatch.setattr(fastclasses, "_CODES", {})
    monkeypatch.setattr(fastclasses, "_LOADED", False)
    point, _ = _define()
    assert point(2, 3).y == 3
