"""YAML hazards: safe loading only, no duplicate keys, no anchors or aliases, a size limit; exact diagnostics."""

import pytest

from tests.conftest import MINIMAL_SITE_YAML, build_site

TESTIMONY_HEAD = "---\ndate: 2018-03\nconsent: {status: granted, recorded: 2018-04-01}\n"


def diagnostics(root) -> list[str]:
    return [d.format() for d in build_site(root, write=False).diagnostics if d.severity.value != "note"]


@pytest.mark.parametrize("front, message", [
    ("private:\n  name: A\n  name: B\n",
     "content/testimonies/t.md:6: error: duplicate key 'name' (first set on line 5); YAML would silently keep only the last one"),
    ("consent: {status: withdrawn, recorded: 2018-04-01}\n",
     "content/testimonies/t.md:4: error: duplicate key 'consent' (first set on line 3); YAML would silently keep only the last one"),
    ("private:\n  name: &who Jane\nsummary: *who\n",
     "content/testimonies/t.md:6: error: YAML aliases (*name) are not allowed: write the value out in full"),
    ("private: &notes\n  a: b\nextra: *notes\n",
     "content/testimonies/t.md:6: error: YAML aliases (*name) are not allowed: write the value out in full"),
    ("private:\n  <<: {a: b}\n",
     "content/testimonies/t.md:5: error: YAML merge keys (<<) are not allowed: write the fields out in full"),
    ("summary: !!python/name:os.system ''\n",
     "content/testimonies/t.md:4: error: unsupported YAML tag 'tag:yaml.org,2002:python/name:os.system': use plain values"),
    ("private:\n  x: !!python/object/new:os.system ''\n",
     "content/testimonies/t.md:5: error: unsupported YAML tag 'tag:yaml.org,2002:python/object/new:os.system': use plain values"),
    ("tags: !!python/object/apply:os.system [ls]\n",
     "content/testimonies/t.md:4: error: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system': use plain values"),
    ("summary: !!binary aGk=\n",
     "content/testimonies/t.md:4: error: unsupported YAML tag 'tag:yaml.org,2002:binary': use plain values"),
])
def test_front_matter_hazard(site_tree, front, message):
    root = site_tree({"content/testimonies/t.md": f"{TESTIMONY_HEAD}{front}---\n\nText.\n"})
    assert message in diagnostics(root)


def test_alias_bomb_is_refused_quickly(site_tree):
    # A "billion laughs": each level repeats the one before ten times.
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    body = "private:\n" + "".join(f"  {line}\n" for line in levels)
    root = site_tree({"content/testimonies/t.md": f"{TESTIMONY_HEAD}{body}---\n\nText.\n"})
    found = diagnostics(root)
    assert "content/testimonies/t.md:6: error: YAML aliases (*name) are not allowed: write the value out in full" in found
    assert all("alias" in d for d in found)


def test_python_tags_never_run(site_tree, tmp_path):
    marker = tmp_path / "owned"
    root = site_tree({"content/testimonies/t.md":
                      f"{TESTIMONY_HEAD}summary: !!python/object/apply:os.system ['touch {marker}']\n---\n\nText.\n"})
    # The tag is on a list: it is refused, and nothing is ever constructed or run.
    assert diagnostics(root) == ["content/testimonies/t.md:4: error: unsupported YAML tag "
                                 "'tag:yaml.org,2002:python/object/apply:os.system': use plain values"]
    assert not marker.exists()


def test_over_size_file_is_an_error(site_tree):
    site_yaml = MINIMAL_SITE_YAML + "max_file_bytes: 200\n"
    text = TESTIMONY_HEAD + "---\n\n" + "word " * 40 + "\n"
    root = site_tree({"content/testimonies/t.md": text}, site_yaml=site_yaml)
    assert diagnostics(root) == [
        f"content/testimonies/t.md: error: file is {len(text.encode()):,} bytes, over the limit of 200 (max_file_bytes in the site config)"]


def test_default_size_limit_is_one_megabyte(site_tree):
    text = TESTIMONY_HEAD + "---\n\n" + ("x" * 99 + "\n") * 10_001
    root = site_tree({"content/testimonies/t.md": text})
    assert diagnostics(root) == [
        f"content/testimonies/t.md: error: file is {len(text.encode()):,} bytes, over the limit of 1,000,000 (max_file_bytes in the site config)"]


def test_size_limit_covers_tags_and_redact_files(site_tree):
    site_yaml = MINIMAL_SITE_YAML + "max_file_bytes: 100\n"
    big = "# padding\n" * 20
    root = site_tree({"content/tags.yaml": big, "content/redact.yaml": big}, site_yaml=site_yaml)
    assert diagnostics(root) == [
        "content/redact.yaml: error: file is 200 bytes, over the limit of 100 (max_file_bytes in the site config)",
        "content/tags.yaml: error: file is 200 bytes, over the limit of 100 (max_file_bytes in the site config)",
    ]


def test_yaml_testimony_hazards_have_lines(site_tree):
    root = site_tree({"content/testimonies/t.yaml": "date: 2018-03\ndate: 2018-04\n"
                                                    "consent: {status: granted, recorded: 2018-04-01}\nbody: |\n  Text.\n"})
    assert diagnostics(root) == [
        "content/testimonies/t.yaml:2: error: duplicate key 'date' (first set on line 1); YAML would silently keep only the last one"]
