"""Patch the last build after edits to the text of items: the live preview's quick rebuild.

A preview keeps what its last build made (a Snapshot). When the only files changed since
then are articles or testimonies whose edit leaves all but their text as it was (their card:
title, date, tags, summary and every other field; whether they are published; the images
they show), the new site differs from the last one in those items' text only. The text shows
on the item's own page, in the feed and in the search index, nowhere else
(SiteRenderer.item_job and feed_job); those are made again, and every other file is the last
build's. Anything else, or any doubt, gives None, and the full build runs instead: the
output is the same bytes either way (tests/test_incremental.py checks this against clean
builds).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from generator.incremental import freshness, pages as incremental
from generator.core.types import MonthGroup, Site, TagGroup, Output, SourceFile, ReusedFile, Summary, ValidContent, Inputs
from generator.privacy.rules import withholding_reason
from generator.core.safefs import hash_regular
from generator.incremental.documents import DocumentCache
from generator.incremental.bodies import open_store
from generator.config import SiteConfig
from generator.core.diagnostics import Diagnostic, Severity
from generator.output.manifest import MANIFEST_NAME
from generator.output.render import SiteRenderer
from generator.search import file_names, is_index_file
from generator.content.sources import COLLECTIONS
from generator.content.validate import check_file
from generator.output.write import MARKER, OutputWriter

# More changed files than this is not an edit but a checkout, a search and replace...: a full build.
MOST_FILES = 16


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a build that wrote the output made, for the next build of the same process to patch."""

    key: str  # build.freshness_key: settings, profile, output folder, code
    inputs: Inputs
    racy: Mapping[str, str]  # freshness.racy_hashes of the inputs when the build ended
    today: dt.date
    content: ValidContent
    site: Site
    renderer: SiteRenderer
    diagnostics: tuple[Diagnostic, ...]  # sorted, as the report gives them
    hashes: Mapping[str, str]  # output path -> sha256
    fingerprints: Mapping[str, str]  # page path -> fingerprint (incremental.Plan)
    stats: Mapping[str, tuple[int, int, int]]  # freshness.output_stats of every output file
    files_written: int
    pages: int
    search_files: Mapping[str, str]  # search.file_names(): what the index files in the output are


@dataclass(frozen=True, slots=True)
class Patched:
    snapshot: Snapshot
    rendered: int  # files made again
    reused: int  # pages kept from the last build
    cache_hits: int
    leftover: tuple[Diagnostic, ...] = ()  # the new output is in place, but the old copy could not be removed


def apply(previous: Snapshot, config: SiteConfig, out_dir: Path, profile: str, key: str, watched, today: dt.date,
          cache_dir: Path | None) -> Patched | None:
    if cache_dir is None or previous.key != key or previous.content.settings is None:
        return None
    low, high = sorted((previous.today, today))
    if any(low < date <= high for date in previous.inputs.dates):  # an embargo ended or began
        return None
    changed = freshness.changed_files(previous.inputs.files, previous.racy, watched)
    if not changed or len(changed) > MOST_FILES:
        return None
    documents = {str(document.path): document for document in previous.content.documents}
    kinds = {str(config.content_dir / folder): (kind, suffixes) for folder, (kind, suffixes) in COLLECTIONS.items()
             if kind != "page"}
    for path in changed:
        kind, suffixes = kinds.get(os.path.dirname(path), (None, ()))
        if kind is None or not path.endswith(suffixes) or getattr(documents.get(path), "kind", None) != kind:
            return None
    renderer = previous.renderer
    if renderer.shows_any_text_anywhere:  # the site's own templates: any page may show any text
        return None
    if freshness.output_stats(out_dir, previous.stats) != previous.stats:  # output files changed by hand
        return None

    cache = DocumentCache(cache_dir, previous.content.settings, open_store(cache_dir))
    results, swap, problems = {}, {}, []
    for path in sorted(changed):
        old = documents[path]
        digest = hash_regular(path)
        result, file_problems = check_file(SourceFile(Path(path), old.kind), digest, cache, previous.content.tags,
                                           config, previous.content.media_names)
        new = result.document
        if (not digest or new is None or any(p.severity is Severity.ERROR for p in file_problems)
                or type(new) is not type(old) or new.url != old.url or new.card != old.card
                or new.images != old.images
                or withholding_reason(new, today) != withholding_reason(old, previous.today)):
            return None  # not the text alone (or an error, which the full build reports)
        results[path] = (digest, result)
        swap[id(old)] = new
        problems.extend(file_problems)

    content = _content(previous.content, swap, {Path(path): result.allowances for path, (_, result) in results.items()})
    site = _site(previous.site, swap, content)
    renderer = renderer.for_site(site)
    diagnostics = tuple(sorted([*(d for d in previous.diagnostics if str(d.path) not in changed), *problems],
                               key=lambda d: d.sort_key))
    edited = {id(new) for new in swap.values()}
    shown = [item for item in site.items if id(item) in edited]  # the published ones
    hashes, fingerprints, stats = previous.hashes, previous.fingerprints, previous.stats
    search_files = previous.search_files
    files_written, pages = previous.files_written, previous.pages
    made = {}
    leftover: tuple[Diagnostic, ...] = ()
    if shown:
        jobs = []
        for item in shown:
            kind_items = site.articles if item.kind == "article" else site.testimonies
            jobs.append(renderer.item_job(kind_items, next(n for n, other in enumerate(kind_items) if other is item)))
        if profile == "web" and any(id(item) in edited for item in site.items[:config.feed_items]):
            jobs.append(renderer.feed_job())
        made = {job.path: renderer.render_job(job) for job in jobs}
        # The index files that are still the output's bytes come back as None: kept, not read.
        index = renderer.index_files(processes=1, known=previous.search_files)
        made.update((path, Output(path, data)) for path, data in index if data is not None)
        base = f"{out_dir}/"
        index_paths = {path for path, _data in index}
        gone = {path for path in previous.hashes if is_index_file(path)} - index_paths  # fewer shards now
        entries = [ReusedFile(path, base + path, sha) for path, sha in previous.hashes.items()
                   if path not in made and path not in gone]
        writer = OutputWriter(out_dir)
        writer.open()
        result = writer.finish([*entries, *made.values()])
        leftover = (result.leftover,) if result.leftover else ()
        search_files = file_names(cache_dir)
        hashes, files_written, pages = result.hashes, result.files, result.html_pages
        fingerprints = {**previous.fingerprints, **{job.path: job.fingerprint for job in jobs}}
        # Every file, not only those made: a file the copy held may be another file with the same bytes.
        stats = freshness.output_stats(out_dir, (*hashes, MANIFEST_NAME, MARKER))
        incremental.save(cache_dir, out_dir, profile, fingerprints, hashes, stats)
    cache.keep_all_but(results)
    cache.save()
    inputs = Inputs(key, watched, previous.inputs.dates)
    if not leftover:  # with a leftover copy beside the output, the next build is a real one and removes it
        freshness.save(cache_dir, out_dir, profile, inputs, today,
                       Summary.of(site, diagnostics, files_written, pages), stats)
    snapshot = dataclasses.replace(previous, inputs=inputs, racy=freshness.racy_hashes(watched), today=today,
                                   content=content, site=site, renderer=renderer, diagnostics=diagnostics,
                                   hashes=hashes, fingerprints=fingerprints, stats=stats, search_files=search_files,
                                   files_written=files_written, pages=pages)
    return Patched(snapshot, len(made), pages - sum(1 for path in made if path.endswith(".html")),
                   len(documents) - len(changed), leftover)


def _content(content: ValidContent, swap: dict[int, object], allowances: dict[Path, tuple]) -> ValidContent:
    """The content with the edited documents, and their PII-guard allowances, in their places."""
    documents = tuple(swap.get(id(document), document) for document in content.documents)
    order = {document.path: n for n, document in enumerate(documents)}
    kept = [allowance for allowance in content.allowances if allowance.path not in allowances]
    for path, found in allowances.items():
        at = next((n for n, allowance in enumerate(kept) if order.get(allowance.path, -1) > order[path]), len(kept))
        kept[at:at] = found
    return dataclasses.replace(content, documents=documents, allowances=tuple(kept))


def _site(site: Site, swap: dict[int, object], content: ValidContent) -> Site:
    """The site with each edited item in place of the one it replaces, wherever that one was."""
    def fixed(items: tuple) -> tuple:
        if not any(map(swap.__contains__, map(id, items))):
            return items
        return tuple(swap.get(id(item), item) for item in items)

    published = {item.path for item in site.items} | {page.path for page in site.pages}
    return dataclasses.replace(
        site,
        articles=fixed(site.articles),
        testimonies=fixed(site.testimonies),
        items=fixed(site.items),
        tag_groups=tuple(TagGroup(group.tag, fixed(group.items)) for group in site.tag_groups),
        timeline=tuple(MonthGroup(m.year, m.month, m.label, fixed(m.items)) for m in site.timeline),
        related=_related(site.related, fixed),
        translations=_related(site.translations, fixed),
        allowances=tuple(a for a in content.allowances if a.path in published),
    )


def _related(related: Mapping[str, tuple], fixed) -> Mapping[str, tuple]:
    changed = {url: fixed(items) for url, items in related.items() if fixed(items) is not items}
    return {**related, **changed} if changed else related
