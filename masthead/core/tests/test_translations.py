"""Every edition's catalogue is complete: each string readers or editors see has a translation,
and the compiled catalogue the site loads says the same as the one translators edit."""

import gettext
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from masthead.core import editions

# Not interface text (the same list as MESSAGES_IGNORE in the Makefile).
IGNORE = [".venv", "node_modules", "var", "bench", "tests", "*/tests/*"]
LOCALE = Path(settings.BASE_DIR) / "masthead" / "locale"
TRANSLATED = [code for code in editions.codes() if code != "en"]


def catalogue(language):
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_is_translated_and_none_is_fuzzy(language):
    po = catalogue(language)
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert po.obsolete_entries() == []
    assert len(po.translated_entries()) > 600


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_matches_the_edited_one(language):
    po = catalogue(language)
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    for entry in po.translated_entries():
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            assert mo.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
        else:
            assert mo._catalog.get(key) == entry.msgstr, f"run `make messages`: {entry.msgid!r}"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalogue_holds_every_string_marked_for_translation(language, settings, tmp_path):
    # given the strings as makemessages finds them in the code and templates now
    # (written to a scratch folder: the real catalogue is not scanned, so makemessages leaves it be)
    settings.LOCALE_PATHS = [str(tmp_path)]
    call_command(
        "makemessages",
        locale=[language],
        ignore_patterns=[*IGNORE, "locale"],
        verbosity=0,
        no_obsolete=True,
    )
    found = {
        (e.msgctxt, e.msgid)
        for e in polib.pofile(str(tmp_path / language / "LC_MESSAGES" / "django.po"))
    }
    assert len(found) > 600  # the scan saw the templates and the code
    # then the translators' catalogue has each of them
    kept = {(e.msgctxt, e.msgid) for e in catalogue(language)}
    missing = sorted(msgid for _context, msgid in found - kept)
    assert not missing, f"run `make messages` and translate: {missing[:10]}"
