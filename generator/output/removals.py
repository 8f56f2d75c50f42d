"""What a build stopped publishing, said to the editor and written down for the places that kept a copy.

When consent is withdrawn, the testimony must end everywhere Chorus can reach: the output
(the build does that), the other outputs Chorus keeps for the same site (the preview's and
the offline bundle's folders in .cache/, purged at once, without waiting for their next
build), and a list of the addresses for a CDN or web server cache to purge. What Chorus
cannot reach (search engines, web archives, feed readers, bundles already handed out) is
the editor's checklist in docs/privacy.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from generator.core.fsutil import write_atomically
from generator.output.manifest import ManifestError, page_address, read_manifest
from generator.core.urls import absolute_url
from generator.output.write import _prune, _remove


@dataclass(frozen=True, slots=True)
class Removed:
    path: str  # the output file, 'testimonies/t011/index.html'
    address: str  # how readers knew it, '/testimonies/t011/'
    reason: str  # "consent withdrawn", "draft", "embargoed", "deleted", "no longer built"


def _readable(path: str) -> bool:
    """Pages and images: what readers, caches and search engines know by address."""
    return path.endswith(".html") or path.startswith("media/")


def removed_files(before: Mapping[str, str], after: Mapping[str, str], withheld: Iterable,
                  item_urls: Iterable[str]) -> tuple[Removed, ...]:
    """The pages and images the previous output had and this one has not, each with why."""
    reasons = {w.url: w.reason for w in withheld if getattr(w, "url", "")}
    known = set(item_urls)
    found = []
    for path in sorted(set(before) - set(after)):
        if not _readable(path):
            continue
        address = page_address(path)
        if address in reasons:
            reason = reasons[address]
        elif address.startswith(("/articles/", "/testimonies/")) and address.count("/") == 3 \
                and "/page/" not in address and address not in known:
            reason = "deleted"
        else:
            reason = "no longer built"
        found.append(Removed(path, address, reason))
    return tuple(found)


def purge_list(out_dir: Path) -> Path:
    """Beside the output: the absolute addresses the last build that changed it removed."""
    out_dir = Path(os.path.abspath(out_dir))
    return out_dir.parent / f".{out_dir.name}.removed.txt"


def write_purge_list(out_dir: Path, base_url: str, removed: Iterable[Removed]) -> None:
    """One absolute address a line; no file when the build removed nothing."""
    lines = "".join(f"{absolute_url(base_url, r.address)}\n" for r in removed)
    if lines:
        write_atomically(purge_list(out_dir), lines.encode("utf-8"))
    else:
        purge_list(out_dir).unlink(missing_ok=True)


def purge_other_outputs(cache_dir: Path | None, out_dir: Path, removed: Iterable[Removed]) -> None:
    """Delete the removed pages and images from every other output Chorus keeps for this site
    (the previews' and the offline bundle's, and the copies beside them), at once. The caller
    holds the cache lock, so none of them is being built; their next build sees the change."""
    if cache_dir is None:
        return
    paths = [r.path for r in removed if r.reason != "no longer built"]
    if not paths:
        return
    this = Path(os.path.abspath(out_dir))
    for entry in sorted(cache_dir.iterdir()):
        name = entry.name.removeprefix(".").removesuffix(".building")
        if not (name.startswith("preview-") or name == "offline-site") or not entry.is_dir() or entry.is_symlink():
            continue
        if entry == this or Path(os.path.abspath(entry)) == this:
            continue
        for path in paths:
            target = entry / path
            if target.is_file() or target.is_symlink():
                _remove(target)
                _prune(target, entry)


def previous_files(out_dir: Path) -> dict[str, str]:
    """What the output held before this build (its manifest), to say what the build removed."""
    try:
        return dict(read_manifest(out_dir)) if out_dir.is_dir() else {}
    except ManifestError:
        return {}

