"""The rule catalog: one declarative TOML file per rule in ``rules/``.

A rule file gives the code, name, summary, severity, parameters with defaults, docs, examples
and the check it is bound to: ``check = "module:function"`` for a Python check, or a
``[pattern]`` table for a declarative regular-expression rule. File-level rules (``scope =
"file"``) have no check: loaders and the engine emit them.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _toml() -> Any:
    """tomllib (tomli before 3.11), imported when a TOML file is actually read."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    return tomllib


DOCS_URL = "https://github.com/promptlint/promptlint/blob/main/rules/{code}.toml"
FAMILIES = {
    "AMD": "split amendments",
    "TSK": "oversized tasks",
    "ENS": "ensemble divergence",
    "PRM": "prompt hygiene",
}
REQUIRED_KEYS = ("code", "name", "summary", "severity", "docs", "valid", "invalid")
DOC_SECTIONS = ("what", "why", "example", "use_instead")


class CatalogError(Exception):
    """A rule file is missing or malformed."""


@dataclass(frozen=True)
class Example:
    """A VALID or INVALID example: prompt text in a given file format."""

    text: str
    filename: str = "example.md"
    line: int | None = None
    message: str | None = None
    fixed: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    encoding: str = "utf-8"


_CHECKS: dict[str, tuple[Any, str]] = {}  # "module:function" -> (module, function name), once imported


@dataclass
class Rule:
    """One rule of the catalog."""

    code: str
    name: str
    summary: str
    severity: str
    docs: dict[str, str]
    valid: list[Example]
    invalid: list[Example]
    parameters: dict[str, Any] = field(default_factory=dict)
    check: str = ""
    pattern: dict[str, Any] | None = None
    scope: str = "document"
    fix: str = "none"
    default: bool = True
    testable: bool = True
    exclusive: bool = False
    source: str = ""

    @property
    def family(self) -> str:
        return self.code.rstrip("0123456789")

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code)

    def load_check(self) -> Callable[..., Any] | None:
        """The bound check function, or None for file-level rules."""
        if self.pattern is not None:
            from promptlint.checks.pattern import pattern_check

            return pattern_check
        if not self.check:
            return None
        found = _CHECKS.get(self.check)
        if found is None:
            module_name, _, func = self.check.partition(":")
            module = sys.modules.get(module_name)  # imported already: skip importlib's machinery
            if module is None:
                module = importlib.import_module(module_name)
            found = _CHECKS[self.check] = (module, func)
        return getattr(*found)  # looked up each time: the function may be replaced (tests patch it)

    def render_markdown(self) -> str:
        """The rule's documentation as Markdown, as shown by ``promptlint rule CODE``."""
        fix_line = {
            "none": "Fix is not available.",
            "safe": "Fix is always available (safe).",
            "unsafe": "Fix is sometimes available (unsafe: it changes the prompt's wording).",
        }.get(self.fix, "")
        parts = [
            f"# {self.name} ({self.code})",
            "",
            f"{self.summary}",
            "",
            f"Family: **{self.family}** ({FAMILIES.get(self.family, '')}). Severity: {self.severity}. {fix_line}"
            + ("" if self.default else " Not enabled by default: select it explicitly."),
            "",
            "## What it does",
            self.docs["what"].strip(),
            "",
            "## Why is this bad?",
            self.docs["why"].strip(),
            "",
            "## Example",
            self.docs["example"].strip(),
            "",
            "Use instead:",
            self.docs["use_instead"].strip(),
        ]
        if self.parameters:
            parts += ["", "## Options", ""]
            for key, value in self.parameters.items():
                parts.append(f"- `{key}` (default `{value!r}`), in `[tool.promptlint.rules.{self.code}]`")
        if self.docs.get("notes"):
            parts += ["", "## Known limits", self.docs["notes"].strip()]
        parts += ["", "## Examples checked by the tests", ""]
        for label, examples in (("VALID", self.valid), ("INVALID", self.invalid)):
            for ex in examples[:3]:
                parts += [f"{label} ({ex.filename}):", "", "```", ex.text.rstrip("\n"), "```", ""]
        return "\n".join(parts).rstrip() + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "summary": self.summary,
            "family": self.family,
            "severity": self.severity,
            "fix": self.fix,
            "default": self.default,
            "parameters": self.parameters,
            "url": self.url,
            "explanation": self.render_markdown(),
        }


def catalog_dir() -> Path:
    """Where the rule files live: inside the installed package, or the source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    raise CatalogError(f"rule catalog not found next to {here}")


def _example(raw: Any, where: str) -> Example:
    if isinstance(raw, str):
        return Example(text=raw)
    if not isinstance(raw, dict) or "text" not in raw:
        raise CatalogError(f"{where}: an example needs a 'text'")
    return Example(
        text=raw["text"],
        filename=raw.get("filename", "example.md"),
        line=raw.get("line"),
        message=raw.get("message"),
        fixed=raw.get("fixed"),
        params=raw.get("params", {}),
        encoding=raw.get("encoding", "utf-8"),
    )


def parse_rule(data: dict[str, Any], source: str) -> Rule:
    """Validate one rule file's data."""
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise CatalogError(f"{source}: missing keys {', '.join(missing)}")
    docs = data["docs"]
    absent = [s for s in DOC_SECTIONS if not str(docs.get(s, "")).strip()]
    if absent:
        raise CatalogError(f"{source}: docs lack {', '.join(absent)}")
    requires = (data.get("pattern") or {}).get("requires")
    if requires is not None and not (
        isinstance(requires, list) and requires and all(isinstance(r, str) and r for r in requires)
    ):
        raise CatalogError(f"{source}: [pattern] requires must be a list of non-empty strings")
    return Rule(
        code=data["code"],
        name=data["name"],
        summary=data["summary"],
        severity=data["severity"],
        docs={k: str(v) for k, v in docs.items()},
        valid=[_example(x, source) for x in data["valid"]],
        invalid=[_example(x, source) for x in data["invalid"]],
        parameters=dict(data.get("parameters", {})),
        check=data.get("check", ""),
        pattern=data.get("pattern"),
        scope=data.get("scope", "document"),
        fix=data.get("fix", "none"),
        default=data.get("default", True),
        testable=data.get("testable", True),
        exclusive=data.get("exclusive", False),
        source=source,
    )


_LOADED: dict[str | None, dict[str, Rule]] = {}


def load_catalog(directory: str | None = None, cache_root: Path | None = None) -> dict[str, Rule]:
    """All rules by code, sorted by code; loaded once per process."""
    if directory not in _LOADED:
        _LOADED[directory] = _load_catalog(directory, cache_root)
    return _LOADED[directory]


def _load_catalog(directory: str | None, cache_root: Path | None) -> dict[str, Rule]:
    """All rules by code, sorted by code.

    Parsing every rule file costs tens of milliseconds, so the parsed catalog is kept in the user's
    cache directory (or the project's ``.promptlint_cache``), keyed by the rule files' sizes and
    modification times and promptlint's version.
    """
    from promptlint import __version__
    from promptlint.cache import dump_marshal, load_marshal, user_cache_dir
    from promptlint.hashing import sha256_hex

    root = Path(directory) if directory else catalog_dir()
    files = sorted(root.glob("*.toml"))
    where = user_cache_dir()
    if where is None and cache_root is not None and (cache_root / ".promptlint_cache").is_dir():
        where = cache_root / ".promptlint_cache"
    if where is None:
        return _build_catalog(_read_catalog(files))
    stamp = repr([(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]) + __version__ + str(root)
    # One file per rule directory: installs sharing the user cache (a project's virtualenv and
    # pre-commit's) would otherwise replace each other's catalog on every run.
    cached = where / f"catalog-{sha256_hex(str(root).encode())[:12]}.marshal"
    hit = load_marshal(cached)
    if isinstance(hit, tuple) and len(hit) == 2 and hit[0] == stamp:
        with contextlib.suppress(Exception):  # a foreign or damaged entry: parse the files again
            return _build_catalog(hit[1])
    raw = _read_catalog(files)
    rules = _build_catalog(raw)
    dump_marshal(cached, (stamp, raw))
    return rules


def _read_catalog(files: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    """Each rule file's TOML data, with its path (parsing TOML is what the cache saves)."""
    raw = []
    for path in files:
        try:
            raw.append((str(path), _toml().loads(path.read_text(encoding="utf-8"))))
        except (OSError, _toml().TOMLDecodeError) as exc:
            raise CatalogError(f"{path}: {exc}") from exc
    return raw


def _build_catalog(raw: list[tuple[str, dict[str, Any]]]) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for source, data in raw:
        rule = parse_rule(data, source)
        if rule.code in rules:
            raise CatalogError(f"{source}: duplicate code {rule.code}")
        rules[rule.code] = rule
    return dict(sorted(rules.items()))


def resolve_selectors(selectors: list[str], rules: dict[str, Rule]) -> set[str]:
    """Codes matched by selectors: a code, a prefix, a rule name or ``ALL``."""
    out: set[str] = set()
    for sel in selectors:
        sel = sel.strip()
        if not sel:
            continue
        if sel.upper() == "ALL":
            out.update(rules)
            continue
        matched = {c for c, r in rules.items() if c.startswith(sel.upper()) or r.name == sel}
        if not matched:
            raise CatalogError(f"unknown rule selector {sel!r}")
        out |= matched
    return out
