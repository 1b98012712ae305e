"""``promptlint stats``: the task load of every prompt, measured against the TSK limits."""

from __future__ import annotations

import json

import click

from promptlint.engine import Settings
from promptlint.runner import lint_paths

TSK_PARAMS = ("TSK001", "TSK002", "TSK003", "TSK004", "TSK005")


def _params(settings: Settings) -> dict:
    merged: dict = {}
    for code in TSK_PARAMS:
        merged.update(settings.params.get(code, {}))
    return merged


def task_stats(paths: list[str], settings: Settings, *, fmt: str, force_exclude: bool) -> int:
    """Print deliverables, steps, constraints, topics and tokens per prompt; 0, or 2 on internal error."""
    from promptlint.checks.tasks import task_load

    params = _params(settings)
    results = lint_paths(paths, settings, force_exclude)
    rows = []
    for result in results:
        for doc in result.documents:
            first, last = doc.span_lines
            load = task_load(doc, params)
            over = [k for k in ("deliverables", "steps", "topics", "tokens") if load[k] > load["limits"][k]]
            rows.append({"filename": result.display, "line": first, "end_line": last, **load, "over": over})
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        widths = {"deliverables": 14, "steps": 8, "topics": 8, "tokens": 11}
        head = "".join(f"{k:>{w}}" for k, w in widths.items())
        click.echo(f"{'prompt':<44}{head}{'constraints':>12}")
        for row in rows:
            lim = row["limits"]
            name = f"{row['filename']}:{row['line']}"
            if len(name) > 43:
                name = "…" + name[-42:]
            cells = "".join(
                f"{str(row[k]) + '/' + str(lim[k]) + ('!' if k in row['over'] else ' '):>{w}}"
                for k, w in widths.items()
            )
            click.echo(f"{name:<44}{cells}{row['constraints']:>12}")
        click.echo("value/limit; '!' marks a value above the limit of its TSK rule.", err=True)
    return 2 if any(r.internal_error for r in results) else 0
