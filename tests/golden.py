"""Regenerate the golden outputs: `make golden` (python -m tests.golden).

Run it after an intended change to templates or rendering, then review the diff of
tests/fixtures/*/expected/ before committing it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from generator.pipeline import build
from generator.config import load_config
from generator.core.types import BuildOptions

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN_SITES = ("basic", "languages")
# Theme assets change for reasons of their own; the golden files cover what the pipeline makes.
SKIPPED_PREFIXES = ("static/",)


def build_fixture(name: str, out: Path) -> dict[str, bytes]:
    config, problems = load_config(FIXTURES / name / "site.yaml")
    if config is None:
        raise SystemExit("\n".join(p.format() for p in problems))
    # From nothing, as on a fresh clone: a cache beside the fixture would let a build reuse
    # pages another version of the code rendered.
    report = build(config, BuildOptions(out, use_cache=False))
    if report.errors:
        raise SystemExit("\n".join(d.format() for d in report.errors))
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.relative_to(out).as_posix().startswith(SKIPPED_PREFIXES)
            and p.name not in (".chorus-output", "chorus-manifest.json")}


def expected_files(name: str) -> dict[str, bytes]:
    expected = FIXTURES / name / "expected"
    return {p.relative_to(expected).as_posix(): p.read_bytes() for p in sorted(expected.rglob("*")) if p.is_file()}


def regenerate(name: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        files = build_fixture(name, Path(tmp) / "site")
    expected = FIXTURES / name / "expected"
    shutil.rmtree(expected, ignore_errors=True)
    for rel, data in files.items():
        (expected / rel).parent.mkdir(parents=True, exist_ok=True)
        (expected / rel).write_bytes(data)
    print(f"{name}: wrote {len(files)} files to {expected}")


if __name__ == "__main__":
    for site in sys.argv[1:] or GOLDEN_SITES:
        regenerate(site)
