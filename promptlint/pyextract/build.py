"""From the candidates an :class:`~.extract.Extractor` collected to :class:`PromptDocument` objects."""

from __future__ import annotations

import ast
import re
from typing import Any

from promptlint.markup import analyse
from promptlint.model import LineIndex, Message, PromptDocument, SourceMap
from promptlint.pyextract import classify
from promptlint.pyextract.editor import PyMessageRef, PythonEditor
from promptlint.pyextract.extract import (
    LC_MESSAGE_CLASSES,
    LC_TEMPLATE_CLASSES,
    DocSpec,
    Extractor,
    MsgSpec,
    Scope,
    dotted,
)
from promptlint.pyextract.scan import is_test_file

EXTRA_KEYWORDS = {
    "system": "system",
    "system_prompt": "system",
    "system_message": "system",
    "system_instruction": "system",
    "instructions": "system",
    "prompt": "user",
    "user_prompt": "user",
    "input": "user",
    "query": "user",
    "question": "user",
    "content": "unknown",
    "template": "unknown",
    "text": "unknown",
}


def build_documents(ex: Extractor) -> list[PromptDocument]:
    """Walk the module, build the candidates in priority order, and keep each string in one document."""
    ex.walk()
    test_file = is_test_file(ex.path)
    specs: list[DocSpec] = []
    for node, scope, stmt in ex.calls:
        spec = _call_doc(ex, node, scope, stmt)
        if spec is not None:
            specs.append(spec)
    for node, scope, stmt in ex.lists if not test_file else ():
        spec = _list_doc(ex, node, scope, stmt)
        if spec is not None:
            specs.append(spec)
    for scope, name, stmt, forced in ex.constants:
        spec = _constant_doc(ex, scope, name, stmt, forced)
        if spec is not None:
            specs.append(spec)
    in_lists = {id(e) for node, _, _ in ex.lists for e in node.elts}
    for node, scope, stmt in ex.elements if not test_file else ():
        if id(node) in in_lists:
            continue  # part of a list literal: a message list document, or not a message at all
        spec = _element_doc(ex, node, scope, stmt)
        if spec is not None:
            specs.append(spec)
    for node, scope, stmt in ex.calls if not test_file else ():
        if id(node) in in_lists:
            continue
        last = dotted(node.func).rsplit(".", 1)[-1]
        if last in LC_MESSAGE_CLASSES or last == "dict":
            spec = _element_doc(ex, node, scope, stmt)
            if spec is not None:
                specs.append(spec)
    specs.sort(key=lambda s: (s.priority, -_size(s) if s.priority == 2 else 0, s.order))
    claimed: set[Any] = set()
    kept: list[DocSpec] = []
    for spec in specs:
        if not any(m.value.tokens for m in spec.messages) or not _has_prose(spec):
            continue
        if all(m.keys <= claimed for m in spec.messages):
            continue
        for m in spec.messages:
            claimed |= m.keys
        kept.append(spec)
    kept.sort(key=lambda s: s.order)
    return [_document(ex, spec) for spec in kept]


_WORD = re.compile(r"[^\W\d_]{2,}")


def _has_prose(spec: DocSpec) -> bool:
    """A call's prompt needs one word of literal text outside placeholders (in a message that is not
    an assistant turn); a message list or a lone message dict needs three."""
    need = 1 if spec.source in ("call", "constant") else 3
    for m in spec.messages:
        if m.role == "assistant" and spec.source != "constant":
            continue
        text = m.value.text
        for a, b in m.value.placeholders:
            text = text[:a] + " " * (b - a) + text[b:]
        if len(_WORD.findall(text)) >= need:
            return True
    return False


def _size(spec: DocSpec) -> int:
    return sum(len(m.value.tokens) for m in spec.messages)


# --------------------------------------------------------------------------------------------
# Candidates


def _call_doc(ex: Extractor, node: Any, scope: Scope, stmt: Any) -> DocSpec | None:
    name = dotted(node.func)
    parts = name.split(".")
    last = parts[-1]
    prev = parts[-2] if len(parts) > 1 else ""
    kwargs = {k.arg: k.value for k in node.keywords if k.arg}
    use = node.lineno
    msgs: list[MsgSpec] = []
    appends: list[dict[str, Any]] = []
    kind = "chat"
    if prev == "messages" and last in ("create", "stream", "count_tokens"):
        if "system" in kwargs:
            msgs += _plain(ex, "system", kwargs["system"], scope, use)
        if "messages" in kwargs:
            msgs += _list_messages(ex, kwargs["messages"], scope, use, False, appends)
    elif prev == "completions" and last in ("create", "parse", "stream"):
        if "messages" in kwargs:
            msgs += _list_messages(ex, kwargs["messages"], scope, use, False, appends)
        elif "prompt" in kwargs:
            msgs += _plain(ex, "user", kwargs["prompt"], scope, use)
            kind = "document"
    elif prev == "responses" and last in ("create", "stream", "parse"):
        if "instructions" in kwargs:
            msgs += _plain(ex, "system", kwargs["instructions"], scope, use)
        value = kwargs.get("input")
        if isinstance(value, (ast.List, ast.Tuple, ast.Name)) and ex.list_items(value, scope, use) is not None:
            msgs += _list_messages(ex, value, scope, use, False, appends)
        elif value is not None:
            msgs += _plain(ex, "user", value, scope, use)
    elif (last == "from_messages" and prev.endswith("ChatPromptTemplate")) or (
        last == "ChatPromptTemplate" and (node.args or "messages" in kwargs)
    ):
        value = node.args[0] if node.args else kwargs.get("messages")
        if value is not None:
            msgs += _list_messages(ex, value, scope, use, True, appends)
    elif last == "from_template" and prev in LC_TEMPLATE_CLASSES:
        value = node.args[0] if node.args else kwargs.get("template")
        if value is not None:
            msgs += _plain(ex, LC_TEMPLATE_CLASSES[prev], value, scope, use)
        kind = "document" if prev != "ChatPromptTemplate" else "chat"
    elif last == "PromptTemplate":
        value = kwargs.get("template", node.args[0] if node.args else None)
        if value is not None:
            msgs += _plain(ex, "unknown", value, scope, use)
        kind = "document"
    elif _extra_call(ex, name):
        if "messages" in kwargs:
            msgs += _list_messages(ex, kwargs["messages"], scope, use, False, appends)
        for arg in node.args:
            if ex.resolve(arg, scope, use) is not None:
                msgs += _plain(ex, "unknown", arg, scope, use)
        for key, role in EXTRA_KEYWORDS.items():
            if key in kwargs:
                msgs += _plain(ex, role, kwargs[key], scope, use)
        kind = "chat" if len(msgs) > 1 or "messages" in kwargs else "document"
    else:
        return None
    if not msgs:
        return None
    return DocSpec(kind, "call", name, node, stmt, msgs, 0, appends, ex.src.span(node)[0])


def _extra_call(ex: Extractor, name: str) -> bool:
    return any(name == c or name.endswith("." + c) for c in ex.options.extra_calls)


def _plain(ex: Extractor, role: str, value: Any, scope: Scope, use: int) -> list[MsgSpec]:
    """Messages of a prompt argument: a string, or a list of text blocks."""
    return ex.messages_of(role, value, scope, use, value, None)


def _list_messages(
    ex: Extractor, value: Any, scope: Scope, use: int | None, lc: bool, appends: list[dict[str, Any]]
) -> list[MsgSpec]:
    found = ex.list_items(value, scope, use)
    if found is None:
        return []
    items, _ = found
    list_name = value.id if isinstance(value, ast.Name) else ""
    msgs: list[MsgSpec] = []
    for item in items:
        element = ex.message_element(item.node, scope, use, lc)
        if element is None:
            continue
        role, content = element
        mut = item.mutation
        if mut is None:
            removal = ex.element_removal(item.list_node, item.index)
        elif mut.method in ("append", "insert"):
            removal = ex.statement_removal(mut.stmt)
        elif item.list_node is not None and len(item.list_node.elts) > 1:
            removal = ex.element_removal(item.list_node, item.index)
        else:
            removal = ex.statement_removal(mut.stmt)
        new = ex.messages_of(role, content, scope, use, item.node, removal)
        if mut is not None and new:
            start, end = ex.src.span(mut.stmt)
            appends.append(
                {
                    "kind": mut.method,
                    "target": list_name,
                    "scope": scope.kind,
                    "start": start,
                    "end": end,
                    "text": "\n\n".join(m.value.text for m in new),
                    "role": role,
                    "had_messages": item.had_messages,
                    "at_start": item.at_start,
                }
            )
        msgs += new
    return msgs


def _list_doc(ex: Extractor, node: Any, scope: Scope, stmt: Any) -> DocSpec | None:
    if not any(_looks_like_message(e) for e in node.elts):
        return None
    target = None
    if isinstance(stmt, ast.Assign) and stmt.value is node and len(stmt.targets) == 1:
        target = stmt.targets[0]
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is node:
        target = stmt.target
    appends: list[dict[str, Any]] = []
    source: Any = node
    if isinstance(target, ast.Name) and ex.list_items(target, scope, None) is not None:
        source = target
    name = target.id if isinstance(target, ast.Name) else ""
    if name and classify.NEGATIVE_ANY.intersection(classify.name_words(name)):
        return None  # expected = [...], mock_messages = [...]
    msgs = _list_messages(ex, source, scope, None, False, appends)
    if not msgs:
        return None
    return DocSpec("chat", "messages", name, node, stmt, msgs, 1, appends, ex.src.span(node)[0])


def _looks_like_message(node: Any) -> bool:
    if isinstance(node, ast.Dict):
        keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
        return "role" in keys
    if isinstance(node, ast.Call):
        last = dotted(node.func).rsplit(".", 1)[-1]
        return (
            last in LC_MESSAGE_CLASSES
            or last == "from_template"
            or (last == "dict" and any(k.arg == "role" for k in node.keywords))
        )
    return False


def _element_doc(ex: Extractor, node: Any, scope: Scope, stmt: Any) -> DocSpec | None:
    if not _looks_like_message(node):
        return None
    element = ex.message_element(node, scope, node.lineno, False)
    if element is None:
        return None
    role, content = element
    msgs = ex.messages_of(role, content, scope, node.lineno, node, None)
    if not msgs:
        return None
    kind = "chat" if isinstance(node, ast.Dict) or dotted(node.func).endswith("dict") else "document"
    return DocSpec(kind, "message", "", node, stmt, msgs, 3, [], ex.src.span(node)[0])


def _constant_doc(ex: Extractor, scope: Scope, name: str, stmt: Any, forced: bool) -> DocSpec | None:
    single = ex.single_assign(scope, name)
    if single is not None and single[0].stmt is stmt:
        value = ex.resolve(ast.Name(id=name, ctx=ast.Load()), scope, None)
    else:
        value = ex.resolve(stmt.value, scope, stmt.lineno)
    if value is None or not value.tokens:
        return None
    if scope.kind == "function" and not (forced or classify.local_says_prompt(name)):
        return None
    if not forced and not classify.reads_as_instructions(value.text):
        return None
    role = classify.role_for_name(name)
    if scope.kind == "class":
        name = f"{scope.name}.{name}"
    keys = {("t", t.start) for t in value.tokens}
    msg = MsgSpec(role, value, None, keys)
    return DocSpec("document", "constant", name, stmt.value, stmt, [msg], 2, [], ex.src.span(stmt)[0])


# --------------------------------------------------------------------------------------------
# Documents


def _document(ex: Extractor, spec: DocSpec) -> PromptDocument:
    lines: LineIndex = ex.src.lines
    messages = []
    facts: dict[tuple[str, int, int], dict[str, Any]] = {}
    for m in spec.messages:
        fallback = m.value.start_offset()
        msg = Message(
            role=m.role,
            text=m.value.text,
            source=SourceMap(m.value.anchors(fallback)),
            node=PyMessageRef(m.value, m.removal),
        )
        analyse(msg)
        if m.value.placeholders:
            msg.placeholders = sorted(set(msg.placeholders) | set(m.value.placeholders))
        messages.append(msg)
        for fact in m.value.facts:
            facts[(fact.kind, fact.start, fact.end)] = {
                "kind": fact.kind,
                "target": fact.target,
                "scope": fact.scope,
                "start": fact.start,
                "end": fact.end,
                "text": fact.text,
                "base_line": lines.position(fact.base_offset)[0],
            }
    for item in spec.appends:
        facts[(item["kind"], item["start"], item["end"])] = dict(item)
    appends = []
    for item in sorted(facts.values(), key=lambda f: (f["start"], f["end"])):
        line, column = lines.position(item["start"])
        end_line, end_column = lines.position(item["end"])
        appends.append({**item, "line": line, "column": column, "end_line": end_line, "end_column": end_column})
    start_line = spec.stmt.lineno if spec.stmt is not None else spec.node.lineno
    suppress = sorted({start_line, spec.node.lineno, spec.node.end_lineno or spec.node.lineno})
    meta: dict[str, Any] = {
        "python": {"source": spec.source, "name": spec.name, "line": spec.node.lineno},
        "suppress_lines": suppress,
    }
    if appends:
        meta["appends"] = appends
    return PromptDocument(
        path=ex.path,
        format="python",
        kind=spec.kind,
        messages=messages,
        file_text=ex.text,
        lines=lines,
        meta=meta,
        editor=PythonEditor(),
    )
