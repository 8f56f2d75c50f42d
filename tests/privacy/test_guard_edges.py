"""The guard at the edges of what it reads: other scripts, invisible characters, comments, and what
it tells the editor (the line, the words quoted, the suggested redaction)."""

from __future__ import annotations

import pytest

from generator.core.types import Redactions
from tests.privacy.test_guard_probes import BODY_LINE, guard

LISTED = "a name listed in redact.yaml"


def listing(*names: str) -> Redactions:
    return Redactions(names=names)


# Joiners: kept where a script joins its letters (they change what is shown), removed elsewhere
# (there they show nothing, and only split a word for a machine).

@pytest.mark.parametrize("text", [
    "\u0f00\u200d\u0f40 is written in Tibetan.",     # OM and KA
    "\u1000\u200c\u103b is written in Burmese.",     # KA and a medial
    "\u1780\u200c\u1781 is written in Khmer.",       # KA and KHA
    "\ufb50\u200c\ufb51 is written in Arabic.",      # presentation forms of alef wasla
])
def test_a_joiner_inside_a_word_of_a_joining_script_is_published(tmp_path, text):
    errors, result = guard(tmp_path, text)
    assert errors == []
    assert text in result.document.body.text


@pytest.mark.parametrize("text", [
    "\u10a0\u200c\u10a0 is Georgian.",
    "\u18b0\u200c\u18b0 is Canadian syllabics.",
])
def test_a_joiner_inside_a_word_of_a_script_that_does_not_join_is_removed(tmp_path, text):
    _, result = guard(tmp_path, text)
    assert text.replace("\u200c", "") in result.document.body.text
    assert "\u200c" not in result.document.body.text


# Look-alike letters of other scripts are read as the Latin letters they are drawn like.

def test_a_listed_name_written_wholly_in_look_alike_letters_is_stopped(tmp_path):
    # Every letter is Cyrillic; a reader reads Priya Joshi.
    errors, _ = guard(tmp_path, "I met \u0420\u0433\u0456\u0443\u0430 \u0408\u043e\u0455\u04bb\u0456 at work.",
                      redactions=listing("Priya Joshi"))
    assert [e for e in errors if LISTED in e] == [
        f"content/testimonies/t.md:{BODY_LINE}: error: {LISTED} in the body: 'Priya Joshi': remove it, or if it was "
        "reviewed and is safe, add it to allow: with a reason"]


def test_a_name_in_cyrillic_is_quoted_as_it_is_written(tmp_path):
    errors, _ = guard(tmp_path, "Я работала с Марией Ивановой.", redactions=listing("Марией Ивановой"))
    assert [e for e in errors if LISTED in e] == [
        f"content/testimonies/t.md:{BODY_LINE}: error: {LISTED} in the body: 'Марией Ивановой': remove it, or if it "
        "was reviewed and is safe, add it to allow: with a reason"]


# What review suggests writing instead of each kind of finding.

SUGGESTIONS = [
    ("My manager Dave Hutchins called.", "a person's name", "Dave Hutchins", "[a colleague]"),
    ("I worked for Brightwater Holdings Ltd then.", "the name of an organisation", "Brightwater Holdings Ltd",
     "[my employer]"),
    ("I was helped by Zorblat.", "a name", "Zorblat", "[a name]"),
    ("We met on Baker Street.", "the name of a place smaller than a region", "Baker Street", "[a street]"),
    ("We met on Baker St. in the rain.", "the name of a place smaller than a region", "Baker St.", "[a street]"),
    ("I moved to Lyon.", "the name of a place smaller than a region", "Lyon", "[a town]"),
    ("Write to jane.doe@example.org today.", "an email address", "jane.doe@example.org", "[email address removed]"),
    ("See https://example.org/jane today.", "a web address", "https://example.org/jane", "[link removed]"),
    ("Follow @janedoe99 on there.", "a social-media handle", "@janedoe99", "[account removed]"),
    ("Call 020 7946 0958 now.", "a phone number", "020 7946 0958", "[phone number removed]"),
    ("I lived at 12 Acacia Avenue.", "a street address", "12 Acacia Avenue", "[address removed]"),
    ("My postcode was SW1A 1AA then.", "a postcode", "SW1A 1AA", "[postcode removed]"),
    ("It was on 15 October 2017.", "a date to the day (give the month and year at most)", "15 October 2017",
     "October 2017"),
    ("It was on 15 the October 2017.", "a date to the day (give the month and year at most)", "15 the October 2017",
     "October 2017"),
    ("Fue el 15 del octubre del 2017.", "a date to the day (give the month and year at most)",
     "15 del octubre del 2017", "Octubre 2017"),
    ("It was on 15/10/2017.", "a date to the day (give the month and year at most)", "15/10/2017",
     "[the month and year, or a season]"),
    ("Maria Kowalczyk was there.", "a value from this testimony's private: block", "Maria Kowalczyk", "[removed]"),
    ("Jo Bloggs was there.", "a name listed in redact.yaml", "Jo Bloggs", "[name removed]"),
    ("Acme <b>Logistics</b> was there.", "text that redact.yaml replaces, written so that the replacement missed it",
     "Acme Logistics", "[employer]"),
    ("Harbour <b>View</b> was home.", "text that redact.yaml replaces, written so that the replacement missed it",
     "Harbour View", "[a street]"),
]


def test_review_suggests_a_redaction_for_every_kind_of_finding(site_tree, capsys):
    import json

    from generator.cli import main

    testimony = ("---\ndate: 2018-03\nconsent: {{status: granted, recorded: 2018-04-01}}\n"
                 "private:\n  name: \"Maria Kowalczyk\"\n---\n\n{body}\n")
    site_tree({"content/redact.yaml": 'names: ["Jo Bloggs"]\nreplace:\n  "Acme Logistics": "[employer]"\n'
                                                                  '  "Harbour View": "[a street]"\n',
               **{f"content/testimonies/t{index:02}.md": testimony.format(body=body)
                  for index, (body, *_) in enumerate(SUGGESTIONS)}})
    assert main(["review", "--json"]) == 0
    reviewed = json.loads(capsys.readouterr().out)["testimonies"]
    assert [[(f["what"], f["text"], f["suggestion"]) for f in item["findings"]] for item in reviewed] == [
        [(what, text, suggestion)] for _, what, text, suggestion in SUGGESTIONS]


def reviewed(capsys) -> list[tuple[str, int, str, str, str]]:
    """(file, line, where, text, words around it) of each finding that review prints as JSON."""
    import json

    from generator.cli import main

    assert main(["review", "--json"]) == 0
    return [(item["path"], f["line"], f["where"], f["text"], f["context"])
            for item in json.loads(capsys.readouterr().out)["testimonies"] for f in item["findings"]]


TESTIMONY = "---\ndate: 2018-03\nconsent: {{status: granted, recorded: 2018-04-01}}\n---\n\n{body}\n"


def test_a_listed_name_in_a_comment_is_found_at_its_line_with_the_comment_around_it(site_tree, capsys):
    """Comments are not published, but a later edit can bring them back: names in them are found."""
    body = ("First paragraph.\n\nSecond <!-- a note,\nJo Bloggs said so --> paragraph.\n"
            "<!--\nJo Bloggs\n-->\nLast line.")
    site_tree({"content/redact.yaml": 'names: ["Jo Bloggs"]\n',
               "content/testimonies/t1.md": TESTIMONY.format(body=body)})
    assert reviewed(capsys) == [
        ("content/testimonies/t1.md", 9, "the body", "Jo Bloggs", "a note, [[Jo Bloggs]] said so Jo Bloggs"),
        ("content/testimonies/t1.md", 11, "the body", "Jo Bloggs", "a note, Jo Bloggs said so [[Jo Bloggs]]"),
    ]


@pytest.mark.parametrize("body, context", [
    # Up to 40 characters either side, cut at a word, with … where text was left out.
    ("In the spring of that year, I told only Jo Bloggs.",
     "In the spring of that year, I told only [[Jo Bloggs]]."),
    ("In the spring of that year, I told only: Jo Bloggs.",
     "…the spring of that year, I told only: [[Jo Bloggs]]."),
    ("Jo Bloggs and nobody else about it, not even once",
     "[[Jo Bloggs]] and nobody else about it, not even once"),
    ("I told Jo Bloggs about the whole thing, all.\n\nUnbelievably, nothing happened.",
     "I told [[Jo Bloggs]] about the whole thing,…"),
    ("It was extraordinarily.\n\nLater, much later, I told my friend Jo Bloggs.",
     "…much later, I told my friend [[Jo Bloggs]]."),
    # Text written without spaces (Chinese, Japanese) is cut where 40 characters end.
    ("我在东京工作了很多年然后我搬到了大阪我的朋友叫我去见她的同事他的名字是我不想说的那个人，Jo Bloggs。",
     "…工作了很多年然后我搬到了大阪我的朋友叫我去见她的同事他的名字是我不想说的那个人,[[Jo Bloggs]]。"),
])
def test_review_quotes_the_words_around_a_finding(site_tree, capsys, body, context):
    site_tree({"content/redact.yaml": 'names: ["Jo Bloggs"]\n', "content/testimonies/t1.md": TESTIMONY.format(body=body)})
    [(_, _, _, text, shown)] = reviewed(capsys)
    assert (text, shown) == ("Jo Bloggs", context)


# The parts of a private name a testimony is signed or mentioned by.

PRIVATE_NAME = """\
---
date: 2018-03
consent:
  status: granted
  recorded: 2018-04-01
private:
  name: "{name}"
---

{body}
"""


def private_findings(tmp_path, name: str, body: str) -> list[str]:
    from generator.content.perfile import process_file
    from generator.core.types import FileSettings, SourceFile

    path = tmp_path / "content/testimonies/t.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PRIVATE_NAME.format(name=name, body=body), encoding="utf-8")
    result = process_file(SourceFile(path, "testimony"), FileSettings("en", 1_000_000, Redactions(), (str(tmp_path),)))
    what = "a value from this testimony's private: block in the body: "
    return [d.message.split(what)[1].split("'")[1] for d in result.diagnostics if what in d.message]


@pytest.mark.parametrize("name, body, found", [
    ("Ana María López García", "Signed, A. García.", ["A. García"]),
    ("Ana María López García", "López said nothing.", ["López"]),
    ("Jo Bloggs", "Bloggs said nothing.", ["Bloggs"]),
    ("Jo Bloggs", "J. Bloggs said nothing.", ["J. Bloggs"]),
    ("Ann Kowalczyk", "Ann said nothing.", ["Ann"]),
    ("Maria Kowalczyk", "Maria K. said nothing.", ["Maria K"]),
])
def test_a_part_of_a_private_name_of_two_to_four_words_is_found(tmp_path, name, body, found):
    assert private_findings(tmp_path, name, body) == found


@pytest.mark.parametrize("summary", ["I met Ja<b></b>ne Doe.", "I met Jane<br>Doe.",
                                     "I met [Jane](https://example.org/a\nb) Doe.", "I met Jane<!-- a\nnote --> Doe."])
def test_a_private_name_split_by_markup_in_a_field_is_found(tmp_path, summary):
    """A field is shown as written, but it is read without its markup too, to be safe."""
    errors, _ = guard(tmp_path, "Text.", {"summary": summary})
    assert [e for e in errors if "private: block in 'summary': 'Jane Doe'" in e], errors


@pytest.mark.parametrize("summary, finding", [
    ("I met Jane&nbsp;Doe.", "a value from this testimony's private: block in 'summary': 'Jane Doe'"),
    ("I met Dave<br>Hutchins at work.", "a person's name in 'summary': 'Dave Hutchins'"),
    ("I lived at 12 Acacia\nAvenue then.", "a street address in 'summary': '12 Acacia Avenue'"),
    ("Call me on 020 7946\n0958 any time.", "a phone number in 'summary': '020 7946 0958'"),
])
def test_a_detail_in_a_field_is_found_whole_across_a_line_break_tag_or_reference(tmp_path, summary, finding):
    errors, _ = guard(tmp_path, "Text.", {"summary": summary})
    assert [e for e in errors if finding in e], errors


def test_the_build_report_lists_what_was_allowed_in_the_order_of_allow(site_tree, capsys):
    from generator.cli import main

    allow = ('allow:\n  - {text: "Toronto", reason: "a city of millions"}\n'
             '  - {text: "Dave Hutchins", reason: "named in the press"}\n')
    site_tree({"content/testimonies/t1.md": TESTIMONY.format(body="Dave Hutchins moved to Toronto.").replace(
        "---\n\n", allow + "---\n\n")})
    assert main(["build"]) == 0
    assert [line for line in capsys.readouterr().err.splitlines() if line.startswith("allowed:")] == [
        "allowed: content/testimonies/t1.md:5: 'Toronto' (a city of millions)",
        "allowed: content/testimonies/t1.md:6: 'Dave Hutchins' (named in the press)",
    ]


# What a reader is shown of the rendered body besides its text: an image's alt text, a link's title
# (on hover, and read out); and what is not the testimony's text: a footnote's number.

@pytest.mark.parametrize("body, finding", [
    ("See ![Jane Doe at the office](/media/a.png) here.", "private: block in the body: 'Jane Doe'"),
    ('See [the office](/about/ "Jane Doe") here.', "private: block in the body: 'Jane Doe'"),
    ("Call 020 7946 0958[^1] any time.\n\n[^1]: Or write.", "a phone number in the body: '020 7946 0958'"),
])
def test_the_guard_reads_the_body_as_a_reader_is_shown_it(tmp_path, body, finding):
    errors, _ = guard(tmp_path, body)
    assert [e for e in errors if f"{finding}:" in e], errors


TAGGED = """\
---
date: 2018-03
consent:
  status: granted
  recorded: 2018-04-01
tags:
  - solidarity
  - acme-logistics
private:
  employer: "Acme Logistics"
---

It happened at work.
"""


def test_a_tag_that_names_a_private_value_is_stopped_at_its_line_as_its_page_shows_it(tmp_path):
    """A tag is shown in the page's address and by its label: the id is read as well as the label."""
    from generator.content.perfile import process_file
    from generator.core.types import FileSettings, SourceFile

    path = tmp_path / "content/testimonies/t.md"
    path.parent.mkdir(parents=True)
    path.write_text(TAGGED, encoding="utf-8")
    labels = Redactions(tag_labels=(("acme-logistics", "Workplace"), ("solidarity", "Solidarity")))
    result = process_file(SourceFile(path, "testimony"), FileSettings("en", 1_000_000, labels, (str(tmp_path),)))
    assert [d.format(tmp_path) for d in result.diagnostics] == [
        "content/testimonies/t.md:8: error: a value from this testimony's private: block in 'tags': 'acme logistics': "
        "remove it, or if it was reviewed and is safe, add it to allow: with a reason"]


@pytest.mark.parametrize("body, found", [
    ("Je l'ai vu le 15 janv. 2017, à la gare.", ["a date to the day (give the month and year at most) in the body: "
                                               "'15 janv. 2017'"]),
    # The word lists do not cover French: a sentence's first word or one unknown word is not a name.
    ("Relu hier soir, le texte était long. J'ai vu Grenouillard.", []),
    ("Nous sommes allés en Arabie Saoudite.", []),  # a country, named in French
])
def test_a_testimony_in_french_is_read_as_french(tmp_path, body, found):
    errors, _ = guard(tmp_path, body, {"language": "fr"})
    assert len(errors) == len(found) and all(f": error: {what}: " in e for e, what in zip(errors, found)), errors


def test_the_longest_listed_name_or_replaced_text_is_the_one_reported(tmp_path):
    redactions = Redactions(names=("Jo Bloggs", "Jo Bloggs-Smith"),
                            replacements=(("Northwind Freight", "[employer]"), ("Northwind", "[company]")))
    errors, _ = guard(tmp_path, "Jo Bloggs-Smith ran N<b></b>orthwind Freight.", redactions=redactions)
    assert [e.split(": error: ")[1].split(": remove it")[0].split(": write it")[0] for e in errors] == [
        "a name listed in redact.yaml in the body: 'Jo Bloggs-Smith'",
        "text that redact.yaml replaces, written so that the replacement missed it in the body: 'Northwind Freight'",
    ]


def test_an_address_behind_a_link_is_quoted_whole_at_its_line(tmp_path):
    """A reader sees the address of a link on hover; the guard quotes it as the reader sees it."""
    errors, _ = guard(tmp_path, "Text.\n\n[write to me](MAILTO:maria.k@example.org)")
    assert [e.split(": remove it")[0] for e in errors] == [
        f"content/testimonies/t.md:{BODY_LINE + 2}: error: an email address in the body: 'maria.k@example.org'"]


def test_a_finding_after_a_comment_holding_the_same_words_is_reported_at_its_own_line(tmp_path):
    """The comment is not published; the name in the text is, and its line is the one to fix."""
    errors, _ = guard(tmp_path, "<!-- Dave Hutchins called. -->\n\nDave Hutchins called.")
    assert [e.split(": error: ")[0] for e in errors] == [f"content/testimonies/t.md:{BODY_LINE + 2}"]


@pytest.mark.parametrize("body, line", [
    ("Tom &amp; Jerry.\n\nI was told: Dave&nbsp;Hutchins called.", 2),
    ("A &#10; B\n\nC.\n\nDave Hutchins called.", 4),  # a reference to a line break is not a line
    ("<!--\nnote\n-->\n\nDave Hutchins called.", 4),  # a comment's lines are lines
    # written wholly in references: no word of it is in the source as a reader sees it
    ("It began at work.\n\n&#68;&#97;&#118;&#101; &#72;&#117;&#116;&#99;&#104;&#105;&#110;&#115;.", 2),
])
def test_a_finding_after_character_references_or_comments_is_reported_at_its_line(tmp_path, body, line):
    errors, _ = guard(tmp_path, body)
    assert [e.split(": error: ")[0] for e in errors] == [f"content/testimonies/t.md:{BODY_LINE + line}"], errors


def test_an_address_behind_a_link_is_reported_at_the_links_line_when_text_above_holds_it_too(tmp_path):
    """Each place the address is published is reported at its own line: the text, then the link."""
    errors, _ = guard(tmp_path, "Write to maria.k@example.org.\n\nOr [here](mailto:maria.k@example.org).")
    assert [e.split(": remove it")[0] for e in errors] == [
        f"content/testimonies/t.md:{BODY_LINE + line}: error: an email address in the body: 'maria.k@example.org'"
        for line in (0, 2)]
