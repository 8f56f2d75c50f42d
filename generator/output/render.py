"""Render the assembled site to outputs: HTML pages, feed, sitemap, robots.txt and static files."""

from __future__ import annotations

import concurrent.futures
import copy
import dataclasses
import functools
import hashlib
import math
import multiprocessing
import os
import posixpath
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import AbstractSet as Set, Callable, Iterable, Iterator, Mapping, Sequence

import jinja2
from jinja2.loaders import split_template_path
from markupsafe import Markup, escape

from generator import __version__, interface
from generator.core import languages, safefs
from generator.core.languages import language_name, text_direction
from generator.core.kinds import ITEM_KINDS, KINDS
from generator.core.types import Site, Output, PageJob
from generator.config import PROJECT_TEMPLATES, SiteConfig, template_dirs
from generator.core.diagnostics import DiagnosticError, error
from generator.output.export import items_csv, items_json
from generator.output.routes import BY_NAME, ROUTES, routes
from generator.content.images import media_outputs
from generator.search import build_index
from generator.templatefiles import list_template_files, read_static
from generator.core.urls import PageLinks, absolute_url, localise_links, output_file, relative_link


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# Below this many pages, starting worker processes costs more than it saves.
PARALLEL_PAGES = 200
# The renderer that forked workers inherit; set only while a pool runs.
_worker_renderer = None


def _render_in_worker(job_index: int):
    renderer, jobs, store = _worker_renderer
    output = renderer.render_job(jobs[job_index])
    return store(output) if store else output


def render_jobs(renderer: "SiteRenderer", jobs: list[PageJob], processes: int,
                store: Callable[[Output], object] | None = None,
                alongside: Callable[[], object] | None = None) -> Iterator:
    """Render pages in order; in ``processes`` forked workers when there are enough of them.

    With ``store`` (OutputWriter.store), each page is written where it is rendered and what
    comes back is store's small result, not the page. ``alongside`` is called once the workers
    are started (never before a fork), to give this process work of its own meanwhile.
    """
    global _worker_renderer
    if processes <= 1 or len(jobs) < PARALLEL_PAGES or "fork" not in multiprocessing.get_all_start_methods():
        for job in jobs:
            output = renderer.render_job(job)
            yield store(output) if store else output
        return
    renderer.preload({job.template for job in jobs if job.template})  # compiled once, not in every worker
    _worker_renderer = (renderer, jobs, store)
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            results = pool.imap(_render_in_worker, range(len(jobs)), chunksize=64)
            if alongside is not None:
                alongside()
            yield from results
    finally:
        _worker_renderer = None


@dataclass(frozen=True, slots=True)
class Pagination:
    number: int
    count: int
    items: tuple
    url: str
    newer_url: str | None
    older_url: str | None


def paginate(items: Sequence, per_page: int, first_url: str) -> tuple[Pagination, ...]:
    count = max(1, math.ceil(len(items) / per_page))
    url_of = lambda n: first_url if n == 1 else f"{first_url}page/{n}/"  # noqa: E731
    return tuple(
        Pagination(n, count, tuple(items[(n - 1) * per_page:n * per_page]), url_of(n),
                   url_of(n - 1) if n > 1 else None, url_of(n + 1) if n < count else None)
        for n in range(1, count + 1)
    )


class UnreadableTemplate(jinja2.TemplateError):
    """A template file that the reading rule refuses (or that is not UTF-8 text)."""

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path


class CheckedLoader(jinja2.BaseLoader):
    """Jinja's FileSystemLoader, reading each template under the reading rule: a template that
    is a link out of the site, a pipe or a device is an error, never opened."""

    def __init__(self, config: SiteConfig):
        self.folders = tuple(dict.fromkeys(template_dirs(config)))
        self.roots = config.read_roots
        self.limit = config.max_file_bytes

    def get_source(self, environment: jinja2.Environment, template: str):
        pieces = split_template_path(template)
        for folder in self.folders:
            path = posixpath.join(folder, *pieces)
            if not os.path.lexists(path):
                continue
            try:
                source = safefs.read(path, self.limit, self.roots).decode("utf-8")
            except safefs.Refused as exc:
                raise UnreadableTemplate(path, str(exc)) from None
            except UnicodeDecodeError:
                raise UnreadableTemplate(path, "the template is not UTF-8 text: save it as UTF-8") from None
            return source, os.path.normpath(path), lambda: False
        raise jinja2.TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        names: set[str] = set()
        for folder in self.folders:
            for path in safefs.walk_files(Path(folder), self.roots)[0]:
                names.add(path.relative_to(folder).as_posix())
        return sorted(names)


def make_environment(config: SiteConfig, cache_dir: Path | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=CheckedLoader(config),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one environment renders one build
        # Compiled templates are kept (keyed by each template's source) so a rebuild does not compile them again.
        bytecode_cache=CompiledTemplates(_template_cache(cache_dir) if cache_dir else None),
    )
    env.globals["url"] = _url
    env.globals["reuse"] = CardCache()
    env.filters["local_links"] = _local_links
    env.globals["absolute"] = lambda url: absolute_url(config.base_url, url)
    env.filters["long_date"] = lambda day: languages.long_date(day, config.language)
    env.filters["month_year"] = lambda date: languages.month_year(date.year, date.month, config.language)
    # Every word of the stock templates goes through the site language's catalogue (generator/interface.py).
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_translations(interface.translations(config), newstyle=True)
    env.filters["atom_date"] = _atom_date
    env.filters["language_name"] = language_name
    env.filters["text_direction"] = text_direction
    return env


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates, kept in memory for the process's next build (the preview's, or a
    build with --no-cache) and, with the build cache, on disk for the next process. Jinja checks
    each one against its template's source before use: an edited template is compiled again.
    Every environment is made by make_environment, with the same options, so code compiled for
    one serves another."""

    _in_memory: dict[str, bytes] = {}
    _limit = 512

    def __init__(self, folder: Path | None):
        self.on_disk = jinja2.FileSystemBytecodeCache(str(folder)) if folder else None

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        kept = self._in_memory.get(bucket.key)
        if kept is not None:
            bucket.bytecode_from_string(kept)  # resets itself if the source has changed since
        if bucket.code is None and self.on_disk is not None:
            self.on_disk.load_bytecode(bucket)
            if bucket.code is not None:
                self._in_memory[bucket.key] = bucket.bytecode_to_string()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if len(self._in_memory) >= self._limit:
            self._in_memory.clear()
        self._in_memory[bucket.key] = bucket.bytecode_to_string()
        if self.on_disk is not None:
            self.on_disk.dump_bytecode(bucket)


def _template_cache(cache_dir: Path) -> Path:
    folder = cache_dir / "templates"
    folder.mkdir(exist_ok=True)
    return folder


def _atom_date(item) -> str:
    if item.kind == "testimony":
        return f"{item.date.month_iso}-01T00:00:00Z"
    return f"{item.date.isoformat()}T00:00:00Z"


# Stands for the link in a card's saved markup (characters for private use, never in a card's text).
LINK = "\ue000\ue001\ue000"
# Cards of a macro compared with the macro's own markup before its saved markup is trusted.
CARD_CHECKS = 8


class CardCache:
    """``reuse(macro, item, *args)`` in a template: the macro's markup for these arguments, made
    once and then repeated, for a macro that shows an item the same way on every page (a card).

    The macro may depend on the item, the other arguments (strings) and site-wide values only,
    never on the page being rendered. One environment renders one site, so site-wide values
    cannot change under the saved markup; the oldest half is dropped past ``limit`` entries to
    bound memory on large archives.
    """

    def __init__(self, limit: int = 60_000):
        self.limit = limit
        self.saved: dict[tuple, Markup] = {}
        # Per card macro: how many of its cards matched when made with LINK for the link (and
        # how many LINKs they held), or False when one did not.
        self.checked: dict[str, tuple[int, int] | bool] = {}

    def __call__(self, macro, item, *args) -> Markup:
        key = (macro.name, item.url, *args)
        markup = self.saved.get(key)
        if markup is None:
            markup = self._save(key, macro(item, *args))
        return markup

    def _save(self, key: tuple, markup: Markup) -> Markup:
        if len(self.saved) >= self.limit:
            for old in list(self.saved)[: self.limit // 2]:
                del self.saved[old]
        self.saved[key] = markup
        return markup

    def card(self, macro, item, heading: str, href: str) -> Markup:
        """``reuse(macro, item, heading, href)``, made once per item and heading rather than once
        per link too: the link to an item differs with the depth of the page it is on, and an
        archive of 20,000 items has five times as many cards as the saved markup can hold.
        The markup is made with LINK for the link, and the link put in its place on each page;
        the first cards of each macro are also made with the link and must match, or the macro's
        cards are made per link, as __call__ does."""
        checked = self.checked.get(macro.name, (0, 0))
        if checked is False:
            return self(macro, item, heading, href)
        key = (macro.name, item.url, heading, LINK)
        saved = self.saved.get(key)
        if saved is None:
            saved = self._save(key, macro(item, heading, LINK))
        matches, links = checked
        if matches and saved.count(LINK) != links:  # LINK typed into the item's text: not this one
            return self(macro, item, heading, href)
        made = Markup(str(saved).replace(LINK, str(escape(href))))  # Markup.replace would escape it twice
        if matches < CARD_CHECKS:
            if not saved.count(LINK) or made != macro(item, heading, href):
                self.checked[macro.name] = False  # the macro does more with the link than show it
                return self(macro, item, heading, href)
            self.checked[macro.name] = (matches + 1, saved.count(LINK))
        return made

    @jinja2.pass_context
    def cards(self, context, macro, items, heading: str) -> list[Markup]:
        """``card(macro, item, heading, url(item.url))`` for each item, in one call."""
        link = context["url"]  # the page's PageLinks, from SiteRenderer.page
        if getattr(link, "jinja_pass_arg", None) is not None:  # the global url(), rendered some other way
            link = functools.partial(link, context)
        return [self.card(macro, item, heading, link(item.url)) for item in items]


@jinja2.pass_context
def _local_links(context, body_html: str) -> Markup:
    """Links written in Markdown bodies, made to work like template links (and from disk).

    Only the sanitised body is trusted as HTML; anything else given to this filter is escaped.
    """
    if not isinstance(body_html, Markup):
        body_html = escape(body_html)
    if context["absolute_links"]:
        return Markup(body_html)
    return Markup(localise_links(body_html, context["page_url"], context["profile"] == "offline"))


@jinja2.pass_context
def _url(context, target: str) -> str:
    if context["absolute_links"]:
        return context["config"].base_path + target.lstrip("/")
    return relative_link(target, context["page_url"], context["profile"] == "offline")


_JOBS = {route.name: f"_{route.name}_jobs" for route in ROUTES}


class SiteRenderer:
    def __init__(self, config: SiteConfig, site: Site, profile: str = "web", cache_dir: Path | None = None):
        self.config = config
        self.cache_dir = cache_dir  # where stages may keep results between builds; None: no cache
        self._global_fingerprint: str | None = None
        self.shows_any_text_anywhere = True  # the site's own templates may; known after global_fingerprint()
        self._search: concurrent.futures.Future | None = None  # the search outputs, when made in a thread
        self._search_thread: ThreadPoolExecutor | None = None
        self.site = site
        self.profile = profile
        self.env = make_environment(config, cache_dir)
        self.common = dict(config=config, site=site, profile=profile, version=__version__,
                           warning_labels=config.content_warnings, tags=site.tags,
                           absolute_links=False)

    def page(self, template: str, url: str, **context) -> Output:
        try:
            page_context = self.common | {"page_url": url} | context
            page_context["url"] = self._links(page_context)
            html = self.env.get_template(template).render(page_context)
        except UnreadableTemplate as exc:
            raise DiagnosticError((error(Path(exc.path), None, exc.message),))
        except jinja2.TemplateSyntaxError as exc:
            raise DiagnosticError((error(Path(exc.filename or template), exc.lineno, f"template error: {exc.message}"),))
        except jinja2.TemplateNotFound as exc:
            raise DiagnosticError((error(self.config.templates_dir / exc.name, None, "template not found"),))
        except jinja2.UndefinedError as exc:
            path, line = _template_frame(exc, template)
            raise DiagnosticError((error(path, line, f"template error: {exc.message}"),))
        return Output(output_file(url), html.encode("utf-8"))

    def preload(self, templates: Iterable[str]) -> None:
        """Compile these templates now, so that forked workers inherit them compiled.
        One that fails is left for page(), which reports it with its file and line."""
        for name in sorted(templates):
            try:
                self.env.get_template(name)
            except jinja2.TemplateError:
                pass

    def _links(self, page_context: dict) -> Callable[[str], str]:
        """``url(target)`` for one page: what the ``url`` global gives, with the page's folder
        worked out once instead of for each of its links."""
        if page_context["absolute_links"]:
            base_path = self.config.base_path
            return lambda target: base_path + target.lstrip("/")
        return PageLinks(page_context["page_url"], page_context["profile"] == "offline")

    def page_jobs(self) -> list[PageJob]:
        """Every templated page, route by route (generator/output/routes.py), with a fingerprint
        of what it shows where that is known.

        A page's fingerprint covers the site-wide inputs (config, templates, code, tags,
        the pages in menus and footer) and the items it shows, so a page is rendered again
        only when one of those changed. Pages that show items without their text depend on the
        items' cards only, so an edit to an item's text makes its own page again (and the feed
        and the search index), nothing else.
        """
        jobs: list[PageJob] = []
        for route in routes(self.profile):
            made = self._sitemap_job(jobs) if route.name == "sitemap" else getattr(self, _JOBS[route.name])()
            jobs.extend(dataclasses.replace(job, route=route.name) for job in made)
        return jobs

    def jobs_showing_text(self, items: Sequence, edited: Set[int]) -> list[PageJob]:
        """The jobs of the pages that show the text of ``items`` (routes marked shows_text): their
        own pages, and the feed when it lists an item whose id() is in ``edited``."""
        site, jobs = self.site, []
        for item in items:
            kind_items = site.of_kind(item.kind)
            jobs.append(self.item_job(kind_items, next(n for n, other in enumerate(kind_items) if other is item)))
        if "feed" in (route.name for route in routes(self.profile)) \
                and any(id(item) in edited for item in site.items[:self.config.feed_items]):
            jobs.append(self.feed_job())
        return jobs

    def _fp(self, *parts) -> str:
        return _digest(self.global_fingerprint(), *parts)

    def _home_jobs(self) -> list[PageJob]:
        site, latest = self.site, self.site.items[:8]
        return [PageJob("home.html", "/", {"latest": latest},
                        self._fp("home", len(site.articles), len(site.testimonies), *(i.card for i in latest),
                                 *(a.card for a in site.featured)))]

    def _list_jobs(self) -> list[PageJob]:
        jobs = []
        for kind in ITEM_KINDS:
            for pagination in paginate(self.site.of_kind(kind.name), self.config.items_per_page, kind.list_url):
                jobs.append(PageJob("list.html", pagination.url,
                                    {"title": kind.list_title, "kind": kind.name, "pagination": pagination},
                                    self._fp("list", pagination.url, pagination.count, *(i.card for i in pagination.items))))
        return jobs

    def _item_jobs(self) -> list[PageJob]:
        return [self.item_job(items, index) for items in map(self.site.of_kind, (k.name for k in ITEM_KINDS))
                for index in range(len(items))]

    def _tags_jobs(self) -> list[PageJob]:
        return [PageJob("tags.html", "/tags/", {}, self._fp("tags", [(g.tag.id, len(g.items)) for g in self.site.tag_groups]))]

    def _tag_jobs(self) -> list[PageJob]:
        jobs = []
        for group in self.site.tag_groups:
            for pagination in (paginate(group.items, self.config.items_per_page, f"/tags/{group.tag.id}/")
                               if group.items else ()):
                jobs.append(PageJob("tag.html", pagination.url, {"group": group, "pagination": pagination},
                                    self._fp("tag", pagination.url, pagination.count, len(group.items),
                                             *(i.card for i in pagination.items))))
        return jobs

    def _timeline_jobs(self) -> list[PageJob]:
        return [PageJob("timeline.html", "/timeline/", {}, self._fp("timeline", tuple(item.card for item in self.site.items)))]

    def _page_jobs(self) -> list[PageJob]:
        return [PageJob("page.html", page.url, {"item": page}, self._fp("page", page.fingerprint)) for page in self.site.pages]

    def _withdrawn_jobs(self) -> list[PageJob]:
        """At a withdrawn testimony's address, a notice that says nothing of it but that it was withdrawn."""
        if self.config.withdrawn != "notice":
            return []
        return [PageJob("withdrawn.html", withheld.url, {}, self._fp("withdrawn", withheld.url))
                for withheld in self.site.withheld if withheld.reason == "consent withdrawn" and withheld.url]

    def _404_jobs(self) -> list[PageJob]:
        return [PageJob("404.html", "/404.html", {"absolute_links": True}, self._fp("404"))]

    def _feed_jobs(self) -> list[PageJob]:
        return [self.feed_job()]

    def _data_jobs(self) -> list[PageJob]:
        every_card = tuple(item.card for item in self.site.items)
        return [PageJob(None, f"/data/{name}", {}, self._fp("data", name, every_card),
                        producer=functools.partial(produce, self.site, self.config))
                for name, produce in (("items.json", items_json), ("items.csv", items_csv))]

    def _sitemap_job(self, jobs: Sequence[PageJob]) -> list[PageJob]:
        """The sitemap of the pages made before it whose route is marked sitemap."""
        sitemap = tuple(sorted(job.url for job in jobs if BY_NAME[job.route].sitemap))
        alternates = {url: tuple((other.language, other.url) for other in (self._item(url), *others))
                      for url, others in self.site.translations.items()}
        return [PageJob("sitemap.xml", "/sitemap.xml", {"urls": sitemap, "alternates": alternates},
                        self._fp("sitemap", sitemap, sorted(alternates.items())))]

    # The only pages that show an item's text (its fingerprint), not just its card: routes
    # marked shows_text (generator/incremental/patch.py makes only these again after a text edit).
    def item_job(self, items: Sequence, index: int) -> PageJob:
        """The page of items[index], where items are those of its kind, newest first."""
        item = items[index]
        newer = items[index - 1] if index > 0 else None
        older = items[index + 1] if index + 1 < len(items) else None
        related = self.site.related.get(item.url, ())
        translations = self.site.translations.get(item.url, ())
        template = KINDS[item.kind].template
        return PageJob(template, item.url, {"item": item, "newer": newer, "older": older},
                       _digest(self.global_fingerprint(), template, item.fingerprint, newer and newer.card,
                               older and older.card, *(r.card for r in related), "translations",
                               *(t.card for t in translations)), route="item")

    def _item(self, url: str):
        if not hasattr(self, "_items_by_url") or self._items_by_url[0] is not self.site:
            self._items_by_url = (self.site, {item.url: item for item in self.site.items})
        return self._items_by_url[1][url]

    def feed_job(self) -> PageJob:
        feed_items = self.site.items[:self.config.feed_items]
        return PageJob("feed.xml", "/feed.xml", {"feed_items": feed_items},
                       _digest(self.global_fingerprint(), "feed", *(i.fingerprint for i in feed_items)), route="feed")

    def for_site(self, site: Site) -> "SiteRenderer":
        """A renderer of ``site`` that shares this one's compiled templates and saved cards: for a
        site that differs from this one's only in the text of items (see generator/incremental/patch.py)."""
        twin = copy.copy(self)
        twin.site = site
        twin.common = self.common | {"site": site}
        twin._search = twin._search_thread = None
        return twin

    def render_job(self, job: PageJob) -> Output:
        if job.producer is not None:
            return Output(job.path, job.producer())
        return self.page(job.template, job.url, **job.context)

    def search_outputs(self, processes: int | None = None) -> Iterator[Output]:
        """The search page and its index files (``processes``: for the index; None: all cores)."""
        yield self.page("search.html", "/search/")
        for path, data in self.index_files(processes):
            yield Output(path, data)

    def index_files(self, processes: int | None = None,
                    known: Mapping[str, str] | None = None) -> list[tuple[str, bytes | None]]:
        """search.build_index() of this renderer's site (``known``: see there)."""
        site = self.site
        tag_labels = {tag_id: tag.label for tag_id, tag in site.tags.items()}
        return build_index(site.items, tag_labels, self.config.content_warnings, processes=processes,
                           cache_dir=self.cache_dir, known=known, language=self.config.language)

    def start_search(self) -> None:
        """Make the search page and index in a thread of this process, from now on: while page
        workers render, this process only waits, and the index is most of what is left to do.
        The thread starts no process (a fork beside a running thread could inherit a held lock)."""
        if self._search is None:
            self._search_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chorus-search")
            self._search = self._search_thread.submit(lambda: list(self.search_outputs(processes=1)))

    def wait_for_search(self) -> None:
        """Let a search thread that was started finish (a build that stopped on an error must not
        leave it writing the search cache while another build starts)."""
        if self._search_thread is not None:
            self._search_thread.shutdown(wait=True)

    def other_outputs(self) -> Iterator[Output]:
        """Search page and index, robots.txt, static files: always produced."""
        config = self.config
        if self._search is not None:
            yield from self._search.result()  # the search page and its index files, made alongside
        else:
            yield from self.search_outputs()
        if self.profile == "web":
            yield Output("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {absolute_url(config.base_url, '/sitemap.xml')}\n".encode())
        yield from static_files(self.config)
        yield from (Output(path, data) for path, data in media_outputs(self.config, self.site, self.cache_dir))  # images the pages show

    def global_fingerprint(self) -> str:
        from generator.incremental.cachedir import code_fingerprint

        if self._global_fingerprint is None:
            templates = sorted((str(path), safefs.hash_regular(path)) for path in list_template_files(self.config).every)
            pages = tuple((p.url, p.title, p.menu, p.slug, p.summary) for p in self.site.pages)  # menus, footer, home
            # A site's own templates may show any item on any page (a sidebar of the latest
            # testimonies, say), so with them every content change renders every page again:
            # a withdrawn item must never survive in a reused page.
            own_templates = any(str(name).startswith(str(self.config.templates_dir)) for name, _ in templates) \
                and self.config.templates_dir != PROJECT_TEMPLATES
            self.shows_any_text_anywhere = own_templates
            everything = tuple(item.fingerprint for item in self.site.items) if own_templates else ()
            self._global_fingerprint = _digest(code_fingerprint(), repr(self.config), self.profile,
                                               repr(sorted(self.site.tags.items())), pages, templates, everything)
        return self._global_fingerprint


def static_files(config: SiteConfig) -> Iterator[Output]:
    """Files under static/ in the template folders; the site's own win over Chorus's."""
    for name, path in list_template_files(config).chosen.items():
        if name.startswith("static/"):
            try:
                yield Output(name, read_static(config, path))
            except safefs.Refused as exc:  # listed as readable before rendering; only a file changed since gets here
                raise DiagnosticError((error(path, None, str(exc)),)) from None


def _template_frame(exc: BaseException, fallback: str) -> tuple[Path, int | None]:
    tb, found = exc.__traceback__, (Path(fallback), None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml")):
            found = (Path(filename), tb.tb_lineno)
        tb = tb.tb_next
    return found
