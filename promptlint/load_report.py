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
        click.echo(f"{'prompt':<48} {'deliv.':>7} {'steps':>6} {'constr.':>8} {'topics':>7} {'tokens':>7}")
        for row in rows:
            lim = row["limits"]
            name = f"{row['filename']}:{row['line']}"
            if len(name) > 48:
                name = "…" + name[-47:]

            def cell(key: str, width: int, row: dict = row, lim: dict = lim) -> str:
                value = f"{row[key]}/{lim[key]}" if key in lim else str(row[key])
                mark = "!" if key in row["over"] else " "
                return f"{value + mark:>{width}}"

            click.echo(
                f"{name:<48} {cell('deliverables', 7)} {cell('steps', 6)} {row['constraints']:>8} "
                f"{cell('topics', 7)} {cell('tokens', 9)}"
            )
        click.echo("value/limit; '!' marks a value above the limit of its TSK rule.", err=True)
    return 2 if any(r.internal_error for r in results) else 0
