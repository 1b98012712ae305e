"""Ensemble sampling benchmark on the local fake Messages API (no network, no API key needed).

Measures, for M prompts × N samples at a given concurrency and fake latency:

- wall time of a cold run against the ideal ``ceil(M·N / concurrency) × latency``;
- a rerun of unchanged prompts (every sample from the cache: no API call);
- calls saved by adaptive sampling on a mix of consistent and divergent prompts.

Run: ``python benchmarks/bench_ensemble.py [--prompts 16] [--samples 10] [--concurrency 4] [--latency 0.1]``.
The SDK import (a few seconds, once per process) is excluded from the timings by a warm-up run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from fake_anthropic import FakeAnthropic  # noqa: E402

from promptlint.cli import main  # noqa: E402

KEY = "sk-bench-not-a-real-key"


def _run(args: list[str]) -> tuple[int, float, str]:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, time.perf_counter() - start, err.getvalue()


def _project(root: Path, prompts: int, adaptive: bool) -> None:
    (root / "pyproject.toml").write_text(
        f"[tool.promptlint.ensemble]\nadaptive = {str(adaptive).lower()}\nmax-tokens = 64\n", encoding="utf-8"
    )
    folder = root / "prompts"
    folder.mkdir(exist_ok=True)
    for i in range(prompts):
        kind = "consistent" if i % 2 == 0 else "divergent"
        (folder / f"p{i:03d}.prompt.md").write_text(
            f"Prompt {i} ({kind}): decide and end with 'Verdict: approve' or 'Verdict: reject'.\n", encoding="utf-8"
        )


def _serve(conn, latency: float) -> None:
    """The fake API in its own process (a real API is remote: it must not share the client's GIL)."""
    with FakeAnthropic(api_key=KEY, latency=latency) as fake:
        fake.script("(consistent)", ["Verdict: approve"])
        fake.script("(divergent)", ["Verdict: approve", "Verdict: reject"])
        conn.send(fake.base_url)
        while conn.recv() != "stop":
            conn.send((fake.calls, fake.max_in_flight))
        conn.send((fake.calls, fake.max_in_flight))


class RemoteFake:
    def __init__(self, latency: float) -> None:
        self.conn, child = multiprocessing.Pipe()
        self.proc = multiprocessing.get_context("spawn").Process(target=_serve, args=(child, latency), daemon=True)

    def __enter__(self) -> RemoteFake:
        self.proc.start()
        self.base_url = self.conn.recv()
        return self

    def stats(self) -> tuple[int, int]:
        self.conn.send("stats")
        return self.conn.recv()

    def __exit__(self, *exc: object) -> None:
        self.conn.send("stop")
        self.conn.recv()
        self.proc.join(timeout=10)


def bench(prompts: int, samples: int, concurrency: int, latency: float) -> list[tuple[str, str, str, str, str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp, RemoteFake(latency) as fake:
        root = Path(tmp)
        os.environ["ANTHROPIC_BASE_URL"] = fake.base_url
        os.environ["ANTHROPIC_API_KEY"] = KEY
        cwd = os.getcwd()
        os.chdir(root)
        try:
            warm = root / "warm"
            warm.mkdir()
            (warm / "w.prompt.md").write_text("Warm-up: reply OK.\n", encoding="utf-8")
            _run(["check", "--ensemble", "--samples", "2", "-q", "warm"])  # imports the SDK once
            base = ["check", "--ensemble", "-q", "--samples", str(samples), "--concurrency", str(concurrency)]
            total = prompts * samples
            ideal = math.ceil(total / concurrency) * latency

            def ratio(wall: float, best: float) -> str:
                return f"{wall / best:.2f}×" if best > 0 else "-"

            _project(root, prompts, adaptive=False)
            before = fake.stats()[0]
            _, cold, _ = _run([*base, "--refresh", "prompts"])
            calls = fake.stats()[0] - before
            rows.append(("cold, fixed N", str(calls), f"{cold:.2f}", f"{ideal:.2f}", ratio(cold, ideal)))

            before = fake.stats()[0]
            _, warm_time, _ = _run([*base, "prompts"])
            rows.append(("rerun (cache)", str(fake.stats()[0] - before), f"{warm_time:.2f}", "0.00", f"{total} saved"))

            _project(root, prompts, adaptive=True)
            before = fake.stats()[0]
            _, adaptive_time, _ = _run([*base, "--refresh", "prompts"])
            used = fake.stats()[0] - before
            best = math.ceil(used / concurrency) * latency
            saved = f"{total - used} saved ({(total - used) / total:.0%}), {ratio(adaptive_time, best)}"
            rows.append(("cold, adaptive", str(used), f"{adaptive_time:.2f}", f"{best:.2f}", saved))
            assert fake.stats()[1] <= concurrency, "more requests in flight than --concurrency"
        finally:
            os.chdir(cwd)
    return rows


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    rows = bench(args.prompts, args.samples, args.concurrency, args.latency)
    print(
        f"M={args.prompts} prompts × N={args.samples} samples, concurrency {args.concurrency}, "
        f"fake latency {args.latency:g} s (half the prompts consistent, half split 50/50)"
    )
    header = ("run", "API calls", "wall s", "ideal s", "wall / ideal, calls saved")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))


if __name__ == "__main__":
    main_()
