"""The ``junit`` format: one testsuite per file, one failing testcase per finding."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from promptlint.catalog import Rule
from promptlint.findings import Finding
from promptlint.reporters._common import sort_findings

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    """Replace characters XML 1.0 cannot represent."""
    return _INVALID_XML.sub("\ufffd", text)


def render(findings: list[Finding], rules: dict[str, Rule], **_: object) -> str:
    """A ``<testsuites>`` document; a clean run is a single passing testcase."""
    ordered = sort_findings(findings)
    count = str(len(ordered))
    suites = ET.Element("testsuites", name="promptlint", tests=count, failures=count, errors="0")
    if not ordered:
        suites.set("tests", "1")
        suite = ET.SubElement(suites, "testsuite", name="promptlint", tests="1", failures="0", errors="0")
        ET.SubElement(suite, "testcase", name="promptlint", classname="promptlint")
    for path, group in groupby(ordered, key=lambda f: f.path):
        items = list(group)
        n = str(len(items))
        suite = ET.SubElement(suites, "testsuite", name=_clean(path), tests=n, failures=n, errors="0")
        for f in items:
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"promptlint.{f.code}",
                classname=_clean(path),
                file=_clean(path),
                line=str(f.line),
            )
            failure = ET.SubElement(case, "failure", message=_clean(f.message), type=f.code)
            failure.text = _clean(f"{f.line}:{f.column}: {f.message}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
