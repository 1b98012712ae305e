"""Linting many files with worker processes; results come back in input order."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from promptlint.discovery import Candidate
from promptlint.engine import FileResult, Settings

_SETTINGS: Settings | None = None


def _init(settings: Settings) -> None:
    global _SETTINGS
    _SETTINGS = settings


def _lint_chunk(chunk: list[Candidate]) -> list[FileResult]:
    from promptlint.runner import _lint_one

    assert _SETTINGS is not None
    out = []
    for cand in chunk:
        result = _lint_one(cand, _SETTINGS, keep_documents=False)
        if not result.findings:
            result.text = None  # nothing to show: do not ship the text back
        out.append(result)
    from promptlint import lazyre

    lazyre.save_cache()  # patterns this worker compiled first are kept for the next run
    return out


def lint_parallel(candidates: list[Candidate], settings: Settings, workers: int) -> list[FileResult]:
    """Lint ``candidates`` in ``workers`` processes, in chunks, keeping their order."""
    size = max(8, len(candidates) // (workers * 4))
    chunks = [candidates[i : i + size] for i in range(0, len(candidates), size)]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init, initargs=(settings,)) as pool:
        return [result for chunk in pool.map(_lint_chunk, chunks) for result in chunk]
