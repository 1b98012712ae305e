"""Speed benchmarks for promptlint, as ratios beside anchors measured in the same run.

Run by hand from the repository root (not a unit test):

    python benchmarks/bench_speed.py [--files 10000] [--runs 7] [--python-tree DIR]

It measures, with medians over several runs:

1. ``promptlint check one.md`` against ``python -c "import click"`` (pre-commit latency);
2. 10 000 generated prompt files (Markdown/YAML mix), cold (empty cache) and warm (cached), and
   10 000 files whose sentences never repeat (cold);
3. a large Python tree (default: the standard library) against ``ruff check --select ALL``,
   cold (no cache) and warm;
4. peak memory (max RSS) of the largest promptlint run.

and writes ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The console script, as users and pre-commit run it; ``python -m promptlint`` when it is not installed.
_SCRIPT = Path(sys.executable).parent / ("promptlint.exe" if os.name == "nt" else "promptlint")
PROMPTLINT = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "promptlint"]


PEAK_RSS_MB = {"promptlint": 0.0}


def _run(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time and exit code of one command; records promptlint's own peak memory (with workers)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if cmd[: len(PROMPTLINT)] == PROMPTLINT:
        # ru_maxrss of the main process; worker processes are measured by the largest one too.
        PEAK_RSS_MB["promptlint"] = max(PEAK_RSS_MB["promptlint"], usage.ru_maxrss / 1024)
    return elapsed, proc.returncode


def _median(cmd: list[str], cwd: Path, runs: int, before=None) -> float:
    times = []
    for _ in range(runs):
        if before:
            before()
        times.append(_run(cmd, cwd)[0])
    return statistics.median(times)


SENTENCES = [
    "You are a support assistant for an online bookshop.",
    "Answer in two short paragraphs and cite the order number.",
    "Never promise a refund before checking the order status.",
    "Use a friendly, plain tone and avoid jargon.",
    "Summarise the customer's message before you answer it.",
    "If the customer writes in Spanish, reply in Spanish.",
    "Return a JSON object with the keys answer and confidence.",
    "Keep the answer under 120 words.",
]


def _make_corpus(root: Path, count: int) -> None:
    rng = random.Random(7)
    for i in range(count):
        folder = root / "prompts" / f"team{i % 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        body = " ".join(rng.sample(SENTENCES, 5))
        if i % 2:
            (folder / f"p{i:05d}.md").write_text(f"# Prompt {i}\n\n{body}\n\n- {SENTENCES[i % 8]}\n", encoding="utf-8")
        else:
            (folder / f"p{i:05d}.prompt.yml").write_text(
                f"name: p{i}\nmessages:\n  - role: system\n    content: |\n      {body}\n"
                f"  - role: user\n    content: '{{{{input}}}}'\n",
                encoding="utf-8",
            )


# Slot-filled sentences for a corpus whose text does not repeat: the template corpus above reuses
# eight sentences, which the per-process sentence memo of the constraint rule makes cheap.
_NOUNS = [
    "report",
    "summary",
    "answer",
    "reply",
    "email",
    "table",
    "list",
    "plan",
    "review",
    "outline",
    "brief",
    "note",
    "memo",
    "digest",
]
_TOPICS = [
    "billing",
    "refunds",
    "onboarding",
    "pricing",
    "outages",
    "invoices",
    "shipping",
    "returns",
    "security",
    "privacy",
    "travel",
]
_FORMATS = ["JSON", "YAML", "CSV", "a markdown table", "plain text", "XML", "bullet points"]
_LANGUAGES = ["English", "Spanish", "French", "German", "Japanese"]
_TONES = ["friendly", "formal", "casual", "concise", "warm", "neutral"]
_VERBS = [
    "Write",
    "Draft",
    "Summarise",
    "Review",
    "List",
    "Compare",
    "Explain",
    "Translate",
    "Classify",
    "Extract",
    "Check",
    "Outline",
]


def _unique_sentence(rng: random.Random) -> str:
    noun, topic, n = rng.choice(_NOUNS), rng.choice(_TOPICS), rng.randint(2, 400)
    return rng.choice(
        [
            f"Return the {noun} about {topic} as {rng.choice(_FORMATS)}.",
            f"Keep the {noun} under {n} words.",
            f"Reply in {rng.choice(_LANGUAGES)} when the customer asks about {topic}.",
            f"Use a {rng.choice(_TONES)} tone for every {noun} on {topic}.",
            f"{rng.choice(_VERBS)} the {noun} for the {topic} team and cite ticket {n}.",
            f"Never mention {topic} unless the user brings up {rng.choice(_TOPICS)} first.",
            f"If the {noun} is longer than {n} lines, split it into {rng.randint(2, 9)} parts.",
            f"You are an assistant for the {topic} desk of a company with {n} staff.",
            f"Answer in {rng.randint(1, 6)} short paragraphs and mention the {noun}.",
        ]
    )


def _make_unique_corpus(root: Path, count: int) -> None:
    rng = random.Random(11)
    for i in range(count):
        folder = root / "prompts" / f"team{i % 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        body = " ".join(_unique_sentence(rng) for _ in range(rng.randint(3, 8)))
        items = [f"- {_unique_sentence(rng)}" for _ in range(rng.randint(0, 5))]
        if i % 2:
            text = f"# Prompt {i}\n\n{body}\n\n" + "\n".join(items) + "\n"
            (folder / f"p{i:05d}.md").write_text(text, encoding="utf-8")
        else:
            lines = "".join(f"      {item}\n" for item in items)
            (folder / f"p{i:05d}.prompt.yml").write_text(
                f"name: p{i}\nmessages:\n  - role: system\n    content: |\n      {body}\n{lines}"
                f"  - role: user\n    content: '{{{{input}}}}'\n",
                encoding="utf-8",
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--python-tree", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--no-write", action="store_true", help="print only, do not write RESULTS.md")
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, str, str]] = []
    work = Path(tempfile.mkdtemp(prefix="promptlint-bench-"))
    try:
        # 1. One file against a bare `import click` process.
        one = work / "one"
        one.mkdir()
        (one / "system.prompt.md").write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
        # The machine's speed drifts over minutes: every round runs the anchor and the three
        # cases back to back, and each ratio is the median of the per-round ratios.
        check = [*PROMPTLINT, "check", "system.prompt.md"]
        target = one / "system.prompt.md"
        _run(check, one)
        times: dict[str, list[float]] = {"click": [], "cold": [], "cached": [], "changed": []}
        rounds = max(15, args.runs)
        for k in range(rounds):
            times["click"].append(_run([sys.executable, "-c", "import click"], one)[0])
            with open(target, "a", encoding="utf-8") as fh:  # the pre-commit case: the file changed
                fh.write(f"Note {k}.\n")
            times["changed"].append(_run(check, one)[0])
            times["cached"].append(_run(check, one)[0])
            shutil.rmtree(one / ".promptlint_cache", ignore_errors=True)
            times["cold"].append(_run(check, one)[0])
        click_t = statistics.median(times["click"])
        for name, key, target_note in (
            ("one file, empty cache", "cold", " (target <= 2x)"),
            ("one file, cached", "cached", ""),
            ("one file, changed since last run", "changed", " (target <= 2x)"),
        ):
            ratio = statistics.median(t / c for t, c in zip(times[key], times["click"]))
            rows.append(
                (
                    name,
                    f"{statistics.median(times[key]) * 1000:.0f} ms",
                    f"import click {click_t * 1000:.0f} ms",
                    f"{ratio:.2f}x{target_note}",
                )
            )
        heavy = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "promptlint", "check", "system.prompt.md"],
            cwd=one,
            capture_output=True,
            text=True,
        ).stderr
        imported = [m for m in ("anthropic", "numpy", "libcst", "httpx", "pydantic") if f" {m}" in heavy]
        rows.append(("heavy imports on one file", ", ".join(imported) or "none", "", ""))

        # 2. Many prompt files, cold and warm.
        corpus = work / "corpus"
        _make_corpus(corpus, args.files)
        cold_runs = max(3, args.runs // 2)
        cold = _median(
            [*PROMPTLINT, "check", "--exit-zero", "."],
            corpus,
            cold_runs,
            before=lambda: shutil.rmtree(corpus / ".promptlint_cache", ignore_errors=True),
        )
        _run([*PROMPTLINT, "check", "--exit-zero", "."], corpus)
        warm = _median([*PROMPTLINT, "check", "--exit-zero", "."], corpus, args.runs)
        rows.append(
            (
                f"{args.files} prompt files, cold",
                f"{cold:.2f} s",
                f"{args.files / cold:.0f} files/s",
                "target >= 3000 files/s",
            )
        )
        rows.append(
            (f"{args.files} prompt files, warm", f"{warm:.2f} s", f"{warm / cold:.2f} x cold", "target <= 0.2x cold")
        )
        unique = work / "unique"
        _make_unique_corpus(unique, args.files)
        unique_cold = _median(
            [*PROMPTLINT, "check", "--exit-zero", "."],
            unique,
            cold_runs,
            before=lambda: shutil.rmtree(unique / ".promptlint_cache", ignore_errors=True),
        )
        rows.append(
            (
                f"{args.files} prompt files, text that never repeats, cold",
                f"{unique_cold:.2f} s",
                f"{args.files / unique_cold:.0f} files/s",
                "(no target; sentence memo does not help)",
            )
        )

        # 3. A Python tree against ruff.
        tree = args.python_tree
        ruff = shutil.which("ruff")
        if ruff and tree.is_dir():
            ruff_cold = _median(
                [ruff, "check", "--select", "ALL", "--no-cache", "--exit-zero", "-q", str(tree)], work, cold_runs
            )
            _run([ruff, "check", "--select", "ALL", "--exit-zero", "-q", str(tree)], work)
            ruff_warm = _median([ruff, "check", "--select", "ALL", "--exit-zero", "-q", str(tree)], work, args.runs)
            pl_cold = _median(
                [*PROMPTLINT, "check", "--exit-zero", "-q", str(tree)],
                work,
                cold_runs,
                before=lambda: shutil.rmtree(work / ".promptlint_cache", ignore_errors=True),
            )
            _run([*PROMPTLINT, "check", "--exit-zero", "-q", str(tree)], work)
            pl_warm = _median([*PROMPTLINT, "check", "--exit-zero", "-q", str(tree)], work, args.runs)
            rows.append(
                (
                    f"Python tree {tree.name}, cold",
                    f"{pl_cold:.2f} s",
                    f"ruff --select ALL {ruff_cold:.2f} s",
                    f"{pl_cold / ruff_cold:.2f}x (target <= 2x)",
                )
            )
            rows.append(
                (
                    f"Python tree {tree.name}, warm",
                    f"{pl_warm:.2f} s",
                    f"ruff warm {ruff_warm:.2f} s",
                    f"{pl_warm / ruff_warm:.2f}x (target <= 0.5x)",
                )
            )
        rows.append(
            (
                "peak memory (max RSS of a promptlint process)",
                f"{PEAK_RSS_MB['promptlint']:.0f} MB",
                "",
                "target <= 250 MB",
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    header = (
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}; medians of {args.runs} runs (cold: {max(3, args.runs // 2)}). One-file rows: "
        f"{max(15, args.runs)} rounds of the anchor and the three cases back to back; each ratio is the median of "
        "the per-round ratios (the VM's speed drifts between minutes). promptlint runs as "
        f"`{' '.join(Path(c).name if i == 0 else c for i, c in enumerate(PROMPTLINT))}`."
    )
    table = ["| measurement | promptlint | anchor | ratio |", "| --- | --- | --- | --- |"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    text = "\n".join(table)
    print(header)
    print(text)
    if not args.no_write:
        results = HERE / "RESULTS.md"
        old = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
        marker = "## Speed (bench_speed.py)"
        before = old.split(marker)[0].rstrip() + "\n\n" if marker in old else old.rstrip() + "\n\n"
        after = ""
        if marker in old:
            rest = old.split(marker, 1)[1]
            nxt = rest.find("\n## ")
            after = rest[nxt:] if nxt != -1 else ""
        stamp = time.strftime("%Y-%m-%d")
        results.write_text(f"{before}{marker}\n\n{stamp}. {header}\n\n{text}\n{after}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
