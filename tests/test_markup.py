"""The fast scans of promptlint.markup find exactly what their defining regexes find."""

from __future__ import annotations

import random

import pytest

from promptlint import markup
from promptlint.loaders import text as text_loader
from promptlint.markup import CODE, EXAMPLE, QUOTE, QUOTED, find_regions

_PIECES = ["`", "``", "```", "a", " ", "\n", "\n\n", "x y", "\t", ">", '"k": "v"', "    ", "~~~", ":", "\r"]
_PIECES += ["{{", "}}", "{{role 'user'}}", '{{ role "system" }}', "role", "'user'"]


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 40))) for _ in range(count)]


def test_code_spans_are_the_inline_code_regex_matches() -> None:
    for text in _texts(1, 5000):
        expected = [m.span() for m in markup._INLINE_CODE.finditer(text)]
        assert markup._code_spans(text) == expected, repr(text)


@pytest.mark.parametrize(
    ("pattern", "opener"),
    [
        (markup._BLOCK_QUOTE, markup._QUOTE_LINE),
        (markup._JSON_VALUE_LINE, markup._JSON_LINE),
        (markup._FENCE_OPEN, markup._FENCE_LINE),
        (text_loader._ROLE_MARKER, text_loader._ROLE_LINE),  # a marker may span lines
    ],
)
def test_line_scans_find_what_finditer_finds(pattern, opener) -> None:
    found = 0
    for text in _texts(2, 1000):
        found += len(list(pattern.finditer(text)))
        for pos in range(len(text) + 1):
            expected = [m.span() for m in pattern.finditer(text, pos)]
            assert [m.span() for m in markup.line_matches(pattern, opener, text, pos)] == expected, repr(text)
            want = pattern.search(text, pos)
            got = markup.line_search(pattern, opener, text, pos)
            assert (got and got.span()) == (want and want.span()), (repr(text), pos)
    assert found > 20  # the texts do exercise the pattern


def test_regions_of_a_mixed_prompt() -> None:
    text = (
        "Use `ruff` here.\n\n"
        "> quoted advice\n"
        "Example:\n"
        "    indented sample\n"
        "Then:\n"
        '"key": "value"\n'
        "```\ncode\n```\n"
        'Say "hello there" politely.\n'
    )
    kinds = {(text[r.start : r.end], r.kind) for r in find_regions(text)}
    assert ("`ruff`", CODE) in kinds
    assert ("> quoted advice\n", QUOTE) in kinds
    assert ("    indented sample", EXAMPLE) in kinds
    assert ('"value"', QUOTED) in kinds
    assert ("```\ncode\n```", CODE) in kinds
    assert ('"hello there"', QUOTED) in kinds


def test_quotes_after_a_word_are_not_quoted_strings() -> None:
    # The lookbehind moved after the opening quote: a quote right after a letter still opens nothing.
    assert [r.kind for r in find_regions('x"not quoted" and it\'s fine')] == []
    assert [r.kind for r in find_regions("'quoted here' ok")] == [QUOTED]
