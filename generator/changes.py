"""What a commit publishes: the site at an earlier revision and the working tree's, compared
address by address, each change with its reason (for `diff --since REV`, and a pull request
comment with --format markdown)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from generator.config import load_config
from generator.core.diagnostics import Diagnostic
from generator.output.manifest import diff_manifests, page_address

# Fields that say nothing a reader sees (where the file is, what was cached) are left out of
# the comparison of two versions of an item.
_NOT_SHOWN = {"path", "body", "body_markdown", "body_line", "card", "fingerprint", "images"}


class DiffFailed(Exception):
    """The comparison could not be made; str() says why, or .diagnostics holds a build's problems."""

    def __init__(self, message: str, diagnostics: tuple[Diagnostic, ...] = ()):
        super().__init__(message)
        self.diagnostics = diagnostics


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # "added" | "removed" | "changed"
    address: str
    reason: str


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise DiffFailed(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed")
    return done.stdout


def _build(config_path: Path, out: Path, use_cache: bool):
    from generator.core.types import BuildOptions
    from generator.pipeline import build  # the stages are loaded only when a comparison is made

    config, problems = load_config(config_path)
    if config is None:
        raise DiffFailed("the config cannot be read", tuple(problems))
    report = build(config, BuildOptions(out, use_cache=use_cache))
    if report.errors:
        raise DiffFailed("the build failed", report.errors)
    from generator.output.manifest import read_manifest

    return report.site, dict(read_manifest(out))


def changes_since(config_path: Path, rev: str) -> tuple[Change, ...]:
    """Build ``rev`` (in a temporary git worktree) and the working tree, and compare."""
    config_path = Path(os.path.abspath(config_path))
    top = Path(_git(config_path.parent, "rev-parse", "--show-toplevel").strip())
    commit = _git(top, "rev-parse", "--verify", f"{rev}^{{commit}}").strip()
    with tempfile.TemporaryDirectory(prefix="chorus-diff-") as tmp:
        before_tree = Path(tmp) / "before"
        _git(top, "worktree", "add", "--detach", "--quiet", str(before_tree), commit)
        try:
            before_site, before = _build(before_tree / config_path.relative_to(top), Path(tmp) / "before-site", False)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before_tree)], cwd=top, capture_output=True)
        after_site, after = _build(config_path, Path(tmp) / "after-site", True)
    return explain(before_site, before, after_site, after)


def _state(item) -> tuple:
    """What a reader sees of an item: every shown field and its text."""
    fields = tuple((f.name, getattr(item, f.name)) for f in dataclasses.fields(item) if f.name not in _NOT_SHOWN)
    return fields + (("text", item.body_text),)


def explain(before_site, before: Mapping[str, str], after_site, after: Mapping[str, str]) -> tuple[Change, ...]:
    """Each address whose file was added, removed or changed, with why."""
    old_items = {item.url: item for item in before_site.items}
    new_items = {item.url: item for item in after_site.items}
    withheld = {w.url: w.reason for w in after_site.withheld if getattr(w, "url", "")}
    edited = {url for url in old_items.keys() & new_items.keys() if _state(old_items[url]) != _state(new_items[url])}
    touched = edited | (old_items.keys() ^ new_items.keys())
    titles_changed = {url for url in edited if old_items[url].title != new_items[url].title}
    found: list[Change] = []
    diff = diff_manifests(before, after)
    for kind, paths in (("added", diff.added), ("removed", diff.removed), ("changed", diff.changed)):
        for path in paths:
            if not (path.endswith((".html", ".xml", ".json", ".csv")) or path.startswith("media/")):
                continue  # the search index's files and static files are summed up below
            address = page_address(path)
            found.append(Change(kind, address, _reason(kind, address, old_items, new_items, withheld, edited,
                                                       titles_changed, before_site, after_site)))
    index = [p for p in (*diff.added, *diff.removed, *diff.changed) if p.startswith("search/") and not p.endswith(".html")]
    if index:
        found.append(Change("changed", "/search/", f"the search index ({len(index)} of its files), for "
                                                  f"{len(touched)} item(s) added, edited or removed" if touched else
                                                  f"the search index ({len(index)} of its files)"))
    statics = [p for p in (*diff.added, *diff.removed, *diff.changed) if p.startswith("static/")]
    if statics:
        found.append(Change("changed", "/static/", f"the style sheet, scripts or other static files ({len(statics)})"))
    return tuple(sorted(found, key=lambda c: (c.address, c.kind)))


def _reason(kind, address, old_items, new_items, withheld, edited, titles_changed, before_site, after_site) -> str:
    if address in new_items or address in old_items:
        if kind == "added":
            return "a new item" if address not in old_items else "published again"
        if kind == "removed":
            return withheld.get(address, "deleted")
        if address in edited:
            return "its own item edited"
        old, new = old_items[address], new_items[address]
        neighbours = _neighbours(before_site, old) != _neighbours(after_site, new)
        if neighbours or any(url in titles_changed for url in _neighbours(after_site, new)):
            return "its newer/older link"
        if [i.url for i in before_site.related.get(address, ())] != [i.url for i in after_site.related.get(address, ())] \
                or any(i.url in edited for i in after_site.related.get(address, ())):
            return "its related items"
        return "site-wide: templates, config, tags or pages in the menu"
    if address == "/tags/":
        return "the list of tags"
    for prefix, what in (("/articles/", "the list of articles"), ("/testimonies/", "the list of testimonies"),
                         ("/tags/", "a tag page"), ("/timeline/", "the timeline"), ("/data/", "the data export"),
                         ("/media/", "an image"), ("/search/", "the search page")):
        if address.startswith(prefix):
            return what
    return {"/": "the home page", "/tags/": "the list of tags", "/feed.xml": "the feed", "/sitemap.xml": "the sitemap",
            "/404.html": "the page-not-found page"}.get(address, "a page")


def _neighbours(site, item) -> tuple[str, ...]:
    items = site.of_kind(item.kind)
    urls = [i.url for i in items]
    at = urls.index(item.url)
    return tuple(urls[max(0, at - 1):at] + urls[at + 1:at + 2])


def as_text(changes: tuple[Change, ...]) -> str:
    if not changes:
        return "no changes\n"
    return "".join(f"{c.kind}: {c.address} ({c.reason})\n" for c in changes)


def as_markdown(changes: tuple[Change, ...], rev: str) -> str:
    """A pull-request comment: what this change publishes, address by address."""
    if not changes:
        return f"**Chorus:** this change publishes nothing new compared with `{rev}`.\n"
    counts = {kind: sum(1 for c in changes if c.kind == kind) for kind in ("added", "changed", "removed")}
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    lines = [f"**Chorus:** what this change publishes, compared with `{rev}`: {summary}.", "",
             "| | address | why |", "|---|---|---|"]
    lines += [f"| {c.kind} | `{c.address}` | {c.reason} |" for c in changes]
    return "\n".join(lines) + "\n"
