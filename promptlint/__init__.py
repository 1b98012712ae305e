"""promptlint: a prompt-robustness linter."""

__version__ = "0.1.0"

from promptlint import fastclasses as _fastclasses

_fastclasses.install()  # before any promptlint module defines its dataclasses
