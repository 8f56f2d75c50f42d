"""Incremental builds: reuse the previous build's file for every page whose inputs did not change.

The previous build's page fingerprints live in the cache folder, one file per output folder
and profile. A page is reused only when its fingerprint is the same, and the previous output
still holds the very file that build wrote (its hash in that build's manifest matches).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from generator.manifest import ManifestError, read_manifest
from generator.render import PageJob
from generator.write import Reuse


@dataclass(frozen=True, slots=True)
class Plan:
    to_render: tuple[PageJob, ...]
    reused: tuple[Reuse, ...]
    fingerprints: Mapping[str, str] = field(default_factory=dict)  # output path -> fingerprint


def state_file(cache_dir: Path, out_dir: Path, profile: str) -> Path:
    key = hashlib.sha256(f"{out_dir.resolve()}\n{profile}".encode()).hexdigest()[:16]
    return cache_dir / f"pages-{key}.pickle"


def plan(jobs: list[PageJob], out_dir: Path, profile: str, cache_dir: Path | None) -> Plan:
    fingerprints = {job.path: job.fingerprint for job in jobs if job.fingerprint}
    previous = _load(state_file(cache_dir, out_dir, profile)) if cache_dir else {}
    try:
        manifest = read_manifest(out_dir) if previous else {}
    except ManifestError:
        manifest = {}
    to_render, reused = [], []
    for job in jobs:
        before = previous.get(job.path)
        sha = manifest.get(job.path)
        if job.fingerprint and before and before[0] == job.fingerprint and before[1] == sha:
            reused.append(Reuse(job.path, out_dir / job.path, sha))
        else:
            to_render.append(job)
    return Plan(tuple(to_render), tuple(reused), fingerprints)


def save(cache_dir: Path | None, out_dir: Path, profile: str, fingerprints: Mapping[str, str],
         hashes: Mapping[str, str]) -> None:
    if not cache_dir:
        return
    path = state_file(cache_dir, out_dir, profile)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {p: (fp, hashes[p]) for p, fp in fingerprints.items() if p in hashes}
    partial = path.with_suffix(".partial")
    partial.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(partial, path)


def _load(path: Path) -> dict:
    try:
        state = pickle.loads(path.read_bytes())
        return state if isinstance(state, dict) else {}
    except Exception:  # missing, damaged or foreign: a full render
        return {}
