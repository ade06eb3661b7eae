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


# The membership appeal comes once the reader is into the story, never before this many blocks.
APPEAL_AFTER_BLOCKS = 4


def appeal_position(body):
    """Return how many blocks come before the in-article appeal, or 0 for no appeal: the first gap
    between two paragraphs after APPEAL_AFTER_BLOCKS blocks, so it never parts a heading from its
    text, a picture from its story or a quote from what it answers."""
    # The raw data: its blocks' kinds without making their values (an image block would query).
    raw = getattr(body, "raw_data", None)
    kinds = (
        [item["type"] for item in raw] if raw is not None else [b.block_type for b in body or []]
    )
    for position in range(APPEAL_AFTER_BLOCKS, len(kinds)):
        if kinds[position - 1] == "paragraph" and kinds[position] == "paragraph":
            return position
    return 0
