"""The content model: published-or-not items as frozen values, free of any private field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from generator.core.dates import PartialDate
from generator.core.fsutil import CacheDamaged
from generator.core.languages import month_year



# --- Bodies: a document's rendered text, in memory or a key into a store ---------------------------
# The stores themselves (an SQLite file in .cache/, or a dictionary) are incremental/bodies.py's;
# they register in STORES, newest first, so that a body read from the cache finds its text
# wherever it is asked for, in this process or in a forked worker.

# The body stores of this process, newest first (incremental/bodies.py opens and registers them).
STORES: list = []


@dataclass(frozen=True, slots=True)
class InlineBody:
    """A body held in memory: as the per-file stage makes it, and for documents built in tests."""

    html: Markup = Markup("")
    text: str = ""


EMPTY = InlineBody()


@dataclass(frozen=True, slots=True)
class StoredBody:
    """A body in a store, read when a page needs it."""

    key: str

    @property
    def html(self) -> Markup:
        return Markup(_lookup(self.key)[0])

    @property
    def text(self) -> str:
        return _lookup(self.key)[1]


Body = InlineBody | StoredBody


def _lookup(key: str) -> tuple[str, str]:
    for store in STORES:
        found = store.get(key)
        if found is not None:
            return found
    where = next((str(store.path) for store in STORES if hasattr(store, "path")), "the build cache")
    raise CacheDamaged(where, f"the rendered text {key[:12]} is missing")


# --- Documents -------------------------------------------------------------------------------------


class WithBody:
    """A document's rendered text, wherever its ``body`` keeps it (in memory or in the body store)."""

    __slots__ = ()

    @property
    def body_html(self) -> Markup:
        """The sanitised HTML of the text: the only HTML templates show unescaped."""
        return self.body.html

    @property
    def body_text(self) -> str:
        return self.body.text


@dataclass(frozen=True, slots=True)
class Tag:
    id: str
    label: str
    description: str


@dataclass(frozen=True, slots=True)
class Article(WithBody):
    path: Path
    slug: str
    title: str
    date: dt.date
    source: str
    source_url: str | None
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    summary: str
    language: str
    content_warnings: tuple[str, ...]
    featured: bool
    editor_note: str
    draft: bool
    publish_after: dt.date | None
    body_markdown: str
    body_line: int
    body: Body = EMPTY  # the rendered HTML and text, in memory or in the body store
    images: tuple[str, ...] = ()  # names of the files in content/media/ the text shows
    card: str = ""  # hash of every field but the text: what lists, cards and exports can show
    fingerprint: str = ""  # hash of the source file and the settings it was read with
    translation_of: str = ""  # the slug of the article this one translates
    kind = "article"
    folder = "articles"  # under content/, and the start of its address

    @property
    def url(self) -> str:
        return f"/{self.folder}/{self.slug}/"

    @property
    def sort_key(self) -> tuple:
        return (self.date.year, self.date.month, self.date.day, self.slug)

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def month(self) -> int:
        return self.date.month


@dataclass(frozen=True, slots=True)
class Testimony(WithBody):
    path: Path
    slug: str
    date: PartialDate
    pseudonym: str
    region: str
    tags: tuple[str, ...]
    summary: str
    language: str
    content_warnings: tuple[str, ...]
    editor_note: str
    draft: bool
    consent_status: str
    publish_after: dt.date | None
    body_markdown: str
    body_line: int
    body: Body = EMPTY  # the rendered HTML and text, in memory or in the body store
    images: tuple[str, ...] = ()  # names of the files in content/media/ the text shows
    card: str = ""  # hash of every field but the text: what lists, cards and exports can show
    fingerprint: str = ""  # hash of the source file and the settings it was read with
    given_title: str = ""  # the title: field; empty when the testimony has none
    translation_of: str = ""  # the id of the testimony this one translates
    kind = "testimony"
    folder = "testimonies"

    @property
    def title(self) -> str:
        return self.given_title or f"{self.pseudonym}, {month_year(self.date.year, self.date.month, self.language)}"

    @property
    def url(self) -> str:
        return f"/{self.folder}/{self.slug}/"

    @property
    def sort_key(self) -> tuple:
        # Month precision only: the day must not influence anything a reader can see.
        return (self.date.year, self.date.month, 0, self.slug)

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def month(self) -> int:
        return self.date.month


@dataclass(frozen=True, slots=True)
class Page(WithBody):
    path: Path
    slug: str
    title: str
    summary: str
    menu: int | None
    language: str
    draft: bool
    body_markdown: str
    body_line: int
    body: Body = EMPTY  # the rendered HTML and text, in memory or in the body store
    images: tuple[str, ...] = ()  # names of the files in content/media/ the text shows
    card: str = ""  # hash of every field but the text: what lists, cards and exports can show
    fingerprint: str = ""  # hash of the source file and the settings it was read with
    kind = "page"
    folder = "pages"  # its address is /slug/, without the folder

    @property
    def url(self) -> str:
        return f"/{self.slug}/"


Item = Article | Testimony
Document = Article | Testimony | Page
