"""Incremental builds: reuse the previous build's file for every page whose inputs did not change.

The previous build's page fingerprints live in the cache folder, one file per output folder
and profile, with what the file system said of every file it wrote. A page is reused only
when its fingerprint is the same and the previous output still holds the very file that
build wrote: its size, modification time and inode are unchanged (a file edited or deleted
by hand in the output is made again).
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from generator.core.fsutil import write_atomically
from generator.incremental.freshness import output_stats
from generator.core.types import PageJob, ReusedFile


@dataclass(frozen=True, slots=True)
class Plan:
    to_render: tuple[PageJob, ...]
    reused: tuple[ReusedFile, ...]
    fingerprints: Mapping[str, str] = field(default_factory=dict)  # output path -> fingerprint
    distrust: frozenset[str] = frozenset()  # output files changed by something other than a build


def state_file(cache_dir: Path, out_dir: Path, profile: str) -> Path:
    key = hashlib.sha256(f"{out_dir.resolve()}\n{profile}".encode()).hexdigest()[:16]
    return cache_dir / f"pages-{key}.pickle"


def plan(jobs: list[PageJob], out_dir: Path, profile: str, cache_dir: Path | None) -> Plan:
    fingerprints = {job.path: job.fingerprint for job in jobs if job.fingerprint}
    previous = _load(state_file(cache_dir, out_dir, profile)) if cache_dir else {}
    if previous:
        now = output_stats(out_dir, previous)
        distrust = frozenset(path for path, entry in previous.items() if now[path] != entry[2])
    else:
        distrust = frozenset()
    to_render, reused = [], []
    base = f"{out_dir}/"
    for job in jobs:
        before = previous.get(job.path)
        if job.fingerprint and before and before[0] == job.fingerprint and job.path not in distrust:
            reused.append(ReusedFile(job.path, base + job.path, before[1]))
        else:
            to_render.append(job)
    return Plan(tuple(to_render), tuple(reused), fingerprints, distrust)


def save(cache_dir: Path | None, out_dir: Path, profile: str, fingerprints: Mapping[str, str],
         hashes: Mapping[str, str], stats: Mapping[str, tuple[int, int, int]]) -> None:
    """Record, for every file written, its page fingerprint (None: not a page), hash and stat."""
    if not cache_dir:
        return
    path = state_file(cache_dir, out_dir, profile)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {p: (fingerprints.get(p), sha, stats[p]) for p, sha in hashes.items() if p in stats}
    write_atomically(path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))


def _load(path: Path) -> dict:
    try:
        state = pickle.loads(path.read_bytes())
        if isinstance(state, dict) and all(isinstance(v, tuple) and len(v) == 3 for v in state.values()):
            return state
        return {}
    except Exception:  # missing, damaged or foreign: a full render
        return {}
