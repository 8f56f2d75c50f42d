"""The site's pages in one table: each kind of page, its template, whether it shows an item's
text and whether it is in the sitemap.

SiteRenderer.page_jobs() makes the jobs route by route in this order, the sitemap lists the
addresses of the routes marked ``sitemap``, and the preview's patch makes again, after an edit
to an item's text alone, the pages of the routes marked ``shows_text`` and nothing else
(tests/output/test_routes.py renders every page of a site with a sentinel word in every
item's text and checks that it shows on exactly those routes' pages).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    template: str | None  # None: the bytes come from a producer, not a template
    shows_text: bool = False  # shows an item's text (body, full summary), not only its card
    sitemap: bool = False  # its addresses are in sitemap.xml
    web_only: bool = False  # not in the offline bundle (files for servers, crawlers, feed readers)


ROUTES: tuple[Route, ...] = (
    Route("home", "home.html", sitemap=True),
    Route("list", "list.html", sitemap=True),  # articles and testimonies, a page per items_per_page
    Route("item", "{kind}.html", shows_text=True, sitemap=True),  # article.html, testimony.html
    Route("tags", "tags.html", sitemap=True),
    Route("tag", "tag.html", sitemap=True),
    Route("timeline", "timeline.html", sitemap=True),
    Route("page", "page.html", sitemap=True),  # the site's own pages (about, ...)
    Route("withdrawn", "withdrawn.html"),  # withdrawn: notice
    Route("404", "404.html", web_only=True),
    Route("feed", "feed.xml", shows_text=True, web_only=True),
    Route("data", None, web_only=True),  # data/items.json, data/items.csv: cards only
    Route("sitemap", "sitemap.xml", web_only=True),  # last: it lists the addresses of the others
)

BY_NAME = {route.name: route for route in ROUTES}
TEXT_ROUTES = frozenset(route.name for route in ROUTES if route.shows_text)


def routes(profile: str) -> tuple[Route, ...]:
    """The routes of a build for this profile ("web" or "offline"), in order."""
    return tuple(route for route in ROUTES if profile == "web" or not route.web_only)
