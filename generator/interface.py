"""The interface in the site's language: message catalogues for the stock templates' words.

Every word the stock templates and scripts show a reader goes through a gettext catalogue,
`templates/locale/<language>.po` (the site's own templates folder first, then Chorus's). The
site's `language` picks it (`fr-CA`, then `fr`); without one the interface is English, and the
build says so. Dates and language names come from CLDR (core/languages.py) and need no catalogue.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from generator.config import SiteConfig, template_dirs
from generator.core.diagnostics import Diagnostic, warning
from generator.core.languages import SOURCE_LANGUAGE, candidates as _candidates

CATALOGUE_FOLDER = "locale"


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
