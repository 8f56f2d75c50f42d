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

import contextlib
import gc
import hashlib
import itertools
import json
import multiprocessing
import os
import pickle
import re
import sys
import unicodedata
from array import array
from collections import defaultdict, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from operator import add, mul, sub
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, Sequence

from generator.documents import default_jobs
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


# In ASCII text a word is a run of [a-z0-9]: mapping everything else to a space and splitting
# is about eight times faster than the regular expression, which other text still needs.
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


def _split(folded: str) -> list[str]:
    """The words of normalised text; over-long runs (URLs, junk) are dropped."""
    words = folded.translate(_ASCII_SEPARATORS).split() if folded.isascii() else _TOKEN_RE.findall(folded)
    if words and max(map(len, words)) > MAX_TOKEN_LENGTH:
        return [t for t in words if len(t) <= MAX_TOKEN_LENGTH]
    return words


def tokens(text: str) -> list[str]:
    """The words of text, normalised; over-long runs (URLs, junk) are dropped."""
    return _split(normalise(text))


def query_tokens(text: str) -> list[str]:
    """Words of a query: a joined spelling replaces its words ("me too" -> "metoo")."""
    folded = normalise(text)
    for pattern, _spaced, _words, joined in _JOIN_RES:
        folded = pattern.sub(joined, folded)
    return _split(folded)


def index_tokens(text: str) -> tuple[list[str], list[tuple[str, int]], int]:
    """The words of text, extra (joined term, position) pairs, and the length in words.

    A joined spelling is added at the position of its last word, so "me too" is found both as
    the two words and as "metoo"; search.js lets a phrase step over a joined term's words.
    """
    words = tokens(text)
    return words, joined_terms(words), len(words)


def joined_terms(words: list[str]) -> list[tuple[str, int]]:
    """(joined term, position of its last word) for each joined spelling in words."""
    pairs = []
    for _pattern, spaced_pattern, join_words, joined in _JOIN_RES:
        if join_words[-1] not in words:
            continue
        spaced = " ".join(words)
        for match in spaced_pattern.finditer(spaced):
            pairs.append((joined, spaced.count(" ", 0, match.start()) + len(join_words) - 1))
    return pairs


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
#
# Two steps, both cached in .cache/search.pickle and both run in parallel processes:
#   analyse  one item's fields -> its words, their counts per field and encoded positions; this
#            depends only on the item's text, so an unchanged item is never tokenised again;
#   invert   a block of consecutive items' analyses -> encoded postings per term; this depends on
#            the block's items and the average field lengths, so a one-item edit redoes one block.
# Blocks number their items from 0 and are shifted when merged. Blocks are cut by position, so
# an insertion or deletion changes every later block, and those are inverted again from the
# cached analyses (no item is tokenised again).

BODY = len(FIELDS) - 1


def item_fields(item: Item, tag_labels: Mapping[str, str]) -> tuple[str, ...]:
    """The indexed text of an item, in FIELDS order; nothing else about it is read."""
    byline = item.source if item.kind == "article" else item.pseudonym
    tags = " ".join(tag_labels.get(t, t) for t in item.tags)
    return (item.title, tags, item.summary, byline, item.body_text)


@dataclass(frozen=True, slots=True)
class Analysis:
    """One item's words, made compact to keep and to pass between processes."""

    lengths: tuple[int, ...]           # words per field
    terms: str                         # distinct terms, space-separated; those in title..byline first
    counts: array                      # occurrences of each term, joined spellings included
    head_counts: tuple[tuple[int, ...], ...]  # per leading term: occurrences in title, tags, summary, byline
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


def analyse(fields: Sequence[str]) -> Analysis:
    """Number the words of all fields in one sequence, with a gap between fields (no phrase crosses it)."""
    positions: defaultdict[str, list[int]] = defaultdict(list)
    head_counts: dict[str, list[int]] = {}
    lengths, offset = [], 0
    for index, text in enumerate(fields):
        words = tokens(text) if text else []
        _consume(map(list.append, map(positions.__getitem__, words), itertools.count(offset)))
        joined = joined_terms(words) if any(w[-1] in positions for w, _j in JOINS) else ()
        for term, position in joined:
            positions[term].append(position + offset)
            positions[term].sort()
        if index != BODY:
            for term in itertools.chain(words, (term for term, _position in joined)):
                head_counts.setdefault(term, [0] * BODY)[index] += 1
        lengths.append(len(words))
        offset += len(words) + FIELD_GAP
    # Terms seen in title..byline were inserted first, so they lead in `positions` too.
    places = positions.values()
    one_place, encoded = _ONE_PLACE, _encode_places
    return Analysis(tuple(lengths), " ".join(positions), array("I", map(len, places)),
                    tuple(map(tuple, head_counts.values())),
                    ",".join([one_place[p[0]] if len(p) == 1 and p[0] < 4096 else encoded(p) for p in places]))


def average_lengths(lengths: Sequence[tuple[int, ...]]) -> tuple[float, ...]:
    """Mean words per field (from Analysis.lengths), to two significant figures so that one edit
    almost never moves them (a move changes the frequencies of every item, and so every term shard)."""
    count = max(1, len(lengths))
    return tuple(max(1.0, float(f"{total / count:.2g}")) for total in map(sum, zip(*lengths, *[(0,) * len(FIELDS)])))


@dataclass(frozen=True, slots=True)
class Block:
    """Postings of consecutive items numbered from 0, as columns (few objects: quick to pickle)."""

    terms: str          # space-separated, in the order they were met
    firsts: array       # per term: first and last item holding it
    lasts: array
    rests: str          # per term, comma-separated: encoded postings after the first item id
    positions: str      # per term, comma-separated: encoded positions


def invert_block(analyses: Sequence[Analysis], averages: tuple[float, ...]) -> Block:
    """Postings of consecutive items numbered from 0. Runs once per posting of the archive, so the
    per-posting work is table look-ups and C-level map() rather than Python statements."""
    postings: defaultdict[str, list] = defaultdict(list)
    for doc_id, analysis in enumerate(analyses):
        if not analysis.terms:
            continue
        norms = [TF_SCALE * FIELD_WEIGHTS[f] / (1 - FIELD_B[f] + FIELD_B[f] * analysis.lengths[f] / averages[f])
                 for f in range(len(FIELDS))]
        body_norm = norms[BODY]
        by_count = [encode(max(1, round(c * body_norm))) for c in range(max(analysis.counts) + 1)]
        frequencies = list(map(by_count.__getitem__, analysis.counts))
        for index, (count, in_head) in enumerate(zip(analysis.counts, analysis.head_counts)):
            weighted = sum(map(mul, in_head, norms)) + (count - sum(in_head)) * body_norm
            frequencies[index] = encode(max(1, round(weighted)))
        # Each term's list holds (id, frequency, positions) flat, in runs of three.
        lists = list(map(postings.__getitem__, analysis.terms.split(" ")))
        _consume(map(list.append, lists, itertools.repeat(doc_id)))
        _consume(map(list.append, lists, frequencies))
        _consume(map(list.append, lists, analysis.positions.split(",")))
    gap_codes = ("",) + tuple(encode(gap) for gap in range(len(analyses)))  # indexed by id - previous id
    firsts, lasts, rests, places = array("I"), array("I"), [], []
    for entries in postings.values():
        ids = entries[0::3]
        firsts.append(ids[0])
        lasts.append(ids[-1])
        places.append("".join(entries[2::3]))
        # In place, the later ids become gap codes and the positions go: [id, freq, gap, freq, gap, freq...]
        entries[3::3] = map(gap_codes.__getitem__, map(sub, ids[1:], ids))
        del entries[2::3]
        rests.append("".join(itertools.islice(entries, 1, None)))
    return Block(" ".join(postings), firsts, lasts, ",".join(rests), ",".join(places))


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
            postings[term], positions[term] = encode(entries[0]) + entries[2], entries[3]
            continue
        positions[term] = "".join(entries[3::4])
        # In place: [first, last, rest, positions, ...] -> [first id, rest, gap, rest, gap, rest...]
        gaps = map(sub, map(sub, entries[4::4], entries[1:-4:4]), itertools.repeat(1))
        entries[0::4] = [encode(entries[0]), *map(encode, gaps)]
        del entries[3::4]
        del entries[1::3]
        postings[term] = "".join(entries)
    return sorted(parts, key=term_order), postings, positions


# --- the cache and the worker processes ----------------------------------------------------------

CACHE_FORMAT = 2
BLOCK_SIZE = 2000  # fewer blocks to join (each holds most of the vocabulary), still 5 per core at 20k items
PARALLEL_THRESHOLD = 200  # items; below this, starting processes costs more than it saves


def _code_version() -> str:
    """Cached results are only reused by this very code, Python and Unicode database."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"{CACHE_FORMAT} {sys.version} {unicodedata.unidata_version}".encode())
    return digest.hexdigest()


class IndexCache:
    """Analyses by item key and blocks by block key, from the last build; written whole or not at all.

    New analyses arrive from the workers as pickled chunks and are written as they came, so the
    parent process never unpickles them (at 20,000 items that alone took 0.6 s)."""

    def __init__(self, folder: Path | None):
        self.path = folder / "search.pickle" if folder else None
        self.version = _code_version()
        self.analyses: dict[str, Analysis] = {}
        self.blocks: dict[str, Block] = {}
        if self.path and self.path.is_file():
            try:
                with self.path.open("rb") as handle:
                    version, analyses, chunks, blocks = pickle.load(handle)
                if version == self.version and isinstance(analyses, dict) and isinstance(blocks, dict):
                    for keys, data in chunks:
                        analyses.update(zip(keys, pickle.loads(data)))
                    self.analyses, self.blocks = analyses, blocks
            except Exception:  # a damaged or foreign cache file is only a slower build
                pass

    def save(self, analyses: dict[str, Analysis], chunks: list[tuple[tuple[str, ...], bytes]],
             blocks: dict[str, Block]) -> None:
        """Keep only what this build used, so the file holds no item that has gone: analyses
        reused from the last build, chunks of new ones as (keys, pickled analyses), blocks."""
        if not self.path:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(f".{os.getpid()}.partial")
        with partial.open("wb") as handle:
            pickle.dump((self.version, analyses, chunks, blocks), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, self.path)

    def save_in_background(self, *contents) -> Callable[[], None]:
        """Start saving in a forked child, so that the parent joins the blocks meanwhile (the file is
        hundreds of MB at 20,000 items); the returned function waits for it. If the child fails, the
        parent saves again itself, so that the error is raised where it can be reported."""
        if not self.path or not hasattr(os, "fork"):
            self.save(*contents)
            return lambda: None
        child = os.fork()
        if child == 0:  # pragma: no cover - the child leaves by os._exit, unseen by coverage
            status = 1
            try:
                self.save(*contents)
                status = 0
            finally:
                os._exit(status)

        def wait() -> None:
            _pid, status = os.waitpid(child, 0)
            if status != 0:
                self.save(*contents)
        return wait


def item_key(item: Item, fields: tuple[str, ...]) -> str:
    """What an item's analysis depends on: its text. The fingerprint stands for the body (it changes
    with the source file and settings); tag labels come from elsewhere, so the short fields count too."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update((item.fingerprint or fields[BODY]).encode("utf-8", "surrogatepass"))
    digest.update("\0".join(("", *fields[:BODY])).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def block_key(keys: Sequence[str], averages: tuple[float, ...]) -> str:
    return hashlib.blake2b(repr((averages, *keys)).encode(), digest_size=16).hexdigest()


_work: tuple = ()  # what forked workers read, so that only indexes are sent to them


def _analyse_range(bounds: tuple[int, int]) -> tuple[list[tuple[int, ...]], bytes]:
    """Field lengths (for the averages) and the pickled analyses: only the worker that inverts
    their block, and the cache file, need the analyses themselves."""
    with _no_gc():
        analyses = [analyse(fields) for fields in _work[bounds[0]:bounds[1]]]
        return [a.lengths for a in analyses], pickle.dumps(analyses, protocol=pickle.HIGHEST_PROTOCOL)


def _invert_range(bounds: tuple[int, int]) -> Block:
    analyses, chunks, averages = _work
    start, end = bounds
    with _no_gc():
        analyses = analyses[start:end]
        for (first, last), data in chunks:  # this block's new analyses
            if start <= first < end:
                analyses[first - start:last - start] = pickle.loads(data)
        return invert_block(analyses, averages)


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


def invert(documents: Sequence[tuple[str, ...]], keys: Sequence[str] | None = None, cache: IndexCache | None = None,
           processes: int | None = None, block_size: int | None = None) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Sorted terms, term -> encoded postings and term -> encoded positions for all documents.

    keys name each document's text for the cache (see item_key); the result does not depend on
    the cache, the number of processes or the block size.
    """
    with _no_gc():  # receiving and caching millions of small objects: the collector would only rescan them
        return _invert(documents, keys, cache, processes, block_size)


def _invert(documents, keys, cache, processes, block_size):
    cache = cache or IndexCache(None)
    keys = keys if keys is not None and cache.path else [""] * len(documents)
    processes = processes or default_jobs()
    block_size = block_size or BLOCK_SIZE
    analyses: list[Analysis | None] = [cache.analyses.get(key) for key in keys]
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
        for run, (run_lengths, data) in zip(runs, _in_processes(_analyse_range, documents, runs, jobs)):
            lengths[run[0]:run[1]] = run_lengths
            chunks.append((run, data))
    averages = average_lengths(lengths)
    block_keys = [block_key(keys[start:start + block_size], averages) if cache.path else "" for start in starts]
    blocks: list[Block | None] = [cache.blocks.get(key) for key in block_keys]
    stale = [n for n, block in enumerate(blocks) if block is None]
    if stale:
        ranges = [(starts[n], starts[n] + block_size) for n in stale]
        jobs = processes if sum(len(analyses[a:b]) for a, b in ranges) >= PARALLEL_THRESHOLD else 1
        for n, block in zip(stale, _in_processes(_invert_range, (analyses, chunks, averages), ranges, jobs)):
            blocks[n] = block
    saved = lambda: None  # noqa: E731
    if runs or stale or len(cache.analyses) != len(set(keys)) or len(cache.blocks) != len(set(block_keys)):
        reused = {key: analysis for key, analysis in zip(keys, analyses) if analysis is not None}
        new = [(tuple(keys[first:end]), data) for (first, end), data in chunks]
        saved = cache.save_in_background(reused, new, dict(zip(block_keys, blocks)))
    merged = merge_blocks(list(zip(starts, blocks)))
    saved()
    return merged


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
                targets: ShardTargets = ShardTargets(), processes: int | None = None,
                cache_dir: Path | None = None) -> list[tuple[str, bytes]]:
    """Every file under search/ except the page itself, as (path, bytes), in a fixed order.

    With a cache_dir, what the last build learnt about unchanged items is reused; the files are
    the same bytes with or without it, and whatever the number of processes.
    """
    documents = [item_fields(item, tag_labels) for item in items]
    cache = IndexCache(cache_dir)
    keys = [item_key(item, fields) for item, fields in zip(items, documents)] if cache_dir else None
    terms, postings, positions = invert(documents, keys, cache, processes)
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
    for path, data in build_index(site.items, tag_labels, renderer.config.content_warnings, cache_dir=renderer.cache_dir):
        yield Output(path, data)
