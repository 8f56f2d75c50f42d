"""One specification per kind of content file: where its files are, what they may hold, what
they become, which template shows them, where they are published and what the data export
says of them. A stage that treats kinds differently asks this table rather than naming kinds,
so a new kind is a row here, a schema, a model class and its templates.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.core import schema
from generator.core.model import Article, Page, Testimony


@dataclass(frozen=True, slots=True)
class Kind:
    name: str  # as in item.kind
    folder: str  # under content/, and the first part of its items' addresses
    suffixes: tuple[str, ...]  # the files it reads there
    fields: tuple  # its schema (core/schema.py)
    model: type  # what a checked file becomes (core/model.py)
    template: str | None  # the template of an item's page; None: pages have page.html via their route
    list_title: str | None  # the heading of its list pages (translated by the templates); None: no list
    export_columns: frozenset[str]  # the columns of data/items.json and .csv it fills (output/export.py)

    @property
    def list_url(self) -> str:
        """The first page of its list (items only)."""
        return f"/{self.folder}/"


_SHARED_COLUMNS = frozenset({"kind", "slug", "url", "title", "date", "tags", "content_warnings", "language", "summary"})

ARTICLE = Kind(Article.kind, Article.folder, (".md",), schema.BY_KIND[Article.kind], Article, "article.html", "Articles",
               _SHARED_COLUMNS | {"source", "source_url", "authors"})
TESTIMONY = Kind(Testimony.kind, Testimony.folder, (".md", ".yaml"), schema.BY_KIND[Testimony.kind], Testimony, "testimony.html",
                 "Testimonies", _SHARED_COLUMNS | {"region", "pseudonym"})
PAGE = Kind(Page.kind, Page.folder, (".md",), schema.BY_KIND[Page.kind], Page, None, None, frozenset())

# Items (articles and testimonies) are listed, dated, searched and exported; pages are not.
ITEM_KINDS: tuple[Kind, ...] = (ARTICLE, TESTIMONY)
KINDS: dict[str, Kind] = {kind.name: kind for kind in (*ITEM_KINDS, PAGE)}
BY_FOLDER: dict[str, Kind] = {kind.folder: kind for kind in KINDS.values()}
