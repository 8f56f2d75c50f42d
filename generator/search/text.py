"""Text to terms, as templates/static/search.js does it: lower case, accents and the folds NFKD
leaves, words, Chinese and Japanese bigrams, Korean syllables kept whole, and the joined forms
of names ("me too" = "metoo"). tests/test_search.py and tests/test_search_languages.py run
both sides on the same strings and compare."""

from __future__ import annotations

import re
import unicodedata


# A word's stem is indexed beside the word itself, as the stem with this mark after it ("harass!"
# for "harassed", "harassment"...): no word holds it, and it sorts before every letter and digit, so
# that a stem stands right after the word it spells ("harass") and before the longer words that
# start with it: a query's word, its stem and the stem as a word are most often in one terms shard.
STEM_MARK = "!"

MAX_TOKEN_LENGTH = 40

# Spellings readers use for the same name: the words in sequence also index the joined form,
# and a query with the words searches for the joined form ("me too" = "MeToo" = "#metoo").
JOINS = ((("me", "too"), "metoo"), (("balance", "ton", "porc"), "balancetonporc"))


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
# Letters that NFKD leaves alone but readers type without their stroke or ligature.
FOLDS = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th", "ð": "d",
         "ı": "i", "ς": "σ", "_": " "}
_FOLD_TABLE = str.maketrans(FOLDS)
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


# Marks and folds are all outside ASCII, and NFKD leaves ASCII as it is: after NFKD only the runs
# of other characters are translated (one table: dropped marks go, folded letters are replaced).
# A character class of every mark is slow in `re` (marks above U+FFFF are tried one by one for
# every character of the text), which made non-ASCII text cost about 50 times as much as ASCII.
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")
_DROP_FOLD_TABLE = {**dict.fromkeys(map(ord, _DROPPED_MARKS)), **_FOLD_TABLE}


def _drop_fold_run(match: re.Match) -> str:
    return match[0].translate(_DROP_FOLD_TABLE)


# NFKD splits a Hangul syllable into its letters (jamo): they are put back together, so that Korean
# words are indexed, completed and cut at 40 letters as syllables, not as letters of syllables.
_JAMO_RE = re.compile("[\u1100-\u11ff]+")


def _hangul(text: str) -> str:
    return _JAMO_RE.sub(_compose_run, text) if "\u1100" <= max(text) else text


def _compose_run(match: re.Match) -> str:
    return unicodedata.normalize("NFC", match[0])


# NFKD also splits the voiced kana of Japanese (が = か + U+3099), and the mark would be dropped
# with the accents: a kana and its mark are put back together first (が and か are different words).
_KANA_MARK_RE = re.compile("[\u3041-\u30ff][\u3099\u309a]")


def _kana(text: str) -> str:
    return _KANA_MARK_RE.sub(_compose_run, text) if "\u3099" in text or "\u309a" in text else text


def normalise(text: str) -> str:
    """Fold case, accents (NFKD without marks) and a few letters; word separators are kept."""
    text = text.lower()
    if not text.isascii():
        text = _hangul(_NON_ASCII_RE.sub(_drop_fold_run, _kana(unicodedata.normalize("NFKD", text))))
    return text.replace("_", " ") if "_" in text else text


# Chinese and Japanese are written without spaces between words: a run of Han, Hiragana and Katakana
# is indexed as its overlapping pairs of characters (bigrams) and its last character alone, one
# token per character, so that a word is found inside a sentence ("受害者" in "那年我也是受害者": 受害,
# 害者). The same ranges are in search.js: no Unicode script property, which Python's re lacks.
CJK_RANGES = ("\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3038-\u303c\u3041-\u309f\u30a0-\u30ff"
              "\u3190-\u319f\u31c0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
              "\U0001b000-\U0001b16f\U00020000-\U0003ffff")
_CJK_RE = re.compile(f"[{CJK_RANGES}]")
_CJK_RUN_RE = re.compile(f"([{CJK_RANGES}]+)")


def _cjk_split(words: list[str]) -> list[str]:
    """The words with each run of Han, Hiragana or Katakana made its bigrams and its last character."""
    out = []
    for word in words:
        if not _CJK_RE.search(word):
            out.append(word)
            continue
        for number, part in enumerate(_CJK_RUN_RE.split(word)):
            if number % 2 == 0:
                if part:
                    out.append(part)
            else:
                out.extend(part[n:n + 2] for n in range(len(part) - 1))
                out.append(part[-1])
    return out


def _cjk_query(word: str) -> list[list[str]]:
    """A query word's parts: its runs of Han, Hiragana or Katakana as their bigrams (a single
    character as itself: search.js looks it up as the start of bigrams), the rest as words."""
    parts = []
    for number, part in enumerate(_CJK_RUN_RE.split(word)):
        if number % 2 == 0:
            if part:
                parts.append([part])
        else:
            parts.append([part[n:n + 2] for n in range(len(part) - 1)] or [part])
    return parts


# In ASCII text a word is a run of [a-z0-9]: mapping everything else to a space and splitting
# is about eight times faster than the regular expression, which other text still needs.
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


class _WordCharacters(dict):
    """Code point -> itself if _TOKEN_RE counts it in a word, else a space; filled as characters are met."""

    def __missing__(self, code: int) -> int | str:
        value = code if _TOKEN_RE.fullmatch(chr(code)) else " "
        self[code] = value
        return value


class _FoldedWordCharacters(dict):
    """Code point (after NFKD) -> what normalise makes of it, with characters outside words as spaces."""

    def __missing__(self, code: int) -> str:
        value = chr(code).translate(_DROP_FOLD_TABLE).translate(_WORD_CHARACTERS)
        self[code] = value
        return value


_WORD_CHARACTERS = _WordCharacters()
_ASCII_BYTES = bytes(range(128))
_FOLDED_WORD_CHARACTERS = _FoldedWordCharacters()
# Once the non-ASCII characters outside words are spaces, a word is a run of anything but ASCII
# separators ("_" is one in tokens(); _split() keeps it in words, as _TOKEN_RE does).
_WORD_RE = re.compile(r"[^\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+")
_WORD_OR_UNDERSCORE_RE = re.compile(r"[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]+")


def _separate_run(match: re.Match) -> str:
    return match[0].translate(_WORD_CHARACTERS)


def _short(words: list[str]) -> list[str]:
    if words and max(map(len, words)) > MAX_TOKEN_LENGTH:
        return [t for t in words if len(t) <= MAX_TOKEN_LENGTH]
    return words


def _split(folded: str) -> list[str]:
    """The words of normalised text; over-long runs (URLs, junk) are dropped."""
    if not folded.isascii():
        folded = _NON_ASCII_RE.sub(_separate_run, folded)
        if not folded.isascii() or "_" in folded:
            words = _WORD_OR_UNDERSCORE_RE.findall(folded)
            return _short(_cjk_split(words) if _CJK_RE.search(folded) else words)
    return _short(folded.translate(_ASCII_SEPARATORS).split())


def tokens(text: str) -> list[str]:
    """The words of text, normalised; over-long runs (URLs, junk) are dropped. The same as
    _split(normalise(text)), in one pass over the characters outside ASCII."""
    return _short(_all_words(text))


def _all_words(text: str) -> list[str]:
    """tokens(text) with over-long runs kept: analyse() checks its distinct terms instead."""
    text = text.lower()
    if not text.isascii():
        text = _kana(unicodedata.normalize("NFKD", text))
        # Each distinct character outside ASCII (most texts have few) is replaced where it changes.
        # One at a time is the same as all at once: what a character becomes is ASCII or characters
        # that stay as they are. The bytes of those characters are what UTF-8 has outside ASCII.
        table = _FOLDED_WORD_CHARACTERS
        for char in set(text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")):
            value = table[ord(char)]
            if value != char:
                text = text.replace(char, value)
        if not text.isascii():
            words = _WORD_RE.findall(_hangul(text))
            return _cjk_split(words) if _CJK_RE.search(text) else words
    return text.translate(_ASCII_SEPARATORS).split()


def query_words(text: str) -> list[list[str]]:
    """The words of a query, each as the terms it is looked up as: a word as itself, a joined
    spelling for its words ("me too" -> ["metoo"]), a run of Chinese or Japanese as its bigrams."""
    folded = normalise(text)
    for pattern, _spaced, _words, joined in _JOIN_RES:
        folded = pattern.sub(joined, folded)
    if not folded.isascii():
        folded = _NON_ASCII_RE.sub(_separate_run, folded)
    words = _WORD_OR_UNDERSCORE_RE.findall(folded)
    parts = [part for word in words for part in (_cjk_query(word) if _CJK_RE.search(word) else [[word]])]
    return [part for part in parts if len(part[0]) <= MAX_TOKEN_LENGTH]


def query_tokens(text: str) -> list[str]:
    """The terms of a query's words, in order (query_words, flattened)."""
    return [term for word in query_words(text) for term in word]


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
