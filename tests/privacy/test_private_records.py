"""A testimony's private: block, sealed or plain, as the guard reads it (run in this process, so that
make mutate knows these tests call the code they check)."""

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
private:
{private}
---

{body}
"""
SEALED_NO_IDENTITY = ("content/testimonies/t1.md:4: warning: private: is sealed and CHORUS_IDENTITY is not set: its "
                      "values cannot be checked against the text; set it to your age identity file (docs/editors.md, "
                      "'Sealed private records')")
PLAIN = ("content/testimonies/t1.md:4: warning: private: holds values in plain text, readable by anyone who can read "
         "the repository: seal them with python -m generator private seal")
FOUND = ("content/testimonies/t1.md:{}: error: a value from this testimony's private: block in the body: {!r}: remove "
         "it, or if it was reviewed and is safe, add it to allow: with a reason")


def printed(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if ": error: " in line or ": warning: " in line]


@pytest.fixture
def editor(site_tree, tmp_path, monkeypatch):
    """An editor's key pair, a site that seals to it, and CHORUS_IDENTITY unset."""
    identity = x25519.Identity.generate()
    key_file = tmp_path.parent / f"{tmp_path.name}-editor.key"
    key_file.write_text(f"{identity}\n")
    site_yaml = f'title: T\nbase_url: https://example.org/\nprivate_recipients: ["{identity.to_public()}"]\n'
    monkeypatch.delenv("CHORUS_IDENTITY", raising=False)

    def write(private: str, body: str):
        site_tree({"content/testimonies/t1.md": TESTIMONY.format(private=private, body=body)}, site_yaml=site_yaml)

    return write, [identity.to_public()], key_file


def test_without_the_identity_the_plain_values_of_a_partly_sealed_record_are_still_looked_for(editor, capsys):
    write, to, _ = editor
    private = (f'  name: "{sealing.seal("Maria Kowalczyk", to)}"\n'
               f'  contacts: ["{sealing.seal("maria@example.org", to)}", "Acme Logistics"]\n'
               f'  employer: "Northwind Freight"')
    write(private, "I worked at Acme Logistics, then at Northwind Freight.")
    assert main(["check"]) == 1
    assert printed(capsys) == [PLAIN, SEALED_NO_IDENTITY, FOUND.format(10, "Acme Logistics"),
                               FOUND.format(10, "Northwind Freight")]


def test_with_the_identity_a_sealed_record_is_looked_for_as_a_plain_one(editor, capsys, monkeypatch):
    write, to, key_file = editor
    write(f'  name: "{sealing.seal("Maria Kowalczyk", to)}"', "Maria Kowalczyk told me.")
    monkeypatch.setenv("CHORUS_IDENTITY", str(key_file))
    assert main(["check"]) == 1
    assert printed(capsys) == [FOUND.format(8, "Maria Kowalczyk")]


def test_a_plain_record_is_an_error_where_the_site_requires_sealed_ones(site_tree, capsys):
    site_yaml = "title: T\nbase_url: https://example.org/\nprivate_records: sealed\n"
    site_tree({"content/testimonies/t1.md": TESTIMONY.format(private='  name: "Maria Kowalczyk"', body="Text.")},
              site_yaml=site_yaml)
    assert main(["check"]) == 1
    assert printed(capsys) == [PLAIN.replace(": warning: ", ": error: ")]


def test_without_the_identity_a_plain_number_after_a_sealed_value_is_looked_for_as_written(editor, capsys):
    """YAML reads 0012345 as a number; the guard looks for it as it is written in the file."""
    write, to, _ = editor
    write(f'  name: "{sealing.seal("Maria Kowalczyk", to)}"\n  badge: 0012345', "My badge said 0012345.")
    assert main(["check"]) == 1
    assert printed(capsys) == [PLAIN, SEALED_NO_IDENTITY, FOUND.format(9, "0012345")]


def test_a_sealed_record_the_identity_cannot_open_is_an_error_on_its_line(editor, tmp_path, capsys, monkeypatch):
    write, to, _ = editor
    write(f'  name: "{sealing.seal("Maria Kowalczyk", to)}"', "It happened at work.")
    stranger = tmp_path.parent / f"{tmp_path.name}-stranger.key"
    stranger.write_text(f"{x25519.Identity.generate()}\n")
    monkeypatch.setenv("CHORUS_IDENTITY", str(stranger))
    assert main(["build"]) == 1
    assert printed(capsys) == [
        "content/testimonies/t1.md:4: error: a sealed value cannot be opened with the identity in CHORUS_IDENTITY "
        "(sealed to other keys, or damaged): ask an editor to run python -m generator private rekey"]
    assert not (tmp_path / "_site").exists()
