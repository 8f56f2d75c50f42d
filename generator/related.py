"""Related items: for each item, a few others that share its tags, in a fixed order."""

from __future__ import annotations

import heapq
from collections import Counter
from types import MappingProxyType
from typing import Mapping, Sequence

from generator.model import Item

RELATED_LIMIT = 5
# Candidates are the items nearest in time within each shared tag, so the work per item
# grows with its number of tags, not with the size of the archive.
NEIGHBOURS_PER_TAG = 20


def related_items(items: Sequence[Item], tag_groups) -> Mapping[str, tuple[Item, ...]]:
    """URL -> up to RELATED_LIMIT items, most shared tags first, then nearest in time, then newer.

    ``items`` is newest first; each tag group's items keep that order. Items are handled by
    their index in ``items`` (their rank), which keeps this cheap for large archives.
    """
    index_of = {id(item): index for index, item in enumerate(items)}
    members = {group.tag.id: [index_of[id(item)] for item in group.items] for group in tag_groups}
    position = {(tag_id, index): place for tag_id, group in members.items() for place, index in enumerate(group)}
    related: dict[str, tuple[Item, ...]] = {}
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
        related[item.url] = tuple(items[other] for other in best)
    return MappingProxyType(related)
