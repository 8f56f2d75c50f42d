"""Site URLs to links: relative links on the web, file-named links in the offline profile."""

from __future__ import annotations

import posixpath


def relative_link(target: str, from_url: str, offline: bool = False) -> str:
    """Link from the page at ``from_url`` to ``target`` (both site paths starting with '/').

    Relative links let the same site live under any path; the offline profile also names
    index.html, because file:// does not turn a folder into its index page.
    """
    path, hash_mark, fragment = target.partition("#")
    from_dir = from_url if from_url.endswith("/") else posixpath.dirname(from_url) + "/"
    if path == "":
        return target
    is_dir = path.endswith("/")
    link = posixpath.relpath(path, from_dir)
    if is_dir:
        link = "index.html" if link == "." and offline else ("./" if link == "." else link + "/")
        if offline and not link.endswith("index.html"):
            link += "index.html"
    return link + hash_mark + fragment


def output_file(url: str) -> str:
    """The file a site URL is written to, relative to the output folder."""
    path = url.lstrip("/")
    return path + "index.html" if url.endswith("/") else path


def absolute_url(base_url: str, url: str) -> str:
    return base_url.rstrip("/") + "/" + url.lstrip("/")
