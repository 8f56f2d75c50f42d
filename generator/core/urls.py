"""Site URLs to links: relative links on the web, file-named links in the offline profile."""

from __future__ import annotations

import functools
import posixpath
import re

_HREF = re.compile(r'(<a\b[^>]*?\bhref=")([^"]*)(")')
_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")')
_KEPT = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^#|^//")  # another host's address, or a fragment


def relative_link(target: str, from_url: str, offline: bool = False) -> str:
    """Link from the page at ``from_url`` to ``target`` (both site paths starting with '/').

    Relative links let the same site live under any path; the offline profile also names
    index.html, because file:// does not turn a folder into its index page. (Written out
    rather than with posixpath.relpath: this runs for every link of every page.)
    """
    return PageLinks(from_url, offline)(target)


@functools.lru_cache(maxsize=65536)
def _segments(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.split("/") if part)


class PageLinks:
    """``relative_link`` from one page, called once for each of its links: the page's folder
    is split once, and the segments of a target (an item's address, say) once per build."""

    __slots__ = ("_from_parts", "_offline")

    def __init__(self, from_url: str, offline: bool = False):
        from_dir = from_url if from_url.endswith("/") else from_url[: from_url.rfind("/") + 1]
        self._from_parts = _segments(from_dir)
        self._offline = offline

    def __call__(self, target: str) -> str:
        path, hash_mark, fragment = target.partition("#")
        if path == "":
            return target
        target_parts, from_parts = _segments(path), self._from_parts
        common, shorter = 0, min(len(target_parts), len(from_parts))
        while common < shorter and target_parts[common] == from_parts[common]:
            common += 1
        link = "../" * (len(from_parts) - common) + "/".join(target_parts[common:])
        if ":" in link.split("/", 1)[0]:
            link = "./" + link  # 'javascript:x' is a scheme; './javascript:x' is a path on this site
        if path.endswith("/"):
            if link and not link.endswith("/"):
                link += "/"
            if self._offline:
                link += "index.html"
            elif not link:
                link = "./"
        return link + hash_mark + fragment


def output_file(url: str) -> str:
    """The file a site URL is written to, relative to the output folder."""
    path = url.lstrip("/")
    return path + "index.html" if url.endswith("/") else path


def absolute_url(base_url: str, url: str) -> str:
    return base_url.rstrip("/") + "/" + url.lstrip("/")


def localise_links(body_html: str, page_url: str, offline: bool) -> str:
    """Rewrite internal links and image addresses of sanitised body HTML: '/x/' becomes relative,
    and offline folder links name their index.html. Links to other hosts and fragments stay as
    they are (the sanitiser leaves no image from another host)."""

    if not offline and '="/' not in body_html:
        return body_html  # on the web only href="/..." and src="/..." change, and there are none
    link = PageLinks(page_url, offline)

    def fix(match: re.Match) -> str:
        href = match.group(2)
        if not href or _KEPT.match(href):
            return match.group(0)
        path, hash_mark, fragment = href.partition("#")
        if path.startswith("/"):
            href = link(href)
        elif offline and (path.endswith("/") or path in (".", "..")):
            href = path.rstrip("/") + "/index.html" + hash_mark + fragment
        return match.group(1) + href + match.group(3)

    body_html = _HREF.sub(fix, body_html)
    return _IMG_SRC.sub(fix, body_html) if "<img" in body_html else body_html


# --- Images: the site paths an <img> may show (content/media/ files only) --------------------------

URL_PREFIX = "/media/"
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def is_local(src: str) -> bool:
    """A path on this site: no scheme, no '//host' (nor '/\\host', which browsers read the same way),
    and no tab or line break, which browsers delete ('/\\t/host' is '//host')."""
    src = src.strip()
    return (bool(src) and not _SCHEME.match(src) and not src.startswith("//") and "\\" not in src
            and not any(c in src for c in "\t\n\r"))


def media_name(src: str, page_url: str) -> str | None:
    """The file name in content/media/ that an <img src> on the page at page_url points to, if any."""
    if not is_local(src):
        return None
    path = src.split("#", 1)[0].split("?", 1)[0]
    base = page_url if page_url.endswith("/") else posixpath.dirname(page_url) + "/"
    resolved = posixpath.normpath(posixpath.join(base, path))
    if not resolved.startswith(URL_PREFIX) or "/" in resolved[len(URL_PREFIX):]:
        return None
    return resolved[len(URL_PREFIX):]
