"""Spelling suggestions: the index's terms by skeleton (search.js suggests the nearest for a word
without matches, from file:// too)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Sequence

from generator.search.text import term_order
from generator.search.codec import ALPHABET
from generator.search.codec import balanced_cuts, script
from generator.search.text import STEM_MARK

SPELL_MIN_LENGTH = 4  # shorter words are not corrected: too many terms are one edit away
_DROP_VOWELS = str.maketrans(dict.fromkeys("aeiouy"))
_REPEATS_RE = re.compile(r"(.)\1+")


def skeleton(term: str) -> str:
    """The term without vowels after its first letter, with each run of one letter made one letter:
    a typo that doubles, drops or swaps vowels or doubles a letter ("weinstien", "harrassment")
    keeps the skeleton of the word meant. Mirrored in search.js."""
    return _REPEATS_RE.sub(r"\1", term[:1] + term[1:].translate(_DROP_VOWELS))


def spell_entry(term: str, size: int) -> tuple[bytes, str] | None:
    """A term's place in the spelling shards (its skeleton, then itself, as JavaScript orders
    strings) and its entry there, "term.P" with P its popularity: the bit length of its postings'
    length (size is what term_sizes gives), which changes only when they double or halve.
    None for a term that is never suggested."""
    if len(term) < SPELL_MIN_LENGTH or term.isdecimal() or term.endswith(STEM_MARK):
        return None
    popularity = min(63, (size - len(term) - 2).bit_length())
    return term_order(skeleton(term)) + b"\0\0" + term_order(term), f"{term}.{ALPHABET[popularity]}"


@dataclass(slots=True)
class Spelling:
    """The spelling shards' entries in order (keys and entries side by side), kept between builds so
    that an edit moves only the entries of the terms it changed."""

    keys: list[bytes]
    entries: list[str]

    @classmethod
    def of(cls, terms: Sequence[str], sizes: Sequence[int]) -> "Spelling":
        pairs = sorted(filter(None, map(spell_entry, terms, sizes)))
        return cls([key for key, _entry in pairs], [entry for _key, entry in pairs])

    def update(self, term: str, old_size: int | None, new_size: int | None) -> bool:
        """Move one term's entry (a size of None: not in the vocabulary); whether anything changed."""
        old = spell_entry(term, old_size) if old_size is not None else None
        new = spell_entry(term, new_size) if new_size is not None else None
        if old == new:
            return False
        if old is not None:
            at = bisect.bisect_left(self.keys, old[0])
            if at < len(self.keys) and self.keys[at] == old[0]:
                del self.keys[at], self.entries[at]
        if new is not None:
            at = bisect.bisect_left(self.keys, new[0])
            self.keys.insert(at, new[0])
            self.entries.insert(at, new[1])
        return True

    def shards(self, target: int) -> tuple[list[str], list[tuple[str, bytes]]]:
        """Files of entries of about target bytes, never cutting a skeleton's terms apart, and the
        first skeleton of each (the page looks a word's skeleton up among them)."""
        if not self.entries:
            return [], []
        keys = self.keys
        skeleton_ends = list(map(_skeleton_end, keys))
        same = lambda n: keys[n][:skeleton_ends[n]] == keys[n - 1][:skeleton_ends[n - 1]]  # noqa: E731
        cuts = [0]
        for cut in balanced_cuts([len(entry) + 1 for entry in self.entries], target)[1:]:
            while cut < len(keys) and same(cut):
                cut += 1
            if cut < len(keys) and cut > cuts[-1]:
                cuts.append(cut)
        firsts, files = [], []
        for number, (start, end) in enumerate(zip(cuts, cuts[1:] + [len(keys)])):
            firsts.append(keys[start][:skeleton_ends[start]].decode("utf-16-be"))
            files.append((f"search/spell/{number}.js", script(f"spell/{number}", ",".join(self.entries[start:end]))))
        return firsts, files


def _skeleton_end(key: bytes) -> int:
    """Where the skeleton ends in a key of spell_entry: at the first two zero bytes that start a
    UTF-16 code unit (U+0400 then "a" also holds two zero bytes, between the code units)."""
    at = key.find(b"\0\0")
    while at % 2:
        at = key.find(b"\0\0", at + 1)
    return at


def spell_shards(terms: Sequence[str], sizes: Sequence[int], target: int) -> tuple[list[str], list[tuple[str, bytes]]]:
    """The spelling shards of a vocabulary (sorted terms and what term_sizes gives for each)."""
    return Spelling.of(terms, sizes).shards(target)
