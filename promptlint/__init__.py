"""promptlint: a prompt-robustness linter."""

__version__ = "0.1.0"
