"""Fuzzing one content file's whole path (read, PII guard, schema, render, sanitise) with random and
hostile Markdown and front matter: it always returns a result, never raises, and takes time that
grows with the file's size, not with its square."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from generator.core import safefs
from generator.core.types import FileResult, SourceFile, FileSettings, Redactions
from generator.content.perfile import process_file
from generator.content.read import read_document

MAX_FILE_BYTES = 1_000_000
# Ordinary text renders at about 1 µs a byte and the densest legitimate constructs (a heading or a
# table row per line) at about 10 µs; anything quadratic is far beyond this at the sizes below.
SECONDS, SECONDS_PER_BYTE = 1.0, 20e-6
FUZZ = settings(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.data_too_large])

DANGEROUS = "[]()*_`<>|#>:!&\\^-"
# Pieces that start, end or nest every construct Markdown and raw HTML have.
PIECES = (*DANGEROUS, "\n", "\n\n", "  \n", "    ", "\t", " ", "word", "é", "“", "- ", "* ", "1. ", "> ", ": ",
          "| ", "|-|-|\n", "---\n", "```\n", "~~~", "[^1]", "\n[^1]: note\n", "[x]", "](", "[x](/a/ \"t\")",
          "\n[x]: /a\n", "![i](/media/a.jpg)", "<b>", "</b>", "<a ", "<a b=\"", "<!--", "-->", "<?", "<!x", "</",
          "<style>", "</style>", "<script>", "<textarea>", "<plaintext>", "<svg>", "<math>", "<mi>", "<template>",
          "<div>", "</div>", "&amp;", "&#", "\\\\", "\\[", "## ", "# ", "[TOC]", "***", "___", "===", "<br/>")
pieces = st.sampled_from(PIECES)
bodies = st.one_of(
    st.text(max_size=3_000),
    st.text(alphabet=st.sampled_from([*DANGEROUS, "\n", " ", "\t", "a"]), max_size=8_000),
    st.lists(pieces, max_size=600).map("".join),
    # one piece, or a few, repeated thousands of times: where quadratic work shows
    st.builds(lambda run, count: "".join(run) * count, st.lists(pieces, min_size=1, max_size=3),
              st.one_of(st.sampled_from([2_000, 4_000, 6_000]), st.integers(min_value=1, max_value=6_000))),
)

VALUES = st.one_of(st.text(max_size=40), st.sampled_from([
    "2017-10-05", "2017-13-01", "2018-01", "'0000-01'", "[a, b", "[workplace]", "{x: 1}", "|", ">", "NO", "12:30",
    "&anchor", "*anchor", "!!python/object:os.system", "\"unclosed", "- item", "~", "null", "", "1e999"]))
FIELDS = ("title", "date", "source", "source_url", "authors", "tags", "summary", "language", "content_warnings",
          "featured", "editor_note", "draft", "publish_after", "pseudonym", "region", "consent", "private", "allow",
          "sumary", "body")
front_lines = st.lists(st.one_of(
    st.builds(lambda key, value: f"{key}: {value}", st.sampled_from(FIELDS), VALUES),
    st.builds(lambda key, value: f"  {key}: {value}", st.sampled_from(("status", "recorded", "name", "email")), VALUES),
    st.text(max_size=60),
    st.sampled_from(["---", "  - a", "private:", "consent:", "  status: granted", "  recorded: 2018-01-02"]),
), max_size=12)

ARTICLE_FIELDS = "title: Fuzzed\ndate: 2017-10-05\nsource: A newspaper\n"
TESTIMONY_FIELDS = ("date: 2018-01\nconsent:\n  status: granted\n  recorded: 2018-01-02\n"
                    "private:\n  name: \"Privname Surname\"\n  email: \"someone@example.org\"\n")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    for folder in ("articles", "testimonies"):
        (root / "content" / folder).mkdir(parents=True)
    # The first file of each kind pays for what is made once (the Markdown instance, the guard's
    # patterns); the time limit is for what each file costs.
    for kind, folder, fields in (("article", "articles", ARTICLE_FIELDS), ("testimony", "testimonies", TESTIMONY_FIELDS)):
        path = root / "content" / folder / "warm.md"
        path.write_text(f"---\n{fields}---\nA *warm* [up](/a/) with a footnote.[^1]\n\n[^1]: Note.\n", encoding="utf-8")
        assert process_file(SourceFile(path, kind), file_settings(root)).document is not None
    return root


def file_settings(root: Path) -> FileSettings:
    """As validate.py makes them for a site at root, with an empty redact.yaml."""
    return FileSettings(language="en", max_file_bytes=MAX_FILE_BYTES, redactions=Redactions(),
                        read_roots=safefs.real_roots((root,)))


def run(path: Path, kind: str, text: str) -> FileResult:
    path.write_text(text, encoding="utf-8")
    size = path.stat().st_size
    start = time.perf_counter()
    result = process_file(SourceFile(path, kind), file_settings(path.parents[2]))
    seconds = time.perf_counter() - start
    assert isinstance(result, FileResult)
    assert seconds < SECONDS + SECONDS_PER_BYTE * size, f"{size:,} bytes took {seconds:.2f} s"
    assert all(problem.format() for problem in result.diagnostics)  # each one can be shown
    return result


@settings(FUZZ, max_examples=250)
@given(body=bodies)
def test_any_article_body_gives_a_result_in_time(site, body):
    run(site / "content/articles/fuzzed.md", "article", f"---\n{ARTICLE_FIELDS}---\n{body}\n")


@settings(FUZZ, max_examples=120)
@given(body=bodies)
def test_any_testimony_body_gives_a_result_in_time(site, body):
    run(site / "content/testimonies/fuzzed.md", "testimony", f"---\n{TESTIMONY_FIELDS}---\n{body}\n")


@settings(FUZZ, max_examples=200)
@given(kind=st.sampled_from(["article", "testimony"]), valid=st.booleans(), lines=front_lines,
       fences=st.sampled_from(["---\n", "--- \n", "", "---\r\n", "\ufeff---\n"]), body=st.lists(pieces, max_size=40))
def test_any_front_matter_gives_a_result_in_time(site, kind, valid, lines, fences, body):
    fields = (ARTICLE_FIELDS if kind == "article" else TESTIMONY_FIELDS) if valid else ""
    text = fences + fields + "".join(line + "\n" for line in lines) + "---\n" + "".join(body)
    folder = "articles" if kind == "article" else "testimonies"
    result = run(site / f"content/{folder}/fuzzed.md", kind, text)
    if result.document is None:
        assert result.diagnostics, "a file without a document must say why"


@settings(FUZZ, max_examples=300)
@given(text=st.one_of(st.text(max_size=2_000),
                      st.lists(st.sampled_from(["---", "--- ", "---\t", "title: x", "a: [", "\n", "\r\n", "\ufeff",
                                                "\x00", "\x07", "é", "body: |", "  text", "- x", "...", "#"]),
                               max_size=60).map("\n".join)),
       suffix=st.sampled_from([".md", ".yaml"]))
def test_front_matter_splitting_never_raises(site, text, suffix):
    path = site / f"content/testimonies/split{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    raw, problems = read_document(path, "testimony", MAX_FILE_BYTES, safefs.real_roots((site,)))
    if raw is None:
        assert problems
    else:
        assert raw.body_line >= 1 and isinstance(raw.body, str)
