"""What the pipeline knows of a process that builds one site again and again (the preview).

The pipeline (generator/pipeline.py) hands each build's settings to such a session, which may
patch its last build instead of running every stage again (incremental/patch.py), and is told
what a full build made. The interface is defined here, below the pipeline, so the pipeline
never imports the patch and the patch never imports the pipeline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Protocol

from generator.config import SiteConfig
from generator.core.diagnostics import Diagnostic
from generator.core.types import BuildOptions, BuildReport, Inputs, Site, ValidContent, WriteResult
from generator.incremental.freshness import Entry


@dataclass(frozen=True, slots=True)
class Run:
    """One build's settings as the pipeline worked them out, before any stage runs."""

    config: SiteConfig
    options: BuildOptions
    out_dir: Path
    cache_dir: Path | None
    key: str  # freshness key: settings, profile, output folder, code (pipeline.freshness_key)
    watched: tuple[Entry, ...]  # freshness.scan() of the content and template folders
    today: dt.date
    started: float  # time.perf_counter() when the build began


@dataclass(frozen=True, slots=True)
class Built:
    """What a full build that wrote the output made, for the session to keep."""

    inputs: Inputs
    content: ValidContent
    site: Site
    renderer: object  # output.render.SiteRenderer (a layer above this one)
    diagnostics: tuple[Diagnostic, ...]  # sorted, as the report gives them
    result: WriteResult
    fingerprints: Mapping[str, str]  # page path -> fingerprint (incremental/pages.py)
    stats: Mapping[str, tuple[int, int, int]]  # freshness.output_stats of every output file


class RebuildSession(Protocol):
    """A builder of one site, again and again, in one process."""

    def scanned(self, folders: tuple[Path, ...]) -> tuple[Entry, ...] | None:
        """What the caller's own watcher found in these folders just now, or None: the build looks."""

    def try_patch(self, run: Run) -> BuildReport | None:
        """A report of the last build patched to the files as they are now, or None: run every stage."""

    def forget(self) -> None:
        """The last build is gone (a full build starts, or the cache was emptied)."""

    def remember(self, run: Run, built: Built) -> None:
        """A full build wrote the output and recorded it: keep what the next patch needs."""
