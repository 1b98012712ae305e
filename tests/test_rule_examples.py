"""Every rule's VALID and INVALID examples, Fixit-style, plus a meta-test on the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptlint.catalog import DOC_SECTIONS, FAMILIES, Example, Rule, load_catalog
from promptlint.engine import Settings, lint_file, lint_text
from promptlint.fixes import apply_fixes

RULES = load_catalog()
CASES = [
    pytest.param(rule, kind, i, ex, id=f"{code}-{kind}-{i}")
    for code, rule in RULES.items()
    for kind, examples in (("VALID", rule.valid), ("INVALID", rule.invalid))
    for i, ex in enumerate(examples)
    if rule.testable or kind == "VALID"
]


def _lint(tmp_path: Path, settings: Settings, rule: Rule, ex: Example):
    path = tmp_path / ex.filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ex.text.encode(ex.encoding))
    settings.params[rule.code] = {**rule.parameters, **ex.params}
    settings.enabled = {rule.code}
    result = lint_file(ex.filename, str(path), settings)
    return result, [f for f in result.findings if f.code == rule.code]


@pytest.mark.parametrize(("rule", "kind", "index", "example"), CASES)
def test_rule_example(tmp_path: Path, settings: Settings, rule: Rule, kind: str, index: int, example: Example) -> None:
    result, found = _lint(tmp_path, settings, rule, example)
    assert not result.internal_error, result.findings
    if kind == "VALID":
        assert found == [], f"{rule.code} VALID[{index}] gave {[(f.line, f.message) for f in found]}"
        return
    assert found, f"{rule.code} INVALID[{index}] gave no finding"
    if example.line is not None:
        lines = [f.line for f in found]
        assert example.line in lines, f"{rule.code} INVALID[{index}] expected line {example.line}, got {lines}"
    if example.message is not None:
        assert any(example.message in f.message for f in found)
    if example.fixed is not None:
        text = result.text or ""
        fixed, count = apply_fixes(text, found, unsafe=True)
        assert count >= 1
        assert fixed == example.fixed
        # A fixed file has no finding of the family left, and fixing again changes nothing.
        settings.enabled = {c for c in RULES if c.startswith(rule.family)}
        again = lint_text(example.filename, fixed, settings)
        assert [f for f in again.findings if f.code.startswith(rule.family)] == []
        assert apply_fixes(fixed, again.findings, unsafe=True)[1] == 0


@pytest.mark.parametrize("code", list(RULES))
def test_rule_is_self_describing(code: str) -> None:
    rule = RULES[code]
    assert rule.family in FAMILIES
    assert rule.code[len(rule.family) :].isdigit() and len(rule.code) - len(rule.family) == 3
    assert rule.name == rule.name.lower() and " " not in rule.name
    assert rule.summary and rule.severity in ("error", "warning", "info")
    for section in DOC_SECTIONS:
        assert rule.docs[section].strip()
    assert rule.valid and rule.invalid
    assert Path(rule.source).stem == rule.code
    if rule.scope == "document":
        assert rule.load_check() is not None
    doc = rule.render_markdown()
    assert "## What it does" in doc and "## Why is this bad?" in doc and "Use instead:" in doc


def test_names_are_unique() -> None:
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))


def test_readme_lists_every_rule() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for code, rule in RULES.items():
        assert f"| {code} | {rule.name} |" in readme, f"README's rule table lacks {code}"
