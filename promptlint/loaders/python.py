"""Python files: prompts extracted from code (see :mod:`promptlint.pyextract`).

Every prompt found in a module (an LLM call's arguments, a message list, a prompt constant) is one
:class:`PromptDocument` of format ``python``: kind ``chat`` for message lists and calls with
messages, ``document`` for a single string. Each character of a message maps back to its line and
column in the file, and ``doc.editor`` rewrites the string literals in place.

Files without any prompt signal are skipped before parsing. A syntax error, or code nested too
deeply to parse, is a PRM002 problem; the run goes on.

The loader signature is ``load(path, text)``; the ``[tool.promptlint.python]`` settings reach it
through :func:`configure`, which the engine calls before loading a Python file.
"""

from __future__ import annotations

import ast
import traceback
import warnings
from pathlib import Path
from typing import Any

from promptlint.model import LineIndex, LoadProblem, LoadResult
from promptlint.pyextract.options import Options, from_config

UNPARSABLE = "PRM002"
INTERNAL_ERROR = "PRM005"
# Larger files are not parsed for prompts (a generated module, a data dump).
MAX_SOURCE_CHARS = 1_000_000

_options = Options()


def configure(values: dict[str, Any] | None) -> None:
    """Set the ``[tool.promptlint.python]`` settings used by :func:`load` from now on."""
    global _options
    _options = from_config(values)


def current_options() -> Options:
    return _options


def load(path: str, text: str) -> LoadResult | None:
    """Prompt documents of a Python file; None when it holds none. Never raises."""
    from promptlint.pyextract import classify, scan

    options = _options
    module = Path(path.replace("\\", "/")).stem
    signals = scan.may_hold_prompts(text, options.call_words, options.name_words, not scan.is_test_file(path))
    if not (signals or classify.container_says_prompt(module)):
        return None
    if len(text) > MAX_SOURCE_CHARS:
        if scan.call_signal_offsets(text, options.call_words):
            mb = len(text) / 1_000_000
            return _problem(f"file too large to extract prompts from ({mb:.1f} MB > 1 MB), skipped")
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        line = exc.lineno or 1
        column = max(exc.offset or 1, 1)
        return _problem(f"Python syntax error: {exc.msg}", line, column)
    except (RecursionError, MemoryError):
        return _problem("Python code nested too deeply to parse")
    except ValueError as exc:
        return _problem(f"cannot parse Python source: {exc}")
    try:
        from promptlint.pyextract.build import build_documents
        from promptlint.pyextract.extract import Extractor

        docs = build_documents(Extractor(path, text, tree, LineIndex(text), options))
    except RecursionError:
        return _problem("Python code nested too deeply to extract prompts")
    except Exception as exc:  # a bug must not stop the run: report it on this file
        frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        at = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
        problem = LoadProblem(
            INTERNAL_ERROR, f"internal error while extracting prompts: {type(exc).__name__}: {exc}{at}"
        )
        return LoadResult(problems=[problem])
    if not docs:
        return None
    return LoadResult(documents=docs)


def _problem(message: str, line: int = 1, column: int = 1) -> LoadResult:
    return LoadResult(problems=[LoadProblem(UNPARSABLE, message, line, column)])
