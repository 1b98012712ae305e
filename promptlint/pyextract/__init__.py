"""Prompt extraction from Python source (issue #5).

The pipeline, cheapest step first:

1. :mod:`.scan` - a text scan decides whether a file may hold prompts at all (most files stop here);
2. the stdlib :mod:`ast` parses the file (about 10x faster than libcst) and :mod:`.extract` walks only the
   statements whose lines carry a signal (an LLM call, a ``"role"`` key, a prompt-like name);
3. :mod:`.literals` re-lexes just the string literals that are extracted, giving every character of a
   prompt its exact file offset (through escapes, implicit concatenation, f-strings, ``textwrap.dedent``);
4. :mod:`.editor` turns message-level edits back into edits of those literals, keeping quote style,
   prefixes and indentation, and verifies every rewritten literal by evaluating it again.

:func:`promptlint.loaders.python.load` is the loader entry point.
"""

from __future__ import annotations

from promptlint.pyextract.options import Options

__all__ = ["Options"]
