"""The records handed from one stage to the next, in one place: what a stage makes is declared
here, not in the module that makes it, so a stage that reads it imports this, not the stage.

Every record is frozen. The order below is the pipeline's (docs/architecture.md): sources, the
per-file results, the site, the outputs, the build's records and its report.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

from generator.core.diagnostics import Diagnostic, Severity
from generator.core.locks import DEFAULT_WAIT_SECONDS
from generator.core.progress import Progress
from generator.core.model import Article, Document, Item, Page, Tag, Testimony
from generator.core.urls import output_file
from generator.core.yamlio import YamlDoc


# --- Sources: the files of the content folder, before any is read ---------------------------------

@dataclass(frozen=True, slots=True)
class RawDocument:
    path: Path
    kind: str
    slug: str
    front: YamlDoc
    body: str
    body_line: int


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path
    kind: str
    linked: bool = False  # a symbolic link (to a file inside the site, or it is refused when read)


@dataclass(frozen=True, slots=True)
class SourceSet:
    files: tuple[SourceFile, ...]
    tags: YamlDoc | None
    tags_path: Path
    media: tuple[Path, ...] = ()  # images in content/media/, checked and re-encoded by content/images.py


# --- One file's result (content/perfile.py), cached by its content hash ------------------------------

@dataclass(frozen=True, slots=True)
class Allowance:
    """A reviewed string an editor accepts in one testimony, with the reason why."""

    path: Path
    line: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Redactions:
    """content/redact.yaml as read (privacy/pii.py applies it): names the guard flags,
    replacements applied to testimonies and public names it never flags; and the labels of the
    site's tags, which a testimony's page shows."""

    names: tuple[str, ...] = ()
    replacements: tuple[tuple[str, str], ...] = ()  # longest first, so "Acme Corp" wins over "Acme"
    public: tuple[str, ...] = ()
    tag_labels: tuple[tuple[str, str], ...] = ()  # (tag id, label)


@dataclass(frozen=True, slots=True)
class FileSettings:
    """Everything besides the file's own bytes that its result depends on."""

    language: str
    max_file_bytes: int
    redactions: Redactions
    read_roots: tuple[str, ...]  # SiteConfig.read_roots: where the files read may lie (generator/core/safefs.py)
    # Sealed private records (generator/privacy/sealing.py): the identity's public keys, hashed ("" without
    # one), whether a plain value is an error (private_records: sealed), and whether the site seals at all.
    sealing: tuple[str, bool, bool] = ("", False, False)


@dataclass(frozen=True, slots=True)
class Reference:
    vocabulary: str  # "tags" | "content_warnings" | "media" (an image src, resolved to a site path)
    value: str
    line: int


@dataclass(frozen=True, slots=True)
class FileResult:
    document: Document | None
    references: tuple[Reference, ...]
    diagnostics: tuple[Diagnostic, ...]
    allowances: tuple[Allowance, ...]
    plain_private: bool = False  # a testimony whose private: block holds values in plain text (not sealed)


# --- Checked content (content/validate.py): every document, its problems said --------------------

@dataclass(frozen=True, slots=True)
class ValidContent:
    documents: tuple[Document, ...]
    tags: Mapping[str, Tag]
    allowances: tuple[Allowance, ...] = ()  # PII-guard findings an editor accepted, with reasons
    cache_hits: int = 0  # files whose cached result was reused
    parsed: int = 0  # files read, checked and rendered in this build
    settings: FileSettings | None = None  # what each file's result was made with
    media_names: frozenset[str] = frozenset()  # the images in content/media/


# --- The site (site/assemble.py): what is published, sorted and grouped ------------------------------

@dataclass(frozen=True, slots=True)
class Withheld:
    path: Path
    reason: str  # "draft" | "consent withdrawn" | "embargoed"
    url: str = ""  # the address it would have


@dataclass(frozen=True, slots=True)
class TagGroup:
    tag: Tag
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class MonthGroup:
    year: int
    month: int
    label: str
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Site:
    articles: tuple[Article, ...]       # newest first
    testimonies: tuple[Testimony, ...]  # newest first
    pages: tuple[Page, ...]
    items: tuple[Item, ...]             # both kinds, newest first
    tags: Mapping[str, Tag]
    tag_groups: tuple[TagGroup, ...]
    timeline: tuple[MonthGroup, ...]    # newest first
    withheld: tuple[Withheld, ...]
    related: Mapping[str, tuple[Item, ...]]  # item URL -> items sharing its tags
    # Reviewed PII-guard exceptions in published testimonies; those of withheld ones are
    # left out, since the report must not quote an item that is not published.
    allowances: tuple[Allowance, ...] = ()
    # Only in the preview's view of drafts (serve --drafts): address -> why a build withholds
    # it ("draft", "embargoed"). A build's site never has any.
    unpublished: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # item URL -> the same text in its other published languages (the original and its
    # translations, by language); only items that have any.
    translations: Mapping[str, tuple[Item, ...]] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def menu_pages(self) -> tuple[Page, ...]:
        return tuple(sorted((p for p in self.pages if p.menu is not None), key=lambda p: (p.menu, p.slug)))

    def of_kind(self, kind: str) -> tuple[Item, ...]:
        """The published items of one kind (core/kinds.py), newest first."""
        return {"article": self.articles, "testimony": self.testimonies}[kind]

    @property
    def featured(self) -> tuple[Article, ...]:
        return tuple(a for a in self.articles if a.featured)


# --- Outputs (output/): each file of the site, and how the writer got it ---------------------------

@dataclass(frozen=True, slots=True)
class Output:
    path: str  # relative to the output folder, '/'-separated
    data: bytes


@dataclass(frozen=True, slots=True)
class PageJob:
    template: str | None
    url: str
    context: dict
    fingerprint: str | None = None  # None: always render
    producer: Callable[[], bytes] | None = None  # makes the bytes when there is no template
    route: str = ""  # its route's name (generator/output/routes.py)
    path: str = field(init=False, repr=False)  # the output file, from url

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", output_file(self.url))


@dataclass(frozen=True, slots=True)
class ReusedFile:
    """A file of the previous build whose inputs did not change: linked, not rendered again."""

    path: str
    source: str  # the file in the previous output
    sha256: str


@dataclass(frozen=True, slots=True)
class WriteResult:
    files: int
    html_pages: int
    hashes: Mapping[str, str]  # output path -> sha256, as in the manifest
    leftover: Diagnostic | None = None  # the new output is in place, but the old copy beside it could not be removed


@dataclass(frozen=True, slots=True)
class Written:
    """An output a render worker wrote into the copy itself (or found there already)."""

    path: str
    sha256: str


# --- What a build records for the next (incremental/), and its report ---------------------------------

@dataclass(frozen=True, slots=True)
class Summary:
    """What a build report shows, kept so that a build with nothing to do can say it again."""

    articles: int
    testimonies: int
    pages: int
    withheld: tuple  # of Withheld
    allowances: tuple  # of Allowance
    diagnostics: tuple  # of Diagnostic: the warnings of the build that wrote the output
    files_written: int
    pages_rendered: int

    @classmethod
    def of(cls, site: Site | None, diagnostics, written: int, pages: int) -> Summary | None:
        """What the report of a build that made ``site`` says (None for a build that made none)."""
        if site is None:
            return None
        # Notes tell what this build did (a damaged cache emptied): a build with nothing to do does not repeat them.
        kept = tuple(d for d in diagnostics if d.severity is not Severity.NOTE)
        return cls(len(site.articles), len(site.testimonies), len(site.pages), tuple(site.withheld),
                   tuple(site.allowances), kept, written, pages)


# What scan() records of each file: (path, size, mtime_ns, inode, ctime_ns, is a link). A folder
# is recorded too, by its path with a trailing separator and its inode only, so that adding,
# removing or renaming one (even empty) is a change while files saved inside it are their own.
Entry = tuple[str, int, int, int, int, bool]


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything a build's output depends on, as cheaply as it can be known."""

    key: str  # the settings: config, profile, output folder, Chorus's code and libraries
    files: tuple[Entry, ...]  # scan() of the content and template folders
    dates: tuple[dt.date, ...] = ()  # the publish_after dates in the content


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How to build: everything a caller (the command line, the preview, the bundle, a test)
    chooses, besides the site config."""

    out_dir: Path | None = None  # None: the config's output_dir
    write: bool = True  # False: check only (every page is rendered, nothing is written)
    strict: bool = False  # warnings stop the build too
    profile: str = "web"  # "web" | "offline" (the bundle's)
    today: dt.date | None = None  # None: today, or the day of SOURCE_DATE_EPOCH
    jobs: int | None = None  # worker processes; None: one per core
    use_cache: bool = True
    wait: float = DEFAULT_WAIT_SECONDS  # for another build that holds the output or the cache
    drafts: bool = False  # the preview's serve --drafts: drafts and embargoed items shown, marked
    progress: Progress | None = field(default=None, compare=False)  # None: silent


@dataclass(frozen=True, slots=True)
class BuildReport:
    diagnostics: tuple[Diagnostic, ...]
    site: Site | None
    files_written: int
    pages_rendered: int
    out_dir: Path | None
    seconds: float
    pages_reused: int = 0  # pages whose inputs were unchanged, linked from the previous build
    files_cached: int = 0  # content files whose cached result was reused
    summary: Summary | None = None  # counts for the report; also set when nothing changed
    up_to_date: bool = False  # no input changed since the build that wrote the output: nothing was done
    patched: bool = False  # made by the preview's patch of its last build (incremental/patch.py)
    removed: tuple = ()  # of removals.Removed: pages and images the previous output had and this one has not

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    @property
    def withheld_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(w.reason for w in self.summary.withheld).items())) if self.summary else {}
