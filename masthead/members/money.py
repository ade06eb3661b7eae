"""Amounts of money as people read them in their language: "€5", "€12.50", "5 EUR", "12,50 €".

Babel holds each locale's pattern (where the symbol goes, which separators, which symbol), from
the Unicode CLDR; amounts are kept in minor units, as Stripe keeps them.
"""

import copy
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from django.conf import settings
from django.utils import translation


@lru_cache(maxsize=32)
def _locale(language):
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(translation.to_locale(settings.LANGUAGE_CODE))


@lru_cache(maxsize=32)
def _whole_pattern(language):
    # The locale's own currency pattern without its decimals: "€5", not "€5.00".
    pattern = copy.copy(_locale(language).currency_formats["standard"])
    pattern.frac_prec = (0, 0)
    return pattern


def format_money(minor, currency, language=None):
    """Format an amount in minor units for the active language (or `language`): €5, 12,50 EUR."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    currency = (currency or "").upper()
    amount = Decimal(minor or 0) / 100
    if not currency:
        return f"{amount:.2f}"
    if amount == amount.to_integral_value():
        return format_currency(
            amount,
            currency,
            format=_whole_pattern(language),
            locale=_locale(language),
            currency_digits=False,
        )
    return format_currency(amount, currency, locale=_locale(language))
