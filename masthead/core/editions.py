"""Editions: the newsroom in each of its languages.

The first language in settings.LANGUAGES is the default edition and lives at the root of the site;
every other edition lives under its language prefix (/uk/). An edition is a tree of pages in its
Wagtail locale (a translated article is its own page, linked to the original by Wagtail's
translation key), its own News Feed, newsletters, feeds and sitemaps. The language always follows
from the address, which is what lets the page cache key pages by address alone.
"""

from django.conf import settings
from django.urls import translate_url
from django.utils import translation


def default_language():
    return settings.LANGUAGE_CODE


def codes():
    return [code for code, _name in settings.LANGUAGES]


def current():
    """The language of the edition being served (the default outside any edition)."""
    language = translation.get_language()
    return language if language in codes() else default_language()


def prefix(language=None):
    """'' for the default edition, '/uk' for the Ukrainian one."""
    language = language or current()
    return "" if language == default_language() else f"/{language}"


def home_path(language=None):
    return prefix(language) + "/"


def path_in(path, language=None):
    """A site path ('/roundups/') inside an edition ('/uk/roundups/')."""
    return prefix(language) + path


def name(language):
    """The edition's name in its own language ('Українська'), as readers look for it."""
    return dict(settings.LANGUAGES).get(language, language)


# Open Graph names a locale as language_TERRITORY; the territory each edition's readers read in.
OPEN_GRAPH_LOCALES = {
    "en": "en_US",
    "uk": "uk_UA",
    "ru": "ru_RU",
    "pl": "pl_PL",
    "de": "de_DE",
    "fr": "fr_FR",
    "es": "es_ES",
    "cs": "cs_CZ",
    "ka": "ka_GE",
    "be": "be_BY",
    "kk": "kk_KZ",
}


def open_graph_locale(language=None):
    """The edition's locale as og:locale writes it ('en_US', 'uk_UA')."""
    language = language or current()
    if "-" in language:
        code, territory = language.split("-", 1)
        return f"{code}_{territory.upper()}"
    return OPEN_GRAPH_LOCALES.get(language, f"{language}_{language.upper()}")


def alternates(request, page=None):
    """This page in every edition that has it: [(language, path)], in the order of LANGUAGES.

    A page's alternates are its live, public translations, kept with the parts many pages share
    until pages change. Any other address (the News Feed, newsletters) exists in every edition, so
    its alternates are the same address under each prefix.
    """
    if page is not None and getattr(page, "translation_key", None) and page.pk:
        from . import pagecache

        found = pagecache.remember(
            f"alternates:{page.translation_key}", ("pages",), lambda: _translations(page)
        )
        if page.live and page.pk not in {pk for pk, _code, _path in found}:
            found = _translations(page)  # published since the copy was kept
        by_language = {code: path for _pk, code, path in found}
        return [(code, by_language[code]) for code in codes() if code in by_language]
    return [(code, translate_url(request.path, code)) for code in codes()]


def _translations(page):
    from wagtail.models import Page

    from .routing import any_view_restrictions

    translations = (
        Page.objects.live().filter(translation_key=page.translation_key).select_related("locale")
    )
    if any_view_restrictions():  # most newsrooms have no private pages: that saves a query
        translations = translations.public()
    found = []
    for translated in translations:
        path = translated.get_url()  # site-relative: the same on every host of the site
        if path:
            found.append((translated.pk, translated.locale.language_code, path))
    return found


def ensure_locales(**kwargs):
    """Every edition has its Wagtail locale (after each migrate: adding a language is a setting)."""
    from wagtail.models import Locale

    for code in codes():
        Locale.objects.get_or_create(language_code=code)


def choices():
    """The editions as model field choices (a callable, so migrations do not copy the setting)."""
    return list(settings.LANGUAGES)


def language_field(verbose_name, **kwargs):
    """A model field naming an edition: the language its readers read in."""
    from django.db import models

    kwargs.setdefault("default", default_language)
    return models.CharField(verbose_name, max_length=10, choices=choices, **kwargs)
