"""Build the fixture sites and compare every output byte with the committed expected files."""

import difflib

import pytest

from tests.golden import GOLDEN_SITES, build_fixture, expected_files


@pytest.mark.parametrize("name", GOLDEN_SITES)
def test_output_matches_golden_files(name, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    built = build_fixture(name, tmp_path / "site")
    expected = expected_files(name)
    assert sorted(built) == sorted(expected), "files differ; if intended, run `make golden` and review the diff"
    for rel in sorted(expected):
        if built[rel] != expected[rel]:
            diff = "\n".join(difflib.unified_diff(expected[rel].decode().splitlines(), built[rel].decode().splitlines(),
                                                  "expected/" + rel, "built/" + rel, lineterm="", n=2))
            pytest.fail(f"{rel} differs from the golden file (run `make golden` if intended):\n{diff[:4000]}")
