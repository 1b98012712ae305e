"""Which files changed since a git ref (for ``--changed-since``)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class GitError(Exception):
    """git is missing, the directory is not a repository, or the ref is unknown."""


def _git(*args: str, cwd: Path) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"cannot run git: {exc}") from exc
    if proc.returncode != 0:
        raise GitError(proc.stderr.strip() or "git failed")
    return proc.stdout


def changed_files(ref: str, root: Path) -> set[str]:
    """Real paths of files changed since ``ref``: committed, staged and unstaged changes (renames
    followed to their new name, deletions left out) plus untracked files that are not ignored."""
    try:
        top = Path(_git("rev-parse", "--show-toplevel", cwd=root).strip())
        names = _git("diff", "--name-only", "-z", "-M", "--diff-filter=ACMRT", ref, "--", cwd=top).split("\0")
        names += _git("ls-files", "--others", "--exclude-standard", "-z", cwd=top).split("\0")
    except GitError as exc:
        raise GitError(f"--changed-since {ref}: {exc}") from exc
    return {os.path.realpath(top / n) for n in names if n}
