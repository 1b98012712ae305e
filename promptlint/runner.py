"""Running ``check`` and ``prompts`` over paths: discovery, linting, fixing, reporting."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from promptlint import fastclasses, lazyre
from promptlint.discovery import Candidate, discover
from promptlint.engine import INTERNAL_ERROR, UNREADABLE, FileResult, Settings, _file_finding, lint_file, lint_text
from promptlint.findings import Finding
from promptlint.fixes import applicable, apply_fixes, unified_diff, write_atomic

MAX_FIX_PASSES = 10
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _candidates(paths: list[str], settings: Settings, force_exclude: bool):
    return discover(
        paths,
        root=settings.root,
        include=settings.include,
        exclude=settings.exclude,
        respect_gitignore=settings.respect_gitignore,
        force_exclude=force_exclude,
    )


# Below this many files to lint, worker processes cost more to start than they save.
PARALLEL_THRESHOLD = 96


def lint_paths(
    paths: list[str],
    settings: Settings,
    force_exclude: bool,
    *,
    use_cache: bool = False,
    keep_documents: bool = True,
    jobs: int | None = None,
    only: set[str] | None = None,
) -> list[FileResult]:
    """Lint every file found under ``paths``, in a stable order.

    With ``use_cache`` unchanged files come from the results cache (without their documents);
    large inputs are linted by worker processes unless ``keep_documents`` is needed.
    """
    candidates, problems = _candidates(paths, settings, force_exclude)
    if only is not None:  # --changed-since: the files git reports, walked or named
        candidates = [c for c in candidates if c.path in only]
    results: list[FileResult | None] = []
    for display, reason in problems:
        result = FileResult(display=display, path=display)
        result.findings.append(_file_finding(settings, UNREADABLE, display, reason))
        results.append(result)
    cache = None
    if use_cache:
        from promptlint.results_cache import ResultsCache

        cache = ResultsCache(settings)
    _use_pattern_cache(cache.path.parent.parent if cache is not None and cache.path is not None else None)
    todo: list[tuple[int, Candidate]] = []
    for cand in candidates:
        hit = cache.get(cand.display, cand.path) if cache else None
        if hit is None:
            todo.append((len(results), cand))
        results.append(hit)
    workers = _workers(len(todo), jobs)
    if workers > 1 and not keep_documents:
        from promptlint.parallel import lint_parallel

        fresh = lint_parallel([c for _, c in todo], settings, workers)
    else:
        fresh = [_lint_one(c, settings, keep_documents) for _, c in todo]
    for (index, cand), result in zip(todo, fresh):
        results[index] = result
        if cache is not None:
            cache.put(cand.path, result)
    if cache is not None:
        cache.save()
    lazyre.save_cache()
    fastclasses.save_cache()
    return [r for r in results if r is not None]


def _use_pattern_cache(project_cache: Path | None) -> None:
    """Compiled rule patterns come from the user's cache directory (or the project's)."""
    from promptlint.cache import user_cache_dir

    where = user_cache_dir() or project_cache
    if where is not None:
        lazyre.use_cache_dir(where)


def _workers(count: int, jobs: int | None) -> int:
    if jobs is not None:
        return max(1, jobs)
    if count < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(os.cpu_count() or 1, 8, count // (PARALLEL_THRESHOLD // 2)))


def _lint_one(cand: Candidate, settings: Settings, keep_documents: bool = True) -> FileResult:
    try:
        result = lint_file(cand.display, cand.path, settings)
    except Exception as exc:
        result = FileResult(display=cand.display, path=cand.path, internal_error=True)
        result.findings.append(
            _file_finding(settings, INTERNAL_ERROR, cand.display, f"internal error: {type(exc).__name__}: {exc}")
        )
    if not keep_documents:
        result.documents = []
    return result


def _fix_file(result: FileResult, settings: Settings, unsafe: bool) -> tuple[str, int, FileResult]:
    text = result.text or ""
    total = 0
    current = result
    for _ in range(MAX_FIX_PASSES):
        new_text, count = apply_fixes(text, current.findings, unsafe)
        if count == 0 or new_text == text:
            break
        total += count
        text = new_text
        current = lint_text(result.display, text, settings, path=result.path)
    return text, total, current


def run_check(
    paths: list[str],
    settings: Settings,
    *,
    fmt: str,
    output_file: str | None,
    statistics: bool,
    force_exclude: bool,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    quiet: bool,
    use_cache: bool = False,
    baseline: str | None = None,
    write_baseline: str | None = None,
    changed_since: str | None = None,
    ensemble: Any = None,
) -> int:
    """Lint, optionally fix, report; return the exit code."""
    from promptlint.reporters import render, render_statistics

    only = None
    if changed_since:
        from promptlint.gitdiff import GitError, changed_files

        try:
            only = changed_files(changed_since, settings.root)
        except GitError as exc:
            click.echo(f"promptlint: error: {exc}", err=True)
            return 2
    results = lint_paths(paths, settings, force_exclude, use_cache=use_cache, keep_documents=fix or diff, only=only)
    fixed = 0
    diffs: list[str] = []
    if fix or diff:
        for i, result in enumerate(results):
            if result.text is None or not any(applicable(f, unsafe_fixes) for f in result.findings):
                continue
            if result.lossy:
                click.echo(f"promptlint: not fixing {result.display}: it is not valid UTF-8", err=True)
                continue
            new_text, count, after = _fix_file(result, settings, unsafe_fixes)
            if count == 0 or new_text == result.text:
                continue
            if diff:
                diffs.append(unified_diff(result.display, result.text, new_text))
                continue
            try:
                write_atomic(result.path, _restore_bom(result.path, new_text))
            except OSError as exc:
                click.echo(f"promptlint: cannot write {result.display}: {exc}", err=True)
                continue
            fixed += count
            results[i] = after
    internal = any(r.internal_error or any(f.code == INTERNAL_ERROR for f in r.findings) for r in results)
    if diff:
        out = "".join(diffs)
        _emit(out, output_file)
        if not quiet:
            click.echo(f"{len(diffs)} file(s) would be changed." if diffs else "No fixes available.", err=True)
        return 2 if internal else (1 if diffs else 0)
    if ensemble is not None:  # check --ensemble: sample every prompt, add the ENS findings
        from promptlint.ensemble.run import ensemble_check

        if ensemble_check(results, settings, ensemble, quiet=quiet) is not None:
            return 2
    findings: list[Finding] = sorted((f for r in results for f in r.findings), key=Finding.sort_key)
    sources = {r.display: r.text for r in results if r.text is not None}
    if write_baseline or baseline:
        from promptlint.baseline import BaselineError, load_baseline, new_findings
        from promptlint.baseline import write_baseline as write

        try:
            if write_baseline:
                count = write(write_baseline, findings, sources, settings.root)
                click.echo(f"Wrote {count} finding(s) to the baseline {write_baseline}.", err=True)
                return 2 if internal else 0
            assert baseline is not None
            findings = new_findings(findings, sources, settings.root, load_baseline(baseline))
        except (BaselineError, OSError) as exc:
            click.echo(f"promptlint: error: {exc}", err=True)
            return 2
    color = not statistics and output_file is None and fmt == "text" and _use_color()
    if statistics:
        out = render_statistics(findings, settings.rules, as_json=fmt == "json")
    else:
        out = render(
            fmt,
            findings,
            settings.rules,
            sources=sources,
            color=color,
            root=str(settings.root),
            files_checked=len(results),
            fixed=fixed,
            unsafe_fixes_enabled=unsafe_fixes,
        )
        if quiet and fmt in ("text", "concise"):
            out = _strip_summary(out, findings)
    _emit(out, output_file, color=color)
    if internal:
        return 2
    return 1 if findings else 0


def run_ensemble(
    paths: list[str], settings: Settings, options: Any, *, fmt: str, force_exclude: bool, quiet: bool
) -> int:
    """The ``ensemble`` command: find the prompts, then report their divergence in detail."""
    from promptlint.ensemble.run import ensemble_report

    return ensemble_report(lint_paths(paths, settings, force_exclude), settings, options, fmt=fmt, quiet=quiet)


def _restore_bom(path: str, text: str) -> str:
    """Put back the UTF-8 byte order mark that reading the file removed."""
    try:
        with open(path, "rb") as fh:
            return "\ufeff" + text if fh.read(3) == b"\xef\xbb\xbf" else text
    except OSError:
        return text


def _strip_summary(out: str, findings: list[Finding]) -> str:
    if not findings:
        return ""
    lines = out.rstrip("\n").split("\n")
    summary = ("Found ", "[*]", "(", "All checks", "No fixes available")
    while lines and (_ANSI.sub("", lines[-1]).startswith(summary) or not lines[-1].strip()):
        lines.pop()
    return "\n".join(lines) + "\n"


def _use_color() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _emit(text: str, output_file: str | None, color: bool = False) -> None:
    if output_file:
        Path(output_file).write_text(text if text.endswith("\n") or not text else text + "\n", encoding="utf-8")
        return
    if text:
        # click strips ANSI codes when stdout is not a terminal; keep them when colour was asked for (FORCE_COLOR).
        click.echo(text, nl=not text.endswith("\n"), color=True if color else None)


def list_prompts(paths: list[str], settings: Settings, *, fmt: str, force_exclude: bool) -> int:
    """Print the prompt documents found under ``paths``; 0 always, 2 on internal error."""
    import dataclasses

    # Only the loaders are needed: no rule runs.
    results = lint_paths(paths, dataclasses.replace(settings, enabled=set()), force_exclude)
    items = []
    for result in results:
        for doc in result.documents:
            first, last = doc.span_lines
            items.append(
                {
                    "filename": result.display,
                    "line": first,
                    "end_line": last,
                    "kind": doc.kind,
                    "format": doc.format,
                    "messages": [
                        {"role": m.role, "line": doc.message_lines(i)[0], "end_line": doc.message_lines(i)[1]}
                        for i, m in enumerate(doc.messages)
                    ],
                }
            )
    if fmt == "json":
        import json

        click.echo(json.dumps(items, indent=2))
    else:
        for item in items:
            roles = ", ".join(f"{m['role']}@{m['line']}" for m in item["messages"])
            click.echo(
                f"{item['filename']}:{item['line']}-{item['end_line']}: {item['kind']} ({item['format']}) [{roles}]"
            )
        click.echo(f"{len(items)} prompt document(s) in {len({i['filename'] for i in items})} file(s).", err=True)
    internal = any(r.internal_error for r in results)
    return 2 if internal else 0
