"""python -m generator review: each finding with its line, the words around it and a suggested redaction."""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from generator.privacy import pii
from generator.cli import main
from generator.privacy.visible import strip_invisible
from generator.core.types import Redactions

TESTIMONY = """\
---
date: 2018-03
consent: {{status: granted, recorded: 2018-04-01}}
{extra}---

First line.
{body}
"""


def test_review_groups_findings_by_testimony(site_tree, capsys):
    site_tree({
        "content/testimonies/a.md": TESTIMONY.format(extra="", body="My manager Dave Hutchins called on 15 October 2017."),
        "content/testimonies/b.md": TESTIMONY.format(extra="", body="Nothing here."),
        "content/testimonies/c.md": TESTIMONY.format(
            extra='allow:\n  - {text: "Toronto", reason: "a city of millions, reviewed"}\n', body="I moved to Toronto."),
    })
    assert main(["review"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "content/testimonies/a.md: 2 to review",
        "  7: a person's name in the body: 'Dave Hutchins'",
        "      First line. My manager [[Dave Hutchins]] called on 15 October 2017.",
        "      suggest: [a colleague]",
        "  7: a date to the day (give the month and year at most) in the body: '15 October 2017'",
        "      …My manager Dave Hutchins called on [[15 October 2017]].",
        "      suggest: October 2017",
        "content/testimonies/b.md: nothing found",
        "content/testimonies/c.md: 1 to review",
        "  9: the name of a place smaller than a region in the body: 'Toronto'",
        "      First line. I moved to [[Toronto]].",
        "      allowed: a city of millions, reviewed",
    ]


def test_review_of_one_file_as_json(site_tree, capsys):
    site_tree({
        "content/testimonies/a.md": TESTIMONY.format(extra="", body="Write to jane at gmail dot com."),
        "content/testimonies/b.md": TESTIMONY.format(extra="", body="Call 555 123 4567."),
    })
    assert main(["review", "content/testimonies/a.md", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {"testimonies": [{"path": "content/testimonies/a.md", "withdrawn": False, "findings": [{
        "line": 7, "what": "an email address", "where": "the body", "text": "jane at gmail dot com",
        "context": "First line. Write to [[jane at gmail dot com]].", "suggestion": "[email address removed]", "allowed": None}]}]}


def test_review_of_a_path_with_no_testimony_is_an_error(site_tree, capsys):
    site_tree({"content/testimonies/a.md": TESTIMONY.format(extra="", body="Text.")})
    assert main(["review", "content/pages"]) == 1
    assert "content/pages: error: no testimony of this site is there" in capsys.readouterr().err


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300))
def test_the_guard_never_fails_on_pasted_text(text):
    """Whatever an editor pastes, the guard answers with findings, never an exception."""
    findings = pii.guard_findings([pii.PublicText("body", text, 1), pii.PublicText("summary", text, 2)], None,
                                  Redactions(names=("Jo Bloggs",), replacements=(("Acme", "[employer]"),)))
    assert all(f.line in (1, 2) or f.line >= 1 for f in findings)
    assert strip_invisible(strip_invisible(text)) == strip_invisible(text)


def test_review_shows_a_missed_replacement_in_its_words_with_the_replacement_to_use(site_tree, capsys):
    site_tree({"content/redact.yaml": 'replace: {"Acme Logistics": "[employer]"}\n',
               "content/testimonies/a.md": TESTIMONY.format(extra="", body="I worked at Acme **Logistics** then.")})
    assert main(["review", "--json"]) == 0
    findings = json.loads(capsys.readouterr().out)["testimonies"][0]["findings"]
    assert [(f["line"], f["text"], f["context"], f["suggestion"]) for f in findings] == [
        (7, "Acme Logistics", "First line. I worked at [[Acme Logistics]] then.", "[employer]")]
