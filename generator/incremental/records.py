"""What a build that wrote the output records for the next one, said once for the pipeline and
the preview's patch: the state of every output file, each page's fingerprint (incremental/pages.py),
and, unless the old copy is still beside the output, that this output is current for these
inputs (incremental/freshness.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Mapping

from generator.core.types import Inputs, Summary
from generator.incremental import freshness, pages
from generator.output.manifest import MANIFEST_NAME
from generator.output.write import MARKER


def record_outputs(cache_dir: Path | None, out_dir: Path, profile: str, fingerprints: Mapping[str, str],
                   hashes: Mapping[str, str]) -> dict[str, tuple[int, int, int]]:
    """Record the output's files and pages' fingerprints; what the file system says of each file
    (every one, not only those written: a file kept may be another file with the same bytes)."""
    stats = freshness.output_stats(out_dir, (*hashes, MANIFEST_NAME, MARKER)) if cache_dir else {}
    pages.save(cache_dir, out_dir, profile, fingerprints, hashes, stats)
    return stats


def record_current(cache_dir: Path | None, out_dir: Path, profile: str, inputs: Inputs, today: dt.date,
                   summary: Summary | None, stats: Mapping[str, tuple[int, int, int]], leftover: bool) -> None:
    """Record that the output is what these inputs give, so that a build with nothing changed
    does nothing. Not with a leftover copy beside the output: the next build is then a real one,
    and removes it."""
    if cache_dir and not leftover:
        freshness.save(cache_dir, out_dir, profile, inputs, today, summary, stats)
