"""``--statistics``: finding counts per rule code, as text or JSON."""

from __future__ import annotations

import json
from collections import Counter

from promptlint.catalog import Rule
from promptlint.findings import Finding


def rows(findings: list[Finding], rules: dict[str, Rule]) -> list[dict[str, object]]:
    """One row per code, by count (descending) then code."""
    counts = Counter(f.code for f in findings)
    fixable = Counter(f.code for f in findings if f.fix is not None)
    names = {f.code: f.name for f in findings}
    out: list[dict[str, object]] = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = rules.get(code)
        out.append(
            {
                "code": code,
                "name": rule.name if rule else names[code],
                "count": count,
                "fixable": fixable[code] > 0,
                "fixable_count": fixable[code],
            }
        )
    return out


def render(findings: list[Finding], rules: dict[str, Rule], *, as_json: bool) -> str:
    """``count<TAB>CODE<TAB>[*] name`` lines (counts right-aligned, codes padded), or a JSON list."""
    table = rows(findings, rules)
    if as_json:
        return json.dumps(table, indent=2) + "\n"
    if not table:
        return ""
    count_width = max(len(str(r["count"])) for r in table)
    code_width = max(len(str(r["code"])) for r in table)
    lines = [
        f"{r['count']:>{count_width}}\t{r['code']:<{code_width}}\t{'[*]' if r['fixable'] else '   '} {r['name']}"
        for r in table
    ]
    return "\n".join(lines) + "\n"
