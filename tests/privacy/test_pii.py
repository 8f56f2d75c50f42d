"""The PII guard: what it catches in testimonies, where it says it is, and how editors accept or redact."""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.privacy.pii import PublicText, find_pii
from tests.conftest import build_site

HINT = "remove it, or if it was reviewed and is safe, add it to allow: with a reason"
NAME_HINT = ("replace it with a description such as [my manager], or if it was reviewed and is safe, add it to "
             "allow: with a reason (names of public figures, media and platforms go under public: in redact.yaml)")

FRONT = """\
---
date: 2018-03
pseudonym: "A reader"
consent:
  status: granted
  recorded: 2018-04-01
{extra}---

{body}
"""


def make_testimony(body: str, extra: str = "") -> str:
    return FRONT.format(body=body, extra=extra)


def errors_of(root) -> list[str]:
    """Errors and warnings (not notes, such as the one on private records kept in plain text)."""
    report = build_site(root, write=False)
    return [d.format() for d in report.diagnostics if d.severity.value != "note"]


def found(text: str) -> list[tuple[str, str]]:
    return [(f.text, f.what) for f in find_pii([PublicText("body", text, 1)])]


@pytest.mark.parametrize("text, expected, what", [
    ("Write to jane.doe@example.com today.", "jane.doe@example.com", "an email address"),
    ("Write to jane (at) example (dot) com.", "jane (at) example (dot) com", "an email address"),
    ("Call +44 20 7946 0958 after six.", "+44 20 7946 0958", "a phone number"),
    ("Call +1 (555) 123-4567 after six.", "+1 (555) 123-4567", "a phone number"),
    ("Call 0033 6 12 34 56 78 after six.", "0033 6 12 34 56 78", "a phone number"),
    ("Call 07946.095.835 after six.", "07946.095.835", "a phone number"),
    ("Call me—07700 900123 after six.", "07700 900123", "a phone number"),  # a dash before it
    ("Call me -07700 900123 after six.", "07700 900123", "a phone number"),
    ("See https://example.org/profile/42.", "https://example.org/profile/42", "a web address"),
    ("See www.example.com, then leave.", "www.example.com", "a web address"),
    ("See acme-staffing.co.uk for more.", "acme-staffing.co.uk", "a web address"),
    # at the end of a sentence, before the next: what follows the dot is a word, not a domain
    ("Mail bob@example.com. Or call him.", "bob@example.com", "an email address"),
    ("Write to maria.k@example.org. Then wait.", "maria.k@example.org", "an email address"),
    ("See shop.acme-staffing.com.Then leave.", "shop.acme-staffing.com", "a web address"),
    ("Follow @jane_doe99 for updates.", "@jane_doe99", "a social-media handle"),
    ("He lived at 221B Baker Street then.", "221B Baker Street", "a street address"),
    ("Her office: 1600 Pennsylvania Avenue NW.", "1600 Pennsylvania Avenue", "a street address"),
    ("Meet at 12 rue de la Paix tomorrow.", "12 rue de la Paix", "a street address"),
    ("Meet at Via Roma 10 tomorrow.", "Via Roma 10", "a street address"),
    ("Meet at Hauptstraße 5 tomorrow.", "Hauptstraße 5", "a street address"),
    ("Post it to PO Box 1234, please.", "PO Box 1234", "a street address"),
    ("London SW1A 1AA is the postcode.", "SW1A 1AA", "a postcode"),
    ("It happened on 12 March 2018.", "12 March 2018", "a date to the day (give the month and year at most)"),
    ("It happened on the 3rd of May.", "3rd of May", "a date to the day (give the month and year at most)"),
    ("It happened on March 12, 2018.", "March 12, 2018", "a date to the day (give the month and year at most)"),
    ("It happened on 2018-03-12.", "2018-03-12", "a date to the day (give the month and year at most)"),
    ("It happened on 12/03/2018.", "12/03/2018", "a date to the day (give the month and year at most)"),
    ("It happened on 12.03.2018.", "12.03.2018", "a date to the day (give the month and year at most)"),
])
def test_guard_catches(text, expected, what):
    assert found(text) == [(expected, what)]


@pytest.mark.parametrize("text", [
    "It started in 2017 and went on from 2017-2018, then 2019–2020.",
    "Between 1998 2004 and 2010 I moved twice.",
    "In March 2018 and by May 2019 it was over; spring 2020 was calmer.",
    "At 10.30. 2017 was the year it began.",
    "It cost £25,000 and 3 of us left; 12 people stayed.",
    "The #MeToo posts, e.g. on social media, i.e. everywhere.",
    "In 2017 Times Square was full of people.",
    "I was 24 and she was 31.",
    "May I say something? I may.",
])
def test_guard_leaves_ordinary_text_alone(text):
    assert found(text) == []


def test_one_finding_per_place():
    # The email is not also reported as a web address or a handle.
    assert found("jane@example.com") == [("jane@example.com", "an email address")]


def test_body_finding_has_file_and_body_line(site_tree):
    root = site_tree({"content/testimonies/t.md": make_testimony("First line.\n\nMail me: someone@example.org")})
    assert errors_of(root) == [
        f"content/testimonies/t.md:11: error: an email address in the body: 'someone@example.org': {HINT}",
    ]


def test_field_finding_has_the_key_line(site_tree):
    root = site_tree({"content/testimonies/t.md": make_testimony("Text.", extra='summary: "Call 555 123 4567"\n')})
    assert errors_of(root) == [
        f"content/testimonies/t.md:7: error: a phone number in 'summary': '555 123 4567': {HINT}",
    ]


def test_yaml_testimony_body_lines(site_tree):
    root = site_tree({"content/testimonies/t.yaml": """\
        date: 2018-03
        consent: {status: granted, recorded: 2018-04-01}
        body: |
          One.

          It was 2018-03-12.
        """})
    assert errors_of(root) == [
        "content/testimonies/t.yaml:6: error: a date to the day (give the month and year at most) "
        f"in the body: '2018-03-12': {HINT}",
    ]


def test_private_values_are_found_in_public_text(site_tree):
    extra = ("region: \"near ACME Logistics\"\n"
             "private:\n"
             "  name: \"Jane Q. Doe\"\n"
             "  contact:\n"
             "    employer: \"Acme Logistics\"\n"
             "    notes: [\"ok\", \"Harbourside\"]\n")
    body = "I worked at acme logistics.\nJane Q.\nDoe was my name then. Harbourside-ish counts too, as does harbourside."
    root = site_tree({"content/testimonies/t.md": make_testimony(body, extra)})
    what = "a value from this testimony's private: block"
    assert errors_of(root) == [
        f"content/testimonies/t.md:7: error: {what} in 'region': 'ACME Logistics': {HINT}",
        f"content/testimonies/t.md:15: error: {what} in the body: 'acme logistics': {HINT}",
        f"content/testimonies/t.md:16: error: {what} in the body: 'Jane Q. Doe': {HINT}",
        f"content/testimonies/t.md:17: error: {what} in the body: 'Harbourside': {HINT}",
        f"content/testimonies/t.md:17: error: {what} in the body: 'harbourside': {HINT}",
    ]


def test_without_an_identity_the_plain_values_beside_sealed_ones_are_still_found(site_tree, monkeypatch):
    """An editor without the identity cannot open the sealed values (a warning says so), but the
    values kept in plain text beside them, at any depth, are still looked for."""
    monkeypatch.delenv("CHORUS_IDENTITY", raising=False)
    extra = ("private:\n"
             "  name: \"age:c2VhbGVk\"\n"
             "  contact:\n"
             "    employer: \"Acme Logistics\"\n"
             "    notes: [\"age:c2VhbGVk\", \"Harbourside\"]\n")
    root = site_tree({"content/testimonies/t.md": make_testimony("At Acme Logistics, by Harbourside.", extra)})
    what = "a value from this testimony's private: block"
    found = errors_of(root)
    assert found[:1] == ["content/testimonies/t.md:7: warning: private: is sealed and CHORUS_IDENTITY is not set: "
                         "its values cannot be checked against the text; set it to your age identity file "
                         "(docs/editors.md, 'Sealed private records')"]
    assert found[1:] == [f"content/testimonies/t.md:14: error: {what} in the body: 'Acme Logistics': {HINT}",
                         f"content/testimonies/t.md:14: error: {what} in the body: 'Harbourside': {HINT}"]


def _editor_key(folder):
    from pyrage import x25519

    identity = x25519.Identity.generate()
    path = folder / "editor.key"
    path.write_text(f"{identity}\n")
    return identity.to_public(), path


PRIVATE_AT = "content/testimonies/t.md:7"  # the line of private: in make_testimony's front matter


def test_plain_private_values_are_a_warning_where_the_site_seals_and_an_error_where_it_requires_it(site_tree,
                                                                                                    tmp_path):
    public, _ = _editor_key(tmp_path.parent)
    site_yaml = f'title: T\nbase_url: https://example.org/\nprivate_recipients: ["{public}"]\n'
    root = site_tree({"content/testimonies/t.md": make_testimony("It was at work.", 'private:\n  name: "Jo Bloggs"\n')},
                     site_yaml=site_yaml)
    said = (f"{PRIVATE_AT}: {{}}: private: holds values in plain text, readable by anyone who can read the "
            "repository: seal them with python -m generator private seal")
    assert errors_of(root) == [said.format("warning")]
    (root / "site.yaml").write_text(site_yaml + "private_records: sealed\n")
    assert errors_of(root) == [said.format("error")]


def test_sealed_private_values_are_opened_with_the_identity_and_looked_for(site_tree, tmp_path, monkeypatch):
    """The guard finds a sealed value in the text as it finds a plain one; a value sealed to other
    keys is an error at private:, saying whom to ask."""
    from generator.privacy.sealing import seal

    public, identity = _editor_key(tmp_path.parent)
    monkeypatch.setenv("CHORUS_IDENTITY", str(identity))
    record = f'private:\n  name: "{seal("Jo Bloggs", [public])}"\n  notes: ["{seal("Harbourside", [public])}"]\n'
    root = site_tree({"content/testimonies/t.md": make_testimony("Jo Bloggs lived by Harbourside.", record)})
    what = "a value from this testimony's private: block"
    found = errors_of(root)
    assert found == [f"content/testimonies/t.md:12: error: {what} in the body: '{text}': {HINT}"
                     for text in ("Harbourside", "Jo Bloggs")]
    stranger, _ = _editor_key(tmp_path)
    record = f'private:\n  name: "{seal("Jo Bloggs", [stranger])}"\n'
    (root / "content/testimonies/t.md").write_text(make_testimony("It was at work.", record))
    assert errors_of(root) == [
        f"{PRIVATE_AT}: error: a sealed value cannot be opened with the identity in CHORUS_IDENTITY (sealed to other "
        "keys, or damaged): ask an editor to run python -m generator private rekey"]


def test_short_private_values_and_word_parts_are_not_matched(site_tree):
    extra = 'private:\n  initials: "JD"\n  town: "Ely"\n'
    root = site_tree({"content/testimonies/t.md": make_testimony("JD and Elysium and Ely's neighbour, Ely.", extra)})
    what = "a value from this testimony's private: block"
    assert errors_of(root) == [
        # A capitalised word no dictionary knows is a name to review (generator/privacy/names.py).
        f"content/testimonies/t.md:12: error: a name in the body: 'Elysium': {NAME_HINT}",
        f"content/testimonies/t.md:12: error: {what} in the body: 'Ely': {HINT}",
        f"content/testimonies/t.md:12: error: {what} in the body: 'Ely': {HINT}",
    ]


def test_redact_names_are_flagged(site_tree):
    root = site_tree({
        "content/redact.yaml": 'names: ["Harvey Weinstein", "Jo Bloggs"]\n',
        "content/testimonies/t.md": make_testimony("I met jo  bloggs at work."),
    })
    assert errors_of(root) == [
        f"content/testimonies/t.md:9: error: a name listed in redact.yaml in the body: 'jo bloggs': {HINT}",
    ]


def test_allow_accepts_the_exact_string_and_reports_it(site_tree, capsys):
    extra = ('allow:\n'
             '  - text: "@MeTooMvmt"\n'
             '    reason: "the public campaign account, reviewed by the editors"\n')
    root = site_tree({"content/testimonies/t.md": make_testimony("I followed @MeTooMvmt, then @metoomvmt.", extra)})
    assert errors_of(root) == [
        f"content/testimonies/t.md:12: error: a social-media handle in the body: '@metoomvmt': {HINT}",
    ]
    root.joinpath("content/testimonies/t.md").write_text(make_testimony("I followed @MeTooMvmt.", extra))
    assert main(["build"]) == 0
    err = capsys.readouterr().err
    assert ("allowed: content/testimonies/t.md:8: '@MeTooMvmt' "
            "(the public campaign account, reviewed by the editors)") in err


def test_unused_allowance_is_a_warning(site_tree):
    extra = 'allow:\n  - {text: "Toronto", reason: "a large city"}\n'
    root = site_tree({"content/testimonies/t.md": make_testimony("Nothing to see.", extra)})
    assert errors_of(root) == [
        "content/testimonies/t.md:8: warning: allow: entry 'Toronto' matches nothing the guard found: remove it "
        "(it must be the exact text, as quoted in the error it accepts)",
    ]


@pytest.mark.parametrize("allow, message", [
    ('allow: "Toronto"\n', "'allow' must be a list of entries, e.g. allow: [{text: \"Toronto\", reason: \"a large city, reviewed\"}]"),
    ('allow:\n  - "Toronto"\n', "'allow' entry 1 must have exactly 'text' (the exact string accepted) and 'reason' (why it is safe)"),
    ('allow:\n  - {text: "Toronto"}\n', "'allow' entry 1 must have exactly 'text' (the exact string accepted) and 'reason' (why it is safe)"),
    ('allow:\n  - {text: "Toronto", reason: ""}\n', "'allow[1].reason' is empty: write a value or remove the line"),
])
def test_allow_needs_text_and_reason(site_tree, allow, message):
    root = site_tree({"content/testimonies/t.md": make_testimony("Toronto.", allow)})
    line = 9 + allow.count("\n")
    # Without a valid entry nothing is accepted: the city is still a finding.
    assert errors_of(root) == [f"content/testimonies/t.md:7: error: {message}",
                               f"content/testimonies/t.md:{line}: error: the name of a place smaller than a region "
                               f"in the body: 'Toronto': {NAME_HINT}"]


def test_withdrawn_testimony_is_not_scanned(site_tree):
    root = site_tree({"content/testimonies/t.md": make_testimony("me@example.org").replace("granted", "withdrawn")})
    assert errors_of(root) == []


def test_draft_and_embargoed_testimonies_are_scanned(site_tree):
    root = site_tree({
        "content/testimonies/d.md": make_testimony("me@example.org", "draft: true\n"),
        "content/testimonies/e.md": make_testimony("me@example.org", "publish_after: 2999-01-01\n"),
    })
    assert errors_of(root) == [
        f"content/testimonies/d.md:10: error: an email address in the body: 'me@example.org': {HINT}",
        f"content/testimonies/e.md:10: error: an email address in the body: 'me@example.org': {HINT}",
    ]


def test_articles_are_not_scanned(site_tree):
    root = site_tree({"content/articles/a.md": """\
        ---
        title: Report
        date: 2017-10-05
        source: A paper
        ---

        On 5 October 2017, https://example.org published it.
        """})
    assert errors_of(root) == []


def test_redact_replacements_reach_every_output(site_tree, tmp_path):
    extra = 'summary: "What happened at Acme Corp"\nprivate:\n  employer: "Acme Corp"\n'
    root = site_tree({
        "content/redact.yaml": 'replace:\n  "Acme Corp": "[employer]"\n  "Acme": "[company]"\n',
        "content/testimonies/t.md": make_testimony("I worked at ACME corp, then Acme\nCorp again, and Acme.", extra),
    })
    report = build_site(root, tmp_path / "out")
    assert report.errors == ()
    everything = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert b"Acme" not in everything and b"ACME" not in everything
    page = (tmp_path / "out/testimonies/t/index.html").read_text()
    assert "I worked at [employer], then [employer] again, and [company]." in page
    assert "What happened at [employer]" in page


@pytest.mark.parametrize("redact, message", [
    ("- Jo\n", "content/redact.yaml:1: error: redact.yaml must be a mapping with 'names:', 'replace:' and/or 'public:'"),
    ("names: Jo Bloggs\n", "content/redact.yaml:1: error: 'names' must be a list, e.g. names: [\"Jane Doe\", \"Acme Corp\"]"),
    ("names: [Jo Bloggs, J]\n", "content/redact.yaml:1: error: each name must be text of at least 3 characters on one line, got 'J'"),
    ("replace: {Acme: 7}\n", "content/redact.yaml:1: error: the replacement for 'Acme' must be text on one line, e.g. \"[employer]\""),
    ("redact: [Jo]\n", "content/redact.yaml:1: error: unknown key 'redact' in redact.yaml; allowed keys: names, replace, public"),
    ("names: [Jo Bloggs]\nnames: [Jo]\n", "content/redact.yaml:2: error: duplicate key 'names' (first set on line 1); "
                                          "YAML would silently keep only the last one"),
])
def test_redact_yaml_errors(site_tree, redact, message):
    root = site_tree({"content/redact.yaml": redact})
    assert errors_of(root) == [message]


def test_demo_content_passes_the_guard():
    from tests.conftest import PROJECT

    report = build_site(PROJECT, write=False)
    assert report.errors == ()


def test_front_matter_that_is_not_a_mapping_is_reported_once(site_tree):
    root = site_tree({"content/testimonies/t.md": "---\n- a list\n---\n\nText with me@example.org\n"})
    assert errors_of(root) == [
        "content/testimonies/t.md:2: error: the front matter must be a mapping of 'field: value' lines"]


def test_private_numbers_are_found_as_written(site_tree):
    # YAML reads unquoted digits as numbers (0012345 even as an octal 5349); the guard matches what was written.
    extra = "private:\n  case_number: 48213\n  staff: [0012345]\n  followed_up: true\n  age: 34\n"
    body = "My case was 48213, staff number 0012345. It is true. I was 34."
    root = site_tree({"content/testimonies/t.md": make_testimony(body, extra)})
    what = "a value from this testimony's private: block"
    assert errors_of(root) == [
        f"content/testimonies/t.md:14: error: {what} in the body: '0012345': {HINT}",
        f"content/testimonies/t.md:14: error: {what} in the body: '48213': {HINT}",
    ]


def test_private_values_are_found_as_a_reader_sees_them(site_tree):
    # A character reference or a comment inside a name hides it from a scan of the source,
    # but the page shows the name whole.
    extra = 'private:\n  name: "Jane Doe"\n'
    body = "I met Jane&nbsp;Doe at work,\nthen J&#97;ne Doe, then Jane<!-- x --> Doe. Jane Doe and Jane Doe."
    root = site_tree({"content/testimonies/t.md": make_testimony(body, extra)})
    what = "a value from this testimony's private: block"
    assert errors_of(root) == [
        f"content/testimonies/t.md:11: error: {what} in the body: 'Jane Doe': {HINT}",
        f"content/testimonies/t.md:12: error: {what} in the body: 'Jane Doe': {HINT}",
        f"content/testimonies/t.md:12: error: {what} in the body: 'Jane Doe': {HINT}",
        f"content/testimonies/t.md:12: error: {what} in the body: 'Jane Doe': {HINT}",
        f"content/testimonies/t.md:12: error: {what} in the body: 'Jane Doe': {HINT}",
    ]


@pytest.mark.parametrize("written", [
    "**Jane** Doe", "*Jane* Doe", "_Jane_ Doe", "__Jane__ Doe", "Jane **Doe**", "*Jane Doe*", "~~Jane~~ Doe",
    "`Jane` Doe", "[Jane](/about/) Doe", "[Jane][1] Doe", "<b>Jane</b> Doe", "Jane<br>Doe",
    "**Ja**ne Doe", "Jane\\* Doe",
])
def test_private_values_split_by_markup_are_found(site_tree, written):
    # Emphasis, links, code and tags inside a name hide it from a scan of the source, but the page shows it whole.
    extra = 'private:\n  name: "Jane Doe"\n'
    body = f"First line.\nI met {written} at work."
    root = site_tree({"content/testimonies/t.md": make_testimony(body, extra)})
    what = "a value from this testimony's private: block"
    assert errors_of(root) == [f"content/testimonies/t.md:12: error: {what} in the body: 'Jane Doe': {HINT}"]


def test_redact_names_split_by_markup_are_found_on_their_line(site_tree):
    root = site_tree({
        "content/redact.yaml": 'names: ["Jo Bloggs"]\n',
        "content/testimonies/t.md": make_testimony(
            "One.\n<!-- a\ncomment -->\nTwo *Jo*\n**Bloggs** and [Jo](/x\n\"t\") Bloggs, and jo bloggs."),
    })
    what = "a name listed in redact.yaml"
    assert errors_of(root) == [
        f"content/testimonies/t.md:12: error: {what} in the body: 'Jo Bloggs': {HINT}",
        f"content/testimonies/t.md:13: error: {what} in the body: 'Jo Bloggs': {HINT}",
        f"content/testimonies/t.md:14: error: {what} in the body: 'jo bloggs': {HINT}",
    ]


def test_markup_does_not_make_other_findings_twice(site_tree):
    # Emails, handles and addresses keep their underscores: markup is only ignored for names.
    body = "Mail *jane_doe@example.org* or follow **@jane_doe**, see www.example.org/a_b_c."
    root = site_tree({"content/testimonies/t.md": make_testimony(body)})
    assert errors_of(root) == [
        f"content/testimonies/t.md:9: error: a social-media handle in the body: '@jane_doe': {HINT}",
        f"content/testimonies/t.md:9: error: a web address in the body: 'www.example.org/a_b_c': {HINT}",
        f"content/testimonies/t.md:9: error: an email address in the body: 'jane_doe@example.org': {HINT}",
    ]


def test_redact_replacements_reach_names_written_with_character_references(site_tree, tmp_path):
    # The page shows each of these as Jane Doe: the replacement applies to them as to plain text.
    body = ("I met Jane&nbsp;Doe, J&#97;ne Doe and Jane&#32;Doe,\n"
            "then JANE&#xA0;DOE, &#74;&#x61;ne&NewLine;doe and Jane&ensp;&#x44;oe.\n"
            "Fish &amp; chips, an &Acme; sign, amp and Acme.")
    root = site_tree({
        "content/redact.yaml": 'replace:\n  "Jane Doe": "[name]"\n  "amp": "[x]"\n  "Acme": "[company]"\n',
        "content/testimonies/t.md": make_testimony(body),
    })
    report = build_site(root, tmp_path / "out")
    assert [d.format() for d in report.diagnostics] == []
    everything = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()).lower()
    for written in (b"jane", b"&#97;ne", b"&#74;", b"acme"):
        assert written not in everything
    page = (tmp_path / "out/testimonies/t/index.html").read_text()
    assert "I met [name], [name] and [name],\nthen [name], [name] and [name]." in page
    assert "Fish &amp; chips, an &amp;[company]; sign, [x] and [company]." in page


def test_redact_replacements_hidden_by_markup_are_errors(site_tree):
    # Replacing across markup would break it: the editor is told to write the text plainly.
    root = site_tree({
        "content/redact.yaml": 'replace:\n  "Jane Doe": "[name]"\n  "Acme": "Acme Ltd"\n',
        "content/testimonies/t.md": make_testimony("I met **Jane** Doe,\nJane<!-- x --> Doe and Jane Doe at Acme."),
    })
    what = "text that redact.yaml replaces, written so that the replacement missed it"
    hint = "write it as plain text, without markup or a comment inside it, so that it is replaced"
    assert errors_of(root) == [
        f"content/testimonies/t.md:9: error: {what} in the body: 'Jane Doe': {hint}",
        f"content/testimonies/t.md:10: error: {what} in the body: 'Jane Doe': {hint}",
    ]


@pytest.mark.parametrize("body, part", [
    ("Thank you for reading. Maria", "Maria"),
    ("Kowalczyk was the name on the door.", "Kowalczyk"),
    ("Signed, M. Kowalczyk", "M. Kowalczyk"),
    ("Signed, Maria K.", "Maria K"),
    ("Jane R. helped me that year.", "Jane R"),
])
def test_every_part_of_a_private_name_is_found(site_tree, body, part):
    extra = 'private:\n  name: "Maria Kowalczyk"\n  friend: "Jane Roe"\n'
    root = site_tree({"content/testimonies/t.md": make_testimony(body, extra)})
    assert [e for e in errors_of(root) if f"private: block in the body: '{part}'" in e], errors_of(root)


def test_a_word_of_a_company_name_that_is_an_ordinary_word_is_not_a_name_part(site_tree):
    extra = 'private:\n  employer: "Acme Logistics"\n'
    root = site_tree({"content/testimonies/t.md": make_testimony("The logistics of it all were hard.", extra)})
    assert errors_of(root) == []


def test_a_name_part_that_is_a_false_alarm_is_allowed_with_a_reason(site_tree):
    extra = ('private:\n  name: "Maria Kowalczyk"\n'
             'allow:\n  - {text: "Maria", reason: "the Ave Maria the choir sang, not her name"}\n')
    root = site_tree({"content/testimonies/t.md": make_testimony("The choir sang an Ave Maria.", extra)})
    assert errors_of(root) == []


def test_a_body_too_deep_to_render_is_checked_as_written_line_by_line():
    """A body the renderer would take too long on (its own error) is still read by the guard, as
    the source shows it, with each finding on its own line."""
    text = ">" * 150 + " a quote\n\nFirst line.\nCall +44 20 7946 0958 <b>after</b> six.\n"
    assert [(f.text, f.line) for f in find_pii([PublicText("body", text, 7)])] == [("+44 20 7946 0958", 10)]


def test_a_private_value_without_a_letter_or_digit_is_nothing_to_look_for(site_tree):
    """A private field holding only marks (an editor's '— — —' for 'unknown') is no name to find."""
    root = site_tree({"content/testimonies/t.md": make_testimony(
        "It happened — — — at work.", extra='private:\n  employer: "— — —"\n  name: "Jane Doe"\n')})
    assert errors_of(root) == []


def test_a_field_is_read_with_and_without_its_markup_and_each_place_is_reported_once():
    """Markup can split a listed name ('J*o Blog*gs' shows as 'Jo Bloggs'): the field is read
    again as shown, and only what that reading adds is reported; a name written three times is
    three findings, not two and not six."""
    from generator.core.types import Redactions
    from generator.privacy.pii import guard_findings

    findings = guard_findings([PublicText("pseudonym", "Jo Bloggs, Jo Bloggs and J*o Blog*gs.", 3)], None,
                              Redactions(names=("Jo Bloggs",)))
    assert [(f.line, f.text, f.where) for f in findings] == [(3, "Jo Bloggs", "'pseudonym'")] * 3


def guarded(body: str, private=None, redactions=None, first_line: int = 1) -> list[tuple[int, str, str]]:
    from generator.core.types import Redactions
    from generator.privacy.pii import guard_findings

    findings = guard_findings([PublicText("body", body, first_line)], private, redactions or Redactions())
    return [(f.line, f.what, f.text) for f in findings]


@pytest.mark.parametrize("body, expected", [
    ("Tel:  07700   900123", "07700 900123"),
    ("Tel:\t07700\t900123", "07700 900123"),
    ("Call me on 020    7946 0958 any time.", "020 7946 0958"),
    ("I lived at 12   Harbour Street.", "12 Harbour Street"),
    ("Write to Flat\t3, Leeds.", "Flat 3"),
])
def test_a_detail_spaced_out_with_spaces_or_tabs_is_read_as_the_page_shows_it(body, expected):
    """A page shows a run of spaces or a tab as one space: 'Tel:  07700   900123' reads as a phone
    number, in the body and in a field alike."""
    from generator.core.types import Redactions
    from generator.privacy.pii import guard_findings

    for name in ("body", "summary"):
        findings = guard_findings([PublicText(name, body, 4)], None, Redactions())
        assert [(f.line, f.text) for f in findings] == [(4, expected)], name


@pytest.mark.parametrize("field, expected", [
    ("Call me on 07700 \n  900123 after six.", "07700 900123"),
    ("Call me on 07700\n900123 after six.", "07700 900123"),
    ("I met Jo \r\nBloggs there.", "Jo Bloggs"),
])
def test_a_field_written_on_several_lines_is_read_as_the_page_shows_it_on_one(field, expected):
    """A field written as a YAML block keeps its line breaks, and a page shows each, with the
    spaces around it, as one space: a phone number broken after a trailing space is still one."""
    from generator.core.types import Redactions
    from generator.privacy.pii import guard_findings

    findings = guard_findings([PublicText("summary", field, 6)], None, Redactions(names=("Jo Bloggs",)))
    assert [(f.line, f.text) for f in findings] == [(6, expected)]


def test_a_full_name_is_reported_whole_not_as_the_shorter_private_value_inside_it():
    """Longest first: 'Maria Kowalczyk' is one finding, not 'Maria' and then 'Kowalczyk'."""
    assert guarded("Maria Kowalczyk told me first.", {"name": "Maria Kowalczyk", "called": "Maria"}) == [
        (1, "a value from this testimony's private: block", "Maria Kowalczyk")]


def test_a_contact_detail_in_an_editors_comment_is_not_an_error_but_a_listed_name_is():
    """Comments are not published: only what this testimony and redact.yaml list is looked for in
    them (a later edit could bring them back), not every address an editor keeps a note of."""
    from generator.core.types import Redactions

    body = "It happened at work.\n<!-- checked with tips@newsroom.org, and Jo Bloggs -->\nThe end."
    assert guarded(body, redactions=Redactions(names=("Jo Bloggs",))) == [(2, "a name listed in redact.yaml", "Jo Bloggs")]


LINES = ["Jo Bloggs said no.", "Jo Bloggs \\*said\\* no.", "I said no, *twice*.", "Jo Bloggs said no. Jo Bloggs said no.",
         "Some text *here*", "**Jo Bloggs** said no.", "A [link](https://example.org/a) first.", "I said no.",
         "A \\* b."]


@example([("Jo Bloggs said no.", "\n"), ("A \\* b.", "\n"), ("Jo Bloggs \\*said\\* no.", "\n")])  # a run not found: placed after the last
@example([("Some text *here*", "\n"), ("**Jo Bloggs** said no.", "\n")])
@example([("Some text *here*", "\n"), ("Jo Bloggs said no.", "\n")])
@example([("Jo Bloggs said no. Jo Bloggs said no.", "\n"), ("Jo Bloggs said no.", "\n")])
@example([("Jo Bloggs said no.", "\n\n"), ("A \\* b.", "\n\n"), ("Jo Bloggs said no.", "\n")])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(LINES), st.sampled_from(["\n", "\n\n"])), min_size=1, max_size=8))
def test_each_finding_in_a_body_is_reported_on_its_own_line(lines):
    """However often a sentence repeats, with markup, escapes or links, and whether lines are
    paragraphs or one paragraph's lines, a listed name is reported on each line it is on."""
    from generator.core.types import Redactions

    body = "".join(line + sep for line, sep in lines)
    expected = sorted(3 + number for number, line in enumerate(body.split("\n")) for _ in range(line.count("Bloggs")))
    found_ = guarded(body, redactions=Redactions(names=("Jo Bloggs",)), first_line=3)
    assert sorted(line for line, what, _ in found_ if what == "a name listed in redact.yaml") == expected


@pytest.mark.parametrize("body, expected", [
    ("First.\n\nCall 07700 **900123** now.", (3, "a phone number", "07700 900123")),
    ("First.\n\nIt was on 15 *May* 2018.", (3, "a date to the day (give the month and year at most)", "15 May 2018")),
    ("First.\n\nI met Sarah *Connolly* at work.", (3, "a person's name", "Sarah Connolly")),
])
def test_a_detail_with_emphasis_inside_it_is_read_whole_in_any_paragraph(body, expected):
    """A reader sees '07700 900123' whatever part of it is bold, in the second paragraph as in the first."""
    assert guarded(body) == [expected]

