"""The build, in one recipe: freshness -> [the preview's patch] -> content -> site -> outputs ->
write -> records. `_recipe()` reads top to bottom as that list; what each stage makes is a
frozen record declared in core/types.py.

The stages are imported only once the build knows it has work to do (`_Stages`): a build that
finds nothing changed (incremental/freshness.py) must not spend its time loading the renderer,
Markdown or the search index.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import hashlib
import itertools
import os
import time
from contextlib import ExitStack
from pathlib import Path

from generator.config import SiteConfig, template_dirs
from generator.core.diagnostics import Diagnostic, DiagnosticError, Severity, display_path, error, note
from generator.core.fsutil import CacheDamaged, CacheRefused
from generator.core.locks import LockTimeout, exclusive, lock_file
from generator.core.parallel import default_jobs, fewer_collections
from generator.core.progress import Progress
from generator.core.types import BuildOptions, BuildReport, Inputs, Site, Summary, ValidContent
from generator.incremental import freshness
from generator.incremental.cachedir import code_fingerprint, empty_cache, locked_cache
from generator.incremental.session import Built, RebuildSession, Run


def build(config: SiteConfig, options: BuildOptions = BuildOptions(),
          session: RebuildSession | None = None) -> BuildReport:
    """Build the site with these options. A process that builds the same site again and again
    (the preview) passes its session: an edit to items' text then patches the last build
    (incremental/patch.py) instead of running every stage again.

    The build holds the cache's lock and the output's (core/locks.py) from start to end,
    waiting up to ``options.wait`` seconds for another process that holds them. A fault of the
    disk or of the cache is a message, never a traceback; a cache found damaged is emptied,
    and the build runs again without it."""
    started = time.perf_counter()
    out_dir = Path(options.out_dir or config.output_dir)
    cache_dir: Path | None = None
    with fewer_collections(), ExitStack() as held:
        try:
            if options.use_cache:
                cache_dir = held.enter_context(locked_cache(config.root / ".cache", options.wait))
            if options.write:
                lock_file(out_dir).parent.mkdir(parents=True, exist_ok=True)
                held.enter_context(exclusive(lock_file(out_dir), f"{display_path(out_dir)}/", options.wait))
            try:
                return _recipe(config, options, session, out_dir, cache_dir, started)
            except CacheDamaged as exc:
                # Emptied, the cache is only a slower build: this one runs again from the content.
                forget_cache_in_memory(session)
                empty_cache(cache_dir)
                report = _recipe(config, options, session, out_dir, cache_dir, started)
                damaged = note(Path(exc.path), None, f"the build cache was damaged ({exc.detail}): it was emptied, "
                                                     f"and this build made everything again")
                return dataclasses.replace(report, diagnostics=_sorted((damaged, *report.diagnostics)))
        except CacheRefused as exc:
            failure = error(config.root / ".cache", None, str(exc))
        except LockTimeout as exc:
            failure = error(out_dir, None, str(exc))
        except OSError as exc:
            failure = fault(exc, out_dir, cache_dir)
    (options.progress or Progress()).finish()
    return BuildReport((failure,), None, 0, 0, None, time.perf_counter() - started)


def _recipe(config: SiteConfig, options: BuildOptions, session: RebuildSession | None, out_dir: Path,
            cache_dir: Path | None, started: float) -> BuildReport:
    """The stages, in order. Every problem goes into ``diagnostics``; the build stops before
    writing anything when one is an error (or, with --strict, a warning)."""
    diagnostics: list[Diagnostic] = []
    progress = options.progress or Progress()
    try:
        today = options.today or build_date()
    except ValueError as exc:
        return _report(progress, started, [error(Path("SOURCE_DATE_EPOCH"), None, str(exc))])
    run = _run(config, options, session, out_dir, cache_dir, today, started)
    if run.key:  # a build that writes, with a cache: it may have nothing to do
        if (summary := freshness.current(cache_dir, out_dir, options.profile, run.key, run.watched, today)) is not None:
            progress.finish()  # nothing changed since the build that wrote this output: say what it said
            return BuildReport(summary.diagnostics, None, summary.files_written, 0, out_dir,
                               time.perf_counter() - started, summary=summary, up_to_date=True)
        freshness.forget(cache_dir, out_dir, options.profile)
        if session is not None and (patched := session.try_patch(run)) is not None:
            progress.finish()
            return patched
    if session is not None:
        session.forget()

    stages = _Stages()
    progress.stage("reading and checking content")
    sources = _collect(diagnostics, stages.discover(config))
    diagnostics.extend(stages.template_problems(config))
    content = _collect(diagnostics, stages.validate(sources, config, jobs=options.jobs or default_jobs(),
                                                    cache_dir=cache_dir))
    site = _collect(diagnostics, stages.assemble(content, today, cache_dir, drafts=options.drafts))
    if any(d.severity is Severity.ERROR or (options.strict and d.severity is Severity.WARNING) for d in diagnostics):
        return _report(progress, started, diagnostics, site)

    return _outputs(stages, run, session, content, site, diagnostics, progress)


def _outputs(stages: _Stages, run: Run, session: RebuildSession | None, content: ValidContent, site: Site,
             diagnostics: list[Diagnostic], progress: Progress) -> BuildReport:
    """Render the site's pages and files, write them (``check``: count them) and record the build."""
    config, options, out_dir, cache_dir, started = run.config, run.options, run.out_dir, run.cache_dir, run.started
    renderer = None
    try:
        if options.write:
            stages.check_output_dir(out_dir, (config.root, config.content_dir, config.templates_dir),
                                    sources=(config.content_dir, config.templates_dir, stages.PROJECT_TEMPLATES))
        renderer = stages.SiteRenderer(config, site, options.profile, cache_dir)
        work = stages.plan_pages(renderer.page_jobs(), out_dir, options.profile, cache_dir if options.write else None)
        writer = stages.OutputWriter(out_dir, work.distrust) if options.write else None
        if writer:
            before = stages.previous_files(out_dir)
            writer.open()
        # While page workers render, this process makes the search index (otherwise it waits).
        rendered = stages.render_jobs(renderer, list(work.to_render), options.jobs or default_jobs(),
                                      writer.store if writer else None, alongside=renderer.start_search)
        entries = itertools.chain(work.reused, progress.count(rendered, "rendering", total=len(work.to_render)),
                                  renderer.other_outputs())
        if writer is None:  # `check`: every page is rendered, nothing is written
            pages = sum(1 for entry in entries if entry.path.endswith(".html"))
            return _report(progress, started, diagnostics, site, 0, pages, len(work.reused), content.cache_hits)
        result = writer.finish(entries, pending=[job.path for job in work.to_render], stop=rendered.close)
        removed = stages.removed_files(before, result.hashes, site.withheld, (item.url for item in site.items))
        _records(stages, run, session, Built(Inputs(run.key, run.watched, stages.publication_dates(content.documents)),
                                             content, site, renderer, (), result, work.fingerprints, {}),
                 removed, diagnostics)
    except DiagnosticError as exc:
        diagnostics.extend(exc.diagnostics)
        return _report(progress, started, diagnostics, site)
    finally:
        if renderer is not None:
            renderer.wait_for_search()
    report = _report(progress, started, diagnostics, site, result.files, result.html_pages, len(work.reused),
                     content.cache_hits)
    return dataclasses.replace(report, out_dir=out_dir, removed=removed)


def _records(stages: _Stages, run: Run, session: RebuildSession | None, built: Built, removed: tuple,
             diagnostics: list[Diagnostic]) -> None:
    """Once the new site is in place: what the next build needs (incremental/records.py), the
    session's copy, and the list of what stopped being published. A fault from here on is said
    as such: the site is written, only what comes after is missing."""
    result = built.result
    if result.leftover is not None:
        diagnostics.append(result.leftover)
    options, out_dir, cache_dir = run.options, run.out_dir, run.cache_dir
    try:
        stats = stages.record_outputs(cache_dir, out_dir, options.profile, built.fingerprints, result.hashes)
        ordered = _sorted(diagnostics)
        stages.record_current(cache_dir, out_dir, options.profile, built.inputs, run.today,
                              Summary.of(built.site, ordered, result.files, result.html_pages), stats,
                              leftover=result.leftover is not None)
        if session is not None and run.key and result.leftover is None:
            session.remember(run, dataclasses.replace(built, diagnostics=ordered, stats=stats))
        stages.write_purge_list(out_dir, run.config.base_url, removed)
        stages.purge_other_outputs(cache_dir, out_dir, removed)
    except OSError as exc:
        diagnostics.append(fault(exc, out_dir, cache_dir))
        if session is not None:
            session.forget()


class _Stages:
    """The stages' entry points, imported when a build has work to do (not on the no-change path)."""

    def __init__(self) -> None:
        from generator.config import PROJECT_TEMPLATES
        from generator.content.sources import discover
        from generator.content.validate import validate
        from generator.incremental.pages import plan as plan_pages
        from generator.incremental.records import record_current, record_outputs
        from generator.output.removals import previous_files, purge_other_outputs, removed_files, write_purge_list
        from generator.output.render import SiteRenderer, render_jobs
        from generator.output.write import OutputWriter, check_output_dir
        from generator.privacy.rules import publication_dates
        from generator.site.assemble import assemble
        from generator.templatefiles import template_problems

        self.PROJECT_TEMPLATES = PROJECT_TEMPLATES
        self.discover = discover
        self.validate = validate
        self.plan_pages = plan_pages
        self.record_current = record_current
        self.record_outputs = record_outputs
        self.previous_files = previous_files
        self.purge_other_outputs = purge_other_outputs
        self.removed_files = removed_files
        self.write_purge_list = write_purge_list
        self.SiteRenderer = SiteRenderer
        self.render_jobs = render_jobs
        self.OutputWriter = OutputWriter
        self.check_output_dir = check_output_dir
        self.publication_dates = publication_dates
        self.assemble = assemble
        self.template_problems = template_problems


def _run(config: SiteConfig, options: BuildOptions, session: RebuildSession | None, out_dir: Path,
         cache_dir: Path | None, today: dt.date, started: float) -> Run:
    """The build's settings; with a cache and an output to write, what it depends on besides them."""
    key, watched = "", ()
    if options.write and cache_dir:
        key = freshness_key(config, out_dir, options.profile + ("+drafts" if options.drafts else ""))
        folders = (config.content_dir, *map(Path, template_dirs(config)))
        watched = session.scanned(folders) if session is not None else None
        if watched is None:
            watched = freshness.scan(folders, config.read_roots)
    return Run(config, options, out_dir, cache_dir, key, watched, today, started)


def _report(progress: Progress, started: float, diagnostics, site=None, written: int = 0, rendered: int = 0,
            reused: int = 0, cache_hits: int = 0) -> BuildReport:
    progress.finish()
    ordered = _sorted(diagnostics)
    return BuildReport(ordered, site, written, rendered, None, time.perf_counter() - started, reused, cache_hits,
                       Summary.of(site, ordered, written, rendered))


def _collect(diagnostics: list[Diagnostic], made: tuple):
    """A stage's (value, problems): the problems join the build's, the value is handed on."""
    value, problems = made
    diagnostics.extend(problems)
    return value


def _sorted(diagnostics) -> tuple[Diagnostic, ...]:
    return tuple(sorted(diagnostics, key=lambda d: d.sort_key))


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


def forget_cache_in_memory(session: RebuildSession | None = None) -> None:
    """What this process keeps of the cache between builds (the preview's), for when it is emptied."""
    from generator import search
    from generator.incremental import bodies, documents

    documents.forget_saved()
    bodies.forget_stores()
    search.forget_blocks()
    if session is not None:
        session.forget()
