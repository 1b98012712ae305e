"""Editing prompts in place inside Python string literals.

A message whose text is one literal, or adjacent literals (implicit concatenation), possibly
wrapped in ``textwrap.dedent`` / ``inspect.cleandoc`` / ``.strip()``, is editable: the new text is
diffed against the old one, every change is mapped to the literal token (and the position inside
it) it belongs to, and only the changed characters are rewritten, escaped for that token's quote
style (``\\n`` in single-quoted strings, real newlines in triple-quoted ones, braces doubled in
f-strings, re-indented under ``dedent``). Raw strings are edited only when the new text needs no
escape. Every rewritten token is evaluated again and the whole value recomputed; if anything
differs, or the text is computed by code (f-string fields, ``+``, ``join``, ``.format``, ``+=``),
the editor returns no edit rather than guess.
"""

from __future__ import annotations

import ast
import difflib
import warnings
from dataclasses import dataclass

from promptlint.edits import apply_edits
from promptlint.findings import Edit
from promptlint.model import PromptDocument
from promptlint.pyextract.literals import PyStr, Token, evaluate_token, recompute


@dataclass
class PyMessageRef:
    """``Message.node`` of Python messages: the value's origin and how to remove the message."""

    value: PyStr
    removal: tuple[int, int, str] | None = None


class PythonEditor:
    """Turns message-level edits into edits of Python string literals (see the module docstring)."""

    def replace_text(self, doc: PromptDocument, index: int, start: int, end: int, new: str) -> list[Edit]:
        """Replace ``text[start:end]`` of message ``index`` with ``new``."""
        ref = doc.messages[index].node
        text = doc.messages[index].text
        if not isinstance(ref, PyMessageRef) or not (0 <= start <= end <= len(text)):
            return []
        try:
            return _rewrite(doc.file_text, ref.value, text[:start] + new + text[end:], [(start, end, new)])
        except (ValueError, IndexError, KeyError, RecursionError):
            return []

    def set_message_text(self, doc: PromptDocument, index: int, new_text: str) -> list[Edit]:
        """Rewrite the literal(s) holding message ``index`` so that its value becomes ``new_text``."""
        ref = doc.messages[index].node
        if not isinstance(ref, PyMessageRef):
            return []
        if new_text == ref.value.text:
            return []
        try:
            return _rewrite(doc.file_text, ref.value, new_text)
        except (ValueError, IndexError, KeyError, RecursionError):
            return []

    def remove_message(self, doc: PromptDocument, index: int) -> list[Edit]:
        """Remove the list element (or the ``append`` statement) holding message ``index``."""
        ref = doc.messages[index].node
        if not isinstance(ref, PyMessageRef) or ref.removal is None:
            return []
        start, end, replacement = ref.removal
        edits = [Edit(start, end, replacement)]
        return edits if parses(apply_edits(doc.file_text, edits)) else []


def parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


# --------------------------------------------------------------------------------------------
# Diffing the message text onto its tokens


def _opcodes(old: str, new: str) -> list[tuple[int, int, str]]:
    """Changes from ``old`` to ``new`` as (old start, old end, inserted text), in order."""
    p = 0
    limit = min(len(old), len(new))
    while p < limit and old[p] == new[p]:
        p += 1
    s = 0
    while s < limit - p and old[len(old) - 1 - s] == new[len(new) - 1 - s]:
        s += 1
    a, b = old[p : len(old) - s], new[p : len(new) - s]
    if not a or not b:
        return [(p, p + len(a), b)]
    out = []
    # Line-level diff first (fast), then characters inside replaced line blocks.
    la, lb = a.splitlines(keepends=True), b.splitlines(keepends=True)
    offs_a = _offsets(la)
    offs_b = _offsets(lb)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, la, lb, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        sa, ea = offs_a[i1], offs_a[i2]
        sb, eb = offs_b[j1], offs_b[j2]
        if tag == "replace":
            sub_a, sub_b = a[sa:ea], b[sb:eb]
            for t2, k1, k2, m1, m2 in difflib.SequenceMatcher(None, sub_a, sub_b, autojunk=False).get_opcodes():
                if t2 != "equal":
                    out.append((p + sa + k1, p + sa + k2, sub_b[m1:m2]))
        else:
            out.append((p + sa, p + ea, b[sb:eb]))
    return out


def _offsets(lines: list[str]) -> list[int]:
    out = [0]
    for line in lines:
        out.append(out[-1] + len(line))
    return out


def _margin(value: PyStr) -> str:
    """The indentation ``dedent`` / ``cleandoc`` removed (re-added to inserted lines)."""
    if "dedent" not in value.transforms and "cleandoc" not in value.transforms:
        return ""
    lines = "".join(t.value for t in value.tokens).split("\n")
    if "dedent" not in value.transforms:
        lines = lines[1:]
    indents = [line[: len(line) - len(line.lstrip(" \t"))] for line in lines if line.strip()]
    if not indents:
        return ""
    return min(indents, key=len)


def _reindent(ins: str, token_value: str, pos: int, margin: str) -> str:
    if not margin or ("\n" not in ins and not (pos == 0 or token_value[pos - 1 : pos] == "\n")):
        return ins
    at_line_start = pos == 0 or token_value[pos - 1] == "\n"
    follows_content = pos < len(token_value) and token_value[pos] not in " \t\n"
    lines = ins.split("\n")
    out = []
    for n, line in enumerate(lines):
        last = n == len(lines) - 1
        starts_line = n > 0 or at_line_start
        if starts_line and (line or (last and n > 0 and follows_content)):
            line = margin + line
        out.append(line)
    return "\n".join(out)


def _rewrite(file_text: str, value: PyStr, new_text: str, ops: list[tuple[int, int, str]] | None = None) -> list[Edit]:
    if value.computed or not value.tokens or any(t.fields for t in value.tokens) or not value.text:
        return []
    old = value.text
    tokens = value.tokens
    margin = _margin(value)
    per_token: dict[int, list[tuple[int, int, str]]] = {}
    for i1, i2, ins in ops if ops is not None else _opcodes(old, new_text):
        if i2 > i1:
            # Deleted characters, token by token.
            k = i1
            first = True
            while k < i2:
                t = value.tok[k]
                j = k
                while j + 1 < i2 and value.tok[j + 1] == t:
                    j += 1
                start = _start_in_token(value, k, t)
                end = value.pos[j] + 1
                text = _reindent(ins, tokens[t].value, start, margin) if first else ""
                per_token.setdefault(t, []).append((start, end, text))
                first = False
                k = j + 1
        else:
            if i1 > 0:
                t = value.tok[i1 - 1]
                pos = value.pos[i1 - 1] + 1
            else:
                t = value.tok[0]
                pos = value.pos[0]
            per_token.setdefault(t, []).append((pos, pos, _reindent(ins, tokens[t].value, pos, margin)))
    if any(t < 0 for t in per_token):
        return []
    new_values = _apply_changes(tokens, per_token)
    if new_values is None:
        return []
    if recompute(new_values, value.transforms) != new_text and value.transforms:
        # The blank tail of a dedented literal (the indentation before the closing quotes) now
        # follows text: drop it too.
        t = value.tok[-1]
        tail = value.pos[-1] + 1
        rest = tokens[t].value[tail:]
        if rest and not rest.strip(" \t"):
            per_token.setdefault(t, []).append((tail, len(tokens[t].value), ""))
            new_values = _apply_changes(tokens, per_token)
            if new_values is None:
                return []
    if recompute(new_values, value.transforms) != new_text:
        return []
    edits: list[Edit] = []
    dropped = _dropped(file_text, tokens, new_values)
    for t, tok in enumerate(tokens):
        if t in dropped:
            continue
        if new_values[t] == tok.value:
            continue
        token_edits = _token_edits(file_text, tok, per_token.get(t, []), new_values[t])
        if token_edits is None:
            return []
        edits.extend(token_edits)
    for span in dropped.values():
        if span is not None:
            edits.append(Edit(span[0], span[1], ""))
    if dropped and not parses(apply_edits(file_text, edits)):
        return []
    return edits


def _apply_changes(tokens: list[Token], per_token: dict[int, list[tuple[int, int, str]]]) -> list[str] | None:
    """The token values after the changes (value offsets), or None when changes overlap."""
    values = [t.value for t in tokens]
    for t, changes in per_token.items():
        v = tokens[t].value
        out = []
        last = 0
        for a, b, ins in sorted(changes, key=lambda c: (c[0], c[1])):
            if a < last:
                return None
            out.append(v[last:a])
            out.append(ins)
            last = b
        out.append(v[last:])
        values[t] = "".join(out)
    return values


def _start_in_token(value: PyStr, k: int, t: int) -> int:
    """Where a deletion starting at message char ``k`` starts inside token ``t``: right after the
    previous character of the same token (so the indentation ``dedent`` removed goes with it), or at
    the token's start when ``k`` is the first character the token contributes."""
    if k > 0 and value.tok[k - 1] == t:
        return value.pos[k - 1] + 1
    return 0


def _dropped(file_text: str, tokens: list[Token], values: list[str]) -> dict[int, tuple[int, int] | None]:
    """Tokens of an implicit concatenation that became empty and can be deleted from the source
    (with the blank space before them); ``None`` spans are covered by another token's span."""
    kept = [t for t, v in enumerate(values) if v]
    if len(tokens) < 2 or not kept:
        return {}
    out: dict[int, tuple[int, int] | None] = {}
    first = kept[0]
    if first > 0 and "#" not in file_text[tokens[0].start : tokens[first].start]:
        out[0] = (tokens[0].start, tokens[first].start)
        for u in range(1, first):
            out[u] = None
    for t in range(first + 1, len(tokens)):
        if values[t] or "#" in file_text[tokens[t - 1].end : tokens[t].start]:
            continue
        out[t] = (tokens[t - 1].end, tokens[t].end)
    return out


def _token_edits(file_text: str, tok: Token, changes: list[tuple[int, int, str]], new_value: str) -> list[Edit] | None:
    """Source edits rewriting ``changes`` (value offsets) inside one token, verified."""
    edits = []
    ordered = sorted(changes, key=lambda c: (c[0], c[1]))
    for n, (a, b, ins) in enumerate(ordered):
        sa, sb = tok.starts[a], tok.starts[b]
        before = file_text[sa - 1] if sa > tok.body_start else tok.quote[-1]
        after_at = b
        for a2, b2, ins2 in ordered[n + 1 :]:  # what follows once the next changes are made
            if a2 != after_at or ins2:
                break
            after_at = b2
        nxt = [c for c in ordered[n + 1 :] if c[0] == after_at and c[2]]
        if nxt:
            after = nxt[0][2][0]
        else:
            sb_after = tok.starts[after_at]
            after = file_text[sb_after] if sb_after < tok.body_end else tok.quote[0]
        rendered = render(ins, tok, before, after)
        if rendered is None:
            return None
        edits.append(Edit(sa, sb, rendered))
    source = file_text[tok.start : tok.end]
    shifted = [Edit(e.start - tok.start, e.end - tok.start, e.content) for e in edits]
    if evaluate_token(apply_edits(source, shifted)) != new_value:
        return None
    return edits


def render(s: str, tok: Token, before: str, after: str) -> str | None:
    """``s`` written for the body of ``tok`` (same prefix and quotes), or None when impossible."""
    q = tok.quote[0]
    triple = len(tok.quote) == 3
    out: list[str] = []
    prev = before
    for i, ch in enumerate(s):
        nxt = s[i + 1] if i + 1 < len(s) else after
        if tok.is_f and ch in "{}":
            piece = ch * 2
        elif tok.is_raw:
            if ch == "\r" or (not triple and ch in ("\n", q)) or (ch == q and (prev == q or nxt == q)):
                return None
            piece = ch
        elif ch == "\\":
            piece = "\\\\"
        elif ch == "\n":
            piece = "\n" if triple else "\\n"
        elif ch == "\r":
            piece = "\\r"
        elif ch == "\t":
            piece = "\t" if triple else "\\t"
        elif ch == q:
            piece = "\\" + q if not triple or prev == q or nxt == q else q
        elif ord(ch) < 32 or ord(ch) == 0x7F:
            piece = f"\\x{ord(ch):02x}"
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            piece = f"\\u{ord(ch):04x}"
        else:
            piece = ch
        out.append(piece)
        prev = piece[-1] if piece != "\\" + q else "\\"
    if tok.is_raw and out and out[-1].endswith("\\"):
        trailing = len("".join(out)) - len("".join(out).rstrip("\\"))
        if trailing % 2:
            return None
    return "".join(out)
