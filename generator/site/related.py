"""Related items: for each item, a few others that share its tags, in a fixed order."""

from __future__ import annotations

import hashlib
import heapq
import pickle
from collections import Counter
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, Sequence

from generator.core.fsutil import write_atomically
from generator.core.model import Item

RELATED_LIMIT = 5
# Candidates are the items nearest in time within each shared tag, so the work per item
# grows with its number of tags, not with the size of the archive.
NEIGHBOURS_PER_TAG = 20


def related_items(items: Sequence[Item], tag_groups, cache_dir: Path | None = None) -> Mapping[str, tuple[Item, ...]]:
    """URL -> up to RELATED_LIMIT items, most shared tags first, then nearest in time, then newer.

    ``items`` is newest first; each tag group's items keep that order. Items are handled by
    their index in ``items`` (their rank), which keeps this cheap for large archives. The
    choice depends only on each item's address and tags in that order: when those are the
    previous build's, its choice is read back from the cache instead of made again.
    """
    key = hashlib.sha256(repr([(item.url, item.tags) for item in items]).encode()).hexdigest()
    saved = cache_dir / "related.pickle" if cache_dir else None
    if saved:
        try:
            previous_key, chosen = pickle.loads(saved.read_bytes())
            if previous_key == key and len(chosen) == len(items):
                return _by_url(items, chosen)
        except Exception:  # missing or damaged: choose again
            pass
    chosen = _choose(items, tag_groups)
    if saved:
        write_atomically(saved, pickle.dumps((key, chosen), protocol=pickle.HIGHEST_PROTOCOL))
    return _by_url(items, chosen)


def _by_url(items: Sequence[Item], chosen: list[tuple[int, ...]]) -> Mapping[str, tuple[Item, ...]]:
    get = items.__getitem__
    return MappingProxyType({item.url: tuple(map(get, best)) for item, best in zip(items, chosen)})


def _choose(items: Sequence[Item], tag_groups) -> list[tuple[int, ...]]:
    """For each item (by rank), the ranks of its related items."""
    index_of = {id(item): index for index, item in enumerate(items)}
    members = {group.tag.id: [index_of[id(item)] for item in group.items] for group in tag_groups}
    position = {(tag_id, index): place for tag_id, group in members.items() for place, index in enumerate(group)}
    chosen: list[tuple[int, ...]] = []
    for own, item in enumerate(items):
        shared: Counter[int] = Counter()
        for tag_id in item.tags:
            here = position.get((tag_id, own))
            if here is None:
                continue
            group = members[tag_id]
            shared.update(group[max(0, here - NEIGHBOURS_PER_TAG):here + NEIGHBOURS_PER_TAG + 1])
        shared.pop(own, None)
        best = heapq.nsmallest(RELATED_LIMIT, shared, key=lambda other: (-shared[other], abs(other - own), other))
        chosen.append(tuple(best))
    return chosen
