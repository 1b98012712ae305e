"""Prompt extraction from Python code: speed and yield, beside ``ruff check --select ALL`` on the same trees.

Run by hand from the repository root (not a unit test):

    python benchmarks/bench_python.py [--runs 3] [--stdlib DIR] [--llm-app DIR] [--fetch-llm-app]

Trees (each is skipped when missing):

- the Python standard library of the running interpreter (``site-packages`` excluded): the
  no-prompt case, where the cheap text scan must do almost all the work;
- a realistic LLM application: by default ``/tmp/llmapp/aider_chat-0.86.2``. ``--fetch-llm-app``
  downloads that source distribution with ``pip download`` into /tmp first (never into the repo).

For each tree it prints, in one run:

- in-process loader figures: files, files passing the text scan, files parsed, prompt documents and
  messages found, loader time and files/s, and what parsing the scanned files costs with ``ast``
  (used) versus ``libcst`` (not used: about 10x slower);
- end to end: ``promptlint check --no-cache`` and ``ruff check --select ALL --no-cache`` wall times
  (medians of ``--runs``), and their ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_APP = Path("/tmp/llmapp/aider_chat-0.86.2")
SKIP_DIRS = {"site-packages", "__pycache__", ".git", ".venv", "venv", "node_modules"}


def python_files(root: Path) -> list[Path]:
    out = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        out += [Path(directory) / f for f in files if f.endswith(".py")]
    return sorted(out)


def wall(cmd: list[str], cwd: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def loader_figures(root: Path) -> dict[str, float]:
    """Run the Python loader in this process over every .py file of ``root``."""
    sys.path.insert(0, str(REPO))
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    from promptlint.loaders.python import load
    from promptlint.pyextract import classify, scan

    texts = []
    for path in python_files(root):
        try:
            texts.append((str(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    start = time.perf_counter()
    scanned = [
        (p, t)
        for p, t in texts
        if scan.may_hold_prompts(t, message_dicts=not scan.is_test_file(p))
        or classify.container_says_prompt(Path(p).stem)
    ]
    scan_time = time.perf_counter() - start
    start = time.perf_counter()
    docs = messages = problems = 0
    for path, text in texts:
        result = load(path, text)
        if result is not None:
            docs += len(result.documents)
            messages += sum(len(d.messages) for d in result.documents)
            problems += len(result.problems)
    load_time = time.perf_counter() - start
    import ast

    start = time.perf_counter()
    for _, text in scanned:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
    ast_time = time.perf_counter() - start
    cst_time = float("nan")
    try:
        import libcst

        start = time.perf_counter()
        for _, text in scanned:
            with contextlib.suppress(Exception):
                libcst.parse_module(text)
        cst_time = time.perf_counter() - start
    except ImportError:
        pass
    lines = sum(t.count("\n") + 1 for _, t in texts)
    return {
        "files": len(texts),
        "lines": lines,
        "scanned": len(scanned),
        "docs": docs,
        "messages": messages,
        "problems": problems,
        "scan": scan_time,
        "load": load_time,
        "ast": ast_time,
        "libcst": cst_time,
    }


def fetch_app() -> Path | None:
    """``pip download`` the aider-chat sdist into /tmp and unpack it (never into the repository)."""
    target = DEFAULT_APP.parent
    target.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "aider-chat==0.86.2"]
    subprocess.run([*cmd, "-d", str(target)], check=False)
    archive = target / "aider_chat-0.86.2.tar.gz"
    if not archive.exists():
        return None
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return DEFAULT_APP if DEFAULT_APP.is_dir() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stdlib", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--llm-app", type=Path, default=DEFAULT_APP)
    parser.add_argument("--fetch-llm-app", action="store_true")
    args = parser.parse_args(argv)
    if args.fetch_llm_app and not args.llm_app.is_dir():
        args.llm_app = fetch_app() or args.llm_app
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    trees = [("stdlib", args.stdlib), ("LLM app", args.llm_app)]
    rows = []
    work = Path(tempfile.mkdtemp(prefix="promptlint-bench-"))
    try:
        for label, tree in trees:
            if not tree.is_dir():
                print(f"skipping {label}: {tree} not found", file=sys.stderr)
                continue
            fig = loader_figures(tree)
            pl = wall(
                [sys.executable, "-m", "promptlint", "check", "--no-cache", "--exit-zero", "-q", str(tree)],
                work,
                args.runs,
            )
            rf = (
                wall([ruff, "check", "--select", "ALL", "--no-cache", "--exit-zero", "-q", str(tree)], work, args.runs)
                if Path(ruff).exists()
                else float("nan")
            )
            rows.append((label, tree, fig, pl, rf))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"end-to-end times are medians of {args.runs} runs."
    )
    print()
    print(
        "| tree | .py files (lines) | parsed (passed the text scan) | prompts (messages) | loader | files/s "
        "| ast vs libcst parse of parsed files | promptlint check | ruff --select ALL | ratio |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, tree, f, pl, rf in rows:
        print(
            f"| {label} ({tree.name}) | {f['files']:.0f} ({f['lines'] / 1000:.0f}k) | {f['scanned']:.0f} "
            f"| {f['docs']:.0f} ({f['messages']:.0f}) | {f['load']:.2f} s (scan {f['scan']:.2f} s) "
            f"| {f['files'] / f['load']:.0f} | {f['ast']:.2f} s vs {f['libcst']:.2f} s "
            f"| {pl:.2f} s | {rf:.2f} s | {pl / rf:.2f}x |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
