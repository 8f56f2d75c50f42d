"""A deterministic synthetic archive for benchmarks: articles and testimonies of about 700 words.

    python -m bench.corpus DIR --items 4000
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS = ("archive reporting testimony workplace harassment silence power court movement survivor "
         "editor newsroom policy contract settlement hashtag solidarity justice campaign voice law "
         "employer colleague support union investigation account history record change public private "
         "consent trust safety witness memory community story women men industry film university "
         "hospital restaurant factory office school church sport music theatre politics media").split()
TAGS = ("origins", "weinstein", "hashtag", "international", "workplace", "law-and-policy", "media",
        "entertainment", "education", "online", "solidarity", "justice-system")
WARNINGS = ("sexual-harassment", "sexual-assault", "abuse-of-power")
REGIONS = ("Canada", "France", "India", "Japan", "Kenya", "Brazil", "Europe", "United States")

SITE_YAML = """\
title: Benchmark Archive
description: A synthetic archive for measuring build speed.
base_url: https://bench.example.org/
language: en
items_per_page: 20
content_warnings:
  sexual-harassment: Sexual harassment
  sexual-assault: Sexual assault
  abuse-of-power: Abuse of power
"""


def sentence(rng: random.Random, length: int) -> str:
    words = [rng.choice(WORDS) for _ in range(length)]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, links: bool = True) -> str:
    parts = []
    for _ in range(rng.randint(3, 6)):
        text = sentence(rng, rng.randint(8, 18))
        roll = rng.random()
        if roll < 0.15:
            word = rng.choice(WORDS)
            text = text.replace(f" {word} ", f" *{word}* ", 1)
        elif roll < 0.25 and links:
            word = rng.choice(WORDS)
            text = text.replace(f" {word} ", f" [{word}](https://example.com/{word}) ", 1)
        parts.append(text)
    return " ".join(parts)


def body(rng: random.Random, footnotes: bool, links: bool = True) -> str:
    blocks = [paragraph(rng, links)]
    while sum(len(b.split()) for b in blocks) < 680:
        roll = rng.random()
        if roll < 0.12:
            blocks.append("## " + sentence(rng, 4).rstrip("."))
        elif roll < 0.24:
            blocks.append("\n".join(f"- {sentence(rng, rng.randint(4, 10))}" for _ in range(rng.randint(2, 5))))
        elif roll < 0.32:
            blocks.append("> " + sentence(rng, rng.randint(10, 20)))
        else:
            blocks.append(paragraph(rng, links))
    if footnotes:
        blocks[0] += "[^1]"
        blocks.append("[^1]: " + sentence(rng, 10))
    return "\n\n".join(blocks) + "\n"


def article(rng: random.Random, n: int) -> str:
    year = rng.randint(2006, 2024)
    tags = sorted(rng.sample(TAGS, rng.randint(1, 3)))
    warnings = sorted(rng.sample(WARNINGS, rng.randint(0, 2)))
    front = [f"title: \"{sentence(rng, rng.randint(4, 9)).rstrip('.')} {n}\"",
             f"date: {year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
             f"source: \"{rng.choice(['The Daily Record', 'Evening Post', 'World Wire', 'Radio Report'])}\"",
             f"source_url: \"https://news.example.com/{year}/{n}\"",
             f"authors: [\"Writer {n % 97}\"]",
             f"tags: [{', '.join(tags)}]",
             f"summary: \"{sentence(rng, 20)}\""]
    if warnings:
        front.append(f"content_warnings: [{', '.join(warnings)}]")
    return "---\n" + "\n".join(front) + "\n---\n" + body(rng, footnotes=n % 3 == 0)


def testimony(rng: random.Random, n: int) -> str:
    year = rng.randint(2017, 2024)
    tags = sorted(rng.sample(TAGS, rng.randint(1, 2)))
    front = [f"date: {year}-{rng.randint(1, 12):02d}",
             f"pseudonym: \"Contributor {n}\"",
             f"region: \"{rng.choice(REGIONS)}\"",
             f"tags: [{', '.join(tags)}]",
             f"content_warnings: [{rng.choice(WARNINGS)}]",
             "consent:", "  status: granted", f"  recorded: {year}-{rng.randint(1, 12):02d}-01",
             "private:", f"  intake_ref: \"BENCH-{n:06d}\""]
    # Testimonies carry no links: the privacy guard rejects web addresses in them.
    return "---\n" + "\n".join(front) + "\n---\n" + body(rng, footnotes=False, links=False)


def write_corpus(root: Path, items: int, seed: int = 2017) -> Path:
    """Two thirds articles, one third testimonies; the same seed writes the same bytes."""
    rng = random.Random(seed)
    (root / "content/articles").mkdir(parents=True, exist_ok=True)
    (root / "content/testimonies").mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(SITE_YAML)
    (root / "content/tags.yaml").write_text("".join(f"{t}: {{label: \"{t.replace('-', ' ').title()}\"}}\n" for t in TAGS))
    for n in range(items):
        if n % 3 == 2:
            (root / f"content/testimonies/t{n:06d}.md").write_text(testimony(rng, n))
        else:
            (root / f"content/articles/a{n:06d}.md").write_text(article(rng, n))
    return root


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args()
    write_corpus(args.dir, args.items, args.seed)
    print(f"wrote {args.items} items to {args.dir}")
