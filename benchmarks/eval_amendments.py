"""Score promptlint's findings against labeled prompt folders and measure flag rates.

Usage (from the repository root):

    python benchmarks/eval_amendments.py --labels ../shared/eval/static \\
        --sharded ../shared/corpus/sharded --unlabeled ../shared/corpus/real

Labels follow ``labels.json``: ``{"cases": {"<relative path>": {"amendments": [lines],
"oversized": bool}}}``. An amendment finding (``AMD`` family) matches a labeled line when it is
within 2 lines of it, one-to-one; precision and recall are reported per family (AMD line level,
TSK file level) and amendment false positives per format. For the unlabeled folder the script
reports how many files have at least one AMD finding, and lists them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from promptlint.catalog import load_catalog
from promptlint.config import Config
from promptlint.engine import Settings, lint_file


def _settings(root: Path) -> Settings:
    rules = load_catalog()
    return Settings.build(Config(path=None, root=root, values={}), rules)


def _fmt(path: str) -> str:
    name = Path(path).name
    for suffix in (".prompt.yml", ".prompt.md", ".prompty", ".prompt", ".mdc", ".yaml", ".yml", ".json", ".md", ".txt"):
        if name.endswith(suffix):
            return suffix
    return Path(path).suffix


def _match(found: list[int], labeled: list[int], window: int = 2) -> tuple[int, int, int]:
    """One-to-one matching of reported lines to labeled lines: (tp, fp, fn)."""
    remaining = sorted(labeled)
    tp = 0
    for line in sorted(found):
        hit = next((lab for lab in remaining if abs(lab - line) <= window), None)
        if hit is not None:
            remaining.remove(hit)
            tp += 1
    return tp, len(found) - tp, len(remaining)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def score_labels(folder: Path, verbose: bool) -> dict:
    cases = json.loads((folder / "labels.json").read_text(encoding="utf-8"))["cases"]
    settings = _settings(folder)
    tp = fp = fn = 0
    fp_by_format: Counter[str] = Counter()
    t_tp = t_fp = t_fn = 0
    has_tsk = any(code.startswith("TSK") for code in settings.enabled)
    for rel, label in sorted(cases.items()):
        result = lint_file(rel, str(folder / rel), settings)
        amd = [f.line for f in result.findings if f.code.startswith("AMD")]
        a, b, c = _match(amd, label.get("amendments", []))
        tp, fp, fn = tp + a, fp + b, fn + c
        fp_by_format[_fmt(rel)] += b
        if verbose and (b or c):
            print(f"  {rel}: labeled {label.get('amendments')} found {amd} (fp {b}, fn {c})")
        predicted = any(f.code.startswith("TSK") for f in result.findings)
        oversized = bool(label.get("oversized"))
        t_tp += predicted and oversized
        t_fp += predicted and not oversized
        t_fn += oversized and not predicted
    out = {
        "cases": len(cases),
        "amendments": {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": round(_ratio(tp, tp + fp), 3),
            "recall": round(_ratio(tp, tp + fn), 3),
            "fp_by_format": {k: v for k, v in fp_by_format.items() if v},
        },
    }
    if has_tsk:
        out["oversized"] = {
            "tp": t_tp,
            "fp": t_fp,
            "fn": t_fn,
            "precision": round(_ratio(t_tp, t_tp + t_fp), 3),
            "recall": round(_ratio(t_tp, t_tp + t_fn), 3),
        }
    return out


def score_sharded(folder: Path, verbose: bool) -> dict:
    cases = json.loads((folder / "labels.json").read_text(encoding="utf-8"))["cases"]
    settings = _settings(folder)
    groups: dict[str, Counter[str]] = {}
    tp = fp = fn = 0
    for rel, label in sorted(cases.items()):
        group = rel.split("/", 1)[0]
        result = lint_file(rel, str(folder / rel), settings)
        amd = [f.line for f in result.findings if f.code.startswith("AMD")]
        a, b, c = _match(amd, label["amendments"], window=0)
        tp, fp, fn = tp + a, fp + b, fn + c
        counter = groups.setdefault(group, Counter())
        counter["files"] += 1
        counter["flagged"] += bool(amd)
        counter["all_shards_found"] += bool(label["amendments"]) and c == 0 and b == 0
        if verbose and (b or c):
            print(f"  {rel}: labeled {label['amendments']} found {amd}")
    return {
        "groups": {k: dict(v) for k, v in groups.items()},
        "lines": {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": round(_ratio(tp, tp + fp), 3),
            "recall": round(_ratio(tp, tp + fn), 3),
        },
    }


def flag_rate(folder: Path, verbose: bool) -> dict:
    settings = _settings(folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    flagged = []
    by_code: Counter[str] = Counter()
    start = time.perf_counter()
    for path in files:
        rel = path.relative_to(folder).as_posix()
        result = lint_file(rel, str(path), settings)
        amd = [f for f in result.findings if f.code.startswith("AMD")]
        for f in amd:
            by_code[f.code] += 1
        if amd:
            flagged.append(rel)
            if verbose:
                for f in amd:
                    print(f"  {rel}:{f.line}: {f.code} {f.message}")
    elapsed = time.perf_counter() - start
    return {
        "files": len(files),
        "flagged": len(flagged),
        "rate": round(len(flagged) / max(len(files), 1), 4),
        "by_code": dict(by_code),
        "seconds": round(elapsed, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, help="folder with labels.json (eval/static schema)")
    parser.add_argument("--sharded", type=Path, help="folder with labels.json (sharded corpus)")
    parser.add_argument("--unlabeled", type=Path, help="folder of unlabeled prompts for the flag rate")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and flagged files")
    args = parser.parse_args(argv)
    report = {}
    if args.labels:
        report["labels"] = score_labels(args.labels, args.verbose)
    if args.sharded:
        report["sharded"] = score_sharded(args.sharded, args.verbose)
    if args.unlabeled:
        report["unlabeled"] = flag_rate(args.unlabeled, args.verbose)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
