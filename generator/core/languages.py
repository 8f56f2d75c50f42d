"""Languages through CLDR (Babel's data): dates and months in any language, each language's own
name, and which way its script runs. Needs no catalogue: "octobre 2017" is CLDR's, in every
language CLDR knows. The interface's words are generator/interface.py's.
"""

from __future__ import annotations

import datetime as dt
import functools

SOURCE_LANGUAGE = "en"  # the language the templates are written in: it needs no catalogue


def candidates(language: str) -> list[str]:
    """'fr-CA' -> ['fr-CA', 'fr']: the most specific first."""
    parts = language.replace("_", "-").split("-")
    return list(dict.fromkeys("-".join(parts[:n]) for n in range(len(parts), 0, -1)))


# --- dates --------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=64)
def _locale(language: str):
    from babel import Locale, UnknownLocaleError

    for name in candidates(language):
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


@functools.lru_cache(maxsize=256)
def language_name(code: str) -> str:
    """A language's name in that language, as a reader of it looks for it: 'fr' -> 'Français'."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return name[:1].upper() + name[1:] if name else code


@functools.lru_cache(maxsize=256)
def text_direction(code: str) -> str:
    """'rtl' for languages written right to left (Arabic, Hebrew, Persian, Urdu...), else 'ltr' (CLDR)."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.replace("-", "_")).text_direction
    except (UnknownLocaleError, ValueError, TypeError):
        return "ltr"
