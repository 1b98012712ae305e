"""Finding prompts in a parsed Python module and building :class:`PromptDocument` objects.

What is a prompt (precision first; the user widens it with ``extra-prompt-names`` / ``extra-calls``):

* the prompt arguments of LLM calls: Anthropic ``messages.create`` / ``stream`` / ``count_tokens``
  (``system=`` string or text blocks, ``messages=[{"role", "content"}]``), OpenAI
  ``chat.completions.create(messages=...)``, ``completions.create(prompt=...)`` and
  ``responses.create(instructions=, input=)``, LangChain ``ChatPromptTemplate.from_messages`` /
  ``from_template``, ``PromptTemplate`` / ``from_template``, ``*MessagePromptTemplate.from_template``
  and ``SystemMessage`` / ``HumanMessage`` / ``AIMessage`` / ``ChatMessage``;
* message lists and message dicts anywhere (``{"role": ..., "content": ...}``, ``dict(role=...)``);
* module constants and class attributes whose name says prompt and whose value reads as
  instructions (see :mod:`.classify`).

Names are resolved to their values: module constants, class attributes (``self.X``, ``Class.X``)
and variables assigned once in the same scope, with ``+=`` appends, ``+``, ``str.join``,
``.format`` / ``%`` templates, ``textwrap.dedent`` / ``inspect.cleandoc`` and ``strip``. A literal
string belongs to one document: calls claim their strings first, then message lists, then named
constants (larger first), then lone message dicts.
"""

from __future__ import annotations

import ast
import bisect
from dataclasses import dataclass, field
from typing import Any

from promptlint.model import ROLE_ALIASES, TEXT_BLOCK_TYPES, LineIndex
from promptlint.pyextract import classify
from promptlint.pyextract.literals import FIELD_MARK, Fact, LexError, PyStr, lex_literals, placeholder_text
from promptlint.pyextract.options import Options
from promptlint.pyextract.scan import call_signal_offsets

MAX_DEPTH = 40
DEDENT_CALLS = frozenset({"textwrap.dedent", "dedent", "inspect.cleandoc", "cleandoc"})
LC_MESSAGE_CLASSES = {
    "SystemMessage": "system",
    "HumanMessage": "user",
    "AIMessage": "assistant",
    "ChatMessage": None,  # role from role=
}
LC_TEMPLATE_CLASSES = {
    "SystemMessagePromptTemplate": "system",
    "HumanMessagePromptTemplate": "user",
    "AIMessagePromptTemplate": "assistant",
    "ChatPromptTemplate": "user",
    "PromptTemplate": "unknown",
}


# --------------------------------------------------------------------------------------------
# Source positions


class Source:
    """File text with ast (line, UTF-8 byte column) -> file offset conversion."""

    def __init__(self, text: str, lines: LineIndex) -> None:
        self.text = text
        self.lines = lines
        self._non_ascii: dict[int, str] = {}

    def offset(self, lineno: int, col: int) -> int:
        starts = self.lines.starts
        if lineno < 1:
            return 0
        if lineno > len(starts):
            return len(self.text)
        start = starts[lineno - 1]
        line = self._non_ascii.get(lineno)
        if line is None:
            end = starts[lineno] if lineno < len(starts) else len(self.text)
            line = self.text[start:end]
            if line.isascii():
                return start + col
            self._non_ascii[lineno] = line
        return start + len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))

    def span(self, node: Any) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)
        end = self.offset(node.end_lineno or node.lineno, node.end_col_offset or 0)
        return start, max(start, end)

    def segment(self, node: Any) -> str:
        a, b = self.span(node)
        return self.text[a:b]

    def line_start(self, offset: int) -> int:
        return self.text.rfind("\n", 0, offset) + 1

    def line_end(self, offset: int) -> int:
        nl = self.text.find("\n", offset)
        return len(self.text) if nl == -1 else nl

    def own_lines(self, start: int, end: int) -> tuple[int, int] | None:
        """The span of whole lines holding ``[start, end)`` when nothing else is on them."""
        ls = self.line_start(start)
        if self.text[ls:start].strip():
            return None
        le = self.line_end(end)
        rest = self.text[end:le].strip()
        if rest and not rest.startswith("#"):
            return None
        return ls, min(le + 1, len(self.text))


def dotted(node: Any) -> str:
    """``client.beta.messages.create`` for a call's func; non-name parts become ``?``."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    else:
        parts.append("?")
    return ".".join(reversed(parts))


def _str_const(node: Any) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _int_const(node: Any) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int_const(node.operand)
        return -inner if inner is not None else None
    return None


# --------------------------------------------------------------------------------------------
# Scopes and bindings


@dataclass
class Binding:
    kind: str  # "assign", "aug", "other", "class"
    stmt: Any
    value: Any = None


@dataclass
class Mutation:
    method: str  # "append", "insert", "extend", "augmented-assign"
    stmt: Any
    call: Any = None  # the ast.Call (None for +=)
    value: Any = None  # the list added by +=


_COMPOUND_BODIES = ("body", "orelse", "finalbody")


class Scope:
    """A module, class or function body and the names it binds (built lazily)."""

    def __init__(self, kind: str, node: Any, parent: Scope | None, name: str = "") -> None:
        self.kind = kind
        self.node = node
        self.parent = parent
        self.name = name
        self._table: dict[str, list[Binding]] | None = None
        self._mutations: dict[str, list[Mutation]] = {}
        self.globals: set[str] = set()

    @property
    def module(self) -> Scope:
        s = self
        while s.parent is not None:
            s = s.parent
        return s

    def table(self) -> dict[str, list[Binding]]:
        if self._table is None:
            self._table = {}
            if self.kind == "function":
                args = self.node.args
                for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                    if a is not None:
                        self._add(a.arg, Binding("other", self.node))
            self._collect(self.node.body)
        return self._table

    def mutations(self, name: str) -> list[Mutation]:
        self.table()
        return self._mutations.get(name, [])

    def _add(self, name: str, binding: Binding) -> None:
        assert self._table is not None
        self._table.setdefault(name, []).append(binding)

    def _targets(self, target: Any, stmt: Any) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self._add(node.id, Binding("other", stmt))

    def _collect(self, body: list[Any]) -> None:
        stack = list(reversed(body))
        while stack:
            stmt = stack.pop()
            if isinstance(stmt, ast.Assign):
                if all(isinstance(t, ast.Name) for t in stmt.targets):
                    for t in stmt.targets:
                        self._add(t.id, Binding("assign", stmt, stmt.value))
                else:
                    for t in stmt.targets:
                        if not isinstance(t, (ast.Attribute, ast.Subscript)):
                            self._targets(t, stmt)
            elif isinstance(stmt, ast.AnnAssign):
                if isinstance(stmt.target, ast.Name) and stmt.value is not None:
                    self._add(stmt.target.id, Binding("assign", stmt, stmt.value))
            elif isinstance(stmt, ast.AugAssign):
                if isinstance(stmt.target, ast.Name):
                    self._add(stmt.target.id, Binding("aug", stmt, stmt.value))
                    if isinstance(stmt.op, ast.Add) and isinstance(stmt.value, (ast.List, ast.Tuple)):
                        self._mutations.setdefault(stmt.target.id, []).append(
                            Mutation("augmented-assign", stmt, value=stmt.value)
                        )
            elif isinstance(stmt, ast.Expr):
                call = stmt.value
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in ("append", "insert", "extend")
                    and isinstance(call.func.value, ast.Name)
                ):
                    self._mutations.setdefault(call.func.value.id, []).append(Mutation(call.func.attr, stmt, call))
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._add(stmt.name, Binding("other", stmt))
            elif isinstance(stmt, ast.ClassDef):
                self._add(stmt.name, Binding("class", stmt))
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                for alias in stmt.names:
                    self._add((alias.asname or alias.name).split(".")[0], Binding("other", stmt))
            elif isinstance(stmt, (ast.Global, ast.Nonlocal)):
                self.globals.update(stmt.names)
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                self._targets(stmt.target, stmt)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                for item in stmt.items:
                    if item.optional_vars is not None:
                        self._targets(item.optional_vars, stmt)
            elif isinstance(stmt, ast.Delete):
                for t in stmt.targets:
                    self._targets(t, stmt)
            elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
                for handler in stmt.handlers:
                    if handler.name:
                        self._add(handler.name, Binding("other", stmt))
                    stack.extend(reversed(handler.body))
            elif type(stmt).__name__ == "Match":
                for case in stmt.cases:
                    stack.extend(reversed(case.body))
            for name in _COMPOUND_BODIES:
                inner = getattr(stmt, name, None)
                if inner and not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    stack.extend(reversed(inner))


# --------------------------------------------------------------------------------------------
# What the extractor produces


@dataclass
class MsgSpec:
    role: str
    value: PyStr
    removal: tuple[int, int, str] | None = None
    keys: set[Any] = field(default_factory=set)


@dataclass
class DocSpec:
    kind: str  # "chat" or "document"
    source: str  # "call", "messages", "constant", "message"
    name: str
    node: Any
    stmt: Any
    messages: list[MsgSpec]
    priority: int
    appends: list[dict[str, Any]] = field(default_factory=list)
    order: int = 0


@dataclass
class _Item:
    """An element of a message list: the node and the mutation that added it (None: the literal)."""

    node: Any
    mutation: Mutation | None
    list_node: Any = None
    index: int = 0
    had_messages: bool = False
    at_start: bool = False


class Extractor:
    """Walks one module and collects :class:`DocSpec` candidates."""

    def __init__(self, path: str, text: str, tree: ast.Module, lines: LineIndex, options: Options) -> None:
        self.path = path
        self.text = text
        self.tree = tree
        self.src = Source(text, lines)
        self.options = options
        self.module = Scope("module", tree, None, _module_name(path))
        self.prompt_module = classify.container_says_prompt(self.module.name)
        self._literal_cache: dict[int, PyStr | None] = {}
        self._resolving: set[tuple[int, str]] = set()
        self._class_scopes: dict[int, Scope] = {}
        self.calls: list[tuple[Any, Scope, Any]] = []
        self.lists: list[tuple[Any, Scope, Any]] = []
        self.elements: list[tuple[Any, Scope, Any]] = []
        self.constants: list[tuple[Scope, str, Any, bool]] = []
        self._strong = sorted({lines.position(o)[0] for o in call_signal_offsets(text, options.call_words)})

    # Walking ----------------------------------------------------------------------------------

    @staticmethod
    def _has(lines: list[int], lo: int, hi: int) -> bool:
        i = bisect.bisect_left(lines, lo)
        return i < len(lines) and lines[i] <= hi

    def walk(self) -> None:
        self._visit_stmts(self.tree.body, self.module, all_constants=self.prompt_module)

    def _visit_stmts(self, body: list[Any], scope: Scope, all_constants: bool = False) -> None:
        """Every statement is visited (cheap: assignments are checked by name); the expressions of
        a statement are walked only when its lines carry a strong signal (a call, a message dict)."""
        for stmt in body:
            lo, hi = stmt.lineno, stmt.end_lineno or stmt.lineno
            strong = self._has(self._strong, lo, hi)
            if isinstance(stmt, ast.ClassDef):
                if strong:
                    self._visit_exprs([*stmt.bases, *stmt.keywords, *stmt.decorator_list], scope, stmt)
                inner = self._class_scope(stmt, scope)
                self._visit_stmts(stmt.body, inner, all_constants=classify.container_says_prompt(stmt.name))
                continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if strong:
                    args = stmt.args
                    self._visit_exprs([*stmt.decorator_list, *args.defaults, *args.kw_defaults], scope, stmt)
                self._visit_stmts(stmt.body, Scope("function", stmt, scope, stmt.name))
                continue
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                self._constant_candidates(stmt, scope, all_constants)
            for name, value in ast.iter_fields(stmt):
                if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                    self._visit_stmts(value, scope, all_constants)
                elif isinstance(value, list) and value and isinstance(value[0], ast.excepthandler):
                    for handler in value:
                        if strong and handler.type is not None:
                            self._visit_exprs([handler.type], scope, stmt)
                        self._visit_stmts(handler.body, scope, all_constants)
                elif name == "cases" and isinstance(value, list):
                    for case in value:
                        if strong and case.guard is not None:
                            self._visit_exprs([case.guard], scope, stmt)
                        self._visit_stmts(case.body, scope, all_constants)
                elif strong:
                    items = value if isinstance(value, list) else [value]
                    self._visit_exprs([v for v in items if isinstance(v, ast.AST)], scope, stmt)

    def _visit_exprs(self, nodes: list[Any], scope: Scope, stmt: Any) -> None:
        for root in nodes:
            for node in ast.walk(root):
                if isinstance(node, ast.Call):
                    self.calls.append((node, scope, stmt))
                elif isinstance(node, (ast.List, ast.Tuple)):
                    self.lists.append((node, scope, stmt))
                elif isinstance(node, ast.Dict):
                    self.elements.append((node, scope, stmt))

    def _class_scope(self, node: Any, parent: Scope) -> Scope:
        scope = self._class_scopes.get(id(node))
        if scope is None:
            scope = Scope("class", node, parent, node.name)
            self._class_scopes[id(node)] = scope
        return scope

    def _constant_candidates(self, stmt: Any, scope: Scope, in_container: bool) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            name = target.id
            if self.options.name_is_ignored(name):
                continue
            forced = self.options.name_is_extra(name)
            by_name = forced or classify.name_says_prompt(name)
            contained = in_container and scope.kind != "function" and not classify.name_vetoed(name)
            if by_name or contained:
                self.constants.append((scope, name, stmt, forced))

    # Values -----------------------------------------------------------------------------------

    def opaque(self, node: Any) -> PyStr:
        start, _ = self.src.span(node)
        return PyStr.opaque(placeholder_text(self.src.segment(node)), start)

    def literal(self, node: Any) -> PyStr | None:
        key = id(node)
        if key in self._literal_cache:
            return self._literal_cache[key]
        out = self._literal(node)
        self._literal_cache[key] = out
        return out

    def _literal(self, node: Any) -> PyStr | None:
        start, end = self.src.span(node)
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, str):
                return None
            expected = node.value
        else:
            expected = "".join(v.value if isinstance(v, ast.Constant) else FIELD_MARK for v in node.values)
        try:
            tokens = lex_literals(self.text, start, end)
        except (LexError, IndexError, ValueError):
            tokens = []
        if tokens and not any(t.is_bytes for t in tokens) and "".join(t.compare_value() for t in tokens) == expected:
            return PyStr.from_tokens(tokens)
        # Coarse fallback: the value, every character mapped to the literal's start.
        if isinstance(node, ast.Constant):
            out = PyStr.opaque(node.value, start, placeholder=False)
            out.placeholders = []
            return out
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                piece = PyStr.opaque(v.value, start, placeholder=False)
                piece.placeholders = []
                parts.append(piece)
            elif isinstance(v, ast.FormattedValue):
                parts.append(PyStr.opaque(placeholder_text(ast.unparse(v.value)), start))
        return PyStr.concat(parts) if parts else PyStr.opaque("", start, placeholder=False)

    def resolve(self, node: Any, scope: Scope, use_line: int | None, depth: int = 0) -> PyStr | None:
        """The string value of an expression, or None when it is not a known string."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, ast.Constant):
            return self.literal(node) if isinstance(node.value, str) else None
        if isinstance(node, ast.JoinedStr):
            return self.literal(node)
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self._resolve_name(node, scope, use_line, depth)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Add):
                return self._resolve_sum(node, scope, use_line, depth)
            if isinstance(node.op, ast.Mod):
                left = self.resolve(node.left, scope, use_line, depth + 1)
                if left is None:
                    return None
                out = left.copy()
                out.computed = True
                return out
            return None
        if isinstance(node, ast.Call):
            return self._resolve_call(node, scope, use_line, depth)
        return None

    def _resolve_sum(self, node: Any, scope: Scope, use_line: int | None, depth: int) -> PyStr | None:
        operands = []
        cur = node
        while isinstance(cur, ast.BinOp) and isinstance(cur.op, ast.Add):
            operands.append(cur.right)
            cur = cur.left
        operands.append(cur)
        operands.reverse()
        values = [self.resolve(op, scope, use_line, depth + 1) for op in operands]
        if all(v is None for v in values):
            return None
        if any(isinstance(op, (ast.List, ast.Tuple, ast.Dict, ast.Set)) for op in operands):
            return None
        if any(isinstance(op, ast.Constant) and not isinstance(op.value, str) for op in operands):
            return None
        parts = [v if v is not None else self.opaque(op) for v, op in zip(values, operands)]
        out = PyStr.concat(parts)
        out.computed = True
        first = operands[0]
        if values[0] is not None and isinstance(first, (ast.Name, ast.Attribute)) and len(operands) > 1:
            rest = PyStr.concat(parts[1:])
            start, _ = self.src.span(operands[1])
            _, end = self.src.span(operands[-1])
            out.facts.append(
                Fact(
                    kind="concatenation",
                    target=dotted(first),
                    scope=scope.kind,
                    start=start,
                    end=end,
                    text=rest.text,
                    base_offset=values[0].start_offset(),
                )
            )
        return out

    def _resolve_call(self, node: Any, scope: Scope, use_line: int | None, depth: int) -> PyStr | None:
        func = node.func
        if isinstance(func, ast.Attribute):
            attr = func.attr
            if attr in ("format", "format_map"):
                base = self.resolve(func.value, scope, use_line, depth + 1)
                if base is None:
                    return None
                out = base.copy()
                out.computed = True
                return out
            if attr in ("strip", "lstrip", "rstrip") and not node.args and not node.keywords:
                base = self.resolve(func.value, scope, use_line, depth + 1)
                return base.strip(attr) if base is not None else None
            if attr == "join" and len(node.args) == 1 and not node.keywords:
                items = node.args[0]
                if not isinstance(items, (ast.List, ast.Tuple)) or not items.elts:
                    return None
                sep = self.resolve(func.value, scope, use_line, depth + 1)
                if sep is None:
                    return None
                parts: list[PyStr] = []
                for k, elt in enumerate(items.elts):
                    if isinstance(elt, ast.Starred):
                        return None
                    if k:
                        parts.append(sep)
                    parts.append(self.resolve(elt, scope, use_line, depth + 1) or self.opaque(elt))
                out = PyStr.concat(parts)
                out.computed = True
                return out
        name = dotted(func)
        if name in DEDENT_CALLS and len(node.args) == 1 and not node.keywords:
            base = self.resolve(node.args[0], scope, use_line, depth + 1)
            if base is None:
                return None
            done = base.dedent() if name.endswith("dedent") else base.cleandoc()
            if done is None:
                import inspect
                import textwrap

                value = textwrap.dedent(base.text) if name.endswith("dedent") else inspect.cleandoc(base.text)
                done = PyStr.opaque(value, base.start_offset(), placeholder=False)
                done.placeholders = []
            return done
        return None

    # Names ------------------------------------------------------------------------------------

    def lookup(self, node: Any, scope: Scope) -> tuple[Scope, str] | None:
        """The scope binding a name (``X``, ``self.X``, ``cls.X``, ``Class.X``) and the name."""
        if isinstance(node, ast.Name):
            name = node.id
            s: Scope | None = scope
            while s is not None:
                if s.kind == "class" and s is not scope:
                    s = s.parent
                    continue
                if name in s.globals:
                    s = s.module
                if name in s.table():
                    return s, name
                s = s.parent
            return None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner = node.value.id
            cls_scope = None
            if owner in ("self", "cls"):
                s = scope
                while s is not None and s.kind != "function":
                    s = s.parent
                if s is not None and s.parent is not None and s.parent.kind == "class":
                    cls_scope = s.parent
            else:
                found = self.lookup(node.value, scope)
                if found is not None:
                    bindings = found[0].table()[found[1]]
                    if len(bindings) == 1 and bindings[0].kind == "class":
                        cls_scope = self._class_scope(bindings[0].stmt, found[0])
            for _ in range(6):
                if cls_scope is None:
                    return None
                if node.attr in cls_scope.table():
                    return cls_scope, node.attr
                cls_scope = self._base_class(cls_scope)
        return None

    def _base_class(self, scope: Scope) -> Scope | None:
        bases = scope.node.bases
        if len(bases) != 1 or not isinstance(bases[0], ast.Name) or scope.parent is None:
            return None
        found = self.lookup(bases[0], scope.parent)
        if found is None:
            return None
        bindings = found[0].table()[found[1]]
        if len(bindings) == 1 and bindings[0].kind == "class":
            return self._class_scope(bindings[0].stmt, found[0])
        return None

    def single_assign(self, s: Scope, name: str) -> tuple[Binding, list[Binding]] | None:
        """The one assignment of a name in its scope and its later ``+=`` appends, or None."""
        bindings = s.table().get(name, [])
        assigns = [b for b in bindings if b.kind == "assign"]
        if len(assigns) != 1 or any(b.kind in ("other", "class") for b in bindings):
            return None
        first = assigns[0]
        augs = [b for b in bindings if b.kind == "aug"]
        if any(not isinstance(b.stmt.op, ast.Add) or _before(b.stmt, first.stmt) for b in augs):
            return None
        return first, augs

    def _resolve_name(self, node: Any, scope: Scope, use_line: int | None, depth: int) -> PyStr | None:
        found = self.lookup(node, scope)
        if found is None:
            return None
        s, name = found
        single = self.single_assign(s, name)
        if single is None:
            return None
        first, augs = single
        key = (id(s), name)
        if key in self._resolving:
            return None
        self._resolving.add(key)
        try:
            base = self.resolve(first.value, s, first.stmt.lineno, depth + 1)
            if base is None:
                return None
            same_scope = s is scope
            augs = [b for b in augs if not (same_scope and use_line is not None and b.stmt.lineno >= use_line)]
            if not augs:
                return base
            parts = [base]
            facts = []
            for b in augs:
                value = self.resolve(b.value, s, b.stmt.lineno, depth + 1)
                if value is None and isinstance(b.value, (ast.List, ast.Tuple)):
                    return None
                value = value if value is not None else self.opaque(b.value)
                parts.append(value)
                start, end = self.src.span(b.stmt)
                facts.append(
                    Fact(
                        kind="augmented-assign",
                        target=name,
                        scope=s.kind,
                        start=start,
                        end=end,
                        text=value.text,
                        base_offset=self.src.span(first.stmt)[0],
                    )
                )
            out = PyStr.concat(parts)
            out.computed = True
            out.facts.extend(facts)
            return out
        finally:
            self._resolving.discard(key)

    def resolve_node(self, node: Any, scope: Scope, use_line: int | None, depth: int = 0) -> Any:
        """Follow a name to the expression assigned to it once (for dicts, lists, message objects)."""
        for _ in range(8):
            if not isinstance(node, (ast.Name, ast.Attribute)):
                return node, scope
            found = self.lookup(node, scope)
            if found is None:
                return None, scope
            single = self.single_assign(found[0], found[1])
            if single is None or single[1]:
                return None, scope
            node, scope = single[0].value, found[0]
        return None, scope

    # Message elements -------------------------------------------------------------------------

    def text_values(self, node: Any, scope: Scope, use_line: int | None) -> list[tuple[PyStr, Any, Any]] | None:
        """Text blocks of a message content: [(value, block node, containing list)]."""
        if isinstance(node, (ast.List, ast.Tuple)):
            out = []
            for elt in node.elts:
                if isinstance(elt, ast.Dict):
                    fields = _dict_fields(elt)
                    typ = _str_const(fields.get("type"))
                    text = fields.get("text")
                    if text is not None and (typ is None or typ in TEXT_BLOCK_TYPES):
                        out.append((self.resolve(text, scope, use_line) or self.opaque(text), elt, node))
                elif isinstance(elt, (ast.Constant, ast.JoinedStr)) and self.resolve(elt, scope, use_line):
                    out.append((self.resolve(elt, scope, use_line), elt, node))
            return out
        value = self.resolve(node, scope, use_line)
        if value is None:
            if isinstance(node, (ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.Constant)):
                return None
            value = self.opaque(node)
        return [(value, node, None)]

    def message_element(self, node: Any, scope: Scope, use_line: int | None, lc: bool) -> tuple[str, Any] | None:
        """(role, content node) of a message element, ("skip", None) for non-text turns, or None."""
        node, scope = self.resolve_node(node, scope, use_line)
        if node is None:
            return None
        if isinstance(node, ast.Dict):
            fields = _dict_fields(node)
            if "role" not in fields or ("content" not in fields and "parts" not in fields):
                return None
            role = self._role(fields["role"], scope, use_line)
            if role is None:
                return None
            return role, fields.get("content", fields.get("parts"))
        if isinstance(node, ast.Call):
            name = dotted(node.func)
            last = name.rsplit(".", 1)[-1]
            kwargs = {k.arg: k.value for k in node.keywords if k.arg}
            if last == "dict" and "role" in kwargs and "content" in kwargs:
                role = self._role(kwargs["role"], scope, use_line)
                return None if role is None else (role, kwargs["content"])
            if last in LC_MESSAGE_CLASSES:
                role = LC_MESSAGE_CLASSES[last]
                if role is None:
                    role = self._role(kwargs.get("role"), scope, use_line) if "role" in kwargs else "unknown"
                    role = role or "skip"
                content = kwargs.get("content", node.args[0] if node.args else None)
                return (role, content) if content is not None else None
            owner = name.split(".")[-2] if "." in name else ""
            if last == "from_template" and owner in LC_TEMPLATE_CLASSES:
                content = kwargs.get("template", node.args[0] if node.args else None)
                return (LC_TEMPLATE_CLASSES[owner], content) if content is not None else None
            if last == "MessagesPlaceholder":
                return "skip", None
        if lc and isinstance(node, ast.Tuple) and len(node.elts) == 2:
            role_name = _str_const(node.elts[0])
            if role_name is None:
                return None
            if role_name == "placeholder":
                return "skip", None
            role = ROLE_ALIASES.get(role_name.lower())
            return (role, node.elts[1]) if role else ("skip", None)
        if lc and isinstance(node, (ast.Constant, ast.JoinedStr)):
            return "user", node
        return None

    def _role(self, node: Any, scope: Scope, use_line: int | None) -> str | None:
        name = _str_const(node)
        if name is None:
            value = self.resolve(node, scope, use_line)
            if value is None:
                return "unknown"
            name = value.text
        role = ROLE_ALIASES.get(name.strip().lower())
        if role is not None:
            return role
        if name.strip().lower() in ("tool", "function", "ipython"):
            return "skip"
        return None

    def messages_of(
        self, role: str, content: Any, scope: Scope, use_line: int | None, element: Any, removal: Any
    ) -> list[MsgSpec]:
        if role == "skip" or content is None:
            return []
        blocks = self.text_values(content, scope, use_line)
        if not blocks:
            return []
        out = []
        for value, block, container in blocks:
            rm = removal
            if container is not None and len(blocks) > 1:
                rm = self.element_removal(container, container.elts.index(block))
            keys = {("t", t.start) for t in value.tokens} | {("n", id(element))}
            out.append(MsgSpec(role, value, rm, keys))
        return out

    # Lists ------------------------------------------------------------------------------------

    def list_items(self, node: Any, scope: Scope, use_line: int | None) -> tuple[list[_Item], Any] | None:
        """The elements of a message list (literal, name, ``a + b``) with the mutations that built it."""
        if isinstance(node, (ast.List, ast.Tuple)):
            return [_Item(e, None, node, k) for k, e in enumerate(node.elts)], node
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.list_items(node.left, scope, use_line)
            right = self.list_items(node.right, scope, use_line)
            if left is None and right is None:
                return None
            return (left[0] if left else []) + (right[0] if right else []), (left or right)[1]  # type: ignore[index]
        if not isinstance(node, ast.Name):
            return None
        found = self.lookup(node, scope)
        if found is None:
            return None
        s, name = found
        bindings = s.table().get(name, [])
        assigns = [b for b in bindings if b.kind == "assign"]
        if len(assigns) != 1 or any(b.kind in ("other", "class") for b in bindings):
            return None
        value = assigns[0].value
        if isinstance(value, ast.Call) and dotted(value.func) == "list" and not value.args:
            value = ast.List(elts=[], ctx=ast.Load())
        if not isinstance(value, (ast.List, ast.Tuple)):
            return None
        items = [_Item(e, None, value, k) for k, e in enumerate(value.elts)]
        count = len(items)
        for mut in s.mutations(name):
            if _before(mut.stmt, assigns[0].stmt):
                continue
            if s is scope and use_line is not None and mut.stmt.lineno >= use_line:
                continue
            had = count > 0
            added: list[_Item] = []
            if mut.method == "append" and len(mut.call.args) == 1:
                added = [_Item(mut.call.args[0], mut, had_messages=had)]
                items.extend(added)
            elif mut.method == "insert" and len(mut.call.args) == 2:
                index = _int_const(mut.call.args[0])
                item = _Item(mut.call.args[1], mut, had_messages=had, at_start=index == 0)
                if index is None:
                    items.append(item)
                else:
                    items.insert(index, item)
                added = [item]
            elif mut.method in ("extend", "augmented-assign"):
                seq = mut.value if mut.method == "augmented-assign" else (mut.call.args[0] if mut.call.args else None)
                if isinstance(seq, (ast.List, ast.Tuple)):
                    added = [_Item(e, mut, seq, k, had_messages=had) for k, e in enumerate(seq.elts)]
                    items.extend(added)
            count += len(added)
        return items, value

    def element_removal(self, container: Any, index: int) -> tuple[int, int, str] | None:
        """Span of element ``index`` of a list/tuple literal with its comma, to delete it."""
        elts = container.elts
        if not (0 <= index < len(elts)):
            return None
        text = self.text
        start, end = self.src.span(elts[index])
        comma = _skip_blank(text, end)
        has_comma = comma < len(text) and text[comma] == ","
        after = comma + 1 if has_comma else end
        own = self.src.own_lines(start, after)
        if own is not None and (len(elts) > 1 or has_comma):
            return own[0], own[1], ""
        if index + 1 < len(elts):
            nxt, _ = self.src.span(elts[index + 1])
            return start, nxt, ""
        if index > 0:
            _, prev_end = self.src.span(elts[index - 1])
            return prev_end, after, ""
        return start, after, ""

    def statement_removal(self, stmt: Any) -> tuple[int, int, str] | None:
        start, end = self.src.span(stmt)
        own = self.src.own_lines(start, end)
        return (own[0], own[1], "") if own else None


def _before(a: Any, b: Any) -> bool:
    return (a.lineno, a.col_offset) < (b.lineno, b.col_offset)


def _skip_blank(text: str, pos: int) -> int:
    while pos < len(text):
        ch = text[pos]
        if ch in " \t\r\n\f":
            pos += 1
        elif ch == "#":
            nl = text.find("\n", pos)
            pos = len(text) if nl == -1 else nl + 1
        elif text.startswith("\\\n", pos):
            pos += 2
        else:
            break
    return pos


def _dict_fields(node: Any) -> dict[str, Any]:
    out = {}
    for k, v in zip(node.keys, node.values):
        key = _str_const(k)
        if key is not None:
            out[key] = v
    return out


def _module_name(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0]
