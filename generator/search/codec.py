"""Numbers in the index files: 5 bits a character, the sixth bit says "more follows"; lists of
item ids as gaps. search.js decodes them."""

from __future__ import annotations

import bisect
import itertools
import json
from typing import Iterable, Sequence


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def encode_number(value: int) -> str:
    chars = []
    while True:
        low, value = value & 31, value >> 5
        chars.append(ALPHABET[low | (32 if value else 0)])
        if not value:
            return "".join(chars)


_SMALL = tuple(encode_number(v) for v in range(4096))
_ONE_PLACE = tuple(_SMALL[1] + _SMALL[v] for v in range(4096))  # one position, the common case


def encode(value: int) -> str:
    return _SMALL[value] if value < 4096 else encode_number(value)


def encode_numbers(values: Iterable[int]) -> str:
    return "".join(encode(v) for v in values)


def decode_numbers(text: str) -> list[int]:
    """The inverse of encode_numbers (search.js has the same loop); used by tests and the bench."""
    values, value, shift = [], 0, 0
    for char in text:
        digit = ALPHABET.index(char)
        value |= (digit & 31) << shift
        if digit & 32:
            shift += 5
        else:
            values.append(value)
            value, shift = 0, 0
    return values


def encode_gaps(doc_ids: Sequence[int]) -> str:
    """Ascending ids as gaps: first id, then (id - previous id - 1)."""
    previous, parts = -1, []
    for doc_id in doc_ids:
        parts.append(encode(doc_id - previous - 1))
        previous = doc_id
    return "".join(parts)


# --- index files: classic scripts, which load from file:// ----------------------------------------

def script(shard_id: str, *payload: str) -> bytes:
    """A classic script that hands its data to the page; harmless if opened on its own."""
    args = ",".join(json.dumps(p, ensure_ascii=True) for p in payload)
    return f'window.__chorusShard&&__chorusShard("{shard_id}",{args});\n'.encode("ascii")


def balanced_cuts(sizes: Sequence[int], target: int) -> list[int]:
    """Start indexes of runs of about equal byte size, as close to target as whole entries allow:
    run k starts at the first entry after the last start with at least k/count of the bytes before it."""
    total = sum(sizes)
    count = max(1, round(total / target))
    running = [0, *itertools.accumulate(sizes)]  # bytes before each entry
    cuts = [0]
    for next_cut in range(1, count):
        index = bisect.bisect_left(running, total * next_cut / count, cuts[-1] + 1, len(sizes))
        if index >= len(sizes):
            break
        cuts.append(index)
    return cuts
