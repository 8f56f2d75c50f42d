"""redact.yaml as editors write it: its mistakes named at their line, and its sealed lists opened in
memory (run in this process, so that make mutate knows these tests call the code they check)."""

from __future__ import annotations

import pytest

from generator.cli import main
from generator.privacy import sealing

pyrage = pytest.importorskip("pyrage")
from pyrage import x25519  # noqa: E402

TESTIMONY = """\
---
date: 2018-03
consent: {{status: granted, recorded: 2018-04-01}}
---

{body}
"""
NAME_HINT = ("replace it with a description such as [my manager], or if it was reviewed and is safe, add it to "
             "allow: with a reason (names of public figures, media and platforms go under public: in redact.yaml)")
LISTED = "a name listed in redact.yaml in the body"
REVIEW_HINT = "remove it, or if it was reviewed and is safe, add it to allow: with a reason"
NO_IDENTITY_NAMES = ("content/redact.yaml:2: warning: the names are sealed and CHORUS_IDENTITY is not set: the guard "
                     "cannot look for them; set it to your age identity file (docs/editors.md, 'Sealed private records')")
NO_IDENTITY_REPLACE = ("content/redact.yaml:3: error: the strings to replace are sealed and CHORUS_IDENTITY is not set: "
                       "without them the text would be published unreplaced; set it to your age identity file "
                       "(docs/editors.md, 'Sealed private records')")


def printed(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if ": error: " in line or ": warning: " in line]


@pytest.mark.parametrize("redact, message", [
    ('public: ["Twitter"]\nnames: Jo Bloggs\n',
     "content/redact.yaml:2: error: 'names' must be a list, e.g. names: [\"Jane Doe\", \"Acme Corp\"]"),
    ('public: ["Twitter"]\nnames:\n  - Jo Bloggs\n  - J\n',
     "content/redact.yaml:4: error: each name must be text of at least 3 characters on one line, got 'J'"),
    ('names: ["Jo Bloggs"]\npublic:\n  - Twitter\n  - "Jo\\nBloggs"\n',
     "content/redact.yaml:4: error: each name must be text of at least 3 characters on one line, got 'Jo\\nBloggs'"),
    ('names: ["Jo Bloggs"]\nreplace: ["Acme"]\n',
     "content/redact.yaml:2: error: 'replace' must be a mapping, e.g. replace: {\"Acme Corp\": \"[employer]\"}"),
    ('names: ["Jo Bloggs"]\nreplace:\n  "Acme Corp": "[employer]"\n  "Ac": "[x]"\n',
     "content/redact.yaml:4: error: a string to replace must be text of at least 3 characters on one line, got 'Ac'"),
    ('names: ["Jo Bloggs"]\nreplace:\n  "Acme Corp": "[employer]"\n  "Acme Ltd": "[one\\ntwo]"\n',
     "content/redact.yaml:4: error: the replacement for 'Acme Ltd' must be text on one line, e.g. \"[employer]\""),
    ('names: ["Jo Bloggs"]\npublic: Harvey Weinstein\n',
     "content/redact.yaml:2: error: 'public' must be a list, e.g. public: [\"Harvey Weinstein\", \"Twitter\"]"),
    ('names: ["Jo Bloggs"]\nhidden: ["Acme"]\n',
     "content/redact.yaml:2: error: unknown key 'hidden' in redact.yaml; allowed keys: names, replace, public"),
])
def test_a_mistake_in_redact_yaml_is_named_at_its_line(site_tree, capsys, redact, message):
    site_tree({"content/redact.yaml": redact})
    assert main(["check"]) == 1
    assert printed(capsys) == [message]


def test_a_name_listed_as_public_is_not_stopped_and_an_empty_file_lists_nothing(site_tree, capsys):
    """A public figure named in a testimony is listed under public: once, and published; an empty
    redact.yaml is no error."""
    site_tree({"content/redact.yaml": "", "content/testimonies/t1.md": TESTIMONY.format(body="Maria Kowalczyk spoke.")})
    assert main(["check"]) == 1
    assert printed(capsys) == [f"content/testimonies/t1.md:6: error: a person's name in the body: 'Maria Kowalczyk': "
                               f"{NAME_HINT}"]
    (site_tree({"content/redact.yaml": 'public: ["Maria Kowalczyk"]\n'}))
    assert main(["check"]) == 0, printed(capsys)


@pytest.fixture
def sealed_lists(site_tree, tmp_path, monkeypatch):
    """A site whose redact.yaml lists a plain and a sealed name, and a plain and a sealed string to
    replace, and an editor's identity file that opens them (CHORUS_IDENTITY not set yet)."""
    identity = x25519.Identity.generate()
    key_file = tmp_path.parent / f"{tmp_path.name}-editor.key"
    key_file.write_text(f"# an editor's key\n{identity}\n")
    to = [identity.to_public()]
    site_yaml = f'title: T\nbase_url: https://example.org/\nprivate_recipients: ["{identity.to_public()}"]\n'
    redact = (f'public: ["Harvey Weinstein"]\n'
              f'names: ["Jo Bloggs", "{sealing.seal("Maria Kowalczyk", to)}"]\n'
              f'replace:\n'
              f'  "Acme Logistics": "[employer]"\n'
              f'  "{sealing.seal("Northwind Freight", to)}": "[company]"\n')
    body = "I worked at Acme Logistics and Northwind Freight with Maria Kowalczyk and Jo Bloggs."
    root = site_tree({"content/redact.yaml": redact, "content/testimonies/t1.md": TESTIMONY.format(body=body)},
                     site_yaml=site_yaml)
    monkeypatch.delenv("CHORUS_IDENTITY", raising=False)
    return root, key_file


def test_without_the_identity_sealed_names_warn_and_sealed_replacements_stop_the_build(sealed_lists, tmp_path, capsys):
    """The plain entries still work; the sealed replacement cannot be made, so nothing is published."""
    assert main(["check"]) == 1
    assert printed(capsys) == [
        NO_IDENTITY_NAMES,
        NO_IDENTITY_REPLACE,
        f"content/testimonies/t1.md:6: error: {LISTED}: 'Jo Bloggs': {REVIEW_HINT}",
        f"content/testimonies/t1.md:6: error: a person's name in the body: 'Maria Kowalczyk': {NAME_HINT}",
        f"content/testimonies/t1.md:6: error: a person's name in the body: 'Northwind Freight': {NAME_HINT}",
    ]
    assert main(["build"]) == 1
    assert not (tmp_path / "_site").exists()


def test_without_the_identity_sealed_names_alone_are_a_warning(sealed_lists, tmp_path, capsys):
    root, _ = sealed_lists
    redact = (root / "content/redact.yaml").read_text().splitlines()
    (root / "content/redact.yaml").write_text("\n".join(redact[:2]) + "\n")  # the names, no replace:
    (root / "content/testimonies/t1.md").write_text(TESTIMONY.format(body="It happened at work."))
    assert main(["build"]) == 0
    assert printed(capsys) == [NO_IDENTITY_NAMES]


def test_with_the_identity_sealed_names_are_looked_for_and_sealed_replacements_made(sealed_lists, tmp_path, capsys,
                                                                                  monkeypatch):
    root, key_file = sealed_lists
    monkeypatch.setenv("CHORUS_IDENTITY", str(key_file))
    assert main(["check"]) == 1
    assert printed(capsys) == [
        f"content/testimonies/t1.md:6: error: {LISTED}: 'Jo Bloggs': {REVIEW_HINT}",
        f"content/testimonies/t1.md:6: error: {LISTED}: 'Maria Kowalczyk': {REVIEW_HINT}",
    ]
    (root / "content/testimonies/t1.md").write_text(
        TESTIMONY.format(body="I worked at Acme Logistics and Northwind Freight."))
    assert main(["build"]) == 0
    page = (tmp_path / "_site/testimonies/t1/index.html").read_text()
    assert "I worked at [employer] and [company]." in page
    assert "Northwind" not in page and "Acme" not in page


def test_a_sealed_list_the_identity_cannot_open_is_an_error(sealed_lists, tmp_path, capsys, monkeypatch):
    stranger = tmp_path.parent / f"{tmp_path.name}-stranger.key"
    stranger.write_text(f"{x25519.Identity.generate()}\n")
    monkeypatch.setenv("CHORUS_IDENTITY", str(stranger))
    assert main(["build"]) == 1
    assert printed(capsys)[0] == (
        "content/redact.yaml:1: error: a sealed value cannot be opened with the identity in CHORUS_IDENTITY (sealed "
        "to other keys, or damaged): ask an editor to run python -m generator private rekey")
    assert not (tmp_path / "_site").exists()


def test_a_sealed_name_too_short_to_look_for_is_named_at_its_line(sealed_lists, capsys, monkeypatch):
    root, key_file = sealed_lists
    to = [x25519.Identity.from_str(key_file.read_text().split()[-1]).to_public()]
    (root / "content/redact.yaml").write_text(f'public: ["Twitter"]\nnames:\n  - Jo Bloggs\n  - "{sealing.seal("J", to)}"\n')
    (root / "content/testimonies/t1.md").write_text(TESTIMONY.format(body="It happened at work."))
    monkeypatch.setenv("CHORUS_IDENTITY", str(key_file))
    assert main(["check"]) == 1
    [problem] = printed(capsys)
    assert problem.startswith("content/redact.yaml:4: error: each name must be text of at least 3 characters on one line")


def test_sealed_replacements_are_made_when_the_names_are_plain(sealed_lists, tmp_path, monkeypatch):
    root, key_file = sealed_lists
    redact = (root / "content/redact.yaml").read_text().splitlines()
    (root / "content/redact.yaml").write_text("\n".join([redact[0], 'names: ["Jo Bloggs"]', *redact[2:]]) + "\n")
    (root / "content/testimonies/t1.md").write_text(TESTIMONY.format(body="I worked at Northwind Freight."))
    monkeypatch.setenv("CHORUS_IDENTITY", str(key_file))
    assert main(["build"]) == 0
    assert "I worked at [company]." in (tmp_path / "_site/testimonies/t1/index.html").read_text()


@pytest.mark.parametrize("written", ["Marks &amp; Spencer", "Marks &#38; Spencer", "Marks &AMP; Spencer",
                                     "MARKS &amp; SPENCER", "O&apos;Brien Haulage", "O&#x27;Brien Haulage",
                                     "&#109;arks &amp; Spencer", "Mar&#8490;s &amp; Spencer"])
def test_a_replacement_reaches_text_written_with_a_named_or_numbered_reference(site_tree, tmp_path, capsys, written):
    """Markdown writes & as &amp;: the reader sees Marks & Spencer, and so the replacement is made; so
    too for a letter written as a reference to its other case, or to the Kelvin sign (K)."""
    site_tree({"content/redact.yaml": 'replace:\n  "Marks & Spencer": "[a shop]"\n  "O\'Brien Haulage": "[a firm]"\n',
               "content/testimonies/t1.md": TESTIMONY.format(body=f"I worked at {written} for years.")})
    assert main(["build"]) == 0, printed(capsys)
    page = (tmp_path / "_site/testimonies/t1/index.html").read_text()
    assert "I worked at [a shop] for years." in page or "I worked at [a firm] for years." in page
    assert "Spencer" not in page and "Brien" not in page
