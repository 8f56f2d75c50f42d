"""The interface in the site's language: message catalogues for the stock templates' words, dates from CLDR.

Every word the stock templates and scripts show a reader goes through a gettext catalogue,
`templates/locale/<language>.po` (the site's own templates folder first, then Chorus's). The
site's `language` picks it (`fr-CA`, then `fr`); without one the interface is English, and the
build says so. Dates are formatted with CLDR's data through Babel, so "octobre 2017" needs no
catalogue, in any language CLDR knows.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path

from generator.config import SiteConfig, template_dirs
from generator.core.diagnostics import Diagnostic, warning

CATALOGUE_FOLDER = "locale"
SOURCE_LANGUAGE = "en"  # the language the templates are written in: it needs no catalogue


def _candidates(language: str) -> list[str]:
    parts = language.replace("_", "-").split("-")
    return list(dict.fromkeys("-".join(parts[:n]) for n in range(len(parts), 0, -1)))


def catalogue_path(config: SiteConfig) -> Path | None:
    """The catalogue for the site's language: the most specific one, the site's own first."""
    for name in _candidates(config.language):
        for folder in template_dirs(config):
            path = Path(folder) / CATALOGUE_FOLDER / f"{name}.po"
            if path.is_file():
                return path
    return None


def catalogue_problems(config: SiteConfig) -> list[Diagnostic]:
    if config.language.split("-")[0].lower() == SOURCE_LANGUAGE or catalogue_path(config) is not None:
        return []
    return [warning(config.path, None, f"there is no interface catalogue for language '{config.language}': the "
                                       f"interface (buttons, labels, headings) is in English; add "
                                       f"templates/{CATALOGUE_FOLDER}/{config.language}.po (README, 'Interface "
                                       f"languages')")]


def translations(config: SiteConfig):
    """The gettext translations for the site's language (English words when there is no catalogue)."""
    path = catalogue_path(config)
    if path is None or config.language.split("-")[0].lower() == SOURCE_LANGUAGE:
        import gettext

        return gettext.NullTranslations()
    return _compiled(str(path), path.read_bytes())


@functools.lru_cache(maxsize=8)
def _compiled(name: str, data: bytes):
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    catalog = read_po(io.BytesIO(data))
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


# --- dates --------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=64)
def _locale(language: str):
    from babel import Locale, UnknownLocaleError

    for name in _candidates(language):
        try:
            return Locale.parse(name.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en")


def long_date(day: dt.date, language: str) -> str:
    """'15 October 2017' in English; CLDR's long date in any other language ('15 octobre 2017')."""
    from babel.dates import format_date

    locale = _locale(language)
    if locale.language == SOURCE_LANGUAGE:
        return format_date(day, "d MMMM y", locale=locale)
    return format_date(day, "long", locale=locale)


@functools.lru_cache(maxsize=4096)
def month_year(year: int, month: int, language: str) -> str:
    """'October 2017', 'octobre 2017', 'Oktober 2017': CLDR's month-and-year in the language."""
    from babel.dates import format_date, format_skeleton

    locale = _locale(language)
    day = dt.date(year, month, 1)
    if locale.language == SOURCE_LANGUAGE:
        return format_date(day, "MMMM y", locale=locale)
    return format_skeleton("yMMMM", day, locale=locale)
