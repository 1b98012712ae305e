"""Filling a prompt's placeholders and turning a document into a Messages API request.

Variables come, in this order, from the file's own test data (``testData`` of a ``.prompt.yml``,
prompty ``sample``, ``sample``/``testData``/``variables`` in front matter), then from
``[tool.promptlint.ensemble]`` (per-glob ``variables`` over global ones). Placeholders are
``{{ var }}`` (with ``| default(…)``, ``upper``, ``lower``, ``trim``, ``title``, ``join``, ``tojson``),
``{var}``, ``${var}``, ``[[VAR]]``, Jinja comments and ``{% if %}``/``{% for %}`` blocks. A prompt
whose variables cannot all be filled is skipped and reported (ENS004) with the missing names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptlint.model import CODE, PromptDocument

EXPECTED_KEYS = ("expected", "expected_output", "expectedOutput", "expected_answer", "ideal", "target", "reference")
_TOKEN = re.compile(
    r"\{\{-?\s*(?P<expr>.*?)\s*-?\}\}"
    r"|\{%-?\s*(?P<stmt>.*?)\s*-?%\}"
    r"|\{#.*?#\}"
    r"|\$\{(?P<dollar>[A-Za-z_][\w.]{0,80})\}"
    r"|(?<![{\w])\{(?P<brace>[A-Za-z_][\w.]{0,80})\}(?!\})"
    r"|\[\[(?P<bracket>[A-Z][A-Z0-9_ ]{1,80})\]\]",
    re.S,
)
_NAME = re.compile(r"^[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*|\[\d+\]|\[['\"][^'\"]*['\"]\])*$")
_MISSING = object()


class TemplateError(Exception):
    """Template syntax this renderer does not support."""


@dataclass
class Request:
    """What is sent for a prompt: the system text and the message list."""

    system: str | None
    messages: list[dict[str, str]]

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"messages": self.messages}
        if self.system:
            out["system"] = self.system
        return out


@dataclass
class Rendered:
    """A document rendered with one test case, or why it could not be."""

    request: Request | None
    missing: list[str] = field(default_factory=list)
    problem: str = ""
    expected: str | None = None
    case: int = 0
    source: str = ""  # where the variables came from
    missing_at: tuple[int, int] | None = None  # (message index, text offset) of the first missing placeholder


# ---------------------------------------------------------------------------------------------
# Variable sources


def _load_yaml(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _sample_from(value: Any, base: Path) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        ref = value.strip()
        m = re.fullmatch(r"\$\{file:(.+)\}", ref)
        ref = m.group(1).strip() if m else ref
        if ref.endswith((".json", ".yaml", ".yml")):
            try:
                text = (base / ref).read_text(encoding="utf-8")
            except OSError:
                return None
            data = json.loads(text) if ref.endswith(".json") else _load_yaml(text)
            return data if isinstance(data, dict) else None
    return None


def test_cases(doc: PromptDocument) -> tuple[list[dict[str, Any]], str]:
    """The file's own test data rows and where they came from."""
    base = Path(doc.path).parent
    meta = doc.meta or {}
    rows = meta.get("testData")
    if isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows):
        return [dict(r) for r in rows], "testData"
    sample = _sample_from(meta.get("sample"), base) if "sample" in meta else None
    if sample:
        return [sample], "sample"
    front = meta.get("front_matter")
    if isinstance(front, str):
        front = _load_yaml(front)
    if isinstance(front, dict):
        for key in ("testData", "test_data", "tests"):
            rows = front.get(key)
            if isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows):
                return [dict(r) for r in rows], f"front matter {key}"
        for key in ("sample", "variables", "vars", "inputs"):
            sample = _sample_from(front.get(key), base)
            if sample:
                return [sample], f"front matter {key}"
        default = front.get("input", {}).get("default") if isinstance(front.get("input"), dict) else None
        if isinstance(default, dict):
            return [default], "front matter input.default"
    return [], ""


# ---------------------------------------------------------------------------------------------
# Rendering


def _lookup(variables: dict[str, Any], path: str) -> Any:
    parts = re.findall(r"[A-Za-z_]\w*|\[\d+\]|\[['\"][^'\"]*['\"]\]", path)
    if not parts:
        return _MISSING
    head = parts[0]
    if head in variables:
        current: Any = variables[head]
    else:
        folded = {k.lower(): v for k, v in variables.items()}
        if head.lower() not in folded:
            return _MISSING
        current = folded[head.lower()]
    for part in parts[1:]:
        if part.startswith("[") and part[1:-1].isdigit():
            idx = int(part[1:-1])
            if not isinstance(current, list) or idx >= len(current):
                return _MISSING
            current = current[idx]
        else:
            key = part.strip("[]'\"")
            if not isinstance(current, dict) or key not in current:
                return _MISSING
            current = current[key]
    return current


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _literal(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return json.loads(text)
    except ValueError:
        return _MISSING


class _Renderer:
    def __init__(self, variables: dict[str, Any]) -> None:
        self.variables = variables
        self.missing: list[tuple[str, int]] = []

    def expr(self, source: str, offset: int, scope: dict[str, Any]) -> str:
        parts = [p.strip() for p in re.split(r"\|(?![^()]*\))", source)]
        name = parts[0]
        if not _NAME.match(name):
            lit = _literal(name)
            if lit is _MISSING:
                raise TemplateError(f"unsupported expression {{{{ {source} }}}}")
            value: Any = lit
        else:
            value = _lookup(scope, name)
        for flt in parts[1:]:
            m = re.fullmatch(r"(\w+)\s*(?:\((.*)\))?", flt, re.S)
            if not m:
                raise TemplateError(f"unsupported filter '{flt}'")
            fname, arg = m.group(1), m.group(2)
            if fname in ("default", "d"):
                if value is _MISSING or (value in ("", None) and arg and arg.rstrip().endswith("true")):
                    value = _literal(arg.split(",")[0]) if arg else ""
                continue
            if value is _MISSING:
                continue
            if fname == "upper":
                value = _to_text(value).upper()
            elif fname == "lower":
                value = _to_text(value).lower()
            elif fname in ("trim", "strip"):
                value = _to_text(value).strip()
            elif fname in ("title", "capitalize"):
                value = _to_text(value).title() if fname == "title" else _to_text(value).capitalize()
            elif fname == "join":
                sep = _literal(arg) if arg else ""
                value = (sep if isinstance(sep, str) else "").join(_to_text(v) for v in value)
            elif fname in ("tojson", "json", "dump"):
                value = json.dumps(value, ensure_ascii=False)
            elif fname in ("safe", "e", "escape", "string"):
                value = _to_text(value)
            else:
                raise TemplateError(f"unsupported filter '{fname}'")
        if value is _MISSING:
            self.missing.append((name, offset))
            return ""
        return _to_text(value)

    def condition(self, source: str, scope: dict[str, Any]) -> bool:
        negate = False
        src = source.strip()
        while src.startswith("not "):
            negate, src = not negate, src[4:].strip()
        m = re.fullmatch(r"(.+?)\s*(==|!=)\s*(.+)", src)
        if m:
            left = _lookup(scope, m.group(1).strip()) if _NAME.match(m.group(1).strip()) else _literal(m.group(1))
            right = _lookup(scope, m.group(3).strip()) if _NAME.match(m.group(3).strip()) else _literal(m.group(3))
            result = (left == right) if m.group(2) == "==" else (left != right)
        elif _NAME.match(src):
            value = _lookup(scope, src)
            result = value is not _MISSING and bool(value)
        else:
            raise TemplateError(f"unsupported condition {{% if {source} %}}")
        return result != negate


def _parse(text: str, literal: list[tuple[int, int]]) -> list[Any]:
    """Text and tokens into a tree: str, ("expr", src, offset), ("if", [(cond, body)], else), ("for", …).

    Single-brace and ``${}`` placeholders inside ``literal`` spans (code) are kept as text.
    """
    root: list[Any] = []
    stack: list[tuple[str, Any, list[Any]]] = [("root", None, root)]
    pos = 0
    for m in _TOKEN.finditer(text):
        if (m.group("brace") or m.group("dollar")) and any(a <= m.start() < b for a, b in literal):
            continue
        body = stack[-1][2]
        if m.start() > pos:
            body.append(text[pos : m.start()])
        pos = m.end()
        if m.group(0).startswith("{#"):
            continue
        stmt = m.group("stmt")
        if stmt is None:
            src = m.group("expr") or m.group("dollar") or m.group("brace") or m.group("bracket")
            body.append(("expr", src, m.start()))
            continue
        word = stmt.split(None, 1)[0] if stmt.split() else ""
        rest = stmt[len(word) :].strip()
        if word == "if":
            node: Any = ["if", [[rest, []]], None]
            body.append(node)
            stack.append(("if", node, node[1][0][1]))
        elif word in ("elif", "else") and stack[-1][0] == "if":
            node = stack.pop()[1]
            if word == "elif":
                node[1].append([rest, []])
                stack.append(("if", node, node[1][-1][1]))
            else:
                node[2] = []
                stack.append(("if", node, node[2]))
        elif word == "endif" and stack[-1][0] == "if":
            stack.pop()
        elif word == "for":
            fm = re.fullmatch(r"(\w+)\s+in\s+(.+)", rest)
            if not fm:
                raise TemplateError(f"unsupported loop {{% {stmt} %}}")
            node = ["for", fm.group(1), fm.group(2).strip(), [], m.start()]
            body.append(node)
            stack.append(("for", node, node[3]))
        elif word == "endfor" and stack[-1][0] == "for":
            stack.pop()
        else:
            raise TemplateError(f"unsupported template statement {{% {stmt} %}}")
    if len(stack) > 1:
        raise TemplateError(f"unclosed {{% {stack[-1][0]} %}} block")
    if pos < len(text):
        stack[-1][2].append(text[pos:])
    return root


def _emit(nodes: list[Any], renderer: _Renderer, scope: dict[str, Any]) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif node[0] == "expr":
            out.append(renderer.expr(node[1], node[2], scope))
        elif node[0] == "if":
            for cond, body in node[1]:
                if renderer.condition(cond, scope):
                    out.append(_emit(body, renderer, scope))
                    break
            else:
                if node[2] is not None:
                    out.append(_emit(node[2], renderer, scope))
        elif node[0] == "for":
            items = _lookup(scope, node[2]) if _NAME.match(node[2]) else _literal(node[2])
            if items is _MISSING:
                renderer.missing.append((node[2], node[4]))
                continue
            if isinstance(items, dict):
                items = list(items)
            for item in items if isinstance(items, list) else []:
                out.append(_emit(node[3], renderer, {**scope, node[1]: item}))
    return "".join(out)


def render_text(
    text: str, variables: dict[str, Any], code: list[tuple[int, int]] | None = None
) -> tuple[str, list[tuple[str, int]]]:
    """Fill a message's placeholders: (rendered text, [(missing variable, offset)]).

    ``{var}`` and ``${var}`` inside ``code`` spans are left alone (they are usually code, not
    placeholders). Raises :class:`TemplateError` for syntax outside the supported subset.
    """
    if not _TOKEN.search(text):
        return text, []
    renderer = _Renderer(variables)
    return _emit(_parse(text, code or []), renderer, dict(variables)), renderer.missing


# ---------------------------------------------------------------------------------------------
# Documents → requests


def render_document(
    doc: PromptDocument,
    config_variables: dict[str, Any],
    *,
    cases: int = 1,
    expected: str | None = None,
    user_input: str | None = None,
) -> list[Rendered]:
    """Render a document once per test case (at most ``cases``)."""
    rows, source = test_cases(doc)
    if not rows:
        rows, source = [{}], "configuration" if config_variables else ""
    out: list[Rendered] = []
    for case, row in enumerate(rows[:cases]):
        out.append(_render_case(doc, row, config_variables, case, source, expected, user_input))
    return out


def _render_case(
    doc: PromptDocument,
    row: dict[str, Any],
    config_variables: dict[str, Any],
    case: int,
    source: str,
    expected: str | None,
    user_input: str | None,
) -> Rendered:
    variables = {**config_variables, **row}
    system: list[str] = []
    messages: list[dict[str, str]] = []
    missing: list[str] = []
    missing_at: tuple[int, int] | None = None
    used: set[str] = set()
    for index, msg in enumerate(doc.messages):
        try:
            code = [(r.start, r.end) for r in msg.regions if r.kind == CODE]
            text, absent = render_text(msg.text, variables, code)
        except TemplateError as exc:
            return Rendered(None, problem=str(exc), case=case, source=source)
        used |= {m.group(0) for m in re.finditer(r"[A-Za-z_]\w*", msg.text)}
        for name, offset in absent:
            if name not in missing:
                missing.append(name)
            if missing_at is None:
                missing_at = (index, offset)
        text = text.strip("\n")
        if not text.strip():
            continue
        if msg.role == "system":
            system.append(text)
        else:
            role = "assistant" if msg.role == "assistant" else "user"
            if messages and messages[-1]["role"] == role:
                messages[-1]["content"] += "\n\n" + text
            else:
                messages.append({"role": role, "content": text})
    want = expected
    for key in EXPECTED_KEYS:
        if key in row and key not in used and row[key] is not None:
            want = _to_text(row[key])
            break
    if missing:
        return Rendered(None, missing=missing, case=case, source=source, missing_at=missing_at)
    if not messages or messages[-1]["role"] != "user":
        if user_input:
            messages.append({"role": "user", "content": user_input})
        elif not messages:
            return Rendered(
                None,
                problem="the prompt has no user message to answer; give one with 'input' in "
                "[tool.promptlint.ensemble] (or a per-glob override)",
                case=case,
                source=source,
            )
    return Rendered(
        Request("\n\n".join(system) or None, messages), expected=want, case=case, source=source or "no variables"
    )
