"""The build, stage by stage: config -> sources -> validation -> site -> outputs -> files."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generator.assemble import Site, assemble
from generator.config import PROJECT_TEMPLATES, SiteConfig
from generator.diagnostics import Diagnostic, DiagnosticError, Severity, error
from generator.progress import Progress
from generator import incremental
from generator.render import SiteRenderer, render_jobs
from generator.cache import prepare_cache_dir
from generator.documents import default_jobs
from generator.sources import discover
from generator.validate import validate
from generator.write import check_output_dir, write_outputs


@dataclass(frozen=True, slots=True)
class BuildReport:
    diagnostics: tuple[Diagnostic, ...]
    site: Site | None
    files_written: int
    pages_rendered: int
    out_dir: Path | None
    seconds: float
    pages_reused: int = 0  # pages whose inputs were unchanged, linked from the previous build
    files_cached: int = 0  # content files whose cached result was reused

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    @property
    def withheld_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(w.reason for w in self.site.withheld).items())) if self.site else {}


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
          jobs: int | None = None, use_cache: bool = True) -> BuildReport:
    started = time.perf_counter()
    out_dir = Path(out_dir or config.output_dir)
    diagnostics: list[Diagnostic] = []
    progress = progress or Progress()

    def report(site=None, written=0, rendered=0, reused=0, cache_hits=0) -> BuildReport:
        progress.finish()
        ordered = tuple(sorted(diagnostics, key=lambda d: d.sort_key))
        return BuildReport(ordered, site, written, rendered, out_dir if written else None,
                           time.perf_counter() - started, reused, cache_hits)

    progress.stage("reading and checking content")
    sources, problems = discover(config)
    diagnostics.extend(problems)
    cache_dir = prepare_cache_dir(config.root / ".cache") if use_cache else None
    content, problems = validate(sources, config, jobs=jobs or default_jobs(), cache_dir=cache_dir)
    diagnostics.extend(problems)
    try:
        today = today or build_date()
    except ValueError as exc:
        diagnostics.append(error(Path("SOURCE_DATE_EPOCH"), None, str(exc)))
        return report()
    site, problems = assemble(content, today)
    diagnostics.extend(problems)
    if any(d.severity is Severity.ERROR for d in diagnostics) or (strict and diagnostics):
        return report(site)
    processes = jobs or default_jobs()
    try:
        if write:
            check_output_dir(out_dir, (config.root, config.content_dir, config.templates_dir),
                             sources=(config.content_dir, config.templates_dir, PROJECT_TEMPLATES))
        renderer = SiteRenderer(config, site, profile, cache_dir)
        page_jobs = renderer.page_jobs()
        work = incremental.plan(page_jobs, out_dir, profile, cache_dir if write else None)
        rendered = render_jobs(renderer, list(work.to_render), processes)
        entries = itertools.chain(work.reused, progress.count(rendered, "rendering", total=len(work.to_render)),
                                  renderer.other_outputs())
        if write:
            result = write_outputs(entries, out_dir)
            incremental.save(cache_dir, out_dir, profile, work.fingerprints, result.hashes)
            written, pages = result.files, result.html_pages
        else:
            written, pages = 0, sum(1 for entry in entries if entry.path.endswith(".html"))
        reused = len(work.reused)
    except DiagnosticError as exc:
        diagnostics.extend(exc.diagnostics)
        return report(site)
    except OSError as exc:
        diagnostics.append(error(Path(exc.filename or out_dir), None, f"cannot write the site: {exc.strerror}"))
        return report(site)
    return report(site, written, pages, reused, content.cache_hits)
