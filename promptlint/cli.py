"""The ``promptlint`` command line (click), shaped like ruff's."""

from __future__ import annotations

import os
import sys

import click

from promptlint import __version__
from promptlint.catalog import CatalogError, load_catalog
from promptlint.config import ConfigError, load_config

FORMATS = ("text", "concise", "json", "github", "sarif", "junit")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: tuple[str, ...]) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _fail(message: str) -> None:
    click.echo(f"promptlint: error: {message}", err=True)
    raise SystemExit(EXIT_ERROR)


def _settings(config_path, select, extend_select, ignore, use_cache=True):
    from promptlint.engine import Settings

    try:
        config = load_config(config_path)
        rules = load_catalog(cache_root=config.root if use_cache else None)
        return Settings.build(
            config, rules, select=_split(select), extend_select=_split(extend_select), ignore=_split(ignore)
        ), config
    except (ConfigError, CatalogError) as exc:
        _fail(str(exc))
    raise AssertionError  # unreachable


_ENSEMBLE_OPTIONS = (
    click.option("--samples", type=int, help="Ensemble: samples per prompt (default 10)."),
    click.option("--model", help="Ensemble: model to sample (default claude-haiku-4-5)."),
    click.option("--max-tokens", type=int, help="Ensemble: output token limit per sample (default 512)."),
    click.option("--concurrency", type=int, help="Ensemble: requests in flight at most (default 4)."),
    click.option("--threshold", type=float, help="Ensemble: incoherence threshold in [0, 1) (default 0.2)."),
    click.option("--projection", help="Ensemble: auto, json, answer, label, prose, regex:PATTERN or json:$.path."),
    click.option("--max-cost", type=float, metavar="USD", help="Ensemble: refuse to start above it, stop before it."),
    click.option("--dry-run", is_flag=True, help="Ensemble: print the estimated calls, tokens and cost; send nothing."),
    click.option("--refresh", is_flag=True, help="Ensemble: ignore cached samples."),
    click.option("--changed-since", metavar="REF", help="Only files changed since a git ref (static and ensemble)."),
    click.option("--report", type=click.Path(dir_okay=False), help="Ensemble: also write an HTML report to FILE."),
)


def _ensemble_options(func):
    for option in reversed(_ENSEMBLE_OPTIONS):
        func = option(func)
    return func


def _ensemble(config, ens, select, extend_select):
    """Ensemble options and the selectors it adds (imported lazily: static runs never load it)."""
    from promptlint.ensemble.config import EnsembleConfigError, build_options, ensemble_extend_select

    try:
        options = build_options(config.get("ensemble", {}), config.root, ens)
    except EnsembleConfigError as exc:
        _fail(str(exc))
    return options, tuple(ensemble_extend_select(_split(select), _split(extend_select), config.values))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="promptlint")
def cli() -> None:
    """promptlint: lint LLM prompts for split amendments and oversized tasks."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "--output-format", "fmt", type=click.Choice(FORMATS), default=None, help="Output format.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False), help="Write the report to a file.")
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (comma separated).")
@click.option("--extend-select", multiple=True, help="Codes or prefixes to enable on top of the selection.")
@click.option("--ignore", multiple=True, help="Codes or prefixes to disable.")
@click.option("--config", "config_path", type=click.Path(), help="Config file (default: nearest one).")
@click.option("-e", "--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Show counts per rule instead of findings.")
@click.option("--force-exclude", is_flag=True, help="Apply include/exclude to paths passed explicitly too.")
@click.option(
    "-n", "--no-cache", is_flag=True, envvar="PROMPTLINT_NO_CACHE", help="Do not read or write the results cache."
)
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply (or offer) unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("--baseline", "baseline", type=click.Path(dir_okay=False), help="Report only findings not in FILE.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Record today's findings in FILE; exit 0.")
@click.option("--ensemble", is_flag=True, help="Also sample each prompt with a model and report divergence (ENS).")
@_ensemble_options
def check(
    paths: tuple[str, ...],
    fmt: str | None,
    output_file: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_path: str | None,
    exit_zero: bool,
    statistics: bool,
    force_exclude: bool,
    no_cache: bool,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    quiet: bool,
    baseline: str | None,
    write_baseline: str | None,
    **ens,
) -> None:
    """Lint prompt files and directories (default: the current directory)."""
    from promptlint.runner import run_check

    settings, config = _settings(config_path, select, extend_select, ignore, use_cache=not no_cache)
    ensemble = None
    if ens.get("report") and not ens.get("ensemble"):
        _fail("--report needs --ensemble")
    if ens.pop("ensemble"):
        ensemble, extra = _ensemble(config, ens, select, extend_select)
        if extra:
            settings, config = _settings(config_path, select, extend_select + extra, ignore, use_cache=not no_cache)
    fmt = fmt or config.get("output-format", "text")
    if fmt not in FORMATS:
        _fail(f"{config.path}: 'output-format' must be one of {', '.join(FORMATS)}")
    code = run_check(
        list(paths) or ["."],
        settings,
        fmt=fmt,
        output_file=output_file,
        statistics=statistics,
        force_exclude=force_exclude or bool(config.get("force-exclude", False)),
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        diff=diff,
        quiet=quiet,
        use_cache=not (no_cache or fix or diff),
        baseline=baseline,
        write_baseline=write_baseline,
        ensemble=ensemble,
        changed_since=ens.get("changed_since"),
    )
    if code == EXIT_FINDINGS and exit_zero:
        code = EXIT_CLEAN
    raise SystemExit(code)


@cli.command()
@click.argument("code", required=False)
@click.option("--all", "all_rules", is_flag=True, help="Show every rule.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text")
def rule(code: str | None, all_rules: bool, fmt: str) -> None:
    """Explain a rule (or all rules)."""
    try:
        rules = load_catalog()
    except CatalogError as exc:
        _fail(str(exc))
    if all_rules:
        chosen = list(rules.values())
    elif code:
        match = rules.get(code.upper()) or next((r for r in rules.values() if r.name == code), None)
        if match is None:
            _fail(f"unknown rule {code!r}; run 'promptlint rule --all' for the list")
        chosen = [match]
    else:
        _fail("give a rule code, or --all")
    if fmt == "json":
        payload = [r.to_json() for r in chosen]
        import json

        click.echo(json.dumps(payload if all_rules else payload[0], indent=2))
    else:
        click.echo("\n".join(r.render_markdown() for r in chosen).rstrip("\n"))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text")
@click.option("--config", "config_path", type=click.Path(), help="Config file (default: nearest one).")
@click.option("--force-exclude", is_flag=True, help="Apply include/exclude to explicit paths too.")
def prompts(paths: tuple[str, ...], fmt: str, config_path: str | None, force_exclude: bool) -> None:
    """List the prompt documents promptlint finds."""
    from promptlint.runner import list_prompts

    settings, _ = _settings(config_path, (), (), ())
    raise SystemExit(list_prompts(list(paths) or ["."], settings, fmt=fmt, force_exclude=force_exclude))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(("text", "json", "html")), default="text", help="Report format.")
@click.option("--config", "config_path", type=click.Path(), help="Config file (default: nearest one).")
@click.option("--force-exclude", is_flag=True, help="Apply include/exclude to explicit paths too.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, estimate or closing line.")
@_ensemble_options
def ensemble(paths: tuple[str, ...], fmt: str, config_path: str | None, force_exclude: bool, quiet: bool, **ens):
    """Sample each prompt several times and report how much the outputs diverge (needs ANTHROPIC_API_KEY)."""
    from promptlint.runner import run_ensemble

    settings, config = _settings(config_path, (), (), ())
    options, extra = _ensemble(config, ens, (), ())
    if extra:
        settings, _ = _settings(config_path, (), extra, ())
    code = run_ensemble(list(paths) or ["."], settings, options, fmt=fmt, force_exclude=force_exclude, quiet=quiet)
    raise SystemExit(code)


def _tune_gc() -> None:
    """Collect cycles less often: a lint run frees almost everything by reference counting, and the
    default thresholds spent about 5 % of a 10 000-file run in the collector (1 % with these). The
    objects alive now (modules, classes) are moved out of the collector's sight; forked workers
    inherit both settings."""
    import gc

    gc.freeze()
    gc.set_threshold(10_000, 20, 100)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (usage errors are 2)."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    if argv is None:  # the process is ours (console script, python -m), not a caller's
        _tune_gc()
    try:
        cli.main(args=argv, prog_name="promptlint", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except click.exceptions.Abort:
        return EXIT_ERROR
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    return EXIT_CLEAN


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text")
@click.option("--config", "config_path", type=click.Path(), help="Config file (default: nearest one).")
@click.option("--force-exclude", is_flag=True, help="Apply include/exclude to explicit paths too.")
def stats(paths: tuple[str, ...], fmt: str, config_path: str | None, force_exclude: bool) -> None:
    """Show each prompt's task load (deliverables, steps, constraints, topics, tokens) against the TSK limits."""
    from promptlint.load_report import task_stats

    settings, _ = _settings(config_path, (), (), ())
    raise SystemExit(task_stats(list(paths) or ["."], settings, fmt=fmt, force_exclude=force_exclude))


@cli.command()
@click.argument("file", metavar="FILE")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", help="text, or JSON lines.")
@click.option("--threshold", type=float, help="Flag records whose interval is above it (default: ensemble config).")
@click.option("--projection", help="Default projection for records without 'extract' (default: ensemble config).")
@click.option("--max-samples", type=int, metavar="K", help="Score only the first K samples of each record.")
@click.option("--adaptive", is_flag=True, help="Score only the samples adaptive sampling would have drawn.")
@click.option(
    "--spelling-weight",
    type=float,
    metavar="W",
    help="How much a spread of spellings of one answer counts as disagreement, 0 to 1 (default: ensemble config).",
)
@click.option("--config", "config_path", type=click.Path(), help="Config file (default: nearest one).")
def divergence(
    file: str,
    fmt: str,
    threshold: float | None,
    projection: str | None,
    max_samples: int | None,
    adaptive: bool,
    spelling_weight: float | None,
    config_path: str | None,
) -> None:
    """Score recorded samples (JSON lines, FILE or - for stdin) with the ensemble metric; exit 1 if any diverge."""
    from promptlint.divergence_cmd import run_divergence

    raise SystemExit(
        run_divergence(
            file,
            fmt=fmt,
            threshold=threshold,
            projection=projection,
            max_samples=max_samples,
            adaptive=adaptive,
            spelling_weight=spelling_weight,
            config_path=config_path,
        )
    )
