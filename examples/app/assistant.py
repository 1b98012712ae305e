"""A small support assistant built on the Anthropic SDK (an example for `promptlint check examples/`)."""

from __future__ import annotations

import anthropic

MODEL = "claude-sonnet-4-5"

SYSTEM_PROMPT = """You are the support assistant of Northwind Outdoor, an online shop for camping gear.
Answer questions about orders, shipping and returns in a friendly, concise tone.
Keep every answer under 120 words and link the help-center article you used.

UPDATE: answers about warranty claims may be up to 200 words.
"""

# Added during the spring sale; nobody merged it into the prompt above.
SYSTEM_PROMPT += "\n\nAlso, mention the free-shipping threshold of 50 euros in every answer about shipping."


def answer(client: anthropic.Anthropic, question: str) -> str:
    """Ask the model one support question."""
    response = client.messages.create(
        model=MODEL,
        max_tokens=1024,
        system=SYSTEM_PROMPT,
        messages=[{"role": "user", "content": question}],
    )
    return response.content[0].text
