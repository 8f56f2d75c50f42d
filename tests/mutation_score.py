"""The score of `make mutate`: mutants killed per module, from mutmut's results in mutants/.

docs/testing.md names two kinds of survivor, each with its reason: equivalent mutants (no input
can make them change what is published or said) leave the count; accepted ones stay in it as
survivors. Any other survivor is listed, and it, or a score under 95 %, makes the run fail.
Run from the project root: python -m tests.mutation_score
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "testing.md"
REQUIRED = 0.95
# mutmut's verdicts (mutmut/stats.py) that mean the tests noticed: a failing test, or a mutant
# that made them run out of time. A worker killed by another signal ("segfault") says nothing
# about its mutant: it is listed with the survivors, to be run again.
CAUGHT = {"killed", "timeout"}


def named_in(text: str, heading: str) -> set[str]:
    """The mutants named in one section (## heading) of docs/testing.md."""
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0] if f"\n## {heading}\n" in text else ""
    return set(re.findall(r"`(generator\.[\w.ǁ]+__mutmut_\d+)`", section))


def worker_seconds(log: Path) -> Counter:
    """Seconds a worker spent on each mutant (the last time it ran), summed per module, from
    mutmut's log (log_to_file in pyproject.toml): where a run's time goes."""
    last: dict[str, float] = {}
    if log.exists():
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            found = re.search(r"Completed (generator\.\S+): exit=-?\d+ \(([\d.]+)s\)", line)
            if found:
                last[found[1]] = float(found[2])
    seconds: Counter = Counter()
    for name, took in last.items():
        module = re.split(r"\.x[_ǁ]", name, maxsplit=1)[0]
        seconds["generator/" + module.removeprefix("generator.").replace(".", "/") + ".py"] += took
    return seconds


def modules_in_scope() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["mutmut"]["only_mutate"]


def main() -> int:
    from mutmut.stats import status_by_exit_code

    text = DOCS.read_text(encoding="utf-8")
    equivalent, accepted = named_in(text, "Equivalent mutants"), named_in(text, "Accepted survivors")
    seen: set[str] = set()
    failing: list[str] = []
    rows = []
    totals: Counter = Counter()
    seconds = worker_seconds(ROOT / "mutants" / "mutmut-debug.log")
    for module in modules_in_scope():
        meta = ROOT / "mutants" / f"{module}.meta"
        if not meta.exists():
            print(f"no results for {module} in mutants/: run make mutate first", file=sys.stderr)
            return 2
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        counts: Counter = Counter()
        for name, code in sorted(codes.items()):
            seen.add(name)
            status = status_by_exit_code[code]
            if status == "not checked":
                counts["not run"] += 1
            elif status in CAUGHT:
                counts["killed"] += 1
            elif name in equivalent:
                counts["equivalent"] += 1
            elif name in accepted:
                counts["survived"] += 1
            else:
                counts["survived"] += 1
                failing.append(f"{name}: {status}")
        counts["seconds"] = round(seconds[module])
        rows.append((module.removeprefix("generator/").removesuffix(".py"), counts))
        totals.update(counts)
    print(f"{'module':<24} {'killed':>7} {'of':>5} {'score':>7} {'equivalent':>11} {'not run':>8} {'worker s':>9}")
    for module, counts in rows + [("all", totals)]:
        considered = counts["killed"] + counts["survived"]
        score = f"{counts['killed'] / considered:.1%}" if considered else "-"
        print(f"{module:<24} {counts['killed']:>7} {considered:>5} {score:>7} {counts['equivalent']:>11} "
              f"{counts['not run']:>8} {counts['seconds']:>9}")
    if totals["not run"]:
        print(f"\n{totals['not run']} mutant(s) not run yet: the score counts only those that were; "
              "make mutate runs the rest")
    stale = sorted((equivalent | accepted) - seen)
    if stale:
        print(f"\n{len(stale)} mutant(s) named in docs/testing.md no longer exist (the code changed):")
        print("\n".join(f"  {name}" for name in stale))
    if failing:
        print(f"\n{len(failing)} mutant(s) neither killed nor explained in docs/testing.md "
              "(see one with: .venv/bin/mutmut show NAME):")
        print("\n".join(f"  {line}" for line in failing))
    considered = totals["killed"] + totals["survived"]
    score = totals["killed"] / considered if considered else 1.0
    return 1 if failing or stale or totals["not run"] or score < REQUIRED else 0


if __name__ == "__main__":
    sys.exit(main())
