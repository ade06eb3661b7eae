"""Reading time: words a reader actually reads, at a newsroom's usual 230 words a minute."""

import math

from django.utils.html import strip_tags

WORDS_PER_MINUTE = 230


def story_text(body):
    """Return the readable words of a story body: paragraphs, headings and quotes, not captions."""
    parts = []
    for block in body or []:
        kind, value = block.block_type, block.value
        if kind == "paragraph":
            parts.append(strip_tags(value.source if hasattr(value, "source") else str(value)))
        elif kind == "heading":
            parts.append(str(value))
        elif kind == "quote":
            parts.append(value.get("text", ""))
    return "\n".join(parts)


def reading_minutes(body):
    words = len(story_text(body).split())
    return max(1, math.ceil(words / WORDS_PER_MINUTE))
