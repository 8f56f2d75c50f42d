"""Every site.yaml key, content field and command is documented in the README."""

import re

import pytest

from generator.cli import make_parser
from generator.config import SCHEMA as CONFIG_SCHEMA
from generator.core.schema import ARTICLE, BY_KIND, CONSENT, PAGE, TAG, TESTIMONY
from generator.fielddocs import new_file_front_matter, with_tables
from tests.conftest import PROJECT

README = (PROJECT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("key", [f.name for f in CONFIG_SCHEMA])
def test_site_yaml_key_is_documented(key):
    assert re.search(rf"^\| `{key}` \|", README, re.M), f"site.yaml key {key!r} missing from the README table"


@pytest.mark.parametrize("field", sorted({f.name for schema in (ARTICLE, TESTIMONY, PAGE, CONSENT, TAG) for f in schema}))
def test_content_field_is_documented(field):
    assert f"`{field}" in README, f"content field {field!r} is not documented in the README"


def test_the_readmes_field_tables_are_the_fields_docs():
    """The tables are written from core/schema.py's docs, the same text a new file's comments
    show: after changing a field, run python -m generator.fielddocs README.md."""
    for kind in ("article", "testimony", "page"):
        assert f"<!-- fields: {kind} -->" in README
    assert with_tables(README) == README, "README field tables are out of date: run python -m generator.fielddocs README.md"


@pytest.mark.parametrize("kind", ["article", "testimony"])
def test_a_new_files_comments_are_its_fields_docs(kind):
    text = new_file_front_matter(kind)
    for field in BY_KIND[kind]:
        if field.scaffold is not None:
            first_words = " ".join(field.doc.replace("`", "").split()[:4])
            assert re.search(rf"^# {re.escape(first_words)}.*(\n# .*)*\n{field.name}:", text, re.M), field.name
        else:
            assert f"\n{field.name}:" not in text


def test_every_command_and_option_is_documented():
    parser = make_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, command in commands.items():
        assert f"python -m generator {name}" in README, name
        for action in command._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in README, f"{name} {option}"
