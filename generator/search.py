"""The search index as outputs: normalised terms of published items, sharded into classic scripts.

Pages opened from file:// may not fetch() or import modules, so every index file is a classic
script that hands its data to ``__chorusShard(id, data)``; the search page injects only the
<script> tags a query needs. templates/static/search.js is the reading side of this module and
must normalise and tokenise text exactly as ``normalise`` and ``query_tokens`` do here.

Layout under search/ (doc ids are positions in ``site.items``, newest first):
  manifest.js        counts, term ranges of the shards, facets (kind, year, tag) and shard starts
  terms/N.js         term -> postings: (doc gap, BM25F pseudo-frequency) pairs
  positions/N.js     term -> token positions per posting, loaded only for "quoted phrases"
  docs/N.js          what a result shows: url, title, kind, date, tags, warnings, excerpt
"""

from __future__ import annotations

import itertools
import json
import math
import multiprocessing
import os
import re
import unicodedata
from collections import defaultdict
from operator import sub
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Iterator, Mapping, Sequence

from generator.fields import MONTH_NAMES

if TYPE_CHECKING:
    from generator.model import Item
    from generator.render import Output, SiteRenderer

FORMAT_VERSION = 1

# Fields in the order their tokens are numbered; a gap between fields stops phrases crossing them.
FIELDS = ("title", "tags", "summary", "byline", "body")
FIELD_WEIGHTS = (6.0, 4.0, 2.0, 2.0, 1.0)
FIELD_B = (0.5, 0.0, 0.75, 0.0, 0.75)  # how much each field's length dampens its term frequency
FIELD_GAP = 2
K1 = 1.2
TF_SCALE = 4  # pseudo-frequencies are stored as round(tf * TF_SCALE)
MAX_TOKEN_LENGTH = 40
EXCERPT_CHARS = 240

# Spellings readers use for the same name: the words in sequence also index the joined form,
# and a query with the words searches for the joined form ("me too" = "MeToo" = "#metoo").
JOINS = ((("me", "too"), "metoo"), (("balance", "ton", "porc"), "balancetonporc"))


@dataclass(frozen=True, slots=True)
class ShardTargets:
    """Bytes per shard file; the index files are cut to about these sizes."""

    terms: int = 64_000
    positions: int = 96_000
    # Ten results usually sit in ten different doc shards, so these stay small.
    docs: int = 16_000


# --- normalising and tokenising (mirrored in templates/static/search.js) -------------------------

def _marks() -> tuple[str, str]:
    """Combining marks: the non-spacing ones are dropped (accents), spacing ones stay in words."""
    dropped, kept = [], []
    for block in (range(0x300, 0x30000), range(0xE0100, 0xE01F0)):
        for code in block:
            category = unicodedata.category(chr(code))
            if category in ("Mn", "Me"):
                dropped.append(chr(code))
            elif category == "Mc":
                kept.append(chr(code))
    return "".join(dropped), "".join(kept)


_DROPPED_MARKS, _SPACING_MARKS = _marks()
_MARKS_RE = re.compile("[" + re.escape(_DROPPED_MARKS) + "]+")
# Letters that NFKD leaves alone but readers type without their stroke or ligature.
FOLDS = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th", "ð": "d",
         "ı": "i", "ς": "σ", "_": " "}
_FOLD_TABLE = str.maketrans(FOLDS)
_FOLD_RE = re.compile("[" + re.escape("".join(FOLDS)) + "]")
# After normalising, a token is a run of letters, digits and spacing marks ('_' is folded away).
_TOKEN_RE = re.compile(r"[\w" + re.escape(_SPACING_MARKS) + "]+")
_JOIN_SEPARATOR = r"[ \t\n\r\f\v'\u2019\u2010-\u2013-]+"
_WORD_EDGE = r"[\w" + re.escape(_SPACING_MARKS) + "]"
# Each join as (pattern over normalised text, pattern over space-separated tokens, last word, joined).
_JOIN_RES = tuple(
    (re.compile(rf"(?<!{_WORD_EDGE}){_JOIN_SEPARATOR.join(words)}(?!{_WORD_EDGE})"),
     re.compile(rf"(?<![^ ]){' '.join(words)}(?![^ ])"), words, joined)
    for words, joined in JOINS
)


def normalise(text: str) -> str:
    """Fold case, accents (NFKD without marks) and a few letters; word separators are kept."""
    text = text.lower()
    if text.isascii():
        return text.replace("_", " ") if "_" in text else text
    text = _MARKS_RE.sub("", unicodedata.normalize("NFKD", text))
    return text.translate(_FOLD_TABLE) if _FOLD_RE.search(text) else text


def tokens(text: str) -> list[str]:
    """The words of text, normalised; over-long runs (URLs, junk) are dropped."""
    return [t for t in _TOKEN_RE.findall(normalise(text)) if len(t) <= MAX_TOKEN_LENGTH]


def query_tokens(text: str) -> list[str]:
    """Words of a query: a joined spelling replaces its words ("me too" -> "metoo")."""
    folded = normalise(text)
    for pattern, _spaced, _words, joined in _JOIN_RES:
        folded = pattern.sub(joined, folded)
    return [t for t in _TOKEN_RE.findall(folded) if len(t) <= MAX_TOKEN_LENGTH]


def index_tokens(text: str) -> tuple[list[str], list[tuple[str, int]], int]:
    """The words of text, extra (joined term, position) pairs, and the length in words.

    A joined spelling is added at the position of its last word, so "me too" is found both as
    the two words and as "metoo"; search.js lets a phrase step over a joined term's words.
    """
    folded = normalise(text)
    words = [t for t in _TOKEN_RE.findall(folded) if len(t) <= MAX_TOKEN_LENGTH]
    joined_pairs = []
    for _pattern, spaced_pattern, join_words, joined in _JOIN_RES:
        if join_words[-1] not in folded:
            continue
        spaced = " ".join(words)
        for match in spaced_pattern.finditer(spaced):
            joined_pairs.append((joined, spaced.count(" ", 0, match.start()) + len(join_words) - 1))
    return words, joined_pairs, len(words)


def term_order(term: str) -> bytes:
    """Sort key matching JavaScript's string comparison (UTF-16 code units)."""
    return term.encode("utf-16-be")


# --- compact numbers: 5 bits per character, the sixth bit says "more follows" --------------------

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


# --- inverting documents ---------------------------------------------------------------------------

def item_fields(item: Item, tag_labels: Mapping[str, str]) -> tuple[str, ...]:
    """The indexed text of an item, in FIELDS order; nothing else about it is read."""
    byline = item.source if item.kind == "article" else item.pseudonym
    tags = " ".join(tag_labels.get(t, t) for t in item.tags)
    return (item.title, tags, item.summary, byline, item.body_text)


def average_lengths(documents: Sequence[tuple[str, ...]]) -> tuple[float, ...]:
    """Mean tokens per field, from every k-th document so large archives pay for about 1,000."""
    step = max(1, len(documents) // 1000)
    sample = documents[::step]
    totals = [0] * len(FIELDS)
    for fields in sample:
        for index, text in enumerate(fields):
            totals[index] += len(tokens(text)) if text else 0
    return tuple(max(1.0, total / max(1, len(sample))) for total in totals)


@dataclass(frozen=True, slots=True)
class TermBlock:
    """One term's postings within a block of consecutive documents, already encoded."""

    first_doc: int
    last_doc: int
    count: int
    rest: str       # frequency of first_doc, then (gap, frequency) pairs
    positions: str  # per posting: count, first position, position gaps


def invert_block(start: int, documents: Sequence[tuple[str, ...]], averages: tuple[float, ...]) -> dict[str, TermBlock]:
    """Invert documents numbered from start; blocks are independent so they can run in parallel.

    This loop runs once per word of the archive, so it trades some beauty for speed: small
    numbers come from a precomputed table and gaps are computed with map().
    """
    small, one_place = _SMALL, _ONE_PLACE
    body = len(FIELDS) - 1
    postings: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for doc_id, fields in enumerate(documents, start):
        offset, positions = 0, defaultdict(list)
        outside_body: dict[str, list] = {}  # term -> [weighted frequency, positions] in title, tags...
        for index, text in enumerate(fields):
            words, joined, length = index_tokens(text) if text else ((), (), 0)
            norm = TF_SCALE * FIELD_WEIGHTS[index] / (1 - FIELD_B[index] + FIELD_B[index] * length / averages[index])
            for position, term in enumerate(words, offset):
                positions[term].append(position)
            for term, position in joined:
                positions[term].append(position + offset)
                positions[term].sort()
            if index != body:
                for term in itertools.chain(words, (term for term, _position in joined)):
                    counts = outside_body.setdefault(term, [0.0, 0])
                    counts[0] += norm
                    counts[1] += 1
            offset += length + FIELD_GAP
        for term, places in positions.items():
            count = len(places)
            counts = outside_body.get(term)
            if counts is None:
                frequency = round(count * norm) or 1
            else:
                frequency = round(counts[0] + (count - counts[1]) * norm) or 1
            if count == 1 and places[0] < len(one_place):
                encoded_places = one_place[places[0]]
            elif places[-1] < len(small):
                encoded_places = small[count] + small[places[0]] + "".join(map(small.__getitem__, map(sub, places[1:], places)))
            else:
                encoded_places = encode(count) + encode_numbers([places[0], *map(sub, places[1:], places)])
            postings[term].append((doc_id, frequency, encoded_places))
    blocks = {}
    for term, entries in postings.items():
        parts, previous = [encode(entries[0][1])], entries[0][0]
        for doc_id, frequency, _places in entries[1:]:
            parts.append(encode(doc_id - previous - 1) + encode(frequency))
            previous = doc_id
        blocks[term] = TermBlock(entries[0][0], previous, len(entries), "".join(parts),
                                 "".join(places for _d, _f, places in entries))
    return blocks


def _invert_job(job):
    return invert_block(*job)


def invert(documents: Sequence[tuple[str, ...]], processes: int | None = None,
           block_size: int = 1000) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Sorted terms, term -> encoded postings and term -> encoded positions for all documents."""
    averages = average_lengths(documents)
    jobs = [(start, documents[start:start + block_size], averages) for start in range(0, len(documents), block_size)]
    if processes is None:
        processes = min(4, os.cpu_count() or 1) if len(jobs) > 1 else 1
    if processes > 1 and len(jobs) > 1 and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            blocks = pool.map(_invert_job, jobs, chunksize=1)
    else:
        blocks = [_invert_job(job) for job in jobs]
    merged: dict[str, list[TermBlock]] = {}
    for block in blocks:
        for term, part in block.items():
            merged.setdefault(term, []).append(part)
    postings, positions = {}, {}
    for term, parts in merged.items():
        pieces, previous = [], -1
        for part in parts:
            pieces.append(encode(part.first_doc - previous - 1) + part.rest)
            previous = part.last_doc
        postings[term] = "".join(pieces)
        positions[term] = "".join(part.positions for part in parts)
    return sorted(merged, key=term_order), postings, positions


# --- shard files -----------------------------------------------------------------------------------

def script(shard_id: str, *payload: str) -> bytes:
    """A classic script that hands its data to the page; harmless if opened on its own."""
    args = ",".join(json.dumps(p, ensure_ascii=True) for p in payload)
    return f'window.__chorusShard&&__chorusShard("{shard_id}",{args});\n'.encode("ascii")


def json_script(shard_id: str, data) -> bytes:
    """Data as JSON.parse("..."), which browsers parse much faster than an object literal."""
    text = json.dumps(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), ensure_ascii=True)
    return f'window.__chorusShard&&__chorusShard("{shard_id}",JSON.parse({text}));\n'.encode("ascii")


def balanced_cuts(sizes: Sequence[int], target: int) -> list[int]:
    """Start indexes of runs of about equal byte size, as close to target as whole entries allow."""
    total = sum(sizes)
    count = max(1, round(total / target))
    cuts, running, next_cut = [0], 0, 1
    for index, size in enumerate(sizes):
        if next_cut < count and running >= total * next_cut / count and index > cuts[-1]:
            cuts.append(index)
            next_cut += 1
        running += size
    return cuts


def term_shards(kind: str, terms: Sequence[str], values: Mapping[str, str], target: int) -> tuple[list[str], list[tuple[str, bytes]]]:
    """Cut sorted terms into shards of about target bytes; returns first terms and files."""
    sizes = [len(t) + len(values[t]) + 2 for t in terms]
    cuts = balanced_cuts(sizes, target) if terms else []
    files, firsts = [], []
    for number, (start, end) in enumerate(zip(cuts, cuts[1:] + [len(terms)])):
        chunk = terms[start:end]
        firsts.append(chunk[0])
        files.append((f"search/{kind}/{number}.js",
                      script(f"{kind}/{number}", " ".join(chunk), ",".join(values[t] for t in chunk))))
    return firsts, files


def excerpt(item: Item) -> str:
    if item.summary:
        return item.summary
    text = " ".join(item.body_text.split())
    if len(text) <= EXCERPT_CHARS:
        return text
    return text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


def doc_record(item: Item, warning_labels: Mapping[str, str]) -> list:
    """What a result shows. Testimonies are dated by month only, as on their pages."""
    if item.kind == "article":
        date_label = f"{item.date.day} {MONTH_NAMES[item.date.month - 1]} {item.date.year}"
        date_iso = item.date.isoformat()
    else:
        date_label, date_iso = item.date.month_label, item.date.month_iso
    warnings = [warning_labels.get(w, w) for w in item.content_warnings]
    return [item.url.lstrip("/"), item.title, item.kind[0], date_label, date_iso, list(item.tags), warnings, excerpt(item)]


def doc_shards(records: Sequence[list], target: int) -> tuple[list[int], list[tuple[str, bytes]]]:
    encoded = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]
    cuts = balanced_cuts([len(e.encode()) for e in encoded], target) if records else []
    files = []
    for number, (start, end) in enumerate(zip(cuts, cuts[1:] + [len(records)])):
        files.append((f"search/docs/{number}.js", json_script(f"docs/{number}", records[start:end])))
    return cuts, files


def facets(items: Sequence[Item], tag_labels: Mapping[str, str]) -> dict:
    """Kind as a bitmap (set = testimony), years as runs of consecutive ids, tags as id gaps."""
    bits = []
    for start in range(0, len(items), 5):
        value = 0
        for offset, item in enumerate(items[start:start + 5]):
            value |= (item.kind == "testimony") << offset
        bits.append(ALPHABET[value])
    years: list[list[int]] = []
    for doc_id, item in enumerate(items):
        if years and years[-1][0] == item.year and years[-1][1] + years[-1][2] == doc_id:
            years[-1][2] += 1
        else:
            years.append([item.year, doc_id, 1])
    members: dict[str, list[int]] = {}
    for doc_id, item in enumerate(items):
        for tag in item.tags:
            members.setdefault(tag, []).append(doc_id)
    tags = {tag: [tag_labels.get(tag, tag), encode_gaps(ids)] for tag, ids in sorted(members.items())}
    return {"kinds": "".join(bits), "years": years, "tags": tags}


def build_index(items: Sequence[Item], tag_labels: Mapping[str, str], warning_labels: Mapping[str, str],
                targets: ShardTargets = ShardTargets(), processes: int | None = None) -> list[tuple[str, bytes]]:
    """Every file under search/ except the page itself, as (path, bytes), in a fixed order."""
    documents = [item_fields(item, tag_labels) for item in items]
    terms, postings, positions = invert(documents, processes)
    term_firsts, term_files = term_shards("terms", terms, postings, targets.terms)
    position_firsts, position_files = term_shards("positions", terms, positions, targets.positions)
    doc_starts, doc_files = doc_shards([doc_record(item, warning_labels) for item in items], targets.docs)
    manifest = {
        "version": FORMAT_VERSION,
        "count": len(items),
        "k1": K1,
        "scale": TF_SCALE,
        "joins": [[list(words), joined] for words, joined in JOINS],
        "terms": term_firsts,
        "positions": position_firsts,
        "docs": doc_starts,
        **facets(items, tag_labels),
    }
    return [("search/manifest.js", json_script("manifest", manifest))] + term_files + position_files + doc_files


def search_outputs(renderer: SiteRenderer) -> Iterator[Output]:
    """The search page and its index files."""
    from generator.render import Output  # render.py imports this module

    site = renderer.site
    yield renderer.page("search.html", "/search/")
    tag_labels = {tag_id: tag.label for tag_id, tag in site.tags.items()}
    for path, data in build_index(site.items, tag_labels, renderer.config.content_warnings):
        yield Output(path, data)
