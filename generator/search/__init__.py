"""The search index as outputs: normalised terms of published items, sharded into classic scripts.

Pages opened from file:// may not fetch() or import modules, so every index file is a classic
script that hands its data to ``__chorusShard(id, data)``; the search page injects only the
<script> tags a query needs. templates/static/search.js is the reading side of this module and
must normalise and tokenise text exactly as ``normalise`` and ``query_tokens`` do here.

Layout under search/ (doc ids are positions in ``site.items``, newest first):
  manifest.js        counts, first term of each terms and spell shard, records per docs shard
  facets.js          kind, year and content warnings of every item, tag names: to filter, count, hide
  tags.js            each tag's items, loaded to filter or count by tag
  phrases.js         first term of each positions shard, loaded only for "quoted phrases"
  terms/N.js         term -> postings: (doc gap, BM25F pseudo-frequency) pairs
  positions/N.js     term -> token positions per posting, loaded only for "quoted phrases"
  docs/N.js          what a result shows: url, title, kind, date, tags, warnings, summary, source or
                     region, language, the start of the text for excerpts
  spell/N.js         terms by skeleton, loaded only to suggest a spelling for a word without matches
  stem/*.js          the Snowball stemmers of the items' languages (generator/search/stemming.py), with the manifest

Terms are words folded as normalise() does; a run of Chinese or Japanese is indexed as its bigrams
(and its last character), and a word of an item in a language Snowball stems also under its stem
("testimoni!"), which the page looks up beside the word typed (docs/search.md, "Languages").

The package: text.py turns text into terms (as search.js does), ranking.py weighs the fields,
codec.py writes numbers and script files, spelling.py and records.py make the spelling shards and
what results and filters show, stemming.py translates the stemmers for the page; this module
inverts the items into blocks, keeps them in the cache, cuts the shards, and updates them in place
after an edit.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import hashlib
import itertools
import json
import multiprocessing
import pickle
import sys
import unicodedata
from array import array
from collections import Counter, defaultdict, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from operator import add, mul, sub
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Mapping, Sequence

from generator.core.fsutil import write_atomically
from generator.core.parallel import default_jobs
from generator.search import stemming
from generator.search.records import _last_facets, doc_record, facets
from generator.search.codec import _ONE_PLACE, _SMALL, encode, encode_numbers
from generator.search.spelling import Spelling
from generator.search.text import JOINS, MAX_TOKEN_LENGTH, _ASCII_BYTES, _ASCII_SEPARATORS, _CJK_RE, _all_words, joined_terms, term_order, tokens
from generator.search.ranking import BODY, FIELDS, FIELD_GAP, K1, TF_SCALE
from generator.search.codec import balanced_cuts, script
from generator.search.text import STEM_MARK
from generator.search.ranking import field_norms

if TYPE_CHECKING:
    from generator.core.model import Item

FORMAT_VERSION = 3


@dataclass(frozen=True, slots=True)
class ShardTargets:
    """Bytes per shard file; the index files are cut to about these sizes."""

    terms: int = 64_000
    positions: int = 96_000
    # Ten results usually sit in ten different doc shards, so these stay small.
    docs: int = 16_000
    # Loaded only for a word without matches, to suggest the nearest indexed terms.
    spell: int = 16_000


# --- inverting documents ---------------------------------------------------------------------------
#
# Two steps, both cached in .cache/search.pickle and both run in parallel processes:
#   analyse  one item's fields -> its words, their counts per field and encoded positions; this
#            depends only on the item's text, so an unchanged item is never tokenised again;
#   invert   a block of consecutive items' analyses -> encoded postings per term; this depends on
#            the block's items and the average field lengths, so a one-item edit redoes one block.
# Blocks number their items from 0 and are shifted when merged. Blocks are cut by position, so
# an insertion or deletion changes every later block, and those are inverted again from the
# cached analyses (no item is tokenised again).


def item_fields(item: Item, tag_labels: Mapping[str, str], warning_labels: Mapping[str, str]) -> tuple[str, ...]:
    """The indexed text of an item, in FIELDS order; nothing else about it is read. Labels are
    the ones readers see: a tag or warning id without a label is indexed as itself."""
    tags = " ".join(tag_labels.get(t, t) for t in item.tags)
    warnings = " ".join(warning_labels.get(w, w) for w in item.content_warnings)
    if item.kind == "article":
        region, source, byline = "", item.source, " ".join(item.authors)
    else:
        region, source, byline = item.region, "", item.pseudonym
    return (item.title, tags, region, warnings, source, byline, item.summary, item.body_text)


@dataclass(frozen=True, slots=True)
class Analysis:
    """One item's words, made compact to keep and to pass between processes."""

    lengths: tuple[int, ...]           # words per field
    terms: str                         # distinct terms, space-separated; those in the fields before the body first
    counts: array                      # occurrences of each term, joined spellings included
    head_counts: tuple[tuple[int, ...], ...]  # per leading term: occurrences in each field before the body
    positions: str                     # per term, comma-separated: count, first position, position gaps


def _consume(iterator: Iterator) -> None:
    """Run a map() for its effect: a loop in C instead of one Python statement per word."""
    deque(iterator, maxlen=0)


def _encode_places(places: list[int]) -> str:
    if len(places) == 1 and places[0] < 4096:
        return _ONE_PLACE[places[0]]
    if places[-1] < 4096:
        return _SMALL[len(places)] + _SMALL[places[0]] + "".join(map(_SMALL.__getitem__, map(sub, places[1:], places)))
    return encode(len(places)) + encode_numbers([places[0], *map(sub, places[1:], places)])


def analyse(fields: Sequence[str], algorithm: str | None = None) -> Analysis:
    """Number the words of all fields in one sequence, with a gap between fields (no phrase crosses
    it); with a Snowball algorithm (the item's language), count each word's stem too."""
    # Over-long words are rare: looking for them among the distinct terms is cheaper than in every word.
    return _analyse(fields, _all_words, algorithm) or _analyse(fields, tokens, algorithm)


def _analyse(fields: Sequence[str], split, algorithm: str | None) -> Analysis | None:
    """analyse(fields) with words from split(); None if they hold a word tokens() drops."""
    positions: defaultdict[str, list[int]] = defaultdict(list)
    head_counts: dict[str, list[int]] = {}
    stem_counts: list[Counter | None] = [None] * len(FIELDS)
    lengths, offset = [], 0
    for index, text in enumerate(fields):
        words = split(text) if text else []
        _consume(map(list.append, map(positions.__getitem__, words), itertools.count(offset)))
        joined = joined_terms(words) if any(w[-1] in positions for w, _j in JOINS) else ()
        for term, position in joined:
            positions[term].append(position + offset)
            positions[term].sort()
        if index != BODY:
            for term in itertools.chain(words, (term for term, _position in joined)):
                head_counts.setdefault(term, [0] * BODY)[index] += 1
        if algorithm and words:
            # In ASCII text the words are the text's own words, lower-cased; elsewhere a stemmer
            # needs the words with their accents, which the index's words have lost.
            stem_counts[index] = _stems_in(words if text.isascii() else _original_words(text), algorithm)
        lengths.append(len(words))
        offset += len(words) + FIELD_GAP
    if split is not tokens and positions and max(map(len, positions)) > MAX_TOKEN_LENGTH:
        return None
    # Terms seen in the fields before the body were inserted first, so they lead in `positions` too.
    places = positions.values()
    counts = array("I", map(len, places))
    if offset <= 4096:  # every position and count has a one- or two-character code in _SMALL
        encoded = _encode_small_places(places, counts)
    else:
        one_place, encoded_places = _ONE_PLACE, _encode_places
        encoded = ",".join([one_place[p[0]] if len(p) == 1 and p[0] < 4096 else encoded_places(p) for p in places])
    terms, heads = " ".join(positions), tuple(map(tuple, head_counts.values()))
    if any(stem_counts):
        return _with_stems(terms, counts, heads, encoded, stem_counts, tuple(lengths))
    return Analysis(tuple(lengths), terms, counts, heads, encoded)


_UNKNOWN = object()


def _stems_in(words: list[str], algorithm: str) -> Counter:
    """How often each stem stands in a field's words: a look-up and a count per word, in C."""
    stems = _stems_of(algorithm)
    found = list(map(stems.get, words, itertools.repeat(_UNKNOWN)))
    if _UNKNOWN in found:
        # From _stem's answers, not the cache again: a full cache does not keep them.
        met = {word: _stem(stems, word, algorithm) for word in {w for w, s in zip(words, found) if s is _UNKNOWN}}
        found = [met[word] if stem is _UNKNOWN else stem for word, stem in zip(words, found)]
    counted = Counter(found)
    counted.pop(None, None)
    return counted


def _with_stems(terms: str, counts: array, heads: tuple, encoded: str, stem_counts: list[Counter | None],
                lengths: tuple[int, ...]) -> Analysis:
    """An Analysis with the stems among its terms: those found in the fields before the body after
    the words found there (the terms with head counts lead), the others at the end. A stem has no
    positions (phrases are matched on words), and adds nothing to the field lengths."""
    names = terms.split(" ")
    lead = len(heads)
    places = encoded.split(",") if names else []
    in_head = [counter for counter in stem_counts[:BODY] if counter]
    head_stems = list(dict.fromkeys(stem for counter in in_head for stem in counter))
    body = stem_counts[BODY] or Counter()
    head_set = set(head_stems)
    body_stems = [stem for stem in body if stem not in head_set]
    empty = Counter()
    per_field = [counter or empty for counter in stem_counts[:BODY]]
    head_rows = tuple(tuple(counter[stem] for counter in per_field) for stem in head_stems)
    all_terms = names[:lead] + head_stems + names[lead:] + body_stems
    all_counts = array("I", counts[:lead])
    all_counts.extend(sum(row) + body[stem] for stem, row in zip(head_stems, head_rows))
    all_counts.extend(counts[lead:])
    all_counts.extend(map(body.__getitem__, body_stems))
    all_places = places[:lead] + [""] * len(head_stems) + places[lead:] + [""] * len(body_stems)
    return Analysis(lengths, " ".join(all_terms), all_counts, heads + head_rows, ",".join(all_places))


class _OriginalCharacters(dict):
    """Code point -> itself if it is a letter, number or mark (a word's, before folding), else a space."""

    def __missing__(self, code: int) -> int | str:
        value = code if unicodedata.category(chr(code))[0] in "LNM" else " "
        self[code] = value
        return value


_ORIGINAL_CHARACTERS = _OriginalCharacters()


def _original_words(text: str) -> list[str]:
    """The words of text as written, lower-cased (NFC), accents kept: what a stemmer needs. A word
    is a run of letters, numbers and marks, as search.js finds a query's words to stem them."""
    text = unicodedata.normalize("NFC", text.lower())
    if not text.isascii():
        table = _ORIGINAL_CHARACTERS
        for char in set(text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")):
            if table[ord(char)] == " ":
                text = text.replace(char, " ")
    return text.translate(_ASCII_SEPARATORS).split()


_STEMS: dict[str, dict[str, str | None]] = {}  # algorithm -> word -> stem term (or None), as met
MAX_STEMS_KEPT = 1_000_000


def _stems_of(algorithm: str) -> dict[str, str | None]:
    return _STEMS.setdefault(algorithm, {})


def _stem(stems: dict[str, str | None], word: str, algorithm: str) -> str | None:
    """The stem a word is indexed under, or None. A word that is its own stem ("law", "the") is not:
    search.js looks a stem up both as a stem and as a word, so the items where the word stands as it
    is are found by its own postings, which are not repeated (half the stems' postings in English)."""
    stem = stem_term(word, algorithm)
    if stem is not None and stem == (word if word.isascii() else "".join(tokens(word))) + STEM_MARK:
        stem = None
    if len(stems) < MAX_STEMS_KEPT:  # a preview that runs for days keeps no more
        stems[word] = stem
    return stem


def stem_term(word: str, algorithm: str) -> str | None:
    """The index term of a word's stem ("harassed" -> "harass!"), or None for a word that is not
    stemmed: one without a letter, with Chinese or Japanese (indexed as bigrams), with characters
    beyond U+FFFF (Python and JavaScript count them differently), or that is not one index word.
    ``word`` is lower case (NFC) with its accents: stemmers are written for the language as it is
    written; the stem is then folded like every term. search.js's stemTerm() is the same."""
    if not any(map(str.isalpha, word)) or _CJK_RE.search(word) or max(word) > "\uffff":
        return None
    if len(tokens(word)) != 1:
        return None
    stemmed = stemming.stem(word, algorithm)
    folded = tokens(stemmed) if stemmed else []
    return folded[0] + STEM_MARK if len(folded) == 1 else None


# Lists, not tuples: map() calls list.__getitem__ about twice as fast as tuple.__getitem__.
_SMALL_LIST = list(_SMALL)
_COMMA_SMALL = ["," + code for code in _SMALL]


def _encode_small_places(places: Iterable[list[int]], counts: array) -> str:
    """What ",".join(map(_encode_places, places)) gives when every number is below 4096, in a few
    passes over all the positions instead of a few calls per term: every position becomes the gap
    from the one before it (the first of each term's from 0), and each term's first code gets the
    comma and the count in front of it."""
    flat = list(itertools.chain.from_iterable(places))
    if not flat:
        return ""
    starts = list(itertools.accumulate(counts, initial=0))
    starts.pop()
    previous = [0, *flat]
    previous.pop()
    _consume(map(previous.__setitem__, starts, itertools.repeat(0)))
    codes = list(map(_SMALL_LIST.__getitem__, map(sub, flat, previous)))
    heads = list(map(_COMMA_SMALL.__getitem__, counts))
    heads[0] = heads[0][1:]
    heads = list(map(add, heads, map(codes.__getitem__, starts)))
    _consume(map(codes.__setitem__, starts, heads))
    return "".join(codes)


def average_lengths(lengths: Sequence[tuple[int, ...]]) -> tuple[float, ...]:
    """Mean words per field (from Analysis.lengths), to two significant figures so that one edit
    almost never moves them (a move changes the frequencies of every item, and so every term shard)."""
    return averages_of(list(map(sum, zip(*lengths, *[(0,) * len(FIELDS)]))), len(lengths))


def averages_of(totals: Sequence[int], count: int) -> tuple[float, ...]:
    """average_lengths from the words per field of all items together and the number of items."""
    count = max(1, count)
    return tuple(max(1.0, float(f"{total / count:.2g}")) for total in totals)


@dataclass(frozen=True, slots=True)
class Block:
    """Postings of consecutive items numbered from 0, as columns (few objects: quick to pickle)."""

    terms: str          # space-separated, in the order they were met
    firsts: array       # per term: first and last item holding it
    lasts: array
    rests: str          # per term, comma-separated: encoded postings after the first item id
    positions: str      # per term, comma-separated: encoded positions
    rest_ends: array    # per term: where its field in rests ends, so one term's part is a slice
    position_ends: array
    ids: array          # every posting's item, term after term, so that an edit can splice its own
    id_ends: array      # per term: where its ids end
# In a Block (never in the index files), SEPARATOR stands between a term's postings in rests and
# positions: an edit to one item replaces its postings without decoding the others.
SEPARATOR = ";"


def _field_ends(fields: list[str]) -> array:
    """Where each field of ",".join(fields) ends: field i is text[ends[i - 1] + 1:ends[i]]."""
    return array("I", map(add, itertools.accumulate(map(len, fields)), itertools.count()))


def restrict_block(block: Block, wanted: set[str]) -> Block:
    """The block with only the wanted terms it holds, so that merging it costs what they cost."""
    if len(wanted) <= 32:  # a few terms: look them up in the text, without splitting it
        padded, found = f" {block.terms} ", []
        for term in wanted:
            at = padded.find(f" {term} ")
            if at >= 0:
                found.append((padded.count(" ", 0, at), term))
        found.sort()
    else:
        names = block.terms.split(" ")
        found = list(zip(itertools.compress(itertools.count(), map(wanted.__contains__, names)),
                         itertools.compress(names, map(wanted.__contains__, names))))
    firsts, lasts, rests, places, ids, id_ends = array("I"), array("I"), [], [], array("I"), array("I")
    for index, _term in found:
        firsts.append(block.firsts[index])
        lasts.append(block.lasts[index])
        rests.append(block.rests[block.rest_ends[index - 1] + 1 if index else 0:block.rest_ends[index]])
        places.append(block.positions[block.position_ends[index - 1] + 1 if index else 0:block.position_ends[index]])
        ids.extend(block.ids[block.id_ends[index - 1] if index else 0:block.id_ends[index]])
        id_ends.append(len(ids))
    return Block(" ".join(term for _index, term in found), firsts, lasts, ",".join(rests), ",".join(places),
                 _field_ends(rests), _field_ends(places), ids, id_ends)


def invert_block(analyses: Sequence[Analysis], averages: tuple[float, ...]) -> Block:
    """Postings of consecutive items numbered from 0. Runs once per posting of the archive, so the
    per-posting work is table look-ups and C-level map() rather than Python statements."""
    postings: defaultdict[str, list] = defaultdict(list)
    for doc_id, analysis in enumerate(analyses):
        if not analysis.terms:
            continue
        names, frequencies, places = _doc_codes(analysis, averages)
        # Each term's list holds (id, frequency, positions) flat, in runs of three.
        lists = list(map(postings.__getitem__, names))
        _consume(map(list.append, lists, itertools.repeat(doc_id)))
        _consume(map(list.append, lists, frequencies))
        _consume(map(list.append, lists, places))
    return _block(postings, len(analyses))


def _doc_codes(analysis: Analysis, averages: tuple[float, ...]) -> tuple[list[str], list[str], list[str]]:
    """An item's terms, and for each its encoded BM25F pseudo-frequency and positions."""
    norms = field_norms(analysis.lengths, averages)
    body_norm = norms[BODY]
    by_count = {c: encode(max(1, round(c * body_norm))) for c in set(analysis.counts)}
    frequencies = list(map(by_count.__getitem__, analysis.counts))
    for index, (count, in_head) in enumerate(zip(analysis.counts, analysis.head_counts)):
        weighted = sum(map(mul, in_head, norms)) + (count - sum(in_head)) * body_norm
        frequencies[index] = encode(max(1, round(weighted)))
    return analysis.terms.split(" "), frequencies, analysis.positions.split(",")


def _block(postings: Mapping[str, list], count: int) -> Block:
    """The Block of per-term lists of (id, frequency code, positions code), flat in runs of three."""
    gap_codes = ["", *map(encode, range(count))]  # indexed by id - previous id
    firsts, lasts, rests, places, all_ids, id_ends = array("I"), array("I"), [], [], array("I"), array("I")
    for entries in postings.values():
        ids = entries[0::3]
        firsts.append(ids[0])
        lasts.append(ids[-1])
        all_ids.extend(ids)
        id_ends.append(len(all_ids))
        places.append(SEPARATOR.join(entries[2::3]))
        frequencies = entries[1::3]
        # The first posting's frequency, then each later posting's gap from the one before and frequency.
        frequencies[1:] = map(add, map(gap_codes.__getitem__, map(sub, ids[1:], ids)), frequencies[1:])
        rests.append(SEPARATOR.join(frequencies))
    return Block(" ".join(postings), firsts, lasts, ",".join(rests), ",".join(places), _field_ends(rests),
                 _field_ends(places), all_ids, id_ends)


def splice_block(block: Block, old: Mapping[int, Analysis], new: Mapping[int, Analysis],
                 averages: tuple[float, ...]) -> Block:
    """The block with the analyses of some of its items (by id in the block) replaced: what
    invert_block gives for the new analyses, with only those items' postings made again and the
    others kept as they are, unread."""
    changes: dict[str, dict[int, tuple[str, str] | None]] = defaultdict(dict)
    for doc_id, analysis in old.items():
        for term in analysis.terms.split(" ") if analysis.terms else ():
            changes[term][doc_id] = None
    for doc_id, analysis in new.items():
        if analysis.terms:
            for term, frequency, places in zip(*_doc_codes(analysis, averages)):
                changes[term][doc_id] = (frequency, places)
    wanted = set(changes)
    before = restrict_block(block, wanted)
    parts: dict[str, tuple[list[int], list[str], list[str]]] = {}
    if before.terms:
        for index, term in enumerate(before.terms.split(" ")):
            rest = before.rests[before.rest_ends[index - 1] + 1 if index else 0:before.rest_ends[index]]
            places = before.positions[before.position_ends[index - 1] + 1 if index else 0:before.position_ends[index]]
            ids = before.ids[before.id_ends[index - 1] if index else 0:before.id_ends[index]]
            parts[term] = (ids.tolist(), rest.split(SEPARATOR), places.split(SEPARATOR))
    names, firsts, lasts, all_rests, all_places, all_ids, id_ends = [], array("I"), array("I"), [], [], array("I"), array("I")
    for term, by_doc in changes.items():
        ids, rests, places = parts.get(term, ([], [], []))
        for doc_id in sorted(by_doc):
            at = bisect.bisect_left(ids, doc_id)
            if at < len(ids) and ids[at] == doc_id:
                _remove_posting(ids, rests, places, at)
            if by_doc[doc_id] is not None:
                _insert_posting(ids, rests, places, at, doc_id, *by_doc[doc_id])
        if ids:
            names.append(term)
            firsts.append(ids[0])
            lasts.append(ids[-1])
            all_rests.append(SEPARATOR.join(rests))
            all_places.append(SEPARATOR.join(places))
            all_ids.extend(ids)
            id_ends.append(len(all_ids))
    added = Block(" ".join(names), firsts, lasts, ",".join(all_rests), ",".join(all_places), _field_ends(all_rests),
                  _field_ends(all_places), all_ids, id_ends)
    return replace_terms(block, wanted, added)


def _frequency(ids: list[int], rests: list[str], at: int) -> str:
    """The frequency code of posting ``at``: its part of the rest without the gap code before it."""
    return rests[at] if at == 0 else rests[at][len(encode(ids[at] - ids[at - 1] - 1)):]


def _remove_posting(ids: list[int], rests: list[str], places: list[str], at: int) -> None:
    following = _frequency(ids, rests, at + 1) if at + 1 < len(ids) else None
    del ids[at], rests[at], places[at]
    if following is not None:
        rests[at] = following if at == 0 else encode(ids[at] - ids[at - 1] - 1) + following


def _insert_posting(ids: list[int], rests: list[str], places: list[str], at: int, doc_id: int,
                    frequency: str, positions: str) -> None:
    following = _frequency(ids, rests, at) if at < len(ids) else None
    ids.insert(at, doc_id)
    rests.insert(at, frequency if at == 0 else encode(doc_id - ids[at - 1] - 1) + frequency)
    places.insert(at, positions)
    if following is not None:
        rests[at + 1] = encode(ids[at + 1] - doc_id - 1) + following


def replace_terms(block: Block, dropped: set[str], added: Block) -> Block:
    """The block without the dropped terms' postings and with those of added (same items)."""
    names = block.terms.split(" ") if block.terms else []
    keep = list(itertools.compress(itertools.count(), map(dropped.__contains__, names)))
    keep = sorted(set(range(len(names))) - set(keep))
    rests = block.rests.split(",") if names else []
    places = block.positions.split(",") if names else []
    new_names, new_rests, new_places = [names[i] for i in keep], [rests[i] for i in keep], [places[i] for i in keep]
    firsts, lasts = array("I", (block.firsts[i] for i in keep)), array("I", (block.lasts[i] for i in keep))
    ids, id_ends = array("I"), array("I")
    for i in keep:
        ids.extend(block.ids[block.id_ends[i - 1] if i else 0:block.id_ends[i]])
        id_ends.append(len(ids))
    if added.terms:
        new_names += added.terms.split(" ")
        new_rests += added.rests.split(",")
        new_places += added.positions.split(",")
        firsts.extend(added.firsts)
        lasts.extend(added.lasts)
        id_ends.extend(end + len(ids) for end in added.id_ends)
        ids.extend(added.ids)
    return Block(" ".join(new_names), firsts, lasts, ",".join(new_rests), ",".join(new_places),
                 _field_ends(new_rests), _field_ends(new_places), ids, id_ends)


def merge_blocks(blocks: Sequence[tuple[int, Block]]) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Sorted terms, term -> encoded postings and term -> encoded positions, from (first id, block) pairs."""
    parts: defaultdict[str, list] = defaultdict(list)  # per term, flat runs of (first, last, rest, positions)
    for start, block in blocks:
        if not block.terms:
            continue
        lists = list(map(parts.__getitem__, block.terms.split(" ")))
        _consume(map(list.append, lists, map(add, block.firsts, itertools.repeat(start))))
        _consume(map(list.append, lists, map(add, block.lasts, itertools.repeat(start))))
        _consume(map(list.append, lists, block.rests.split(",")))
        _consume(map(list.append, lists, block.positions.split(",")))
    postings, positions = {}, {}
    for term, entries in parts.items():
        if len(entries) == 4:
            postings[term] = encode(entries[0]) + entries[2].replace(SEPARATOR, "")
            positions[term] = entries[3].replace(SEPARATOR, "")
            continue
        positions[term] = "".join(entries[3::4]).replace(SEPARATOR, "")
        # In place: [first, last, rest, positions, ...] -> [first id, rest, gap, rest, gap, rest...]
        gaps = map(sub, map(sub, entries[4::4], entries[1:-4:4]), itertools.repeat(1))
        entries[0::4] = [encode(entries[0]), *map(encode, gaps)]
        del entries[3::4]
        del entries[1::3]
        postings[term] = "".join(entries).replace(SEPARATOR, "")
    return sorted(parts, key=term_order), postings, positions


# --- the cache and the worker processes ----------------------------------------------------------
#
# .cache/search/ holds one file per thing, so that a build reads and writes only what it needs:
#   state.pickle   what the last build was made of: its items, the sorted vocabulary with each
#                  term's size in the files, where the shards were cut, and the files' names below;
#   a-<key>        one block's items' keys and analyses;  b-<key>  one block's postings;
#   f-<digest>     one output file's bytes, named by a digest of them.
# Names of a- and b- files hash this module's version with their inputs; f- names hash the bytes.

CACHE_FORMAT = 6
BLOCK_SIZE = 2000  # fewer blocks to join (each holds most of the vocabulary), still 5 per core at 20k items
PARALLEL_THRESHOLD = 200  # items; below this, starting processes costs more than it saves


def _code_version() -> str:
    """Cached results are only reused by this very code, Python, Unicode database and stemmers."""
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):  # every module of this package, stemming.py too
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    digest.update(f"{CACHE_FORMAT} {sys.version} {unicodedata.unidata_version} {stemming.version()}".encode())
    return digest.hexdigest()


def _hash(*parts: str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


# Blocks this process read from the cache or made, by file name (a name stands for the block's
# contents): a process that builds again (the preview) does not read them back. Only the current
# index's blocks are kept.
_blocks: dict[str, "Block"] = {}


def forget_blocks() -> None:
    """Drop what this process keeps of the index's cache (it was emptied)."""
    _blocks.clear()
    _last_facets.clear()


class IndexStore:
    """The search index's folder in the build cache; any file that is missing or damaged is only
    work to do again. Files are written under a temporary name and renamed, never changed."""

    def __init__(self, folder: Path | None):
        self.folder = folder / "search" if folder else None
        self.version = _code_version()
        self.legacy = folder / "search.pickle" if folder else None  # the single file of earlier versions

    def analyses_name(self, keys: Sequence[str]) -> str:
        return "a-" + _hash(self.version, *keys)

    def block_name(self, keys: Sequence[str], averages: tuple[float, ...]) -> str:
        return "b-" + _hash(self.version, repr(averages), *keys)

    @staticmethod
    def file_name(data: bytes) -> str:
        return "f-" + hashlib.blake2b(data, digest_size=16).hexdigest()

    def read(self, name: str, length: int | None = None) -> bytes | None:
        try:
            data = (self.folder / name).read_bytes()
        except OSError:
            return None
        return data if length is None or len(data) == length else None

    def load(self, name: str):
        """An unpickled file, or None."""
        if name in _blocks:
            return _blocks[name]
        data = self.read(name)
        try:
            value = pickle.loads(data) if data is not None else None
        except Exception:  # a damaged file is only a slower build
            return None
        if name.startswith("b-") and isinstance(value, Block):
            _blocks[name] = value
        return value

    def write(self, name: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomically(self.folder / name, data)

    def dump(self, name: str, value) -> None:
        self.write(name, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def state(self) -> dict | None:
        state = self.load("state.pickle") if self.folder else None
        return state if isinstance(state, dict) and state.get("version") == self.version else None

    def save_state(self, state: dict, written: Mapping[str, bytes]) -> None:
        """Write the new files, then the state that names them, then remove every file it does not name."""
        for name, data in written.items():
            if not (self.folder / name).is_file():
                self.write(name, data)
        self.dump("state.pickle", state)
        keep = {"state.pickle", *(name for pair in state["blocks"] for name in pair),
                *(name for _path, name, _length in state["files"])}
        for name in _blocks.keys() - keep:
            del _blocks[name]
        for path in self.folder.iterdir():
            if path.name not in keep:
                with contextlib.suppress(OSError):
                    path.unlink()
        with contextlib.suppress(OSError):
            self.legacy.unlink()


def item_key(item: Item, fields: tuple[str, ...]) -> str:
    """What an item's analysis depends on: its text and language (its stems). The fingerprint stands
    for the body (it changes with the source file and settings); tag labels come from elsewhere, so
    the short fields count too."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update((item.fingerprint or fields[BODY]).encode("utf-8", "surrogatepass"))
    digest.update("\0".join(("", *fields[:BODY], item.language)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def block_key(keys: Sequence[str], averages: tuple[float, ...]) -> str:
    return hashlib.blake2b(repr((averages, *keys)).encode(), digest_size=16).hexdigest()


_work: tuple = ()  # what forked workers read, so that only indexes are sent to them


def _analyse_range(bounds: tuple[int, int]) -> tuple[list[tuple[int, ...]], bytes]:
    """Field lengths (for the averages) and the pickled analyses: only the worker that inverts
    their block needs the analyses themselves."""
    documents, algorithms = _work
    with _no_gc():
        analyses = list(map(analyse, documents[bounds[0]:bounds[1]], algorithms[bounds[0]:bounds[1]]))
        return [a.lengths for a in analyses], pickle.dumps(analyses, protocol=pickle.HIGHEST_PROTOCOL)


def _invert_range(bounds: tuple[int, int]) -> Block:
    """A block's postings; with a cache, the worker also writes the block's analyses and postings there."""
    analyses, chunks, averages, keys, store = _work
    start, end = bounds
    with _no_gc():
        analyses = analyses[start:end]
        for (first, last), data in chunks:  # this block's new analyses
            if start <= first < end:
                analyses[first - start:last - start] = pickle.loads(data)
        block = invert_block(analyses, averages)
        if store is not None:
            block_keys = keys[start:end]
            store.dump(store.analyses_name(block_keys), (block_keys, analyses))
            store.dump(store.block_name(block_keys, averages), block)
        return block


@contextlib.contextmanager
def _no_gc():
    """Millions of small lists and tuples, none in a cycle: the collector would only rescan them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _missing_runs(analyses: Sequence[Analysis | None], start: int, end: int, longest: int) -> Iterator[tuple[int, int]]:
    """(first, end) of runs of at most longest consecutive items without an analysis, in start..end."""
    first = None
    for n in range(start, end + 1):
        if n < end and analyses[n] is None and (first is None or n - first < longest):
            if first is None:
                first = n
            continue
        if first is not None:
            yield first, n
            first = None
        if n < end and analyses[n] is None:
            first = n


def _in_processes(function, data, ranges: list[tuple[int, int]], processes: int) -> list:
    """function over ranges of data, in order; forked workers inherit data instead of receiving it."""
    global _work
    if processes <= 1 or len(ranges) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        _work = data
        try:
            return [function(bounds) for bounds in ranges]
        finally:
            _work = ()
    _work = data
    try:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(function, ranges))
    finally:
        _work = ()


@dataclass(slots=True)
class Inverted:
    """What inverting all items gives: the sorted terms with their postings and positions, and what
    the cache keeps about them (words per field of each item, the averages, each block's file names)."""

    terms: list[str]
    postings: dict[str, str]
    positions: dict[str, str]
    lengths: list[tuple[int, ...]]
    averages: tuple[float, ...]
    blocks: list[tuple[str, str]]


def invert(documents: Sequence[tuple[str, ...]], keys: Sequence[str] | None = None, store: IndexStore | None = None,
           processes: int | None = None, block_size: int | None = None, known: Mapping[str, Analysis] | None = None,
           algorithms: Sequence[str | None] | None = None) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Sorted terms, term -> encoded postings and term -> encoded positions for all documents.

    keys name each document's text for the cache (see item_key); known holds analyses from the
    last build by key; algorithms, the Snowball algorithm of each document's language (None: no
    stems). The result does not depend on the cache, the number of processes or the block size.
    """
    inverted = _invert_all(documents, keys, store, processes, block_size, known or {}, algorithms)
    return inverted.terms, inverted.postings, inverted.positions


def _invert_all(documents, keys, store, processes, block_size, known, algorithms=None) -> Inverted:
    with _no_gc():  # receiving millions of small objects: the collector would only rescan them
        return _invert(documents, keys, store, processes, block_size, known, algorithms or [None] * len(documents))


def _invert(documents, keys, store, processes, block_size, known, algorithms) -> Inverted:
    store = store if store is not None and store.folder and keys is not None else None
    keys = keys if store else [""] * len(documents)
    processes = processes or default_jobs()
    block_size = block_size or BLOCK_SIZE
    analyses: list[Analysis | None] = [known.get(key) for key in keys] if known else [None] * len(documents)
    lengths = [analysis.lengths if analysis else None for analysis in analyses]
    starts = range(0, len(documents), block_size)
    # Runs of consecutive items to analyse, never across a block: the worker inverting a block
    # unpickles only its own chunks. Each run's (first, end) indexes and pickled analyses.
    per_block = -(-processes * 8 // max(1, len(starts)))  # enough runs to keep every process busy
    longest = max(50, -(-min(block_size, len(documents)) // per_block))
    runs = [run for start in starts for run in _missing_runs(analyses, start, min(start + block_size, len(documents)), longest)]
    chunks: list[tuple[tuple[int, int], bytes]] = []
    if runs:
        todo = sum(end - first for first, end in runs)
        jobs = processes if todo >= PARALLEL_THRESHOLD else 1
        for run, (run_lengths, data) in zip(runs, _in_processes(_analyse_range, (documents, algorithms), runs, jobs)):
            lengths[run[0]:run[1]] = run_lengths
            chunks.append((run, data))
    averages = average_lengths(lengths)
    names = [(store.analyses_name(keys[start:start + block_size]), store.block_name(keys[start:start + block_size], averages))
             if store else ("", "") for start in starts]
    # A block is reused when both its files are there: its postings, and its analyses for the next edit.
    blocks: list[Block | None] = [store.load(b) if store and (store.folder / a).is_file() else None for a, b in names]
    stale = [n for n, block in enumerate(blocks) if not isinstance(block, Block)]
    if stale:
        ranges = [(starts[n], starts[n] + block_size) for n in stale]
        jobs = processes if sum(len(analyses[a:b]) for a, b in ranges) >= PARALLEL_THRESHOLD else 1
        for n, block in zip(stale, _in_processes(_invert_range, (analyses, chunks, averages, keys, store), ranges, jobs)):
            blocks[n] = block
    terms, postings, positions = merge_blocks(list(zip(starts, blocks)))
    return Inverted(terms, postings, positions, lengths, averages, names)


# --- shard files -----------------------------------------------------------------------------------

def json_script(shard_id: str, data) -> bytes:
    """Data as JSON.parse("..."), which browsers parse much faster than an object literal."""
    text = json.dumps(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), ensure_ascii=True)
    return f'window.__chorusShard&&__chorusShard("{shard_id}",JSON.parse({text}));\n'.encode("ascii")


# A Chinese or Japanese word is looked up as its bigrams, which sort apart (where a word and its stem
# most often share a shard), and the positions of a run's bigrams load with them to rank the items
# where they follow each other. Shards of those terms are cut this many times smaller, so that a
# query of a few bigrams loads about as many bytes as a query of a few words. In term order they lie
# together: the terms that start with a character from U+2E80 to U+9FFF (Han, Hiragana, Katakana).
CJK_SHARD_WEIGHT = 3
_CJK_TERMS_FROM, _CJK_TERMS_TO = term_order("\u2e80"), term_order("\ua000")


def term_cuts(terms: Sequence[str], sizes: Sequence[int], target: int) -> list[int]:
    """balanced_cuts of sorted terms, those of Chinese and Japanese weighing CJK_SHARD_WEIGHT times their size."""
    start = bisect.bisect_left(terms, _CJK_TERMS_FROM, key=term_order)
    end = bisect.bisect_left(terms, _CJK_TERMS_TO, start, key=term_order)
    if start < end:
        sizes = list(sizes)
        sizes[start:end] = [size * CJK_SHARD_WEIGHT for size in sizes[start:end]]
    return balanced_cuts(sizes, target)


def term_sizes(terms: Sequence[str], values: Mapping[str, str]) -> list[int]:
    """What each term adds to its shard file: itself, its value and two separators."""
    return [a + b + 2 for a, b in zip(map(len, terms), map(len, map(values.__getitem__, terms)))]


def term_shards(kind: str, terms: Sequence[str], values: Mapping[str, str], target: int,
                sizes: Sequence[int] | None = None) -> tuple[list[str], list[tuple[str, bytes]], list[int]]:
    """Cut sorted terms into shards of about target bytes; returns first terms, files and cuts."""
    cuts = term_cuts(terms, sizes if sizes is not None else term_sizes(terms, values), target) if terms else []
    files, firsts = [], []
    for number, (start, end) in enumerate(zip(cuts, cuts[1:] + [len(terms)])):
        chunk = terms[start:end]
        firsts.append(chunk[0])
        files.append((f"search/{kind}/{number}.js", term_script(kind, number, chunk, [values[t] for t in chunk])))
    return firsts, files, cuts


def term_script(kind: str, number: int, terms: Sequence[str], values: Sequence[str]) -> bytes:
    return script(f"{kind}/{number}", " ".join(terms), ",".join(values))


def term_script_values(data: bytes) -> list[str]:
    """The values of a term_script, in order: they are the last string, which JSON leaves as it is
    (encoded numbers and commas; a stem's positions are empty), after the id and the terms, which
    hold no quote."""
    return data[data.index(b'","', data.index(b'","') + 3) + 3:-4].decode("ascii").split(",")


def build_index(items: Sequence[Item], tag_labels: Mapping[str, str], warning_labels: Mapping[str, str],
                targets: ShardTargets = ShardTargets(), processes: int | None = None,
                cache_dir: Path | None = None, known: Mapping[str, str] | None = None,
                language: str = "en") -> list[tuple[str, bytes | None]]:
    """Every file under search/ except the page itself, as (path, bytes), in a fixed order; results
    show their dates in ``language`` (the site's), as its pages do.

    ``known`` (path -> name in the cache, as file_names() gives after a build) names files the
    caller holds already: one that is still the same bytes comes back as (path, None), unread.

    With a cache_dir, what the last build made is reused: the same items in the same order give
    the last build's files as they were; a few changed items redo their blocks, and only the shard
    files whose content changes are made again. The files are the same bytes with or without the
    cache, and whatever the number of processes.
    """
    store = IndexStore(cache_dir)
    if not store.folder:
        return _build_all(items, tag_labels, warning_labels, language, targets, processes, None, None, {})
    settings = _hash(store.version, repr(targets), str(BLOCK_SIZE), repr(sorted(tag_labels.items())),
                     repr(sorted(dict(warning_labels).items())), language)
    # An item's fingerprint stands for everything read from its file (text, date, tags, address);
    # labels come from elsewhere and are in the settings. Items made without one are hashed whole.
    identities = [item.fingerprint or _identity(item, tag_labels, warning_labels, language) for item in items]
    inputs = _hash(settings, *identities)
    state = store.state()
    known = known or {}
    if state is not None and state["inputs"] == inputs:
        files = [(path, None if known.get(path) == name else store.read(name, length)) for path, name, length in state["files"]]
        if all(data is not None or known.get(path) for path, data in files):
            return files
    if state is not None and state["settings"] == settings and len(state["identities"]) == len(items):
        changed = [n for n, (new, old) in enumerate(zip(identities, state["identities"])) if new != old]
        update = _Update(items, tag_labels, warning_labels, language, targets, store, state, changed, known)
        files = update.run() if changed else None
        if files is not None:
            store.save_state(update.state(settings, inputs, identities), update.written)
            return files
    return _build_all(items, tag_labels, warning_labels, language, targets, processes, store, state,
                      {"settings": settings, "inputs": inputs, "identities": identities})


def _identity(item: Item, tag_labels: Mapping[str, str], warning_labels: Mapping[str, str], language: str) -> str:
    """Everything the index reads from an item that has no fingerprint."""
    return "=" + _hash(repr((item_fields(item, tag_labels, warning_labels), doc_record(item, warning_labels, language), item.year,
                             item.tags, item.content_warnings)))


def _manifest(items, tag_labels, warning_labels, term_firsts, position_firsts, doc_starts,
              spell_firsts, language) -> list[tuple[str, bytes]]:
    """The small files that say where things are. The search page loads manifest.js and facets.js at
    once, first: where the term, spelling and doc shards start (it needs that to ask for a query's
    shards), and what it filters, hides and counts by. Where the positions shards start is only
    needed for a phrase (phrases.js); which items have which tag only to filter or count by tag
    (tags.js: on a large archive, the biggest of these files). The stemmers of the items' languages
    (stem/*.js, only those) load with the manifest: the reader's words are stemmed in each."""
    found, members = facets(items, tag_labels, warning_labels, language)
    tags = json_script("tags", members)
    stemmers = sorted({(item.language, name, stemming.SCRIPTS.get(name, "Latin"))
                       for item in items if (name := stemming.algorithm(item.language))})
    stem_files = [("search/stem/base.js", stemming.base_javascript())] if stemmers else []
    stem_files += [(f"search/stem/{name}.js", stemming.javascript(name)) for name in sorted({entry[1] for entry in stemmers})]
    return [("search/manifest.js", json_script("manifest", {
        "version": FORMAT_VERSION,
        "count": len(items),
        "k1": K1,
        "scale": TF_SCALE,
        "joins": [[list(words), joined] for words, joined in JOINS],
        "terms": term_firsts,
        "docsPerShard": doc_starts[1] if len(doc_starts) > 1 else max(1, len(items)),
        "spell": spell_firsts,
        "stemmers": [list(pair) for pair in stemmers],
        "stemMark": STEM_MARK,
    })), ("search/phrases.js", json_script("phrases", position_firsts)),
        ("search/facets.js", json_script("facets", {**found, "tagsBytes": len(tags)})), ("search/tags.js", tags), *stem_files]


def record_size(record: list) -> int:
    """A record's bytes in its docs shard, as json_script writes it: JSON in a JSON string, where a
    letter outside ASCII takes six bytes ("\\u00e9") and a quote two."""
    return len(json.dumps(json.dumps(record, ensure_ascii=False, separators=(",", ":")), ensure_ascii=True)) - 2


def docs_per_shard(record_sizes: Sequence[int], target: int) -> int:
    """How many consecutive records each docs shard holds: about target bytes of records of the mean
    size, rounded to two significant figures so that an edit almost never changes it (a change
    makes every docs shard again). The page finds a record's shard by dividing, with no list."""
    if not record_sizes:
        return 1
    mean = float(f"{sum(record_sizes) / len(record_sizes):.2g}")
    return max(1, min(64, round(target / mean)))


def doc_cuts(record_sizes: Sequence[int], target: int) -> list[int]:
    per = docs_per_shard(record_sizes, target)
    return list(range(0, len(record_sizes), per))


def _build_all(items, tag_labels, warning_labels, language, targets, processes, store, state, new_state) -> list[tuple[str, bytes]]:
    """Every file made from the items, reusing the analyses and blocks the cache holds (a cold build,
    or a change too wide for _Update: items added, removed or moved, labels or averages changed)."""
    documents = [item_fields(item, tag_labels, warning_labels) for item in items]
    algorithms = [stemming.algorithm(item.language) for item in items]
    keys = [item_key(item, fields) for item, fields in zip(items, documents)] if store else None
    known: dict[str, Analysis] = {}
    if state is not None:
        for analyses_name, _block_name in state["blocks"]:
            loaded = store.load(analyses_name)
            if isinstance(loaded, tuple) and len(loaded) == 2:
                known.update(zip(*loaded))
    inverted = _invert_all(documents, keys, store, processes, None, known, algorithms)
    del known
    terms = inverted.terms
    sizes = {"terms": term_sizes(terms, inverted.postings), "positions": term_sizes(terms, inverted.positions)}
    term_firsts, term_files, term_cuts = term_shards("terms", terms, inverted.postings, targets.terms, sizes["terms"])
    position_firsts, position_files, position_cuts = term_shards("positions", terms, inverted.positions,
                                                                 targets.positions, sizes["positions"])
    records = [doc_record(item, warning_labels, language) for item in items]
    record_sizes = list(map(record_size, records))
    docs_cuts = doc_cuts(record_sizes, targets.docs)
    doc_files = [(f"search/docs/{number}.js", json_script(f"docs/{number}", records[start:end]))
                 for number, (start, end) in enumerate(zip(docs_cuts, docs_cuts[1:] + [len(records)]))]
    spelling = Spelling.of(terms, sizes["terms"])
    spell_firsts, spell_files = spelling.shards(targets.spell)
    new_state = {**new_state, "spell_firsts": spell_firsts}
    files = _manifest(items, tag_labels, warning_labels, term_firsts, position_firsts, docs_cuts, spell_firsts, language)
    files += term_files + position_files + doc_files + spell_files
    if store is not None:
        names = {path: store.file_name(data) for path, data in files}
        lengths = inverted.lengths
        store.save_state({
            **new_state, "version": store.version, "blocks": inverted.blocks, "averages": inverted.averages,
            "lengths": array("I", itertools.chain.from_iterable(lengths)), "totals": list(map(sum, zip(*lengths, *[(0,) * len(FIELDS)]))),
            "terms": terms, "sizes": {kind: array("Q", values) for kind, values in sizes.items()},
            "cuts": {"terms": term_cuts, "positions": position_cuts, "docs": docs_cuts},
            "record_sizes": array("Q", record_sizes), "spelling": (spelling.keys, spelling.entries),
            "files": [(path, names[path], len(data)) for path, data in files],
        }, {names[path]: data for path, data in files})
    return files


def _parts(block: Block) -> dict[str, tuple]:
    """term -> (first, last, rest, positions) of a (restricted) block."""
    if not block.terms:
        return {}
    return dict(zip(block.terms.split(" "), zip(block.firsts, block.lasts, block.rests.split(","), block.positions.split(","))))


class _Update:
    """A build after a few items changed in place (same number of items, same settings): their
    blocks are inverted again, the changed terms' postings are joined again from every block, and
    only the shard files whose terms, items or cuts changed are made again; the others are the last
    build's bytes, read from the cache. run() gives None when that cannot be done."""

    def __init__(self, items, tag_labels, warning_labels, language, targets, store: IndexStore, old: dict, changed: list[int],
                 known: Mapping[str, str]):
        self.items, self.tag_labels, self.warning_labels, self.targets = items, tag_labels, warning_labels, targets
        self.language = language
        self.known = known
        self.store, self.old, self.changed = store, old, changed
        self.written: dict[str, bytes] = {}
        self.blocks = list(old["blocks"])
        self.old_files = {path: (name, length) for path, name, length in old["files"]}
        self.entries: list[tuple[str, str, int]] = []

    def run(self) -> list[tuple[str, bytes]] | None:
        with _no_gc():
            return self._run()

    def _run(self):
        """The steps of an update in place; each gives None when it cannot be done that way."""
        touched = sorted({n // BLOCK_SIZE for n in self.changed})
        if 2 * len(touched) > len(self.old["blocks"]) + 1:  # inverting most blocks: a full build is as quick
            return None
        new = self._analyse_changed()
        if new is None:
            return None
        spliced = self._splice(touched, new)
        if spliced is None:
            return None
        previous, blocks, changed_terms = spliced
        changed_kinds = self._changed_postings(touched, previous, blocks, changed_terms)
        changed_terms = changed_kinds["terms"] | changed_kinds["positions"]
        merged = self._merge(blocks, changed_terms)
        if merged is None or not self._update_vocabulary(changed_terms, *merged):
            return None
        files = self._files(changed_kinds, *merged)
        return None if files is None else self._kept_or_written(files)

    def _analyse_changed(self) -> dict[int, tuple[str, Analysis]] | None:
        """The changed items' keys and analyses, with the field lengths and totals updated; None
        when the average field lengths move (then every block's frequencies change)."""
        old, items = self.old, self.items
        new: dict[int, tuple[str, Analysis]] = {}
        for n in self.changed:
            fields = item_fields(items[n], self.tag_labels, self.warning_labels)
            new[n] = (item_key(items[n], fields), analyse(fields, stemming.algorithm(items[n].language)))
        self.lengths, self.totals = array("I", old["lengths"]), list(old["totals"])
        width = len(FIELDS)
        for n, (_key, analysis) in new.items():
            before = self.lengths[n * width:(n + 1) * width]
            self.totals = [total - a + b for total, a, b in zip(self.totals, before, analysis.lengths)]
            self.lengths[n * width:(n + 1) * width] = array("I", analysis.lengths)
        return new if averages_of(self.totals, len(items)) == old["averages"] else None

    def _splice(self, touched: list[int], new: dict[int, tuple[str, Analysis]]):
        """Each touched block with the changed items' postings spliced in (and written to the
        cache): (the blocks before, the touched blocks restricted to the changed items' terms,
        those terms); None when the cache lacks a block."""
        old, store, averages = self.old, self.store, self.old["averages"]
        changed_terms: set[str] = set()
        previous: dict[int, Block] = {}
        edits: dict[int, tuple[list, list, dict, dict]] = {}
        for number in touched:
            loaded = store.load(old["blocks"][number][0])
            if not (isinstance(loaded, tuple) and len(loaded) == 2):
                return None
            keys, analyses = map(list, loaded)
            start = number * BLOCK_SIZE
            olds, news = {}, {}
            for n in self.changed:
                if start <= n < start + BLOCK_SIZE:
                    olds[n - start] = analyses[n - start]
                    changed_terms.update(analyses[n - start].terms.split(" "))
                    keys[n - start], analyses[n - start] = new[n]
                    news[n - start] = new[n][1]
                    changed_terms.update(new[n][1].terms.split(" "))
            before = store.load(old["blocks"][number][1])
            if not isinstance(before, Block) or len(before.id_ends) != len(before.firsts):
                return None
            previous[number] = before
            edits[number] = (keys, analyses, olds, news)
        changed_terms.discard("")
        blocks: dict[int, Block] = {}  # the touched blocks' postings of the changed items' terms
        for number, (keys, analyses, olds, news) in edits.items():
            # Only the changed items' postings are made again: the block's others stand as they are.
            spliced = splice_block(previous[number], olds, news, averages)
            blocks[number] = restrict_block(spliced, changed_terms)  # the terms of edits in other blocks too
            self.blocks[number] = (store.analyses_name(keys), store.block_name(keys, averages))
            _blocks[self.blocks[number][1]] = spliced
            self.written[self.blocks[number][0]] = pickle.dumps((keys, analyses), protocol=pickle.HIGHEST_PROTOCOL)
            self.written[self.blocks[number][1]] = pickle.dumps(spliced, protocol=pickle.HIGHEST_PROTOCOL)
        return previous, blocks, changed_terms

    @staticmethod
    def _changed_postings(touched: list[int], previous: Mapping[int, Block], blocks: Mapping[int, Block],
                          changed_terms: set[str]) -> dict[str, set[str]]:
        """Of the changed items' terms, those whose postings ("terms") or positions changed: a
        frequency is rounded, and a position after the edit does not move, so most of them often
        stay as they were."""
        changed_kinds: dict[str, set[str]] = {"terms": set(), "positions": set()}
        for number in touched:
            before, after = (_parts(restrict_block(block, changed_terms)) for block in (previous[number], blocks[number]))
            for term in changed_terms:
                old_part, new_part = before.get(term), after.get(term)
                if old_part == new_part:
                    continue
                if old_part is None or new_part is None:
                    changed_kinds["terms"].add(term)
                    changed_kinds["positions"].add(term)
                    continue
                if old_part[:3] != new_part[:3]:
                    changed_kinds["terms"].add(term)
                if old_part[3] != new_part[3]:
                    changed_kinds["positions"].add(term)
        return changed_kinds

    def _merge(self, blocks: Mapping[int, Block], changed_terms: set[str]):
        """The changed terms' postings and positions joined from every block; None when the cache
        lacks a block."""
        parts = []
        for number, (_analyses_name, block_name) in enumerate(self.old["blocks"]):
            block = blocks.get(number) or self.store.load(block_name)
            if not isinstance(block, Block):
                return None
            parts.append((number * BLOCK_SIZE, restrict_block(block, changed_terms)))
        _terms, postings, positions = merge_blocks(parts)
        return postings, positions

    def _update_vocabulary(self, changed_terms: set[str], postings: Mapping[str, str],
                           positions: Mapping[str, str]) -> bool:
        """The sorted vocabulary and the spelling entries, with the changed terms added, resized or
        removed (self.spelling_changed says whether the spelling shards must be made again); False
        when the last build's spelling state is missing."""
        old = self.old
        self.terms, self.sizes = list(old["terms"]), {kind: list(values) for kind, values in old["sizes"].items()}
        terms, term_sizes, position_sizes = self.terms, self.sizes["terms"], self.sizes["positions"]
        spelling = old.get("spelling")
        if not (isinstance(spelling, tuple) and len(spelling) == 2 and "spell_firsts" in old):
            return False
        self.spelling = Spelling(list(spelling[0]), list(spelling[1]))
        self.spelling_changed = False
        for term in changed_terms:
            index = bisect.bisect_left(terms, term_order(term), key=term_order)
            present = index < len(terms) and terms[index] == term
            old_size = term_sizes[index] if present else None
            if term in postings:
                sizes = (len(term) + len(postings[term]) + 2, len(term) + len(positions[term]) + 2)
                if present:
                    term_sizes[index], position_sizes[index] = sizes
                else:
                    terms.insert(index, term)
                    term_sizes.insert(index, sizes[0])
                    position_sizes.insert(index, sizes[1])
                self.spelling_changed |= self.spelling.update(term, old_size, sizes[0])
            elif present:
                del terms[index], term_sizes[index], position_sizes[index]
                self.spelling_changed |= self.spelling.update(term, old_size, None)
        return True

    def _files(self, changed_kinds: dict[str, set[str]], postings: Mapping[str, str],
               positions: Mapping[str, str]) -> list[tuple[str, bytes | None]] | None:
        """Every index file, the manifest first; None as a file's bytes: the last build's file."""
        old = self.old
        self.cuts = {}
        files: list[tuple[str, bytes | None]] = []
        firsts = {}
        for kind, values in (("terms", postings), ("positions", positions)):
            kind_firsts, kind_files = self._term_shards(kind, values, changed_kinds[kind])
            if kind_files is None:
                return None
            firsts[kind] = kind_firsts
            files += kind_files
        doc_files = self._doc_shards()
        if doc_files is None:
            return None
        files += doc_files
        if self.spelling_changed:
            spell_firsts, spell_files = self.spelling.shards(self.targets.spell)
        else:  # the last build's files
            spell_firsts, spell_files = old["spell_firsts"], [(path, None) for path in self.old_files if path.startswith("search/spell/")]
        self.spell_firsts = spell_firsts
        files += spell_files
        files[:0] = _manifest(self.items, self.tag_labels, self.warning_labels, firsts["terms"], firsts["positions"],
                              self.cuts["docs"], spell_firsts, self.language)
        return files

    def _kept_or_written(self, files: list[tuple[str, bytes | None]]) -> list[tuple[str, bytes | None]] | None:
        """The files as build_index() gives them (None: the bytes the output already holds), each
        new one put in the cache; None when a kept file is missing from the cache."""
        result = []
        for path, data in files:
            if data is None:  # the last build's file, unchanged
                name, length = self.old_files[path]
                if self.known.get(path) != name:
                    data = self.store.read(name, length)
                    if data is None:
                        return None
            else:
                name, length = self.store.file_name(data), len(data)
                self.written[name] = data
            self.entries.append((path, name, length))
            result.append((path, None if self.known.get(path) == name else data))
        return result

    def _term_shards(self, kind: str, values: Mapping[str, str], changed: set[str]):
        """First terms and files of one kind; None as a file's bytes: the last build's file, unchanged."""
        old, terms = self.old, self.terms
        old_terms, old_cuts = old["terms"], old["cuts"][kind]
        old_ends = old_cuts[1:] + [len(old_terms)]
        cuts = term_cuts(terms, self.sizes[kind], getattr(self.targets, kind)) if terms else []
        self.cuts[kind] = cuts
        parsed: dict[int, list[str]] = {}
        firsts, files = [], []
        for number, (start, end) in enumerate(zip(cuts, cuts[1:] + [len(terms)])):
            chunk = terms[start:end]
            firsts.append(chunk[0])
            path = f"search/{kind}/{number}.js"
            if number < len(old_cuts) and old_terms[old_cuts[number]:old_ends[number]] == chunk and changed.isdisjoint(chunk):
                files.append((path, None))
                continue
            # Unchanged terms' values come from the last build's files, changed ones from the merge.
            chunk_values, index, shard = [], None, -1
            for term in chunk:
                if term in values:  # a changed term: from the merge
                    chunk_values.append(values[term])
                    continue
                if index is None or index >= len(old_terms) or old_terms[index] != term:
                    index = bisect.bisect_left(old_terms, term_order(term), key=term_order)
                if shard < 0 or not old_cuts[shard] <= index < old_ends[shard]:
                    shard = bisect.bisect_right(old_cuts, index) - 1
                    if shard not in parsed:
                        name_length = self.old_files.get(f"search/{kind}/{shard}.js")
                        data = self.store.read(*name_length) if name_length else None
                        if data is None:
                            return None, None
                        parsed[shard] = term_script_values(data)
                chunk_values.append(parsed[shard][index - old_cuts[shard]])
                index += 1
            files.append((path, term_script(kind, number, chunk, chunk_values)))
        return firsts, files

    def _doc_shards(self):
        old, items = self.old, self.items
        sizes = list(old["record_sizes"])
        for n in self.changed:
            record = doc_record(items[n], self.warning_labels, self.language)
            sizes[n] = record_size(record)
        self.record_sizes = sizes
        cuts = doc_cuts(sizes, self.targets.docs)
        self.cuts["docs"] = cuts
        old_cuts = old["cuts"]["docs"]
        files = []
        for number, (start, end) in enumerate(zip(cuts, cuts[1:] + [len(items)])):
            same_cut = number < len(old_cuts) and old_cuts[number] == start and \
                (old_cuts[number + 1] if number + 1 < len(old_cuts) else len(items)) == end
            changed_inside = bisect.bisect_left(self.changed, start) < bisect.bisect_left(self.changed, end)
            path = f"search/docs/{number}.js"
            if same_cut and not changed_inside:
                files.append((path, None))
            else:
                files.append((path, json_script(f"docs/{number}", [doc_record(item, self.warning_labels, self.language) for item in items[start:end]])))
        return files

    def state(self, settings: str, inputs: str, identities: list[str]) -> dict:
        old = self.old
        return {
            **old, "settings": settings, "inputs": inputs, "identities": identities, "blocks": self.blocks,
            "lengths": self.lengths, "totals": self.totals, "terms": self.terms,
            "sizes": {kind: array("Q", values) for kind, values in self.sizes.items()}, "cuts": self.cuts,
            "record_sizes": array("Q", self.record_sizes), "spelling": (self.spelling.keys, self.spelling.entries),
            "spell_firsts": self.spell_firsts, "files": self.entries,
        }


def is_index_file(path: str) -> bool:
    """Whether an output path is one of build_index()'s files (the search page is not)."""
    return path.startswith("search/") and path.endswith(".js")


def file_names(cache_dir: Path | None) -> dict[str, str]:
    """Path -> name in the cache of each index file the last build_index() gave (see its ``known``)."""
    state = IndexStore(cache_dir).state() if cache_dir else None
    return {path: name for path, name, _length in state["files"]} if state else {}
