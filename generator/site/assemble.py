"""Assemble the site: choose what is published, sort it, group it, and find URL collisions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from generator.core.diagnostics import Diagnostic, display_path, error
from generator.core.languages import month_year
from generator.core.model import Article, Document, Item, Page, Tag, Testimony
from generator.core.types import MonthGroup, Site, TagGroup, Withheld, ValidContent
from generator.site.related import related_items
from generator.privacy.rules import withholding_reason
from generator.core.kinds import ITEM_KINDS

# First path segments that Chorus itself writes; a page may not take them.
RESERVED = (*(kind.folder for kind in ITEM_KINDS), "tags", "timeline", "search", "data", "static",
            "feed.xml", "sitemap.xml", "robots.txt", "404.html", "index.html")


# What the preview shows with --drafts; a withdrawn testimony is never shown, not even there.
SHOWN_WITH_DRAFTS = ("draft", "embargoed")


def assemble(content: ValidContent, today: dt.date, cache_dir: Path | None = None,
             drafts: bool = False) -> tuple[Site, tuple[Diagnostic, ...]]:
    """The site to publish; with ``drafts`` (the preview's serve --drafts only), drafts and
    embargoed items too, each marked in ``Site.unpublished``."""
    published: list[Document] = []
    withheld: list[Withheld] = []
    unpublished: dict[str, str] = {}
    for document in content.documents:
        reason = withholding_reason(document, today)
        if reason and drafts and reason in SHOWN_WITH_DRAFTS:
            unpublished[document.url] = reason
            published.append(document)
        elif reason:
            withheld.append(Withheld(document.path, reason, document.url))
        else:
            published.append(document)
    problems = find_collisions(content.documents)
    rendered = sorted(published, key=lambda d: str(d.path))
    newest_first = lambda item: item.sort_key  # noqa: E731
    published_paths = {d.path for d in published}
    articles = tuple(sorted((d for d in rendered if isinstance(d, Article)), key=newest_first, reverse=True))
    testimonies = tuple(sorted((d for d in rendered if isinstance(d, Testimony)), key=newest_first, reverse=True))
    pages = tuple(sorted((d for d in rendered if isinstance(d, Page)), key=lambda p: p.slug))
    items = tuple(sorted(articles + testimonies, key=lambda i: (i.sort_key, i.kind), reverse=True))
    tag_groups = _group_by_tag(items, content.tags)
    site = Site(
        articles=articles,
        testimonies=testimonies,
        pages=pages,
        items=items,
        tags=content.tags,
        tag_groups=tag_groups,
        related=related_items(items, tag_groups, cache_dir),
        timeline=_group_by_month(items, content.settings.language if content.settings else "en"),
        withheld=tuple(sorted(withheld, key=lambda w: str(w.path))),
        allowances=tuple(a for a in content.allowances if a.path in published_paths),
        unpublished=MappingProxyType(dict(sorted(unpublished.items()))),
        translations=translations_of(items),
    )
    return site, tuple(problems)


def translations_of(items: tuple[Item, ...]) -> Mapping[str, tuple[Item, ...]]:
    """For each published item with a published original or translation: those others, by language."""
    families: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in items:
        families[(item.kind, item.translation_of or item.slug)].append(item)
    found = {}
    for members in families.values():
        if len(members) > 1:
            for item in members:
                found[item.url] = tuple(sorted((m for m in members if m is not item), key=lambda m: (m.language, m.slug)))
    return MappingProxyType(dict(sorted(found.items())))


def find_collisions(documents) -> list[Diagnostic]:
    """Every output URL must come from one file; list all files that claim the same one."""
    claims: dict[str, list[Path]] = defaultdict(list)
    problems: list[Diagnostic] = []
    for document in documents:
        claims[document.url].append(document.path)
        if isinstance(document, Page) and document.slug in RESERVED:
            problems.append(error(document.path, 1, f"the page name '{document.slug}' is used by the archive itself "
                                  f"(reserved: {', '.join(r for r in RESERVED if '.' not in r)}): rename the file"))
    for url, paths in sorted(claims.items()):
        if len(paths) > 1:
            paths = sorted(paths, key=str)
            others = ", ".join(display_path(p) for p in paths)
            for path in paths:
                problems.append(error(path, 1, f"URL {url} is claimed by {len(paths)} files: {others}; rename all but one"))
    return problems


def _group_by_tag(items: tuple[Item, ...], tags: Mapping[str, Tag]) -> tuple[TagGroup, ...]:
    members: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        for tag in item.tags:
            members[tag].append(item)
    return tuple(TagGroup(tag, tuple(members.get(tag_id, ()))) for tag_id, tag in sorted(tags.items()))


def _group_by_month(items: tuple[Item, ...], language: str = "en") -> tuple[MonthGroup, ...]:
    """Items by month, newest first, each month labelled in the interface's language."""
    months: dict[tuple[int, int], list[Item]] = defaultdict(list)
    for item in items:
        months[(item.year, item.month)].append(item)
    return tuple(MonthGroup(year, month, month_year(year, month, language), tuple(months[(year, month)]))
                 for year, month in sorted(months, reverse=True))
