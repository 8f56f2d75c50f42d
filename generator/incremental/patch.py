"""Patch the last build after edits to the text of items: the live preview's quick rebuild.

A preview keeps what its last build made (a Snapshot). When the only files changed since
then are articles or testimonies whose edit leaves all but their text as it was (their card:
title, date, tags, summary and every other field; whether they are published; the images
they show), the new site differs from the last one in those items' text only. The text shows
on the item's own page, in the feed and in the search index, nowhere else
(the routes marked shows_text in generator/output/routes.py); those are made again, and every other file is the last
build's. Anything else, or any doubt, gives None, and the full build runs instead: the
output is the same bytes either way (tests/test_incremental.py checks this against clean
builds).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from generator.incremental import freshness
from generator.core.types import MonthGroup, Site, TagGroup, Output, SourceFile, ReusedFile, Summary, ValidContent, Inputs, BuildReport
from generator.privacy.rules import dates_between, withholding_reason
from generator.incremental.records import record_current, record_outputs
from generator.incremental.session import Built, Run
from generator.core.safefs import hash_regular
from generator.incremental.documents import DocumentCache
from generator.incremental.bodies import open_store
from generator.config import SiteConfig
from generator.core.diagnostics import Diagnostic, Severity
from generator.output.render import SiteRenderer
from generator.search import file_names, is_index_file
from generator.content.sources import COLLECTIONS
from generator.content.validate import check_file
from generator.output.write import OutputWriter

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
    """The last build patched to the files as they are now, or None when a full build is needed."""
    if cache_dir is None or previous.key != key or previous.content.settings is None:
        return None
    if dates_between(previous.inputs.dates, previous.today, today):  # an embargo ended or began
        return None
    changed = freshness.changed_files(previous.inputs.files, previous.racy, watched)
    if not changed or len(changed) > MOST_FILES or not _items_only(previous, config, changed):
        return None
    if previous.renderer.shows_any_text_anywhere:  # the site's own templates: any page may show any text
        return None
    if freshness.output_stats(out_dir, previous.stats) != previous.stats:  # output files changed by hand
        return None
    cache = DocumentCache(cache_dir, previous.content.settings, open_store(cache_dir))
    edits = _reread(previous, config, changed, cache, today)
    if edits is None:
        return None
    results, swap, problems = edits
    content = _content(previous.content, swap, {Path(path): result.allowances for path, (_, result) in results.items()})
    site = _site(previous.site, swap, content)
    renderer = previous.renderer.for_site(site)
    diagnostics = tuple(sorted([*(d for d in previous.diagnostics if str(d.path) not in changed), *problems],
                               key=lambda d: d.sort_key))
    edited = {id(new) for new in swap.values()}
    shown = [item for item in site.items if id(item) in edited]  # the published ones
    snapshot = dataclasses.replace(previous, content=content, site=site, renderer=renderer, diagnostics=diagnostics)
    made, snapshot, leftover = _rewrite(snapshot, config, out_dir, profile, cache_dir, shown, edited) if shown \
        else ({}, snapshot, ())
    cache.keep_all_but(results)
    cache.save()
    inputs = Inputs(key, watched, previous.inputs.dates)
    record_current(cache_dir, out_dir, profile, inputs, today,
                   Summary.of(site, diagnostics, snapshot.files_written, snapshot.pages), snapshot.stats,
                   leftover=bool(leftover))
    snapshot = dataclasses.replace(snapshot, inputs=inputs, racy=freshness.racy_hashes(watched), today=today)
    return Patched(snapshot, len(made), snapshot.pages - sum(1 for path in made if path.endswith(".html")),
                   len(previous.content.documents) - len(changed), leftover)


def _items_only(previous: Snapshot, config: SiteConfig, changed: set[str]) -> bool:
    """Whether every changed file is an article or testimony the last build read."""
    kinds = {str(config.content_dir / folder): (kind, suffixes) for folder, (kind, suffixes) in COLLECTIONS.items()
             if kind != "page"}
    documents = {str(document.path): document for document in previous.content.documents}
    for path in changed:
        kind, suffixes = kinds.get(os.path.dirname(path), (None, ()))
        if kind is None or not path.endswith(suffixes) or getattr(documents.get(path), "kind", None) != kind:
            return False
    return True


def _reread(previous: Snapshot, config: SiteConfig, changed: set[str], cache: DocumentCache, today: dt.date):
    """Each changed file through the per-file stage: (results, old document id -> new document,
    problems), or None when an edit changed more than the text (its card, address, images or
    whether it is published), or has an error (the full build reports it)."""
    documents = {str(document.path): document for document in previous.content.documents}
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
            return None
        results[path] = (digest, result)
        swap[id(old)] = new
        problems.extend(file_problems)
    return results, swap, problems


def _rewrite(snapshot: Snapshot, config: SiteConfig, out_dir: Path, profile: str, cache_dir: Path,
             shown: list, edited: set[int]) -> tuple[dict, Snapshot, tuple[Diagnostic, ...]]:
    """Make again the only files that show items' text (the routes marked shows_text: each edited
    item's page, the feed when it lists one; and the search index), keep every other file of the
    last build, swap."""
    renderer = snapshot.renderer
    jobs = renderer.jobs_showing_text(shown, edited)  # the routes marked shows_text
    made = {job.path: renderer.render_job(job) for job in jobs}
    # The index files that are still the output's bytes come back as None: kept, not read.
    index = renderer.index_files(processes=1, known=snapshot.search_files)
    made.update((path, Output(path, data)) for path, data in index if data is not None)
    base = f"{out_dir}/"
    index_paths = {path for path, _data in index}
    gone = {path for path in snapshot.hashes if is_index_file(path)} - index_paths  # fewer shards now
    entries = [ReusedFile(path, base + path, sha) for path, sha in snapshot.hashes.items()
               if path not in made and path not in gone]
    writer = OutputWriter(out_dir)
    writer.open()
    result = writer.finish([*entries, *made.values()])
    fingerprints = {**snapshot.fingerprints, **{job.path: job.fingerprint for job in jobs}}
    stats = record_outputs(cache_dir, out_dir, profile, fingerprints, result.hashes)
    snapshot = dataclasses.replace(snapshot, hashes=result.hashes, fingerprints=fingerprints, stats=stats,
                                   search_files=file_names(cache_dir), files_written=result.files,
                                   pages=result.html_pages)
    return made, snapshot, ((result.leftover,) if result.leftover else ())


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


class PatchSession:
    """The live preview's RebuildSession (incremental/session.py): it keeps what its last full
    build made and patches it when only items' text changed since (apply(), above). The
    preview's watcher tells it what it saw (look()), so the build need not look again."""

    def __init__(self) -> None:
        self.kept: Snapshot | None = None
        self.last_look: tuple[tuple[Path, ...], tuple | None] = ((), None)  # the folders, and what scan() found
        self.patched = False  # whether the last build was a patch

    def look(self, folders: tuple[Path, ...], files: tuple) -> None:
        self.last_look = (tuple(folders), files)

    def scanned(self, folders: tuple[Path, ...]) -> tuple | None:
        looked_at, files = self.last_look
        return files if tuple(folders) == looked_at else None

    def try_patch(self, run: Run) -> BuildReport | None:
        self.patched = False
        if self.kept is None or run.options.strict:
            return None
        patched = apply(self.kept, run.config, run.out_dir, run.options.profile, run.key, run.watched, run.today,
                        run.cache_dir)
        if patched is None:
            return None
        self.kept = kept = patched.snapshot
        self.patched = True
        return BuildReport(kept.diagnostics + patched.leftover, kept.site, kept.files_written, patched.rendered,
                           run.out_dir, time.perf_counter() - run.started, patched.reused, patched.cache_hits,
                           Summary.of(kept.site, kept.diagnostics, kept.files_written, kept.pages), patched=True)

    def forget(self) -> None:
        self.kept = None
        self.patched = False

    def remember(self, run: Run, built: Built) -> None:
        renderer = built.renderer
        renderer.wait_for_search()  # the index files it names are those of this build
        self.kept = Snapshot(run.key, built.inputs, freshness.racy_hashes(run.watched), run.today, built.content,
                             built.site, renderer.for_site(built.site), built.diagnostics, built.result.hashes,
                             built.fingerprints, built.stats, built.result.files, built.result.html_pages,
                             file_names(run.cache_dir))
