"""Composing YAML nodes with libyaml's own composer, when that is provably safe and exact.

libyaml's composer (``CParser.get_node``) builds the same nodes, tags and marks as PyYAML's
Python composer fed with libyaml's events, without a Python call per event. It recurses in C,
though, so nesting must be bounded before it is used: :func:`compose_all` either proves the
nesting shallow from the text or counts depth in the ``descend_resolver`` hook the C composer
calls for every node it composes. Whenever a document comes near the depth cap or anything
goes wrong, it returns None and the caller's careful composer decides (and reports).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import Node, ScalarNode, SequenceNode

try:
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None

_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"

# Every collection node starts at one of these characters of its own ("-" or "?" entries, the
# ":" of a first key, "[" or "{"), so a text with fewer of them nests less deeply than that.
_NESTING_CHARS = "-?:[{"


class _TooDeep(Exception):
    """A document reaches the depth cap."""


def _implicit_table() -> dict[str, tuple[tuple[str, Any], ...]]:
    """PyYAML's implicit resolvers by first character, wildcard resolvers appended."""
    table = yaml.resolver.Resolver.yaml_implicit_resolvers
    wildcard = table.get(None, [])
    return {key: tuple(resolvers + wildcard) for key, resolvers in table.items() if key is not None}


_Resolver = yaml.resolver.Resolver
_IMPLICIT = _implicit_table()
_WILDCARD = tuple(_Resolver.yaml_implicit_resolvers.get(None, []))


if CParser is not None:

    class _Composer(CParser):
        """libyaml's parser and composer with PyYAML's resolution rules and no depth check."""

        def descend_resolver(self, parent: Any, index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass

        def resolve(self, kind: type, value: str, implicit: Any) -> str:
            """``Resolver.resolve`` for PyYAML's standard resolvers (there are no path resolvers)."""
            if kind is ScalarNode:
                if implicit[0]:
                    for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
                        if regexp.match(value):
                            return tag
                return _STR_TAG
            return _SEQ_TAG if kind is SequenceNode else _MAP_TAG


def _depth_hooks(max_depth: int) -> tuple[Any, Any]:
    """``descend_resolver``/``ascend_resolver`` replacements that stop at ``max_depth``."""
    depth = 0

    def descend(parent: Any, index: Any) -> None:
        nonlocal depth
        depth += 1
        if depth >= max_depth:
            raise _TooDeep

    def ascend() -> None:
        nonlocal depth
        depth -= 1

    return descend, ascend


def _shallow(text: str, max_depth: int) -> bool:
    """True when no node of ``text`` can be ``max_depth - 1`` levels deep."""
    return sum(map(text.count, _NESTING_CHARS)) < max_depth - 2


def compose_all(text: str, max_depth: int) -> list[Node] | None:
    """The root nodes of every document of ``text``, or None when the careful path must decide.

    None is returned when libyaml is missing, the text starts with a BOM (libyaml's marks skip
    it), a node is ``max_depth - 1`` levels deep, or parsing fails in any way.
    """
    if CParser is None or text.startswith("\ufeff") or _Resolver.yaml_path_resolvers:
        return None
    try:
        composer = _Composer(text)
        if not _shallow(text, max_depth):
            # Attributes set on the instance are found before the class's methods.
            composer.descend_resolver, composer.ascend_resolver = _depth_hooks(max_depth)
        docs = []
        while composer.check_node():
            docs.append(composer.get_node())
        return docs
    except Exception:
        return None
