"""Related items: for each item, a few others that share its tags, in a fixed order."""

from __future__ import annotations

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

    ``items`` is newest first; each tag group's items keep that order.
    """
    rank = {item.url: index for index, item in enumerate(items)}
    members = {group.tag.id: group.items for group in tag_groups}
    position = {(tag_id, item.url): index for tag_id, group in members.items() for index, item in enumerate(group)}
    by_url = {item.url: item for item in items}
    related: dict[str, tuple[Item, ...]] = {}
    for item in items:
        shared: Counter[str] = Counter()
        for tag_id in item.tags:
            group = members.get(tag_id, ())
            here = position.get((tag_id, item.url))
            if here is None:
                continue
            for other in group[max(0, here - NEIGHBOURS_PER_TAG):here + NEIGHBOURS_PER_TAG + 1]:
                if other.url != item.url:
                    shared[other.url] += 1
        own = rank[item.url]
        best = sorted(shared, key=lambda url: (-shared[url], abs(rank[url] - own), rank[url]))[:RELATED_LIMIT]
        related[item.url] = tuple(by_url[url] for url in best)
    return MappingProxyType(related)
