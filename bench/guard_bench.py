"""What the privacy guard costs per testimony, on the demo archive and on the benchmark corpus.

    python -m bench.guard_bench [--items 3000]

Prints the one-time cost of loading the guard's data in a process, then the guard's time per
testimony (the rendered body is given, as in a build) beside the whole per-file stage's.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.corpus import write_corpus
from generator.privacy import pii, redact
from generator.config import load_config
from generator.core.types import FileSettings, SourceFile
from generator.content.perfile import process_file
from generator.content.sources import read_document
from generator.privacy.pii import check_testimony, redact_testimony

PROJECT = Path(__file__).resolve().parent.parent


def measure(site: Path, label: str) -> None:
    config, _ = load_config(site / "site.yaml")
    redactions, _ = redact.load_redactions(config.content_dir / "redact.yaml", config.max_file_bytes, config.read_roots)
    settings = FileSettings(config.language, config.max_file_bytes, redactions, config.read_roots)
    paths = sorted(p for p in (config.content_dir / "testimonies").iterdir() if p.suffix in (".md", ".yaml"))
    guard_times, stage_times, words = [], [], []
    for path in paths:
        raw, _ = read_document(path, "testimony", config.max_file_bytes, config.read_roots)
        raw = redact_testimony(raw, redactions)
        started = time.perf_counter()
        result = process_file(SourceFile(path, "testimony"), settings)
        stage_times.append(time.perf_counter() - started)
        body_html = str(result.document.body.html) if result.document is not None else None
        started = time.perf_counter()
        check_testimony(raw, redactions, config.language, body_html)
        guard_times.append(time.perf_counter() - started)
        words.append(len(raw.body.split()))
    print(f"{label}: {len(paths)} testimonies of {statistics.mean(words):.0f} words on average")
    print(f"  guard per testimony: median {statistics.median(guard_times) * 1000:.1f} ms, "
          f"mean {statistics.mean(guard_times) * 1000:.1f} ms, max {max(guard_times) * 1000:.1f} ms")
    print(f"  whole per-file stage (read, redact, check, render, guard): median "
          f"{statistics.median(stage_times) * 1000:.1f} ms, mean {statistics.mean(stage_times) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=3000, help="items of the synthetic corpus (a third are testimonies)")
    args = parser.parse_args()
    started = time.perf_counter()
    pii.warm_up()
    print(f"loading the guard's data (once per process): {time.perf_counter() - started:.2f} s")
    measure(PROJECT, "demo archive")
    with tempfile.TemporaryDirectory() as folder:
        measure(write_corpus(Path(folder), args.items), f"bench corpus ({args.items} items)")


if __name__ == "__main__":
    main()
