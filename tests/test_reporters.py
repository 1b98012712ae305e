"""Tests for promptlint.reporters: every output format and the statistics."""

from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from promptlint.catalog import Example, Rule
from promptlint.findings import Edit, Finding, Fix
from promptlint.reporters import FORMATS, render, render_statistics
from promptlint.reporters.text import excerpt

SOURCE = "line one\n\tdo THIS now\nsame text\nsame text\n"
PATH = "prompts/a b.md"


def make_rule(code: str, name: str, severity: str = "warning") -> Rule:
    return Rule(
        code=code,
        name=name,
        summary=f"Summary of {name}",
        severity=severity,
        docs={
            "what": f"Checks {name}.",
            "why": "It confuses the model.",
            "example": "BAD",
            "use_instead": "GOOD",
        },
        valid=[Example("fine")],
        invalid=[Example("BAD")],
        fix="safe",
    )


RULES = {
    "PRM001": make_rule("PRM001", "shouting"),
    "PRM002": make_rule("PRM002", "repeated-line", "info"),
    "AMD001": make_rule("AMD001", "split-amendment", "error"),
}


def finding(code: str, line: int, col: int, end_line: int, end_col: int, **kw: object) -> Finding:
    rule = RULES[code]
    kw.setdefault("severity", rule.severity)
    kw.setdefault("path", PATH)
    return Finding(
        code,
        rule.name,
        kw.pop("message", f"{rule.name} here"),
        line=line,
        column=col,
        end_line=end_line,
        end_column=end_col,
        **kw,
    )  # type: ignore[arg-type]


def sample() -> list[Finding]:
    # "\tdo THIS now": THIS is at columns 5..8 (1-based), end column 9 (exclusive).
    this = SOURCE.index("THIS")
    safe = Fix("safe", [Edit(this, this + 4, "this")], "Lowercase it")
    return [
        finding("PRM002", 4, 1, 4, 10),
        finding("PRM001", 2, 5, 2, 9, fix=safe, data={"word": "THIS"}),
        finding("PRM002", 3, 1, 3, 10),
        finding("AMD001", 1, 6, 2, 3, fix=Fix("unsafe", [Edit(5, 8, "1")])),
    ]


def run(fmt: str, findings: list[Finding] | None = None, **kw: object) -> str:
    kw.setdefault("sources", {PATH: SOURCE})
    return render(fmt, sample() if findings is None else findings, RULES, **kw)  # type: ignore[arg-type]


def test_unknown_format() -> None:
    assert set(FORMATS) == {"text", "concise", "json", "github", "sarif", "junit"}
    with pytest.raises(ValueError):
        render("xml", [], RULES, sources={})


def test_formats_imported_lazily() -> None:
    for name in ("sarif", "junit"):
        sys.modules.pop(f"promptlint.reporters.{name}", None)
    render("concise", [], RULES, sources={})
    assert "promptlint.reporters.sarif" not in sys.modules
    assert "promptlint.reporters.junit" not in sys.modules


def test_concise_exact() -> None:
    assert run("concise") == (
        "prompts/a b.md:1:6: AMD001 split-amendment here\n"
        "prompts/a b.md:2:5: PRM001 [*] shouting here\n"
        "prompts/a b.md:3:1: PRM002 repeated-line here\n"
        "prompts/a b.md:4:1: PRM002 repeated-line here\n"
        "Found 4 errors.\n"
        "[*] 1 fixable with the --fix option (1 hidden fix can be enabled with the --unsafe-fixes option).\n"
    )


def test_concise_unsafe_enabled_and_fixed() -> None:
    out = run("concise", unsafe_fixes_enabled=True, fixed=2)
    assert "prompts/a b.md:1:6: AMD001 [*] split-amendment here\n" in out
    assert out.endswith("Found 6 errors (2 fixed, 4 remaining).\n[*] 2 fixable with the --fix option.\n")


def test_summaries() -> None:
    assert run("concise", []) == "All checks passed!\n"
    assert run("text", []) == "All checks passed!\n"
    assert run("concise", [], fixed=1) == "Found 1 error (1 fixed, 0 remaining).\n"
    one = [finding("PRM002", 3, 1, 3, 10)]
    assert run("concise", one).endswith("\nFound 1 error.\n")
    hidden = [finding("AMD001", 1, 1, 1, 2, fix=Fix("unsafe", [Edit(0, 1, "x")]))] * 2
    assert run("concise", hidden).endswith(
        "No fixes available (2 hidden fixes can be enabled with the --unsafe-fixes option).\n"
    )


def test_text_carets_with_tab() -> None:
    out = run("text")
    block = out.split("\n\n")[1].splitlines()
    assert block[0] == "prompts/a b.md:2:5: PRM001 [*] shouting here"
    src, carets = block[1], block[2]
    assert src == "2 |     do THIS now"
    assert carets == "  |        ^^^^"
    assert src.index("THIS") == carets.index("^")
    assert out.endswith(
        "Found 4 errors.\n[*] 1 fixable with the --fix option (1 hidden fix can be enabled "
        "with the --unsafe-fixes option).\n"
    )


def test_text_multiline_span_underlines_to_end_of_line() -> None:
    block = run("text").split("\n\n")[0].splitlines()
    assert block[1] == "1 | line one"
    assert block[2] == "  |      ^^^"


def test_text_without_source_and_colour() -> None:
    out = run("text", sources={})
    assert out.startswith("prompts/a b.md:1:6: AMD001 split-amendment here\n\nprompts")
    coloured = run("text", color=True)
    assert "\x1b[" in coloured and "\x1b[" not in out


def test_text_zero_width_and_long_line() -> None:
    assert excerpt("abc", 3, 3) == ("abc", 3, 4)
    line = "x" * 300 + "TARGET" + "y" * 300
    text, a, b = excerpt(line, 300, 306)
    assert text.startswith("…") and text.endswith("…") and len(text) < 200
    assert text[a:b] == "TARGET"


def test_json_shape_and_fix_locations() -> None:
    items = json.loads(run("json"))
    assert [i["code"] for i in items] == ["AMD001", "PRM001", "PRM002", "PRM002"]
    keys = {"code", "name", "message", "filename", "location", "end_location", "fix", "url", "severity"}
    for item in items:
        assert keys <= set(item)
    prm = items[1]
    assert prm["filename"] == PATH
    assert prm["location"] == {"row": 2, "column": 5}
    assert prm["end_location"] == {"row": 2, "column": 9}
    assert prm["data"] == {"word": "THIS"}
    assert prm["url"] == RULES["PRM001"].url
    assert prm["fix"] == {
        "applicability": "safe",
        "message": "Lowercase it",
        "edits": [{"content": "this", "location": {"row": 2, "column": 5}, "end_location": {"row": 2, "column": 9}}],
    }
    assert items[0]["fix"]["edits"][0]["location"] == {"row": 1, "column": 6}
    assert items[0]["fix"]["applicability"] == "unsafe"
    assert "data" not in items[2] and items[2]["fix"] is None
    assert run("json", []) == "[]\n"


def test_github_escaping_order_and_multiline() -> None:
    weird = finding("PRM001", 2, 5, 2, 9, path="dir,x/a:b.md", message="100% sure\nnext, line: here")
    lines = run("github", [*sample(), weird]).splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == [
        "::error",
        "::warning",
        "::warning",
        "::notice",
        "::notice",
    ]
    assert lines[0] == (
        "::error title=promptlint (AMD001),file=prompts/a b.md,line=1,endLine=2"
        "::prompts/a b.md:1:6: AMD001 split-amendment here"
    )
    assert lines[1] == (
        "::warning title=promptlint (PRM001),file=dir%2Cx/a%3Ab.md,line=2,col=5,endLine=2,endColumn=9"
        "::dir,x/a:b.md:2:5: PRM001 100%25 sure%0Anext, line: here"
    )
    assert lines[3].startswith("::notice title=promptlint (PRM002),file=prompts/a b.md,line=3,col=1,")
    assert run("github", []) == ""


def test_sarif_structure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    log = json.loads(run("sarif", root=str(tmp_path)))
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run_,) = log["runs"]
    assert run_["columnKind"] == "unicodeCodePoints"
    assert run_["invocations"] == [{"executionSuccessful": True}]
    root_uri = run_["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root_uri.startswith("file://") and root_uri.endswith("/")
    driver = run_["tool"]["driver"]
    assert driver["name"] == "promptlint" and driver["version"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == list(RULES)
    for rule in driver["rules"]:
        for text in (rule["shortDescription"]["text"], rule["fullDescription"]["text"], rule["help"]["text"]):
            assert text.strip() and len(text) <= 8000
        assert len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["markdown"].startswith("# ")
        assert rule["helpUri"] and rule["properties"]["tags"]
    assert driver["rules"][2]["defaultConfiguration"]["level"] == "error"
    assert driver["rules"][1]["defaultConfiguration"]["level"] == "note"
    results = run_["results"]
    assert len(results) == 4
    for res in results:
        assert ids[res["ruleIndex"]] == res["ruleId"]
        assert res["message"]["text"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": "prompts/a%20b.md", "uriBaseId": "%SRCROOT%"}
        assert all(v >= 1 for v in loc["region"].values())
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2,
        "startColumn": 5,
        "endLine": 2,
        "endColumn": 9,
    }
    assert results[0]["level"] == "error" and results[2]["level"] == "note"
    prints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(set(prints)) == 4
    # Two findings of one rule on identical lines: same hash, occurrence 1 and 2.
    assert prints[2].split(":")[0] == prints[3].split(":")[0]
    assert (prints[2][-2:], prints[3][-2:]) == (":1", ":2")
    # Stable: the same findings shifted down two lines keep their fingerprints.
    shifted_source = "\n\n" + SOURCE
    shifted = [finding("PRM002", 5, 1, 5, 10), finding("PRM002", 6, 1, 6, 10)]
    again = json.loads(run("sarif", shifted, sources={PATH: shifted_source}, root=str(tmp_path)))
    assert [r["partialFingerprints"]["primaryLocationLineHash"] for r in again["runs"][0]["results"]] == prints[2:]


def test_sarif_paths_and_unknown_rule(tmp_path: Path) -> None:
    inside = os.path.join(str(tmp_path), "sub", "x.md")
    stray = Finding("ZZZ001", "mystery", "odd", inside, 1, 1, 1, 1)
    log = json.loads(render("sarif", [stray], RULES, sources={}, root=str(tmp_path)))
    run_ = log["runs"][0]
    assert run_["tool"]["driver"]["rules"][-1]["id"] == "ZZZ001"
    assert run_["tool"]["driver"]["rules"][-1]["fullDescription"]["text"]
    res = run_["results"][0]
    assert res["ruleIndex"] == 3
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "sub/x.md"
    assert res["locations"][0]["physicalLocation"]["region"]["endColumn"] == 1
    outside = os.path.join(os.path.dirname(str(tmp_path)), "elsewhere.md")
    log = json.loads(
        render(
            "sarif",
            [Finding("PRM001", "shouting", "m", outside, 1, 1, 1, 2)],
            RULES,
            sources={},
            root=str(tmp_path),
        )
    )
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"].startswith("file://") and "uriBaseId" not in location


def test_junit() -> None:
    extra = finding("PRM001", 1, 1, 1, 2, path="other.md", message='bad <tag> & "q"\x01')
    root = ET.fromstring(run("junit", [*sample(), extra]))
    assert root.tag == "testsuites" and root.get("name") == "promptlint"
    assert root.get("tests") == "5" and root.get("failures") == "5"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {PATH, "other.md"}
    assert suites[PATH].get("failures") == "4"
    cases = suites[PATH].findall("testcase")
    assert [c.get("name") for c in cases] == ["promptlint.AMD001", "promptlint.PRM001"] + ["promptlint.PRM002"] * 2
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("type") == "PRM001"
    assert failure.text == "2:5: shouting here"
    other = suites["other.md"].find("testcase/failure")
    assert other is not None and other.get("message") == 'bad <tag> & "q"\ufffd'


def test_junit_empty_run() -> None:
    root = ET.fromstring(run("junit", []))
    assert root.get("tests") == "1" and root.get("failures") == "0"
    (suite,) = root.findall("testsuite")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "promptlint" and case.find("failure") is None


def test_statistics() -> None:
    text = render_statistics(sample(), RULES, as_json=False)
    assert text == ("2\tPRM002\t    repeated-line\n1\tAMD001\t[*] split-amendment\n1\tPRM001\t[*] shouting\n")
    data = json.loads(render_statistics(sample(), RULES, as_json=True))
    assert data[0] == {
        "code": "PRM002",
        "name": "repeated-line",
        "count": 2,
        "fixable": False,
        "fixable_count": 0,
    }
    assert data[1]["fixable_count"] == 1
    assert render_statistics([], RULES, as_json=True) == "[]\n"
    assert render_statistics([], RULES, as_json=False) == ""
