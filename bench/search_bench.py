"""Search index benchmark: build only the index of a synthetic archive and time a query from file://.

    python -m bench.search_bench [--items 20000] [--seed 2017]      (make bench-search ITEMS=20000)

The corpus is made in memory (no Markdown), with a Zipf-distributed vocabulary of 40,000
made-up words so that term statistics look like prose; the same seed gives the same index.
It reports the index build time (cold, filling an empty cache folder) and the time to rebuild it
with nothing changed and after editing one item (warm cache), index size against the plain text it indexes, the shard
bytes a two-word query loads, and the time to first results from file:// in headless Chromium.
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
import tempfile
import time
from pathlib import Path

from generator.bodies import InlineBody
from generator.assemble import Site
from generator.config import load_config
from generator.fields import PartialDate
from generator.model import Article, Tag, Testimony
from generator.render import SiteRenderer, static_files
from generator.search import build_index, item_fields

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SYLLABLES = ("ka", "lo", "mi", "ne", "su", "ra", "te", "vo", "bi", "da", "fe", "gu", "ho", "ji", "pa", "ri",
             "sa", "to", "we", "zu", "an", "el", "in", "or", "ur", "st", "tr", "pl", "ch", "sh")
TAGS = ("origins", "weinstein", "hashtag", "international", "workplace", "law-and-policy", "media",
        "entertainment", "education", "online", "solidarity", "justice-system", "sport", "health",
        "politics", "religion", "military", "science", "music", "technology")
SITE_YAML = "title: Search bench\ndescription: Synthetic.\nbase_url: https://bench.example.org/\nlanguage: en\n" \
            "content_warnings:\n  harassment: Harassment\n"


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words, seen = [], set()
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 3, 4))))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def synthetic_items(count: int, seed: int = 2017, words_per_item: int = 700) -> tuple:
    """Articles and testimonies (one in three), newest first as in Site.items."""
    rng = random.Random(seed)
    words = vocabulary(rng, 40_000)
    weights = list(itertools.accumulate(1 / (rank + 2.7) for rank in range(len(words))))
    draw = lambda n: rng.choices(words, cum_weights=weights, k=n)  # noqa: E731
    items = []
    for n in range(count):
        sentences, length = [], 0
        while length < words_per_item:
            sentence = draw(rng.randint(8, 18))
            sentences.append(" ".join(sentence).capitalize() + ".")
            length += len(sentence)
        body = " ".join(sentences)
        tags = tuple(sorted(rng.sample(TAGS, rng.randint(1, 3))))
        summary = " ".join(draw(24)).capitalize() + "."
        year, month = rng.randint(2006, 2025), rng.randint(1, 12)
        common = dict(path=Path(f"{n}.md"), slug=f"item-{n:06d}", tags=tags, summary=summary, language="en",
                      content_warnings=("harassment",) if n % 4 == 0 else (), editor_note="", draft=False,
                      publish_after=None, body_markdown="", body_line=1, body=InlineBody(text=body))
        if n % 3 == 2:
            items.append(Testimony(date=PartialDate(year, month), pseudonym=f"Contributor {n}", region="",
                                   consent_status="granted", **common))
        else:
            title = " ".join(draw(rng.randint(4, 9))).capitalize()
            items.append(Article(title=title, date=dt.date(year, month, rng.randint(1, 28)), source="World Wire",
                                 source_url=None, authors=(), featured=False, **common))
    return tuple(sorted(items, key=lambda i: (i.sort_key, i.kind), reverse=True))


def write_site(items, out: Path) -> tuple[float, int, dict[str, int]]:
    """Build the index (timed) and write it with the search page; returns seconds, files, sizes."""
    (out / "site.yaml").write_text(SITE_YAML)
    config, problems = load_config(out / "site.yaml")
    tags = {t: Tag(t, t.replace("-", " ").title(), "") for t in TAGS}
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


def unchanged_rebuild(items, out: Path) -> float:
    """Seconds to rebuild the index with the cache write_site left, nothing changed: the last files come back."""
    config, _problems = load_config(out / "site.yaml")
    started = time.perf_counter()
    build_index(items, {t: t.replace("-", " ").title() for t in TAGS}, config.content_warnings, cache_dir=out / ".cache")
    return time.perf_counter() - started


def edit_rebuild(items, out: Path) -> float:
    """Seconds to rebuild the index with the cache write_site left, after editing the middle item."""
    config, _problems = load_config(out / "site.yaml")
    middle = len(items) // 2
    item = items[middle]
    changed = items[:middle] + (dataclasses.replace(item, body=InlineBody(text=item.body_text + " Edited."),
                                                    fingerprint=item.fingerprint + " edited"),) + items[middle + 1:]
    started = time.perf_counter()
    build_index(changed, {t: t.replace("-", " ").title() for t in TAGS}, config.content_warnings, cache_dir=out / ".cache")
    return time.perf_counter() - started


def browser_query(site: Path, query: str, sizes: dict[str, int], runs: int = 3) -> dict:
    """Median time to first results from file:// (navigation start to results shown) and bytes loaded."""
    from playwright.sync_api import sync_playwright

    url = (site / "search/index.html").as_uri() + "?q=" + query.replace(" ", "+")
    timings, loaded = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for _ in range(runs):
            context = browser.new_context()
            page = context.new_page()
            page.goto(url)
            page.wait_for_function("window.__chorusFirstResults !== undefined", timeout=60_000)
            timings.append(page.evaluate("window.__chorusFirstResults"))
            scripts = page.evaluate("Array.from(document.scripts).map(s => s.getAttribute('src'))")
            loaded = sorted("search/" + s for s in scripts if s and not s.startswith("../"))
            context.close()
        browser.close()
    return {"query": query, "first_results_ms": sorted(timings)[len(timings) // 2], "all_ms": timings,
            "files": len(loaded), "bytes": sum(sizes[p] for p in loaded)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    # A real build's items carry a fingerprint of their source file; the cache keys on it.
    items = tuple(dataclasses.replace(item, fingerprint=f"synthetic {args.seed} {n}")
                  for n, item in enumerate(synthetic_items(args.items, args.seed)))
    print(f"corpus: {args.items} items made in {time.perf_counter() - started:.1f} s")
    plain = sum(len(text.encode()) for item in items for text in item_fields(item, {t: t for t in TAGS}))
    words = [w for w in items[0].body_text.lower().replace(".", "").split()]
    by_frequency = [w for w, _ in sorted(((w, words.count(w)) for w in set(words)), key=lambda p: (-p[1], p[0]))]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        seconds, file_count, sizes = write_site(items, out)
        index_bytes = sum(size for path, size in sizes.items() if path.startswith("search/") and path.endswith(".js"))
        report = {
            "items": args.items, "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "index_build_s": round(seconds, 2), "index_rebuild_unchanged_s": round(unchanged_rebuild(items, out), 3),
            "index_rebuild_after_one_edit_s": round(edit_rebuild(items, out), 3),
            "load_average": os.getloadavg()[0], "index_files": file_count, "index_bytes": index_bytes,
            "plain_text_bytes": plain, "index_to_text": round(index_bytes / plain, 3),
            "manifest_bytes": sizes["search/manifest.js"],
            "largest_shard_bytes": max(s for p, s in sizes.items() if p.startswith("search/") and p.endswith(".js")),
        }
        print(json.dumps(report, indent=2))
        queries = {"two mid-frequency words": f"{by_frequency[40]} {by_frequency[120]}",
                   "two most frequent words": f"{by_frequency[0]} {by_frequency[1]}",
                   "phrase": '"' + " ".join(items[0].body_text.lower().split()[3:5]) + '"'}
        for label, query in queries.items():
            print(label + ":", json.dumps(browser_query(out / "site", query, sizes)))


if __name__ == "__main__":
    main()
