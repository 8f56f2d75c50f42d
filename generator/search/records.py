"""What a result and the filters show: each item's record (link, title, kind, date, warnings,
summary, source or region, language, the start of its text for excerpts) and the facets
(kinds, years, warnings, tags, languages)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Mapping, Sequence

from generator.core import languages
from generator.core.languages import text_direction
from generator.search.text import _CJK_RE
from generator.search.codec import ALPHABET, encode_gaps

if TYPE_CHECKING:
    from generator.core.model import Item

# Results show an excerpt around the matched words, taken from the first EXCERPT_TEXT_CHARS
# characters of the body (about 200 words), else the summary: the whole text of every item would
# take the index past 1.5 times the text (docs/search.md has the measurements).
EXCERPT_TEXT_CHARS = 1200


@functools.lru_cache(maxsize=256)
def language_names(code: str, interface_language: str) -> tuple[str, str]:
    """A language's name in the interface's language and in its own, from CLDR ('fr' on an English
    site: 'French', 'Français'); the code itself where CLDR has no name for it."""
    from babel import Locale, UnknownLocaleError

    try:  # the interface's locale is English where CLDR does not know its language
        name = Locale.parse(code.replace("-", "_")).get_display_name(languages._locale(interface_language))
    except (UnknownLocaleError, ValueError, TypeError):
        name = code
    return (name[:1].upper() + name[1:] if name else code), languages.language_name(code)


def _direction(language: str) -> str:

    return text_direction(language)


@functools.lru_cache(maxsize=16384)
def _long_date(day, language: str) -> str:
    """languages.long_date, once per day: 20,000 items hold a few thousand different days."""
    return languages.long_date(day, language)


# A Chinese or Japanese character says about as much as a short word: it counts as this many
# characters towards EXCERPT_TEXT_CHARS (so a record holds about as much text in every script, and
# its characters, six bytes each in a docs shard, do not make it three times as large).
CJK_EXCERPT_WEIGHT = 3


def excerpt_text(body_text: str, limit: int = EXCERPT_TEXT_CHARS) -> str:
    """The start of a body for excerpts: spaces collapsed, cut after a whole word (anywhere between
    two Chinese or Japanese characters, which have no spaces between words), "…" if cut."""
    text = " ".join(body_text.split())
    if len(text) <= limit and not _CJK_RE.search(text):
        return text
    end = limit
    if _CJK_RE.search(text, 0, limit + 1):
        weight, end = 0, 0
        while end < len(text) and weight + (CJK_EXCERPT_WEIGHT if _CJK_RE.match(text[end]) else 1) <= limit:
            weight += CJK_EXCERPT_WEIGHT if _CJK_RE.match(text[end]) else 1
            end += 1
        if end >= len(text):
            return text
        if _CJK_RE.match(text[end]) and end and _CJK_RE.match(text[end - 1]):
            return text[:end] + "…"
    cut = text[:end + 1].rsplit(" ", 1)[0] if " " in text[:end + 1] else text[:end]
    return cut.rstrip() + "…"


def doc_record(item: Item, warning_labels: Mapping[str, str], language: str = "en") -> list:
    """What a result shows: [url, title, kind, date label, ISO date, warning labels, summary, source
    or region (as on cards), the item's language, start of the body, "rtl" if its language is
    written right to left]. Dates are in the site's language, as on its pages; testimonies are
    dated by month only. Tags are in tags.js, for the filters: a result does not show them."""
    if item.kind == "article":
        date_label, date_iso = _long_date(item.date, language), item.date.isoformat()
        where = item.source
    else:
        date_label, date_iso = languages.month_year(item.date.year, item.date.month, language), item.date.month_iso
        where = item.region
    warnings = [warning_labels.get(w, w) for w in item.content_warnings]
    return [item.url.lstrip("/"), item.title, item.kind[0], date_label, date_iso, warnings, item.summary, where,
            item.language, excerpt_text(item.body_text), "rtl" if _direction(item.language) == "rtl" else ""]


def facets(items: Sequence[Item], tag_labels: Mapping[str, str], warning_labels: Mapping[str, str],
           language: str = "en") -> tuple[dict, list[str]]:
    """Kind as a bitmap (set = testimony), years as runs of consecutive ids, content warnings as id
    gaps (the search page hides items by warning before it loads their records), the tags' ids and
    labels, the items' languages (named in the site's language and in their own) as id gaps; and
    apart, each tag's items as id gaps, in the order of the tags."""
    # Items with the same cards in the same order (every field but the text) have the same facets:
    # a process that builds again after an edit to a text (the preview) counts them once.
    cards = tuple(getattr(item, "card", "") for item in items)
    key = (cards, tuple(sorted(tag_labels.items())), tuple(sorted(warning_labels.items())), language) if all(cards) else None
    if key is not None and _last_facets and _last_facets[0] == key:
        return _last_facets[1]
    found = _facets(items, tag_labels, warning_labels, language)
    _last_facets[:] = (key, found) if key is not None else ()
    return found


_last_facets: list = []  # [key, facets] of the last call


def _facets(items: Sequence[Item], tag_labels: Mapping[str, str], warning_labels: Mapping[str, str],
            language: str) -> tuple[dict, list[str]]:
    bits = []
    for start in range(0, len(items), 5):
        value = 0
        for offset, item in enumerate(items[start:start + 5]):
            value |= (item.kind == "testimony") << offset
        bits.append(ALPHABET[value])
    years: list[list[int]] = []
    for doc_id, item in enumerate(items):
        if years and years[-1][0] == item.year and years[-1][1] + years[-1][2] == doc_id:
            years[-1][2] += 1
        else:
            years.append([item.year, doc_id, 1])
    members: dict[str, list[int]] = {}
    warned: dict[str, list[int]] = {}
    for doc_id, item in enumerate(items):
        for tag in item.tags:
            members.setdefault(tag, []).append(doc_id)
        for warning in item.content_warnings:
            warned.setdefault(warning, []).append(doc_id)
    # In the order the page lists them: tags by label, warnings as site.yaml lists them.
    tag_order = sorted(members, key=lambda t: (tag_labels.get(t, t).casefold(), t))
    order = {w: n for n, w in enumerate(warning_labels)}
    warnings = [[w, warning_labels.get(w, w), encode_gaps(warned[w])] for w in sorted(warned, key=lambda w: (order.get(w, len(order)), w))]
    spoken: dict[str, list[int]] = {}
    for doc_id, item in enumerate(items):
        spoken.setdefault(item.language, []).append(doc_id)
    # The site's language first, then by name as the reader sees it.
    names = {code: language_names(code, language) for code in spoken}
    order = sorted(spoken, key=lambda code: (code != language, names[code][0].casefold(), code))
    # The language of most items is that of every item the others do not list (most often all of them).
    most = max(order, key=lambda code: (len(spoken[code]), code == language)) if order else None
    found = {"kinds": "".join(bits), "years": years, "tags": [[tag, tag_labels.get(tag, tag)] for tag in tag_order],
             "warnings": warnings,
             "languages": [[code, *names[code], "rtl" if _direction(code) == "rtl" else "",
                            None if code == most else encode_gaps(spoken[code])] for code in order]}
    return found, [encode_gaps(members[tag]) for tag in tag_order]
