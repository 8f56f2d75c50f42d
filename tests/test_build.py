"""End-to-end builds of small inline sites: what a reader finds in the output."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import MINIMAL_SITE_YAML, build_site, write_tree

ATOM = "{http://www.w3.org/2005/Atom}"


def make_article(title="Hello", date="2017-10-05", extra=""):
    return f"---\ntitle: \"{title}\"\ndate: {date}\nsource: The Paper\n{extra}---\nBody of {title}.\n"


def make_testimony(date="2018-01-17", extra="", status="granted", body="I want to share this."):
    return (f"---\ndate: {date}\n{extra}consent:\n  status: {status}\n  recorded: 2018-01-02\n"
            f"private:\n  contact: \"secret-contact-value\"\n---\n{body}\n")


@pytest.fixture
def small_site(site_tree, tmp_path):
    site_tree({
        "content/tags.yaml": "workplace: {label: Workplace, description: At work.}\nunused: {label: Unused}\n",
        "content/articles/first.md": make_article("First", "2017-10-05", "tags: [workplace]\nfeatured: true\n"),
        "content/articles/second.md": make_article("Second", "2017-10-10"),
        "content/articles/third.md": make_article("Third <b>bold</b> & co", "2018-02-01", "source_url: https://example.com/x?a=1&b=2\n"),
        "content/articles/secret-draft.md": make_article("Draft title", "2018-03-01", "draft: true\n"),
        "content/testimonies/t1.md": make_testimony(extra="pseudonym: \"R.\"\nregion: \"Canada\"\ntags: [workplace]\ncontent_warnings: [harassment]\n"),
        "content/testimonies/t2.md": make_testimony(date="2019-06", status="withdrawn", body="Withdrawn words."),
        "content/pages/about.md": "---\ntitle: About us\nmenu: 1\n---\nWho we are.\n",
    })
    report = build_site(tmp_path, tmp_path / "out")
    assert not report.errors, [d.format() for d in report.errors]
    return tmp_path / "out"


def read(out: Path, name: str) -> str:
    return (out / name).read_text(encoding="utf-8")


def test_every_page_kind_is_written_with_pretty_urls(small_site):
    expected = ["index.html", "articles/index.html", "articles/page/2/index.html", "articles/first/index.html",
                "testimonies/index.html", "testimonies/t1/index.html", "tags/index.html",
                "tags/workplace/index.html", "timeline/index.html", "about/index.html", "feed.xml",
                "sitemap.xml", "robots.txt", "404.html", "static/style.css"]
    for name in expected:
        assert (small_site / name).is_file(), name


def test_unpublished_items_leave_no_trace(small_site):
    files = {p.relative_to(small_site).as_posix(): p.read_bytes() for p in small_site.rglob("*") if p.is_file()}
    assert "articles/secret-draft/index.html" not in files
    assert "testimonies/t2/index.html" not in files
    for name, data in files.items():
        for canary in (b"Draft title", b"Withdrawn words", b"secret-contact-value", b"secret-draft"):
            assert canary not in data, (name, canary)


def test_testimony_shows_month_never_day(small_site):
    html = read(small_site, "testimonies/t1/index.html")
    assert "January 2018" in html
    assert "2018-01-17" not in html and "17 January" not in html
    assert '<time datetime="2018-01">' in html
    assert "R., January 2018" in html and "Canada" in html


def test_titles_are_escaped_and_source_link_kept(small_site):
    html = read(small_site, "articles/third/index.html")
    assert "<h1>Third &lt;b&gt;bold&lt;/b&gt; &amp; co</h1>" in html
    assert 'href="https://example.com/x?a=1&amp;b=2"' in html


def test_lists_are_paginated_newest_first(small_site):
    page1, page2 = read(small_site, "articles/index.html"), read(small_site, "articles/page/2/index.html")
    titles1 = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)<', page1)
    titles2 = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)<', page2)
    assert titles1 == ["Third &lt;b&gt;bold&lt;/b&gt; &amp; co", "Second"]
    assert titles2 == ["First"]
    assert 'href="page/2/" rel="next"' in page1
    assert 'href="../../" rel="prev"' in page2


def test_previous_and_next_within_kind(small_site):
    html = read(small_site, "articles/second/index.html")
    assert re.search(r'Newer</span> <a href="../third/" rel="prev">', html)
    assert re.search(r'Older</span> <a href="../first/" rel="next">First</a>', html)
    assert "Newer" not in read(small_site, "articles/third/index.html").split("More articles")[1].split("Older")[0]


def test_tags_index_counts_and_tag_page_lists_both_kinds(small_site):
    tags = read(small_site, "tags/index.html")
    assert re.search(r'<a href="workplace/">Workplace</a>\s*<span class="count">2 items</span>', tags)
    assert re.search(r'<span>Unused</span>\s*<span class="count">0 items</span>', tags)
    assert not (small_site / "tags/unused/index.html").exists()
    tag_page = read(small_site, "tags/workplace/index.html")
    assert "First" in tag_page and "R., January 2018" in tag_page


def test_timeline_groups_by_year_and_month(small_site):
    html = read(small_site, "timeline/index.html")
    headings = re.findall(r"<h[23][^>]*>([^<]+)</h[23]>", html)
    assert headings == ["2018", "February 2018", "January 2018", "2017", "October 2017"]


def test_content_warning_folds_the_body(small_site):
    html = read(small_site, "testimonies/t1/index.html")
    assert "Content warning:</span> <span class=\"cw\">Harassment</span>" in html
    assert re.search(r"<details class=\"cw-fold\">\s*<summary><span class=\"fold-show\">Show testimony</span>"
                     r"<span class=\"fold-hide\">Hide testimony</span></summary>\s*<div class=\"prose\"><p>I want to share this.</p>",
                     html)


def test_feed_is_atom_with_absolute_links(small_site):
    feed = ET.fromstring((small_site / "feed.xml").read_bytes())
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Third <b>bold</b> & co", "R., January 2018", "Second", "First"]
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert links[0] == "https://example.org/articles/third/"
    assert feed.find(f"{ATOM}updated").text == "2018-02-01T00:00:00Z"
    assert all(re.match(r"^\d{4}-\d\d-\d\dT00:00:00Z$", e.find(f"{ATOM}updated").text) for e in entries)


def test_sitemap_lists_published_pages_only(small_site):
    root = ET.fromstring((small_site / "sitemap.xml").read_bytes())
    locs = [el.text for el in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.org/articles/first/" in locs
    assert "https://example.org/about/" in locs
    assert not any("secret-draft" in loc or "/t2/" in loc for loc in locs)
    assert read(small_site, "robots.txt") == "User-agent: *\nAllow: /\nSitemap: https://example.org/sitemap.xml\n"


def test_404_links_work_from_any_depth(small_site):
    html = read(small_site, "404.html")
    assert 'href="/static/style.css"' in html and 'href="/articles/"' in html


def test_no_request_to_another_host(small_site):
    for path in small_site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:link|script|img|iframe|source|video|audio)\b[^>]*>", html):
            assert not re.search(r'(?:src|href)="(?:https?:)?//', tag) or 'rel="canonical"' in tag or 'rel="alternate"' in tag, (path, tag)


def test_unrelated_folder_is_never_replaced(site_tree, tmp_path, capsys):
    site_tree({"content/articles/a.md": make_article()})
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "thesis.txt").write_text("years of work")
    assert main(["build", "--out", "precious"]) == 1
    assert "precious: error: refusing to replace a folder that Chorus did not write" in capsys.readouterr().err
    assert (tmp_path / "precious" / "thesis.txt").read_text() == "years of work"


def test_an_output_folder_whose_parents_do_not_exist_yet_is_made_with_them(site_tree, tmp_path):
    site_tree({"content/articles/a.md": make_article("A")})
    assert main(["build", "--out", "public/archive/2017"]) == 0
    assert (tmp_path / "public/archive/2017/articles/a/index.html").is_file()


def test_the_folder_an_interrupted_build_of_an_earlier_version_left_is_removed(site_tree, tmp_path):
    """Earlier versions kept the previous output as ._site.old while they swapped; one stopped
    there left it behind, with pages since withdrawn in it."""
    site_tree({"content/articles/a.md": make_article("A")})
    assert main(["build"]) == 0
    (tmp_path / "._site.old/testimonies/withdrawn").mkdir(parents=True)
    (tmp_path / "._site.old/testimonies/withdrawn/index.html").write_text("a withdrawn testimony")
    (tmp_path / "._site.old/.chorus-output").write_text((tmp_path / "_site/.chorus-output").read_text())
    (tmp_path / "content/articles/b.md").write_text(make_article("B"))
    assert main(["build"]) == 0
    assert not (tmp_path / "._site.old").exists()


def test_the_report_counts_the_pages_and_files_the_output_holds(site_tree, tmp_path, capsys):
    site_tree({"content/articles/a.md": make_article("A"), "content/articles/b.md": make_article("B")})
    assert main(["build"]) == 0
    said = re.search(r"into _site/: (\d+) HTML pages, (\d+) files", capsys.readouterr().out)
    files = [p for p in (tmp_path / "_site").rglob("*") if p.is_file() and p.name != ".chorus-output"]
    assert said and (int(said[1]), int(said[2])) == (sum(p.suffix == ".html" for p in files), len(files))


@pytest.mark.parametrize("out, message", [
    ("notes.txt", "notes.txt: error: the output path is a file: choose a folder for --out"),
    ("content", "content: error: refusing to write here: the output folder would replace {root}/content; choose another --out"),
    (".", ".: error: refusing to write here: the output folder would replace {root}; choose another --out"),
])
def test_an_output_path_that_would_replace_a_file_or_the_sources_is_an_error_that_says_so(
        site_tree, tmp_path, capsys, out, message):
    site_tree({"content/articles/a.md": make_article("A"), "notes.txt": "my notes"})
    assert main(["build", "--out", out]) == 1
    assert capsys.readouterr().err.splitlines()[0] == message.format(root=tmp_path.resolve())
    assert (tmp_path / "notes.txt").read_text() == "my notes" and (tmp_path / "content/articles/a.md").is_file()


@pytest.mark.parametrize("make, message", [
    (lambda path: path.write_text("notes"),
     "is a file, where Chorus keeps a folder of its own beside the output: move it away or delete it"),
    (lambda path: path.symlink_to(path.parent / "elsewhere", target_is_directory=True),
     "is a symbolic link, where Chorus keeps a folder of its own beside the output: remove the link"),
    (lambda path: (path.mkdir(), (path / "thesis.txt").write_text("years of work")),
     "refusing to delete a folder that Chorus did not write (Chorus keeps a copy of the output here, beside it): "
     "move it away or delete it, or choose another --out"),
])
def test_something_else_where_chorus_keeps_its_copy_is_left_alone_and_named(site_tree, tmp_path, capsys, make, message):
    site_tree({"content/articles/a.md": make_article("A")})
    (tmp_path / "elsewhere").mkdir()
    make(tmp_path / "._site.building")

    def state():  # what stands there, and what a link there leads to
        path = tmp_path / "._site.building"
        return (path.is_symlink(), path.is_file() and path.read_text(),
                sorted((str(p), p.read_text()) for folder in (path, tmp_path / "elsewhere")
                       for p in folder.rglob("*") if p.is_file()) if path.is_dir() or path.is_symlink() else [])

    before = state()
    assert main(["build"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == f"._site.building: error: {message}"
    assert state() == before and not (tmp_path / "_site").exists()


def test_failed_build_keeps_previous_output_and_rebuild_drops_stale_files(site_tree, tmp_path, capsys):
    site_tree({"content/articles/a.md": make_article("A"), "content/articles/b.md": make_article("B")})
    assert main(["build"]) == 0
    assert (tmp_path / "_site/articles/b/index.html").is_file()
    (tmp_path / "content/articles/b.md").write_text(make_article("B").replace("date: 2017-10-05", "date: 2017-99-05"))
    assert main(["build"]) == 1
    assert (tmp_path / "_site/articles/b/index.html").is_file(), "a failed build must not touch the old site"
    (tmp_path / "content/articles/b.md").unlink()
    assert main(["build"]) == 0
    assert not (tmp_path / "_site/articles/b").exists()
    assert "no longer published: /articles/b/ (deleted)" in capsys.readouterr().err.splitlines()
    # Beside the output: the copy, the lock, and the addresses this build removed (for purging caches).
    assert sorted(p.name for p in tmp_path.glob("._site.*")) == ["._site.building", "._site.lock", "._site.removed.txt"]
    assert_copy_holds_only_output(tmp_path / "_site")


def assert_copy_holds_only_output(out: Path) -> None:
    """The copy kept beside the output for the next build holds only files the output holds, with
    the same bytes: nothing deleted, withdrawn or since edited lingers there."""
    copy = out.parent / f".{out.name}.building"
    held = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file() and not p.name.startswith(".chorus-")}
    assert held, "the copy is kept between builds"
    for path, data in held.items():
        assert (out / path).is_file() and (out / path).read_bytes() == data, path
    assert not [p for p in copy.rglob("*") if p.is_dir() and not any(p.iterdir())], "no empty folders linger"


def test_config_paths_resolve_against_the_config_folder(site_tree, tmp_path, monkeypatch, capsys):
    site_tree({"site/content/articles/a.md": make_article()}, site_yaml=None)
    (tmp_path / "site/site.yaml").write_text("title: T\nbase_url: https://e.org/\noutput_dir: public\n")
    (tmp_path / "site/content/tags.yaml").write_text("")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["build", "--config", "../site/site.yaml"]) == 0
    assert (tmp_path / "site/public/articles/a/index.html").is_file()


def test_site_templates_override_project_templates(site_tree, tmp_path):
    site_tree({"content/articles/a.md": make_article(),
               "templates/page.html": "{% extends 'base.html' %}{% block main %}<p>OWN {{ item.title }}</p>{% endblock %}",
               "content/pages/about.md": "---\ntitle: About\n---\nText.\n"})
    report = build_site(tmp_path, tmp_path / "out")
    assert not report.errors
    assert "<p>OWN About</p>" in read(tmp_path / "out", "about/index.html")
    assert "<h1>Hello</h1>" in read(tmp_path / "out", "articles/a/index.html")


def test_a_template_edited_between_builds_of_one_process_is_used_at_once(site_tree, tmp_path):
    """The preview builds again and again in one process, which keeps its compiled templates:
    an edit (here one of the same size, saved within the same second) is what the next page
    shows, with or without the build cache, and another site's template of the same name is
    its own."""
    own = "{% extends 'base.html' %}{% block main %}<p>OWN {{ item.title }}</p>{% endblock %}"
    site_tree({"content/pages/about.md": "---\ntitle: About\n---\nText.\n", "templates/page.html": own})
    for use_cache in (True, False):
        (tmp_path / "templates/page.html").write_text(own)
        assert not build_site(tmp_path, tmp_path / "out", use_cache=use_cache).errors
        assert "<p>OWN About</p>" in read(tmp_path / "out", "about/index.html")
        (tmp_path / "templates/page.html").write_text(own.replace("OWN", "NEW"))
        assert not build_site(tmp_path, tmp_path / "out", use_cache=use_cache).errors
        assert "<p>NEW About</p>" in read(tmp_path / "out", "about/index.html")
    other = tmp_path / "other"
    write_tree(other, {"site.yaml": MINIMAL_SITE_YAML, "content/tags.yaml": "",
                       "content/pages/about.md": "---\ntitle: About\n---\nText.\n",
                       "templates/page.html": own.replace("OWN", "MINE")})
    assert not build_site(other, other / "out", use_cache=False).errors
    assert "<p>MINE About</p>" in read(other / "out", "about/index.html")


def test_template_typo_is_an_error_with_file_and_line(site_tree, tmp_path, capsys):
    site_tree({"content/pages/about.md": "---\ntitle: About\n---\nText.\n",
               "templates/page.html": "{% extends 'base.html' %}\n{% block main %}\n{{ item.titel }}\n{% endblock %}\n"})
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"templates/page.html:3: error: template error: .*'titel'", err), err
    assert "Traceback" not in err
    assert not (tmp_path / "_site").exists()


@pytest.mark.parametrize("epoch", ["1700000000000", "99999999999999999999"])
def test_source_date_epoch_out_of_range_is_an_error_not_a_traceback(site_tree, tmp_path, capsys, monkeypatch, epoch):
    # Milliseconds instead of seconds is an easy slip: the year would be tens of thousands.
    site_tree({"content/articles/a.md": make_article()})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    for command in (["build", "--out", str(tmp_path / "out")], ["check"], ["bundle", "--out", str(tmp_path / "a.zip")]):
        assert main(command) == 1
        assert (f"SOURCE_DATE_EPOCH: error: SOURCE_DATE_EPOCH is {epoch}, not a time in seconds since 1970 "
                f"that a date can hold: set it to seconds, e.g. $(git log -1 --format=%ct)") in capsys.readouterr().err
    assert not (tmp_path / "out").exists() and not (tmp_path / "a.zip").exists()


def test_bundle_of_a_date_past_what_zip_can_hold(site_tree, tmp_path, monkeypatch):
    site_tree({"content/articles/a.md": make_article()})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "4354819200")  # 2108-01-01: zip times end in 2107
    assert main(["bundle", "--out", str(tmp_path / "a.zip")]) == 0


def test_the_day_of_a_testimony_never_reaches_templates(site_tree, tmp_path):
    # Only the month is published, so a site's own template cannot show the day either.
    site_tree({"content/testimonies/t1.md": make_testimony(date="2018-01-17"),
               "templates/testimony.html": "{{ item.date }} {{ item.date.day }} {{ item.date.sort_key }}\n"})
    report = build_site(tmp_path, tmp_path / "out")
    assert not report.errors, [d.format() for d in report.errors]
    assert report.site.testimonies[0].date.day is None
    assert "17" not in read(tmp_path / "out", "testimonies/t1/index.html")


def test_output_inside_the_sources_is_refused(site_tree, tmp_path, capsys):
    site_tree({"content/articles/a.md": make_article()})
    assert main(["build", "--out", "content/site"]) == 1
    assert "refusing to write inside" in capsys.readouterr().err
    assert not (tmp_path / "content/site").exists()


def test_output_is_swapped_in_without_renameat2_too(site_tree, tmp_path, monkeypatch):
    """Where the C library has no renameat2 (not Linux), the swap falls back to three renames."""
    import ctypes

    def no_libc(*args, **kwargs):
        raise OSError("no C library here")

    site_tree({"content/articles/a.md": make_article("A"), "content/articles/b.md": make_article("B")})
    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    assert main(["build"]) == 0
    (tmp_path / "content/articles/b.md").write_text(make_article("B changed"))
    assert main(["build"]) == 0
    assert "B changed" in (tmp_path / "_site/articles/b/index.html").read_text()
    assert sorted(p.name for p in tmp_path.glob("._site*")) == ["._site.building", "._site.lock"]
    assert_copy_holds_only_output(tmp_path / "_site")


def test_the_drafts_preview_shows_drafts_and_embargoed_items_marked_and_never_a_withdrawn_one(site_tree, tmp_path):
    """serve --drafts lets an editor read what is not published yet, each page saying so; a
    testimony whose consent was withdrawn stays out even there. A build shows none of them."""
    site_tree({"content/articles/ready.md": make_article("Ready", "2017-10-05"),
               "content/articles/unready.md": make_article("Unready", "2017-10-06", "draft: true\n"),
               "content/articles/later.md": make_article("Later", "2017-10-07", "publish_after: 2999-01-01\n"),
               "content/testimonies/t1.md": make_testimony(status="withdrawn", body="Withdrawn words.")})
    assert not build_site(tmp_path, tmp_path / "preview", drafts=True).errors
    for slug, reason in (("unready", "draft"), ("later", "embargoed")):
        page = (tmp_path / f"preview/articles/{slug}/index.html").read_text()
        assert f"Not published ({reason})." in page, slug
    assert "Not published" not in (tmp_path / "preview/articles/ready/index.html").read_text()
    assert not (tmp_path / "preview/testimonies/t1").exists()
    assert "Withdrawn words" not in "".join(p.read_text() for p in (tmp_path / "preview").rglob("*.html"))
    assert not build_site(tmp_path, tmp_path / "out").errors
    assert not (tmp_path / "out/articles/unready").exists() and not (tmp_path / "out/articles/later").exists()


def test_a_withdrawn_testimonys_address_says_it_was_withdrawn_where_the_site_asks(site_tree, tmp_path):
    """With withdrawn: notice, a reader who follows an old link finds the notice, and nothing of
    the testimony; without it, the address is gone."""
    site_tree({"content/testimonies/t1.md": make_testimony(status="withdrawn", body="Withdrawn words.")},
              site_yaml="title: T\nbase_url: https://example.org/\nwithdrawn: notice\n")
    assert not build_site(tmp_path, tmp_path / "out").errors
    page = (tmp_path / "out/testimonies/t1/index.html").read_text()
    assert "This testimony was withdrawn at the request of the person who shared it." in page
    assert "Withdrawn words" not in page

