"""Prompt-hygiene checks (PRM family)."""

from __future__ import annotations

from promptlint.context import RuleContext
from promptlint.model import PromptDocument


def empty_message(doc: PromptDocument, ctx: RuleContext) -> None:
    """Flag messages whose text is empty or whitespace only."""
    for i, msg in enumerate(doc.messages):
        if msg.text.strip():
            continue
        if doc.kind != "chat" and not ctx.params.get("check_documents", True):
            continue
        what = f"{msg.role} message" if doc.kind == "chat" else "prompt file"
        if doc.kind == "chat":
            start, _ = doc.message_lines(i)
            ctx.report_line(f"Empty {what}: it sends nothing to the model", line=start)
        else:
            ctx.report_line(f"Empty {what}: it sends nothing to the model", line=doc.position(i, 0)[0])
