"""The build, stage by stage: config -> sources -> validation -> site -> outputs -> files."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import hashlib
import itertools
import os
import time
from pathlib import Path

from typing import TYPE_CHECKING

from generator.incremental import freshness
from generator.core.fsutil import CacheDamaged, CacheRefused
from generator.incremental.cachedir import code_fingerprint, empty_cache, locked_cache
from generator.config import PROJECT_TEMPLATES, SiteConfig, template_dirs
from generator.core.diagnostics import Diagnostic, DiagnosticError, Severity, display_path, error, note
from generator.core.locks import DEFAULT_WAIT_SECONDS, LockTimeout, exclusive, lock_file
from generator.core.parallel import default_jobs, fewer_collections
from generator.core.progress import Progress
from generator.core.types import BuildReport, Summary, Inputs

if TYPE_CHECKING:
    pass


def freshness_key(config: SiteConfig, out_dir: Path, profile: str) -> str:
    """Everything besides the files that the output depends on."""
    return hashlib.sha256(f"{code_fingerprint()}\n{config!r}\n{out_dir.resolve()}\n{profile}".encode()).hexdigest()


def build_date() -> dt.date:
    """Today, or the day of SOURCE_DATE_EPOCH when set, for embargoes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"SOURCE_DATE_EPOCH is {epoch.strip()}, not a time in seconds since 1970 that a date "
                             f"can hold: set it to seconds, e.g. $(git log -1 --format=%ct)") from None
    return dt.datetime.now(dt.timezone.utc).date()


def build(config: SiteConfig, out_dir: Path | None = None, *, write: bool = True, strict: bool = False,
          profile: str = "web", today: dt.date | None = None, progress: Progress | None = None,
          jobs: int | None = None, use_cache: bool = True, keep: bool = False, previous=None,
          scanned: tuple | None = None, wait: float = DEFAULT_WAIT_SECONDS, drafts: bool = False) -> BuildReport:
    """Build the site. A process that builds again and again (the preview) passes keep=True and
    then each report's ``snapshot`` as ``previous``: an edit to items' text then patches the last
    build (generator/incremental/patch.py) instead of running every stage again. ``scanned`` is what
    freshness.scan() found just now in the content folder and the template folders, when the
    caller looked (the preview's watcher does); the build looks itself otherwise. ``drafts``
    (the preview's serve --drafts only, into a folder of its own) shows drafts and embargoed
    items, marked as not published.

    The build holds the cache's lock and the output's (generator/core/locks.py) from start to end,
    waiting up to ``wait`` seconds for another process that holds them. A fault of the disk or
    of the cache is a message, never a traceback; a cache found damaged is emptied, and the
    build runs again without it."""
    started = time.perf_counter()
    out_dir = Path(out_dir or config.output_dir)
    progress = progress or Progress()
    cache_dir: Path | None = None

    def failed(*diagnostics: Diagnostic) -> BuildReport:
        progress.finish()
        return BuildReport(diagnostics, None, 0, 0, None, time.perf_counter() - started)

    with fewer_collections(), contextlib.ExitStack() as held:
        try:
            if use_cache:
                cache_dir = held.enter_context(locked_cache(config.root / ".cache", wait))
            if write:
                lock_file(out_dir).parent.mkdir(parents=True, exist_ok=True)
                held.enter_context(exclusive(lock_file(out_dir), f"{display_path(out_dir)}/", wait))
            notes: tuple[Diagnostic, ...] = ()
            for attempt in (1, 2):
                try:
                    report = _build(config, out_dir, write, strict, profile, today, progress, jobs, cache_dir, keep,
                                    previous, scanned, started, drafts)
                    break
                except CacheDamaged as exc:
                    if attempt == 2:
                        raise
                    # Emptied, the cache is only a slower build: this one runs again from the content.
                    forget_cache_in_memory()
                    empty_cache(cache_dir)
                    previous = None
                    notes = (note(Path(exc.path), None, f"the build cache was damaged ({exc.detail}): it was emptied, "
                                                        f"and this build made everything again"),)
            return dataclasses.replace(report, diagnostics=tuple(sorted(notes + report.diagnostics,
                                                                        key=lambda d: d.sort_key))) if notes else report
        except CacheRefused as exc:
            return failed(error(config.root / ".cache", None, str(exc)))
        except LockTimeout as exc:
            return failed(error(out_dir, None, str(exc)))
        except OSError as exc:
            return failed(fault(exc, out_dir, cache_dir))


def fault(exc: OSError, out_dir: Path, cache_dir: Path | None) -> Diagnostic:
    """One line for a failed file operation during a build: the path, the system's reason, what to do."""
    path = Path(os.fsdecode(exc.filename)) if exc.filename else out_dir
    in_cache = cache_dir is not None and (path == cache_dir or cache_dir in path.parents)
    if in_cache and out_dir.parent != cache_dir and cache_dir not in out_dir.parents:
        doing, fix = "cannot write the build cache", "build with --no-cache"
    else:
        doing, fix = "cannot write the site", "the previous output is unchanged"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = f"free some space and build again ({fix})"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        fix = f"make it writable ({fix})"
    return error(path, None, f"{doing}: {exc.strerror or exc}: {fix}")


def forget_cache_in_memory() -> None:
    """What this process keeps of the cache between builds (the preview's), for when it is emptied."""
    from generator import search
    from generator.incremental import bodies
    from generator.incremental import documents as cache

    cache.forget_saved()
    bodies.forget_stores()
    search.forget_blocks()


def _build(config: SiteConfig, out_dir: Path, write: bool, strict: bool, profile: str,
           today: dt.date | None, progress: Progress, jobs: int | None, cache_dir: Path | None,
           keep: bool, previous, scanned: tuple | None, started: float, drafts: bool = False) -> BuildReport:
    diagnostics: list[Diagnostic] = []

    def report(site=None, written=0, rendered=0, reused=0, cache_hits=0) -> BuildReport:
        progress.finish()
        ordered = tuple(sorted(diagnostics, key=lambda d: d.sort_key))
        return BuildReport(ordered, site, written, rendered, out_dir if written else None,
                           time.perf_counter() - started, reused, cache_hits, Summary.of(site, ordered, written, rendered))

    try:
        today = today or build_date()
    except ValueError as exc:
        diagnostics.append(error(Path("SOURCE_DATE_EPOCH"), None, str(exc)))
        return report()
    watched = ()
    if write and cache_dir:
        # Nothing changed since the build that wrote this output: say what it said, do nothing.
        key = freshness_key(config, out_dir, profile + ("+drafts" if drafts else ""))
        watched = scanned if scanned is not None else freshness.scan([config.content_dir, *map(Path, template_dirs(config))],
                                                                      config.read_roots)
        summary = freshness.current(cache_dir, out_dir, profile, key, watched, today)
        if summary is not None:
            progress.finish()
            return BuildReport(summary.diagnostics, None, summary.files_written, 0, out_dir,
                               time.perf_counter() - started, 0, 0, summary, True, previous if keep else None)
        freshness.forget(cache_dir, out_dir, profile)
        if previous is not None and keep and not strict:
            from generator.incremental import patch

            patched = patch.apply(previous, config, out_dir, profile, key, watched, today, cache_dir)
            if patched is not None:
                progress.finish()
                kept = patched.snapshot
                return BuildReport(kept.diagnostics + patched.leftover, kept.site, kept.files_written, patched.rendered, out_dir,
                                   time.perf_counter() - started, patched.reused, patched.cache_hits,
                                   Summary.of(kept.site, kept.diagnostics, kept.files_written, kept.pages),
                                   snapshot=kept, patched=True)

    # The stages are loaded only now: a build that finds nothing changed (above) must not spend
    # most of its time loading the renderer, Markdown and the search index.
    from generator.incremental import pages as incremental
    from generator.site.assemble import assemble

    from generator.output.manifest import MANIFEST_NAME
    from generator.output.removals import purge_other_outputs, removed_files, write_purge_list
    from generator.output.render import SiteRenderer, render_jobs
    from generator.content.sources import discover
    from generator.templatefiles import template_problems
    from generator.content.validate import validate
    from generator.output.write import MARKER, OutputWriter, check_output_dir

    progress.stage("reading and checking content")
    sources, problems = discover(config)
    diagnostics.extend(problems)
    diagnostics.extend(template_problems(config))
    content, problems = validate(sources, config, jobs=jobs or default_jobs(), cache_dir=cache_dir)
    diagnostics.extend(problems)
    site, problems = assemble(content, today, cache_dir, drafts=drafts)
    diagnostics.extend(problems)
    if any(d.severity is Severity.ERROR or (strict and d.severity is Severity.WARNING) for d in diagnostics):
        return report(site)
    processes = jobs or default_jobs()
    renderer = snapshot = None
    try:
        if write:
            check_output_dir(out_dir, (config.root, config.content_dir, config.templates_dir),
                             sources=(config.content_dir, config.templates_dir, PROJECT_TEMPLATES))
        renderer = SiteRenderer(config, site, profile, cache_dir)
        page_jobs = renderer.page_jobs()
        work = incremental.plan(page_jobs, out_dir, profile, cache_dir if write else None)
        writer = OutputWriter(out_dir, work.distrust) if write else None
        if writer:
            writer.open()
            before = _files_of(out_dir)
        # While page workers render, this process makes the search index (otherwise it waits).
        rendered = render_jobs(renderer, list(work.to_render), processes, writer.store if writer else None,
                               alongside=renderer.start_search)
        entries = itertools.chain(work.reused, progress.count(rendered, "rendering", total=len(work.to_render)),
                                  renderer.other_outputs())
        if writer:
            result = writer.finish(entries, pending=[job.path for job in work.to_render], stop=rendered.close)
            written, pages = result.files, result.html_pages
            if result.leftover is not None:
                diagnostics.append(result.leftover)
            removed = removed_files(before, result.hashes, site.withheld, (item.url for item in site.items))
            try:  # the new site is in place: a fault from here on is said as such
                stats = freshness.output_stats(out_dir, (*result.hashes, MANIFEST_NAME, MARKER)) if cache_dir else {}
                incremental.save(cache_dir, out_dir, profile, work.fingerprints, result.hashes, stats)
                # With a leftover copy, nothing is recorded as current: the next build is a real one, and removes it.
                if cache_dir and result.leftover is None:
                    dates = tuple(sorted({d.publish_after for d in content.documents if getattr(d, "publish_after", None)}))
                    ordered = tuple(sorted(diagnostics, key=lambda d: d.sort_key))
                    inputs = Inputs(key, watched, dates)
                    freshness.save(cache_dir, out_dir, profile, inputs, today, Summary.of(site, ordered, written, pages), stats)
                    if keep:
                        from generator.incremental.patch import Snapshot
                        from generator.search import file_names

                        renderer.wait_for_search()
                        snapshot = Snapshot(key, inputs, freshness.racy_hashes(watched), today, content, site,
                                            renderer.for_site(site), ordered, result.hashes, work.fingerprints, stats,
                                            written, pages, file_names(cache_dir))
                write_purge_list(out_dir, config.base_url, removed)
                purge_other_outputs(cache_dir, out_dir, removed)
            except OSError as exc:
                diagnostics.append(fault(exc, out_dir, cache_dir))
                snapshot = None
        else:
            written, pages = 0, sum(1 for entry in entries if entry.path.endswith(".html"))
            removed = ()
        reused = len(work.reused)
    except DiagnosticError as exc:
        diagnostics.extend(exc.diagnostics)
        return report(site)
    finally:
        if renderer is not None:
            renderer.wait_for_search()
    return dataclasses.replace(report(site, written, pages, reused, content.cache_hits), snapshot=snapshot,
                               removed=removed)


def _files_of(out_dir: Path) -> dict[str, str]:
    """What the output held before this build (its manifest), to say what the build removed."""
    from generator.output.manifest import ManifestError, read_manifest

    try:
        return dict(read_manifest(out_dir)) if out_dir.is_dir() else {}
    except ManifestError:
        return {}
