"""Canary suite: nothing private, withheld or commented-out reaches any output byte or the build report."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.incremental.patch import PatchSession
from generator.bundle import write_bundle
from generator.cli import main
from generator.config import load_config
from tests.conftest import PROJECT, build_site, image_with_metadata

# Every canary holds "canary", so one case-insensitive search finds any of them, however
# it was escaped: they are ASCII letters and hyphens, the same in HTML, XML, JSON and URLs.
CANARY = re.compile(rb"[\w-]*canary[\w-]*", re.IGNORECASE)
# Dates that must never appear: a testimony's day, and consent records.
CSP_META = ("<meta http-equiv=\"Content-Security-Policy\" "
            "content=\"default-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'\">")
SECRET_DATES = (b"2018-03-17", b"17 March", b"2011-07-29", b"2012-08-30")

PUBLISHED_TESTIMONY = """\
---
date: 2018-03-17
pseudonym: "A night-shift nurse"
region: "Scotland"
summary: "Published testimony of this suite."
consent:
  status: granted
  recorded: 2011-07-29
private:
  name: "Privname-canary Surname-canary"
  email: "email-canary@example.org"
  employer: "Employer-canary Holdings"
  contact:
    phone: "phone-canary-line"
    history: ["history-canary-one", {nested: "nested-canary-deep"}]
  reviewer_notes: "notes-canary: checked twice"
allow:
  - text: "@MeTooMvmt"
    reason: "allow-reason-canary: the public campaign account"
---

I followed @MeTooMvmt for months.

<!-- comment-canary-block: the reviewer wrote a name here -->

A paragraph with an inline <!-- comment-canary-inline --> comment, and a footnote.[^1]

![The office corridor](/media/corridor.jpg)

[^1]: A footnote <!-- comment-canary-footnote --> that stays.
"""

YAML_TESTIMONY = """\
date: 2019-05
consent: {status: granted, recorded: 2012-08-30}
private:
  intake: "intake-canary-yaml"
body: |
  A published testimony written as YAML.

  <!--
  comment-canary-multiline
  -->
"""


def withheld_testimony(label: str, extra: str) -> str:
    return f"""\
---
date: 2018-02
pseudonym: "pseudonym-canary-{label}"
region: "region-canary-{label}"
summary: "summary-canary-{label}"
editor_note: "note-canary-{label}"
{extra}
consent:
  status: {"withdrawn" if label == "withdrawn" else "granted"}
  recorded: 2018-02-20
private:
  name: "private-canary-{label}"
---

body-canary-{label}: this text must never be published.

![A photo](/media/{label}-canary.png)
"""


def withheld_article(label: str, extra: str) -> str:
    return f"""\
---
title: "title-canary-{label}"
date: 2018-01-05
source: "source-canary-{label}"
summary: "summary-canary-{label}"
{extra}
---

body-canary-{label}
"""


CANARY_SITE = {
    "content/tags.yaml": "workplace: {label: Workplace}\n",
    "content/testimonies/published.md": PUBLISHED_TESTIMONY,
    "content/testimonies/yaml-one.yaml": YAML_TESTIMONY,
    "content/testimonies/draft-canary.md": withheld_testimony("draft", "draft: true"),
    "content/testimonies/withdrawn-canary.md": withheld_testimony("withdrawn", ""),
    "content/testimonies/embargo-canary.md": withheld_testimony("embargoed", "publish_after: 2999-01-01"),
    "content/articles/public-article.md": """\
        ---
        title: "A published article"
        date: 2017-10-05
        source: "A newspaper"
        tags: [workplace]
        ---

        Commentary. <!-- comment-canary-article -->

        ## Section
        """,
    "content/articles/draft-article-canary.md": withheld_article("article-draft", "draft: true"),
    "content/articles/embargo-article-canary.md": withheld_article("article-embargoed", "publish_after: 2999-01-01"),
    "content/pages/about.md": """\
        ---
        title: About
        menu: 1
        ---

        About us. <!-- comment-canary-page -->
        """,
    # Camera serial, GPS, XMP and PNG text in a published image; images of withheld items.
    "content/media/corridor.jpg": image_with_metadata("JPEG", canary="exif-canary-serial"),
    **{f"content/media/{label}-canary.png": image_with_metadata("PNG", canary=f"png-canary-{label}")
       for label in ("draft", "withdrawn", "embargoed")},
    "content/pages/draft-page-canary.md": """\
        ---
        title: "title-canary-page-draft"
        draft: true
        ---

        body-canary-page-draft
        """,
}


def all_bytes(path: Path, name: str = "") -> list[tuple[str, bytes]]:
    """(name, bytes) of every file under path, reading inside zip files too."""
    if path.is_dir():
        return [entry for child in sorted(path.rglob("*")) if child.is_file()
                for entry in all_bytes(child, child.relative_to(path).as_posix())]
    return _unpack(name or path.name, path.read_bytes())


def _unpack(name: str, data: bytes) -> list[tuple[str, bytes]]:
    found = [(name, data)]
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                found += _unpack(f"{name}!{member}", archive.read(member))
    return found


def leaks(files: list[tuple[str, bytes]]) -> list[str]:
    found = []
    for name, data in files:
        for needle in CANARY.findall(name.encode()) + CANARY.findall(data):
            found.append(f"{name}: {needle.decode(errors='replace')}")
        found += [f"{name}: {date.decode()}" for date in SECRET_DATES if date in data]
    return found


@pytest.fixture
def canary_site(site_tree):
    return site_tree(CANARY_SITE)


@pytest.mark.parametrize("profile", ["web", "offline"])
def test_no_canary_in_any_output_file(canary_site, tmp_path, profile):
    out = tmp_path / f"out-{profile}"
    report = build_site(canary_site, out, profile=profile)
    assert report.errors == ()
    files = all_bytes(out)
    names = {name for name, _ in files}
    # The fixture is read: the published items are there, so a clean scan means something.
    assert {"testimonies/published/index.html", "testimonies/yaml-one/index.html",
            "articles/public-article/index.html", "about/index.html"} <= names
    page = next(data for name, data in files if name == "testimonies/published/index.html")
    assert b"I followed @MeTooMvmt" in page and b'id="fnref:1"' in page
    assert b'src="../../media/corridor.jpg"' in page and "media/corridor.jpg" in names
    assert leaks(files) == []


def test_no_canary_in_the_offline_bundle(canary_site, tmp_path):
    config, _ = load_config(canary_site / "site.yaml")
    zip_path = tmp_path / "bundle.zip"
    report = write_bundle(config, zip_path)
    assert report.errors == ()
    files = all_bytes(tmp_path / "bundle.zip")
    assert any(name.endswith("testimonies/published/index.html") for name, _ in files)
    assert leaks(files) == []


def test_scan_reads_inside_zip_files(tmp_path):
    """The scanner must see into zips, or the offline bundle would be checked for nothing."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("site/search.js", "var index = ['inner-canary'];")
    (tmp_path / "bundle.zip").write_bytes(buffer.getvalue())
    assert leaks(all_bytes(tmp_path)) == ["bundle.zip!site/search.js: inner-canary"]


def test_withheld_items_leave_no_trace(canary_site, tmp_path):
    out = tmp_path / "out"
    report = build_site(canary_site, out)
    assert sorted((w.path.relative_to(canary_site).as_posix(), w.reason) for w in report.site.withheld) == [
        ("content/articles/draft-article-canary.md", "draft"),
        ("content/articles/embargo-article-canary.md", "embargoed"),
        ("content/pages/draft-page-canary.md", "draft"),
        ("content/testimonies/draft-canary.md", "draft"),
        ("content/testimonies/embargo-canary.md", "embargoed"),
        ("content/testimonies/withdrawn-canary.md", "consent withdrawn"),
    ]
    assert not list(out.rglob("*canary*"))


def test_withdrawing_removes_every_file_of_the_earlier_build(site_tree, tmp_path):
    root = site_tree({"content/testimonies/later-withdrawn.md": withheld_testimony("granted", ""),
                      "content/media/granted-canary.png": image_with_metadata("PNG")})
    out = tmp_path / "out"
    build_site(root, out)
    assert (out / "testimonies/later-withdrawn/index.html").is_file()
    assert (out / "media/granted-canary.png").is_file()  # its picture goes with it
    assert leaks(all_bytes(out))  # published, so its text is everywhere

    path = root / "content/testimonies/later-withdrawn.md"
    path.write_text(path.read_text().replace("status: granted", "status: withdrawn"))
    report = build_site(root, out)
    assert report.errors == ()
    assert not (out / "testimonies/later-withdrawn").exists()
    assert leaks(all_bytes(out)) == []
    # The copy kept beside the output for the next build holds nothing of it either.
    assert sorted(p.name for p in tmp_path.glob(".out.*")) == [".out.building", ".out.lock", ".out.removed.txt"]
    assert all_bytes(tmp_path / ".out.building") and leaks(all_bytes(tmp_path / ".out.building")) == []
    # The addresses removed, for purging caches (not published): the page and its picture, nothing of the text.
    assert sorted((tmp_path / ".out.removed.txt").read_text().splitlines()) == [
        "https://example.org/media/granted-canary.png", "https://example.org/testimonies/later-withdrawn/"]


def test_text_removed_in_an_edit_is_gone_from_the_output_and_the_copy_beside_it(site_tree, tmp_path):
    """An editor removes a detail that could identify someone: no earlier version survives."""
    root = site_tree({"content/testimonies/edited.md": withheld_testimony("granted", ""),
                      "content/media/granted-canary.png": image_with_metadata("PNG")})
    out = tmp_path / "out"
    assert build_site(root, out).errors == ()
    assert leaks(all_bytes(out))
    path = root / "content/testimonies/edited.md"
    text = path.read_text().replace("![A photo](/media/granted-canary.png)", "")
    for field in ("body", "summary", "pseudonym", "region", "note"):
        text = text.replace(f"{field}-canary-granted", f"{field} rewritten")
    path.write_text(text)
    report = build_site(root, out)
    assert report.errors == () and not report.up_to_date
    for folder in (out, tmp_path / ".out.building"):
        assert all_bytes(folder) and leaks(all_bytes(folder)) == [], folder


def test_unknown_fields_stop_the_build_before_anything_is_written(site_tree, tmp_path):
    root = site_tree({"content/testimonies/t.md": PUBLISHED_TESTIMONY.replace("---\n\n", "secret: \"unknown-canary\"\n---\n\n", 1)})
    report = build_site(root, tmp_path / "out")
    assert [d.format() for d in report.errors][0].startswith("content/testimonies/t.md:20: error: unknown field 'secret'")
    assert not (tmp_path / "out").exists()


def _run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_report_counts_withheld_items_and_never_quotes_them(canary_site, capsys):
    code, out, err = _run_cli(capsys, "build", "--out", "site-out")
    assert code == 0
    assert "withheld 6 (1 consent withdrawn, 3 draft, 2 embargoed)" in out
    assert "withheld:" not in err  # paths only with --verbose
    report = out + err
    assert CANARY.findall(re.sub(r"allow-reason-canary", "", report).encode()) == []


def test_verbose_report_names_withheld_paths_and_reasons_only(canary_site, capsys):
    code, out, err = _run_cli(capsys, "build", "--out", "site-out", "--verbose")
    assert code == 0
    withheld_lines = [line for line in err.splitlines() if line.startswith("withheld:")]
    assert withheld_lines == [
        "withheld: content/articles/draft-article-canary.md (draft)",
        "withheld: content/articles/embargo-article-canary.md (embargoed)",
        "withheld: content/pages/draft-page-canary.md (draft)",
        "withheld: content/testimonies/draft-canary.md (draft)",
        "withheld: content/testimonies/embargo-canary.md (embargoed)",
        "withheld: content/testimonies/withdrawn-canary.md (consent withdrawn)",
    ]
    # Only file names (chosen by editors) appear; nothing from inside the files.
    without_paths = "\n".join(line for line in (out + err).splitlines() if not line.startswith("withheld:"))
    assert CANARY.findall(re.sub(r"allow-reason-canary", "", without_paths).encode()) == []


def test_report_lists_each_allowance_with_its_reason(canary_site, capsys):
    code, out, err = _run_cli(capsys, "check")
    assert code == 0
    assert "allowed: content/testimonies/published.md:18: '@MeTooMvmt' " \
           "(allow-reason-canary: the public campaign account)" in err.splitlines()


# ---------------------------------------------------------------------------------------------
# In the browser: the Content-Security-Policy holds, and no request leaves the machine.

BROWSER_PAGES = ("index.html", "articles/index.html", "testimonies/index.html", "tags/index.html",
                 "timeline/index.html", "about/index.html", "browse-safely/index.html", "search/index.html",
                 "404.html")


@pytest.fixture(scope="module")
def offline_demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("offline-demo") / "site"
    report = build_site(PROJECT, out, profile="offline")
    assert report.errors == ()
    return out


def browser_pages(site: Path) -> list[str]:
    """A page of every kind: lists, an article, a testimony, a tag, the pages, search and 404."""
    chosen = [name for name in BROWSER_PAGES if (site / name).is_file()]
    for folder in ("articles", "testimonies", "tags"):
        first = sorted(p for p in (site / folder).glob("*/index.html") if p.parent.name != "page")[0]
        chosen.append(first.relative_to(site).as_posix())
    return chosen


def visit(page, address: str) -> dict:
    """Load a page; report CSP violations, requests, and whether its stylesheets and scripts loaded."""
    requests, finished = [], set()
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfinished", lambda request: finished.add(request.url))
    page.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation',"
                         " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
    page.goto(address, wait_until="load")
    wanted = page.eval_on_selector_all("link[rel=stylesheet], script[src]", "els => els.map(e => e.href || e.src)")
    return {
        "violations": page.evaluate("window.__csp"),
        "requests": requests,
        "finished": finished,
        "not_loaded": [url for url in wanted if url not in finished],
        "styled": page.evaluate("[...document.querySelectorAll('link[rel=stylesheet]')].every(l => l.sheet !== null)"),
        "inline_scripts": page.evaluate("[...document.scripts].filter(s => !s.src).length"),
    }


def test_pages_make_no_request_to_another_host(demo_site, serve_dir, page):
    base = serve_dir(demo_site)
    for name in browser_pages(demo_site):
        seen = visit(page, base + name)
        foreign = [url for url in seen["requests"] if urlsplit(url).hostname not in ("127.0.0.1", "localhost")]
        assert foreign == [], name
        assert seen["violations"] == [], name
        assert seen["not_loaded"] == [] and seen["styled"], name
        assert seen["inline_scripts"] == 0, name


def test_csp_lets_the_offline_bundle_load_from_disk(offline_demo, page):
    # Chromium gives file: pages an opaque origin, yet 'self' still matches files beside and
    # above the page, so one policy serves the web and the bundle read from disk.
    for name in browser_pages(offline_demo):
        seen = visit(page, (offline_demo / name).as_uri())
        assert [url for url in seen["requests"] if not url.startswith("file:")] == [], name
        assert seen["violations"] == [], name
        assert seen["not_loaded"] == [] and seen["styled"], name


def test_csp_blocks_inline_script_and_foreign_hosts(demo_site, serve_dir, page, tmp_path):
    """The policy is live: a page that sneaks in an inline script or a remote image is stopped."""
    planted = tmp_path / "planted"
    shutil.copytree(demo_site, planted)
    html_path = planted / "about/index.html"
    html_path.write_text(html_path.read_text().replace(
        "</main>", "<script>document.title='ran'</script><img src='http://198.51.100.7/p.gif'></main>"))
    seen = visit(page, serve_dir(planted) + "about/index.html")
    assert page.title() != "ran"
    # Playwright reports the attempt, then its failure: the request never reaches the network.
    assert "http://198.51.100.7/p.gif" not in seen["finished"]
    assert sorted(v.split()[0] for v in seen["violations"]) == ["img-src", "script-src-elem"]


def test_every_page_has_the_csp_and_referrer_policy(demo_site):
    for path in sorted(demo_site.rglob("*.html")):
        text = path.read_text()
        assert CSP_META in text, path
        assert '<meta name="referrer" content="no-referrer">' in text, path


def test_own_template_showing_other_items_never_keeps_a_withdrawn_one(site_tree, tmp_path):
    """A site's template may list testimonies on every page; page reuse must not keep a withdrawn one."""
    testimony = ("---\ndate: 2018-01\npseudonym: \"{name}\"\nconsent: {{status: {status}, recorded: 2018-01-02}}\n"
                 "---\nWhat happened.\n")
    site_tree({
        "content/articles/a.md": "---\ntitle: A\ndate: 2017-10-05\nsource: Paper\n---\nBody.\n",
        "content/testimonies/t1.md": testimony.format(name="CANARY-SIDEBAR-NAME", status="granted"),
        "content/testimonies/t2.md": testimony.format(name="Other", status="granted"),
        "templates/article.html": "{% extends 'base.html' %}{% block main %}<h1>{{ item.title }}</h1>"
                                  "<ul>{% for t in site.testimonies %}<li>{{ t.pseudonym }}</li>{% endfor %}</ul>"
                                  "{% endblock %}",
    })
    first = build_site(tmp_path, tmp_path / "out")
    assert "CANARY-SIDEBAR-NAME" in (tmp_path / "out/articles/a/index.html").read_text()
    (tmp_path / "content/testimonies/t1.md").write_text(testimony.format(name="CANARY-SIDEBAR-NAME", status="withdrawn"))
    second = build_site(tmp_path, tmp_path / "out")
    assert not first.errors and not second.errors
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file() and b"CANARY-SIDEBAR-NAME" in p.read_bytes()]


def test_local_links_filter_escapes_anything_but_the_sanitised_body(site_tree, tmp_path):
    site_tree({"content/pages/about.md": "---\ntitle: \"<b>Bold</b> title\"\n---\nText.\n",
               "templates/page.html": "{% extends 'base.html' %}{% block main %}{{ item.title | local_links }}"
                                      "{{ item.body_html | local_links }}{% endblock %}"})
    build_site(tmp_path, tmp_path / "out")
    html = (tmp_path / "out/about/index.html").read_text()
    assert "&lt;b&gt;Bold&lt;/b&gt; title<p>Text.</p>" in html


def test_text_removed_in_an_edit_or_deleted_leaves_no_trace_in_the_cache(site_tree, tmp_path):
    """The build cache holds what content/ holds: no earlier version of a testimony, and
    nothing of a deleted one, in any of its files (the body store's free pages included)."""
    body = lambda words, summary="A summary.": (f"---\ndate: 2018-02\nsummary: \"{summary}\"\nconsent: "  # noqa: E731
                                      f"{{status: granted, recorded: 2018-02-20}}\n---\n{words}\n")
    root = site_tree({"content/testimonies/edited.md": body("It was body-canary-earlier at work.", "summary-canary-earlier"),
                      "content/testimonies/deleted.md": body("Something body-canary-deleted happened."),
                      **{f"content/articles/a{n}.md": f"---\ntitle: A{n}\ndate: 2018-01-05\nsource: Paper\n---\nText.\n"
                         for n in range(5)}})
    out = tmp_path / "out"
    assert build_site(root, out).errors == ()
    assert leaks(all_bytes(root / ".cache"))
    (root / "content/testimonies/edited.md").write_text(body("It was at work."))
    (root / "content/testimonies/deleted.md").unlink()
    assert build_site(root, out).errors == ()
    assert leaks(all_bytes(root / ".cache")) == []


def test_a_detail_taken_out_in_the_preview_is_in_no_output_copy_or_cache_byte(site_tree, tmp_path):
    """The preview patches its last build after an edit to a testimony's text alone (generator/
    patch.py): the detail taken out must go from the pages, the search index, the copy beside the
    output and the cache, as after a full build."""
    body = lambda words: (f"---\ndate: 2018-02\nsummary: \"A summary.\"\nconsent: "  # noqa: E731
                          f"{{status: granted, recorded: 2018-02-20}}\n---\n{words}\n")
    root = site_tree({"content/testimonies/edited.md": body("It was body-canary-earlier at work."),
                      **{f"content/articles/a{n}.md": f"---\ntitle: A{n}\ndate: 2018-01-05\nsource: Paper\n---\nText.\n"
                         for n in range(5)}})
    out = tmp_path / "out"
    session = PatchSession()
    first = build_site(root, out, session=session)
    assert first.errors == () and leaks(all_bytes(out)) and leaks(all_bytes(root / ".cache"))
    (root / "content/testimonies/edited.md").write_text(body("It was at work, somewhere else."))
    second = build_site(root, out, session=session)
    assert second.errors == () and second.patched
    assert b"somewhere else" in (out / "testimonies/edited/index.html").read_bytes()
    for folder in (out, tmp_path / ".out.building", root / ".cache"):
        assert all_bytes(folder) and leaks(all_bytes(folder)) == [], folder
