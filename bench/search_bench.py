"""Search index benchmark: build only the index of a synthetic archive and time a query from file://.

    python -m bench.search_bench [--items 20000] [--seed 2017] [--shape standard|long|mixed|all] [--runs 5] [--keep DIR]
    (make bench-search ITEMS=20000)

The corpus is made in memory (no Markdown), with a Zipf-distributed vocabulary of made-up words
so that term statistics look like prose; the same seed gives the same index. Three shapes:

  standard  700-word bodies, 40,000 words, 20 tags, one source, no regions or authors;
  long      3,000-word bodies, 120,000 words, 200 tags (2 to 6 per item), 60 regions,
            40 sources, 1 to 3 authors of 3,000, six content warnings;
  mixed     the standard shape in ten languages: 60% of the items in English, the others in
            French, Spanish, German, Swedish, Chinese, Japanese, Korean, Arabic and Hindi, in
            equal shares. Real words: English from the english-words package, the others from
            Faker's word lists where it has one and CLDR's names (through Babel) in each language;
            Chinese and Japanese written without spaces, Korean words with a particle on one in two.

For each shape it reports the index build time (cold, filling an empty cache folder) and the time
to rebuild it with nothing changed and after editing one item (warm cache), index size against the
plain text it indexes, the shard bytes each query loads, and the time to first results from
file:// in headless Chromium (median of --runs page loads, each in a new browser context).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import itertools
import json
import os
import platform
import random
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from generator.core.model import InlineBody
from generator.core.types import Site
from generator.config import load_config
from generator.core.dates import PartialDate
from generator.core.model import Article, Tag, Testimony
from generator.output.render import SiteRenderer, static_files
from generator.search import STEM_MARK, build_index, term_script_values

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SYLLABLES = ("ka", "lo", "mi", "ne", "su", "ra", "te", "vo", "bi", "da", "fe", "gu", "ho", "ji", "pa", "ri",
             "sa", "to", "we", "zu", "an", "el", "in", "or", "ur", "st", "tr", "pl", "ch", "sh")
TAGS = ("origins", "weinstein", "hashtag", "international", "workplace", "law-and-policy", "media",
        "entertainment", "education", "online", "solidarity", "justice-system", "sport", "health",
        "politics", "religion", "military", "science", "music", "technology")
SITE_YAML = "title: Search bench\ndescription: Synthetic.\nbase_url: https://bench.example.org/\nlanguage: en\n" \
            "content_warnings:\n  harassment: Harassment\n"


@dataclass(frozen=True, slots=True)
class Shape:
    """How a synthetic archive looks; the defaults are the standard shape."""

    words_per_item: int = 700
    vocabulary: int = 40_000
    tags: tuple[str, ...] = TAGS
    tags_per_item: tuple[int, int] = (1, 3)
    regions: int = 0          # testimonies' regions drawn from this many; 0: none
    sources: int = 1          # articles' sources ("World Wire" when 1)
    authors: int = 0          # articles have 1 to 3 authors of this many; 0: none
    warnings: tuple[str, ...] = ("harassment",)
    # (language, share of the items); empty: every item in English, of made-up words
    languages: tuple[tuple[str, float], ...] = ()


WARNINGS = ("harassment", "sexual-assault", "abuse-of-power", "workplace-retaliation", "child-abuse", "self-harm")
SHAPES = {
    "standard": Shape(),
    "long": Shape(words_per_item=3000, vocabulary=120_000, tags=tuple(f"topic-{n:03d}" for n in range(200)),
                  tags_per_item=(2, 6), regions=60, sources=40, authors=3000, warnings=WARNINGS),
    "mixed": Shape(languages=(("en", 0.6), *((code, 0.4 / 9) for code in ("fr", "es", "de", "sv", "zh", "ja", "ko", "ar", "hi")))),
}
# Faker's word lists ("lorem") where it has one for the language.
FAKER_WORDS = {"en": "en_US", "fr": "fr_FR", "es": "es_ES", "de": "de_DE", "ar": "ar_AA", "ja": "ja_JP", "zh": "zh_CN"}
# Words of the languages written in other scripts are in that script (CLDR's names hold a few others).
SCRIPTS = {"zh": re.compile("[\u3400-\u9fff]"), "ja": re.compile("[\u3040-\u30ff\u3400-\u9fff]"),
           "ko": re.compile("^[\uac00-\ud7af]+$"), "ar": re.compile("^[\u0600-\u06ff]+$"), "hi": re.compile("^[\u0900-\u097f]+$")}
KOREAN_PARTICLES = ("가", "는", "를", "에", "의", "에서", "와", "도", "에게", "로")


def language_words(code: str, rng: random.Random, english_size: int) -> list[str]:
    """A language's vocabulary, most frequent first (Zipf ranks follow this order): Faker's word list,
    then words of CLDR's names of languages, countries, scripts, months, days and units; English also
    ``english_size`` words of the english-words package. The same for the same seed."""
    import importlib
    import unicodedata

    from babel import Locale

    words: list[str] = []
    if code in FAKER_WORDS:
        words += [w.lower() for w in importlib.import_module(f"faker.providers.lorem.{FAKER_WORDS[code]}").Provider.word_list]
    locale = Locale.parse(code)
    texts = [*locale.languages.values(), *locale.territories.values(), *locale.scripts.values()]
    for key in ("months", "days"):
        texts += [name for context in locale._data[key].values() for width in context.values() for name in width.values()]
    for pattern in locale._data.get("unit_patterns", {}).values():
        texts += [form for forms in pattern.values() if isinstance(forms, dict) for form in forms.values() if isinstance(form, str)]
    found = []
    for text in texts:
        text = unicodedata.normalize("NFC", text.lower())
        found += "".join(c if unicodedata.category(c)[0] in "LM" else " " for c in text).split()
    words += sorted(set(found))
    script = SCRIPTS.get(code)
    words = [w for w in words if len(w) >= 2 and (script.search(w) if script else w.isalpha() and not w.isascii() or w.isalpha())]
    if code == "en":
        from english_words import get_english_words_set

        words += rng.sample(sorted(get_english_words_set(["web2"], lower=True)), english_size)
    return list(dict.fromkeys(w for w in words if w))


class _Writer:
    """Sentences of one language's words, as that language writes them."""

    def __init__(self, code: str, rng: random.Random, vocabulary: list[str]):
        self.code, self.rng, self.words = code, rng, vocabulary
        self.weights = list(itertools.accumulate(1 / (rank + 2.7) for rank in range(len(vocabulary))))
        self.joiner = "" if code in ("zh", "ja") else " "
        self.stop = {"zh": "。", "ja": "。", "hi": "।"}.get(code, ".")

    def draw(self, count: int) -> list[str]:
        words = self.rng.choices(self.words, cum_weights=self.weights, k=count)
        if self.code == "ko":
            words = [w + self.rng.choice(KOREAN_PARTICLES) if self.rng.random() < 0.5 else w for w in words]
        return words

    def sentence(self, words: list[str], stop: bool = True) -> str:
        text = self.joiner.join(words)
        return (text.capitalize() if self.joiner else text) + (self.stop if stop else "")


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words, seen = [], set()
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 3, 4))))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def synthetic_items(count: int, seed: int = 2017, words_per_item: int | None = None, shape: Shape = Shape()) -> tuple:
    """Articles and testimonies (one in three), newest first as in Site.items. The standard shape
    gives the same items as before shapes existed: the long shape's extra fields have a generator
    of their own."""
    rng = random.Random(seed)
    extra = random.Random(seed + 1)
    words_per_item = words_per_item or shape.words_per_item
    words = vocabulary(rng, shape.vocabulary)
    weights = list(itertools.accumulate(1 / (rank + 2.7) for rank in range(len(words))))
    draw = lambda n: rng.choices(words, cum_weights=weights, k=n)  # noqa: E731
    # Other languages have generators of their own: the standard shape's items stay as they were.
    by_language = random.Random(seed + 2)
    writers = {code: _Writer(code, random.Random(f"{seed} {code}"), language_words(code, random.Random(seed + 3), shape.vocabulary))
               for code, _share in shape.languages}
    codes, shares = [code for code, _share in shape.languages], [share for _code, share in shape.languages]
    names = vocabulary(extra, max(shape.regions, shape.sources, shape.authors, 1) * 3)
    regions = [name.capitalize() + " " + names[-n - 1].capitalize() for n, name in enumerate(names[:shape.regions])]
    sources = ["World Wire"] if shape.sources <= 1 else [f"The {name.capitalize()} Times" for name in names[:shape.sources]]
    authors = [f"{a.capitalize()} {b.capitalize()}" for a, b in zip(names[:shape.authors], names[shape.authors:2 * shape.authors])]
    items = []
    for n in range(count):
        language = by_language.choices(codes, shares)[0] if codes else "en"
        writer = writers.get(language)
        sentences, length = [], 0
        while length < words_per_item:
            if writer:
                sentence = writer.draw(rng.randint(8, 18))
                sentences.append(writer.sentence(sentence))
            else:
                sentence = draw(rng.randint(8, 18))
                sentences.append(" ".join(sentence).capitalize() + ".")
            length += len(sentence)
        body = (writer.joiner if writer else " ").join(sentences)
        tags = tuple(sorted(rng.sample(shape.tags, rng.randint(*shape.tags_per_item))))
        summary = writer.sentence(writer.draw(24)) if writer else " ".join(draw(24)).capitalize() + "."
        year, month = rng.randint(2006, 2025), rng.randint(1, 12)
        if shape.warnings == ("harassment",):
            warnings = ("harassment",) if n % 4 == 0 else ()
        else:
            warnings = tuple(sorted(extra.sample(shape.warnings, extra.choice((0, 0, 1, 1, 2)))))
        common = dict(path=Path(f"{n}.md"), slug=f"item-{n:06d}", tags=tags, summary=summary, language=language,
                      content_warnings=warnings, editor_note="", draft=False,
                      publish_after=None, body_markdown="", body_line=1, body=InlineBody(text=body))
        if n % 3 == 2:
            region = extra.choice(regions) if regions else ""
            items.append(Testimony(date=PartialDate(year, month), pseudonym=f"Contributor {n}", region=region,
                                   consent_status="granted", **common))
        else:
            title = writer.sentence(writer.draw(rng.randint(4, 9)), stop=False) if writer else \
                " ".join(draw(rng.randint(4, 9))).capitalize()
            source = extra.choice(sources) if len(sources) > 1 else sources[0]
            byline = tuple(extra.sample(authors, extra.randint(1, 3))) if authors else ()
            items.append(Article(title=title, date=dt.date(year, month, rng.randint(1, 28)), source=source,
                                 source_url=None, authors=byline, featured=False, **common))
    return tuple(sorted(items, key=lambda i: (i.sort_key, i.kind), reverse=True))


def site_yaml(shape: Shape) -> str:
    warnings = "".join(f"  {w}: {w.replace('-', ' ').capitalize()}\n" for w in shape.warnings)
    return SITE_YAML.split("content_warnings:")[0] + "content_warnings:\n" + warnings


def plain_text(item, tag_labels: dict[str, str], warning_labels: dict[str, str]) -> tuple[str, ...]:
    """The text of an item a reader can see, which the index's size is measured against: its title,
    tag and warning labels, source, authors, pseudonym, region, summary and body."""
    byline = (item.source, *item.authors) if item.kind == "article" else (item.pseudonym, item.region)
    return (item.title, *(tag_labels[t] for t in item.tags), *(warning_labels[w] for w in item.content_warnings),
            *byline, item.summary, item.body_text)


def tag_labels(shape: Shape) -> dict[str, str]:
    return {t: t.replace("-", " ").title() for t in shape.tags}


def write_site(items, out: Path, shape: Shape) -> tuple[float, int, dict[str, int]]:
    """Build the index (timed) and write it with the search page; returns seconds, files, sizes."""
    (out / "site.yaml").write_text(site_yaml(shape))
    config, problems = load_config(out / "site.yaml")
    tags = {t: Tag(t, label, "") for t, label in tag_labels(shape).items()}
    labels = {t: tag.label for t, tag in tags.items()}
    started = time.perf_counter()  # cold: an empty cache folder, which the build fills
    files = build_index(items, labels, config.content_warnings, cache_dir=out / ".cache")
    seconds = time.perf_counter() - started
    # Only what the search page's template reads; every other part of the site stays empty.
    site = Site(**{field.name: () for field in dataclasses.fields(Site)} | {"items": items, "tags": tags})
    renderer = SiteRenderer(config, site, "offline")
    page = renderer.page("search.html", "/search/")
    sizes = {}
    for path, data in files + [(page.path, page.data)] + [(o.path, o.data) for o in static_files(config)]:
        target = out / "site" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        sizes[path] = len(data)
    return seconds, len(files), sizes


def unchanged_rebuild(items, out: Path, shape: Shape) -> float:
    """Seconds to rebuild the index with the cache write_site left, nothing changed: the last files come back."""
    config, _problems = load_config(out / "site.yaml")
    started = time.perf_counter()
    build_index(items, tag_labels(shape), config.content_warnings, cache_dir=out / ".cache")
    return time.perf_counter() - started


def edit_rebuild(items, out: Path, shape: Shape) -> float:
    """Seconds to rebuild the index with the cache write_site left, after editing the middle item."""
    config, _problems = load_config(out / "site.yaml")
    middle = len(items) // 2
    item = items[middle]
    changed = items[:middle] + (dataclasses.replace(item, body=InlineBody(text=item.body_text + " Edited."),
                                                    fingerprint=item.fingerprint + " edited"),) + items[middle + 1:]
    started = time.perf_counter()
    build_index(changed, tag_labels(shape), config.content_warnings, cache_dir=out / ".cache")
    return time.perf_counter() - started


# search.js sets __chorusFirstResults when the first results are on screen; a search without results
# is timed when the page first says it is ready (#search[data-state=ready]), seen by an observer.
WATCH_READY = """new MutationObserver((changes, observer) => {
  const root = document.getElementById("search");
  if (root && root.getAttribute("data-state") === "ready") { window.__benchReady = performance.now(); observer.disconnect(); }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-state"]});"""
DONE = "window.__benchReady !== undefined"
DONE_AT = "window.__chorusFirstResults !== undefined ? window.__chorusFirstResults : window.__benchReady"


def browser_query(site: Path, query: str, sizes: dict[str, int], runs: int = 5) -> dict:
    """Median time to first results from file:// (navigation start to results shown) and bytes loaded."""
    from playwright.sync_api import sync_playwright

    url = (site / "search/index.html").as_uri() + "?" + urlencode({"q": query})
    timings, loaded = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for _ in range(runs):
            # Playwright evaluates its wait condition as a string, which the page's CSP forbids.
            context = browser.new_context(bypass_csp=True)
            page = context.new_page()
            page.add_init_script(WATCH_READY)
            page.goto(url)
            page.wait_for_function(DONE, timeout=60_000)
            timings.append(round(page.evaluate(DONE_AT)))
            scripts = page.evaluate("Array.from(document.scripts).map(s => s.getAttribute('src'))")
            loaded = sorted("search/" + s for s in scripts if s and not s.startswith("../"))
            status = page.inner_text("#search-status")
            context.close()
        browser.close()
    return {"query": query, "first_results_ms": sorted(timings)[len(timings) // 2], "all_ms": timings,
            "files": len(loaded), "bytes": sum(sizes[p] for p in loaded), "status": status[:80]}


def typo(word: str) -> str:
    """The word with two neighbouring letters swapped, as a reader typing fast on a phone might."""
    at = max(1, len(word) // 2)
    return word[:at - 1] + word[at] + word[at - 1] + word[at + 1:] if len(word) > 2 else word + word[-1]


def bench_shape(name: str, shape: Shape, count: int, seed: int, runs: int, keep: Path | None = None) -> None:
    started = time.perf_counter()
    # A real build's items carry a fingerprint of their source file; the cache keys on it.
    items = tuple(dataclasses.replace(item, fingerprint=f"synthetic {name} {seed} {n}")
                  for n, item in enumerate(synthetic_items(count, seed, shape=shape)))
    print(f"{name} corpus: {count} items made in {time.perf_counter() - started:.1f} s")
    labels = tag_labels(shape)
    warning_labels = {w: w.replace("-", " ").capitalize() for w in shape.warnings}
    plain = sum(len(text.encode()) for item in items for text in plain_text(item, labels, warning_labels))
    first = next(item for item in items if item.language == "en")  # items[0] in the English shapes
    words = [w for w in first.body_text.lower().replace(".", "").split()]
    by_frequency = [w for w, _ in sorted(((w, words.count(w)) for w in set(words)), key=lambda p: (-p[1], p[0]))]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if keep:  # write the site where it stays, to look at or profile afterwards
            out = keep / name
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
        seconds, file_count, sizes = write_site(items, out, shape)
        index = {path: size for path, size in sizes.items() if path.startswith("search/") and path.endswith(".js")}
        largest = max(index, key=index.get)
        report = {
            "shape": name, "items": count,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "index_build_s": round(seconds, 2), "index_rebuild_unchanged_s": round(unchanged_rebuild(items, out, shape), 3),
            "index_rebuild_after_one_edit_s": round(edit_rebuild(items, out, shape), 3),
            "load_average": os.getloadavg()[0], "index_files": file_count, "index_bytes": sum(index.values()),
            "plain_text_bytes": plain, "index_to_text": round(sum(index.values()) / plain, 3),
            "manifest_bytes": sizes["search/manifest.js"], "largest_file": largest, "largest_file_bytes": index[largest],
            "by_kind_bytes": {kind: sum(size for path, size in index.items() if path.startswith(f"search/{kind}/"))
                              for kind in sorted({path.split("/")[1] for path in index if path.count("/") > 1})},
            "stem_postings_bytes": stem_bytes(out / "site/search/terms"),
            "languages": dict(sorted(Counter(item.language for item in items).items())),
        }
        print(json.dumps(report, indent=2))
        queries = {"two mid-frequency words": f"{by_frequency[40]} {by_frequency[120]}",
                   "two most frequent words": f"{by_frequency[0]} {by_frequency[1]}",
                   "phrase": '"' + " ".join(first.body_text.lower().split()[3:5]) + '"',
                   "a mid-frequency word mistyped": typo(next(w for w in by_frequency[40:] if len(w) >= 7))}
        if shape.languages:
            queries.update(other_language_queries(items, shape, seed))
        for label, query in queries.items():
            print(label + ":", json.dumps(browser_query(out / "site", query, sizes, runs)), flush=True)


def stem_bytes(folder: Path) -> int:
    """Bytes of the stems and their postings in the terms shards (the terms that end with the stem mark)."""
    total = 0
    for path in folder.glob("*.js"):
        data = path.read_bytes()
        terms = json.loads(data[data.index(b'","') + 2:data.index(b'","', data.index(b'","') + 3) + 1])
        values = term_script_values(data)
        total += sum(len(term) + len(value) + 2 for term, value in zip(terms.split(" "), values) if term.endswith(STEM_MARK))
    return total


def other_language_queries(items, shape: Shape, seed: int) -> dict[str, str]:
    """Two words of the first French item and two of the first Chinese one (from the 41st most
    frequent of the language on, as a reader might pick them from an item), a mid-frequency Chinese
    word of three or more characters inside a sentence, and a Korean noun that the text holds with a
    particle after it."""
    queries = {}
    for code, label in (("fr", "two French words"), ("zh", "two Chinese words")):
        vocabulary = language_words(code, random.Random(seed + 3), shape.vocabulary)
        text = next(item.body_text for item in items if item.language == code).lower()
        words = set(re.findall(r"\w+", text))
        found = [word for word in vocabulary[40:] if len(word) >= 2 and (word in text if code == "zh" else word in words)]
        queries[label] = f"{found[0]} {found[len(found) // 2]}"
    for code, label in (("zh", "a Chinese word inside sentences"), ("ko", "a Korean noun (with particles in the text)")):
        vocabulary = language_words(code, random.Random(seed + 3), shape.vocabulary)
        text = next(item.body_text for item in items if item.language == code)
        for word in vocabulary[20:]:
            if len(word) >= (3 if code == "zh" else 2) and (code == "zh" and word in text or
                                                            any(word + particle in text for particle in KOREAN_PARTICLES)):
                queries[label] = word
                break
    return queries


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--shape", choices=(*SHAPES, "all"), default="all")
    parser.add_argument("--runs", type=int, default=5, help="page loads per query; the median is reported")
    parser.add_argument("--keep", type=Path, help="write each shape's site under this folder and keep it")
    args = parser.parse_args(argv)
    print(f"Chromium: {chromium_version()}")
    for name in SHAPES if args.shape == "all" else (args.shape,):
        bench_shape(name, SHAPES[name], args.items, args.seed, args.runs, args.keep)


def chromium_version() -> str:
    try:
        return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError as exc:
        return f"unknown ({exc})"


if __name__ == "__main__":
    main()
