"""Checks on text people type that other parts of the site pass on (into e-mail headers, files)."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Joiners shape letters in Persian, Indic scripts and emoji: part of real names, not controls.
_JOINERS = {"\u200c", "\u200d"}


def control_characters(text):
    """The characters in `text` no one types on purpose: line breaks, tabs, other controls
    (Unicode Cc), invisible format marks such as bidirectional overrides (Cf), and line or
    paragraph separators (Zl, Zp)."""
    return [
        char
        for char in text or ""
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and char not in _JOINERS
    ]


def refuse_control_characters(value):
    """Refuse a one-line value (a name) holding line breaks or invisible control characters."""
    if control_characters(value):
        raise ValidationError(
            _("Type the name on one line, without special invisible characters."),
            code="control_characters",
        )


def without_control_characters(text):
    """`text` with those characters dropped, for a line built from what was stored earlier."""
    bad = set(control_characters(text))
    return "".join(char for char in text or "" if char not in bad)
