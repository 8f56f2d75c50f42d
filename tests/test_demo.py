"""The demo archive in content/: it builds, and a reader can reach every page from the home page."""

import html.parser
import posixpath
import re
from pathlib import Path

from tests.conftest import PROJECT


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def links_of(path: Path) -> list[str]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links


def resolve(site: Path, page: Path, link: str) -> Path | None:
    """The file an internal link leads to, or None for links to other hosts and fragments."""
    if re.match(r"^[a-z]+:", link) or link.startswith(("//", "#")):
        return None
    path = link.split("#")[0].split("?")[0]
    base = page.parent.relative_to(site).as_posix()
    target = posixpath.normpath(posixpath.join(base, path)) if not path.startswith("/") else path.lstrip("/")
    if path.endswith("/") or target == ".":
        target = posixpath.join(target, "index.html")
    return site / target


def crawl(site: Path) -> tuple[set[Path], list[str]]:
    seen, queue, broken = set(), [site / "index.html"], []
    while queue:
        page = queue.pop()
        if page in seen:
            continue
        seen.add(page)
        if page.suffix != ".html":
            continue
        for link in links_of(page):
            target = resolve(site, page, link)
            if target is None:
                continue
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {link}")
            elif target not in seen:
                queue.append(target)
    return seen, broken


def test_demo_has_the_promised_content():
    articles = list((PROJECT / "content/articles").glob("*.md"))
    testimonies = [p for p in (PROJECT / "content/testimonies").iterdir() if p.suffix in (".md", ".yaml")]
    assert len(articles) >= 10 and len(testimonies) >= 10
    for path in testimonies:
        assert "Fictional sample" in path.read_text(encoding="utf-8"), f"{path.name} must be marked as fictional"
    for path in articles:
        assert re.search(r"^source_url: \"https?://", path.read_text(encoding="utf-8"), re.M), f"{path.name} must link its source"
    assert {"about.md", "contribute.md", "support.md"} <= {p.name for p in (PROJECT / "content/pages").iterdir()}


def test_every_page_is_reachable_from_home_and_no_link_is_broken(demo_site):
    reached, broken = crawl(demo_site)
    assert broken == []
    every_page = {p for p in demo_site.rglob("*.html")}
    # 404.html is served by the web server for missing addresses, so nothing links to it.
    unreached = sorted(p.relative_to(demo_site).as_posix() for p in every_page - reached)
    assert unreached == ["404.html"]
    assert demo_site / "feed.xml" in reached


def test_withheld_demo_items_are_absent(demo_site):
    draft = [p.stem for p in (PROJECT / "content/testimonies").iterdir() if "draft: true" in p.read_text()]
    withdrawn = [p.stem for p in (PROJECT / "content/testimonies").iterdir() if "status: withdrawn" in p.read_text()]
    assert draft and withdrawn
    for slug in draft + withdrawn:
        assert not (demo_site / "testimonies" / slug).exists()
