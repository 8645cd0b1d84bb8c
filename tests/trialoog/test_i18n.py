"""English through Django i18n: a complete catalogue, compiled, and a language switch that works."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from events.selectors import event_get_current

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|</?\w+[^>]*>")


def parse_po(path: Path) -> list[dict]:
    """
    Read a .po file into entries: msgctxt, msgid, msgid_plural, msgstr (a list) and flags.

    A small parser on purpose: the tests need neither the gettext tools nor polib.
    """
    entries: list[dict] = []
    entry: dict | None = None
    field: str | int | None = None  # a keyword, or the index of a msgstr[n]

    def start() -> dict:
        entries.append({"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}})
        return entries[-1]

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):  # blank, or an obsolete entry
            continue
        if line.startswith("#"):
            if entry is None or entry["msgid"] is not None:
                entry = start()
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith('"'):
            keyword, literal = None, line
        else:
            keyword, _, literal = line.partition(" ")
            if keyword in {"msgctxt", "msgid"} and (entry is None or entry["msgstr"]):
                entry = start()
            plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            field = int(plural.group(1)) if plural else 0 if keyword == "msgstr" else keyword
            assert field in {"msgctxt", "msgid", "msgid_plural"} or isinstance(field, int), raw
        assert entry is not None and field is not None, raw
        value = ast.literal_eval(literal)
        if isinstance(field, int):
            entry["msgstr"][field] = entry["msgstr"].get(field, "") + value if keyword is None else value
        else:
            entry[field] = (entry[field] or "") + value if keyword is None else value
    for item in entries:
        item["msgstr"] = [item["msgstr"].get(i, "") for i in range(max(len(item["msgstr"]), 1))]
    return entries


def catalogue() -> list[dict]:
    """The translatable entries, without the header."""
    return [entry for entry in parse_po(PO) if entry["msgid"]]


def test_po_header_is_english_and_not_fuzzy():
    """The header names the language and is not fuzzy (msgfmt would drop a fuzzy header)."""
    header = next(entry for entry in parse_po(PO) if entry["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]


def test_every_entry_is_translated_and_none_is_fuzzy():
    """Every msgid has an English msgstr (both plural forms), and none is marked fuzzy."""
    entries = catalogue()
    assert len(entries) > 500

    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    plural_forms = [e["msgid"] for e in entries if e["msgid_plural"] and len(e["msgstr"]) != 2]

    assert untranslated == []
    assert fuzzy == []
    assert plural_forms == []


def test_translations_keep_placeholders_and_markup():
    """%(name)s placeholders, %% and HTML tags survive translation unchanged."""
    broken = []
    for entry in catalogue():
        sources = [entry["msgid"], entry["msgid_plural"] or entry["msgid"]]
        for index, translated in enumerate(entry["msgstr"]):
            source = sources[min(index, 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
                broken.append((source, translated))
    assert broken == []


def test_compiled_mo_matches_the_po():
    """The committed .mo holds exactly the .po's translations (CI has no msgfmt to rebuild it)."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog

    stale = []
    for entry in catalogue():
        key = entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if entry["msgid_plural"]:
            found = [compiled.get((key, i)) for i in range(len(entry["msgstr"]))]
        else:
            found = [compiled.get(key)]
        if found != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert stale == []


def test_gettext_returns_english_for_the_english_language():
    """Django finds the catalogue through LOCALE_PATHS."""
    with translation.override("en"):
        assert translation.gettext("Programma") == "Programme"
        assert translation.gettext("Herken ik") == "I recognise this"
        assert translation.ngettext("%(counter)s sessie", "%(counter)s sessies", 3) == "%(counter)s sessions"
    with translation.override("nl"):
        assert translation.gettext("Programma") == "Programma"


@pytest.mark.django_db
def test_the_site_is_dutch_by_default(client):
    """Without a choice, home page and programme are in Dutch."""
    call_command("seed_demo", verbosity=0)

    home = client.get("/").content.decode()
    programme = client.get("/dvdpd-2026/programma/").content.decode()

    assert '<html lang="nl">' in home
    assert "Naar de inhoud" in home
    assert "Wat is een trialoog?" in home
    assert "Eerdere evenementen" in home
    assert "Skip to content" not in home
    assert "Tijdschema" in programme
    assert "Sessies per zaal en tijd" in programme


@pytest.mark.django_db
def test_switching_to_english_translates_home_and_programme(client):
    """The language form on /taal/ switches the site to English and the choice sticks."""
    call_command("seed_demo", verbosity=0)

    response = client.post("/taal/", {"language": "en", "next": "/"}, follow=True)

    home = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in home
    assert "Skip to content" in home
    assert f'href="/{event_get_current().slug}/programma/">Programme</a>' in home
    assert "Live room" in home
    assert "What is a trialogue?" in home
    assert "Privacy statement" in home
    assert "Naar de inhoud" not in home
    assert "Wat is een trialoog?" not in home

    programme = client.get("/dvdpd-2026/programma/").content.decode()
    assert '<html lang="en">' in programme
    assert "Timetable" in programme
    assert "All types" in programme
    assert "Sessions per room and time" in programme
    assert "Tijdschema" not in programme

    client.post("/taal/", {"language": "nl", "next": "/"})
    assert "Wat is een trialoog?" in client.get("/").content.decode()
