"""Sealed private records: encrypted with age in the content files, opened only in memory."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT

pyrage = pytest.importorskip("pyrage")
from pyrage import x25519  # noqa: E402

SECRETS = ("Maria Kowalczyk", "maria@example.org", "5551234", "Acme Logistics", "Harbour Street")
TESTIMONY = """\
---
date: 2018-03
consent:
  status: granted
  recorded: 2018-04-01
private:
  name: "Maria Kowalczyk"
  phone: 5551234
  contact:
    email: maria@example.org
    street: "Harbour Street"
---

It happened at work, years ago.
"""
REDACT = 'names: ["Maria Kowalczyk"]\nreplace:\n  "Acme Logistics": "[employer]"\npublic: ["Harvey Weinstein"]\n'


def keypair(tmp_path, name: str):
    identity = x25519.Identity.generate()
    path = tmp_path / f"{name}.key"
    path.write_text(f"# created for a test\n{identity}\n")
    return str(identity.to_public()), path


def run(*args, cwd, identity=None):
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    env.pop("CHORUS_IDENTITY", None)
    if identity is not None:
        env["CHORUS_IDENTITY"] = str(identity)
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def sealed_site(site_tree, tmp_path):
    public, identity = keypair(tmp_path.parent, f"{tmp_path.name}-editor")
    site_yaml = f'title: T\nbase_url: https://example.org/\nprivate_recipients: ["{public}"]\n'
    root = site_tree({"content/testimonies/t001.md": TESTIMONY, "content/redact.yaml": REDACT}, site_yaml=site_yaml)
    done = run("private", "seal", cwd=root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["sealed: content/testimonies/t001.md", "sealed: content/redact.yaml"]
    return root, identity


def every_text(root) -> str:
    return "".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)


def test_sealing_leaves_the_structure_readable_and_no_value(sealed_site):
    root, _ = sealed_site
    text = (root / "content/testimonies/t001.md").read_text()
    assert "private:\n  name: age:" in text and "\n  contact:\n    email: age:" in text
    assert "It happened at work, years ago." in text  # the testimony itself is untouched
    redact = (root / "content/redact.yaml").read_text()
    assert "'[employer]'" in redact and "Harvey Weinstein" in redact  # published words stay readable
    assert not [secret for secret in SECRETS if secret in every_text(root / "content")]


def test_unseal_opens_one_file_for_editing_and_seal_closes_it_again(sealed_site):
    root, identity = sealed_site
    assert run("private", "unseal", "content/testimonies/t001.md", cwd=root).returncode == 2  # no identity
    opened = run("private", "unseal", "content/testimonies/t001.md", cwd=root, identity=identity)
    assert opened.returncode == 0, opened.stderr
    text = (root / "content/testimonies/t001.md").read_text()
    assert "name: Maria Kowalczyk" in text and "email: maria@example.org" in text
    assert "age:" in (root / "content/redact.yaml").read_text()  # only the file named
    assert run("private", "seal", cwd=root).returncode == 0
    assert "Maria Kowalczyk" not in (root / "content/testimonies/t001.md").read_text()


def test_rekey_seals_again_to_the_listed_keys(sealed_site, tmp_path):
    root, old_identity = sealed_site
    public, new_identity = keypair(tmp_path.parent, f"{tmp_path.name}-newcomer")
    (root / "site.yaml").write_text((root / "site.yaml").read_text().replace(
        "private_recipients: [", f'private_recipients: ["{public}", '))
    assert run("private", "rekey", cwd=root, identity=old_identity).returncode == 0
    for identity in (old_identity, new_identity):
        opened = run("private", "unseal", "content/testimonies/t001.md", cwd=root, identity=identity)
        assert opened.returncode == 0, opened.stderr
        assert "Maria Kowalczyk" in (root / "content/testimonies/t001.md").read_text()
        assert run("private", "seal", cwd=root).returncode == 0
    # An editor who leaves: their key is dropped and everything sealed again without it.
    (root / "site.yaml").write_text((root / "site.yaml").read_text().replace(f'"{public}", ', ""))
    assert run("private", "rekey", cwd=root, identity=new_identity).returncode == 0
    refused = run("private", "unseal", "content/testimonies/t001.md", cwd=root, identity=new_identity)
    assert refused.returncode == 1 and "cannot be opened with the identity" in refused.stderr


def test_a_sealed_site_committed_to_git_holds_no_private_value_in_any_object(sealed_site):
    root, _ = sealed_site
    env = {**os.environ, "GIT_AUTHOR_NAME": "E", "GIT_AUTHOR_EMAIL": "e@example.org",
           "GIT_COMMITTER_NAME": "E", "GIT_COMMITTER_EMAIL": "e@example.org"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "sealed"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    objects = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=root, capture_output=True,
                             check=True).stdout
    assert b"It happened at work" in objects  # the scan reads the blobs
    assert [secret for secret in SECRETS if secret.encode() in objects] == []


def test_recipients_must_be_age_public_keys(site_tree, tmp_path):
    site_tree({}, site_yaml='title: T\nbase_url: https://example.org/\nprivate_recipients: ["ssh-ed25519 AAAA"]\n')
    checked = run("check", cwd=tmp_path)
    assert checked.returncode == 1
    assert "site.yaml:3: error: 'private_recipients[1]' must be an age public key" in checked.stderr


# The guard, sealed and plain alike.

LEAKY = TESTIMONY.replace("It happened at work, years ago.",
                          "It happened at work, years ago. Maria Kowalczyk was my name then; at Acme Logistics.")


def findings(done) -> list[str]:
    return sorted(line for line in done.stderr.splitlines() if ": error: " in line)


def test_the_guard_finds_the_same_with_sealed_records_as_with_plain_ones(site_tree, tmp_path):
    public, identity = keypair(tmp_path.parent, f"{tmp_path.name}-parity")
    site_yaml = f'title: T\nbase_url: https://example.org/\nprivate_recipients: ["{public}"]\n'
    root = site_tree({"content/testimonies/t001.md": LEAKY, "content/redact.yaml": 'names: ["Maria Kowalczyk"]\n'},
                     site_yaml=site_yaml)
    plain = run("check", cwd=root)
    assert plain.returncode == 1 and "Maria Kowalczyk" in plain.stderr
    assert run("private", "seal", cwd=root).returncode == 0
    sealed = run("check", cwd=root, identity=identity)
    assert sealed.returncode == 1
    assert findings(sealed) == findings(plain)
    for folder in (".cache",):  # opened in memory only: no private value is written
        for path in (root / folder).rglob("*"):
            if path.is_file():
                assert b"maria@example.org" not in path.read_bytes(), path


def test_without_an_identity_sealed_names_are_a_warning_and_sealed_replacements_an_error(sealed_site):
    root, _ = sealed_site
    (root / "content/redact.yaml").write_text(REDACT.replace('replace:\n  "Acme Logistics": "[employer]"\n', ""))
    assert run("private", "seal", cwd=root).returncode == 0
    done = run("check", cwd=root)
    assert done.returncode == 0
    lines = done.stderr.splitlines()
    assert any(line.startswith("content/testimonies/t001.md:6: warning: private: is sealed and CHORUS_IDENTITY is not "
                               "set: its values cannot be checked against the text") for line in lines), done.stderr
    assert any(line.startswith("content/redact.yaml:1: warning: the names are sealed") for line in lines), done.stderr
    assert run("check", "--strict", cwd=root).returncode == 1
    (root / "content/redact.yaml").write_text(REDACT)
    assert run("private", "seal", cwd=root).returncode == 0
    refused = run("build", cwd=root)
    assert refused.returncode == 1
    assert "content/redact.yaml:3: error: the strings to replace are sealed and CHORUS_IDENTITY is not set" in refused.stderr


def test_plain_records_in_a_site_that_has_not_chosen_are_a_warning_that_says_how_to_seal(site_tree):
    # Said once, on the folder: a message on each file could name a draft.
    root = site_tree({"content/testimonies/t001.md": TESTIMONY, "content/testimonies/t002.md": TESTIMONY},
                     site_yaml="title: T\nbase_url: https://example.org/\n")
    done = run("check", cwd=root)
    assert done.returncode == 0
    said = [line for line in done.stderr.splitlines() if "plain text" in line]
    assert said == ["content/testimonies: warning: in 2 testimonies, private: records are in plain text, readable by "
                    "anyone who can read the repository: list the editors' age keys under private_recipients in the "
                    "site config, then seal them (docs/editors.md, 'Sealed private records'); or, where the "
                    "repository is private and plain records are kept on purpose, set private_records: plain"]
    assert run("check", "--strict", cwd=root).returncode == 1
    # Kept in plain text on purpose (a private repository): a note, and --strict passes.
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + "private_records: plain\n")
    kept = run("check", "--strict", cwd=root)
    assert kept.returncode == 0, kept.stderr
    assert "content/testimonies: note: in 2 testimonies, private: records are in plain text, as the site config " \
           "says (private_records: plain)" in kept.stderr


def test_plain_records_are_a_warning_where_the_site_seals_and_an_error_when_it_requires_it(site_tree, tmp_path):
    public, _ = keypair(tmp_path.parent, f"{tmp_path.name}-plain")
    site_yaml = f'title: T\nbase_url: https://example.org/\nprivate_recipients: ["{public}"]\n'
    root = site_tree({"content/testimonies/t001.md": TESTIMONY}, site_yaml=site_yaml)
    done = run("check", cwd=root)
    assert done.returncode == 0
    assert ("content/testimonies/t001.md:6: warning: private: holds values in plain text, readable by anyone who can "
            "read the repository: seal them with python -m generator private seal") in done.stderr.splitlines()
    (root / "site.yaml").write_text(site_yaml + "private_records: sealed\n")
    assert run("check", cwd=root).returncode == 1
    assert run("private", "seal", cwd=root).returncode == 0
    assert "plain text" not in run("check", cwd=root).stderr
