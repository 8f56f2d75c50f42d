"""Every kind of bad input yields one exact `path:line: error: message`, all reported in one run."""

import pytest

from generator.cli import main

ARTICLE_OK = """\
---
title: Hello
date: 2017-10-05
source: The Paper
---
Body text.
"""

TESTIMONY_OK = """\
---
date: 2018-01
consent:
  status: granted
  recorded: 2018-01-02
---
Text.
"""


def check(capsys) -> tuple[int, list[str]]:
    code = main(["check"])
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if ": error: " in line or ": warning: " in line]


CASES = {
    "malformed YAML": (
        {"content/articles/a.md": "---\ntitle: Hello\ntags: [a\ndate: 2017-10-05\n---\nBody\n"},
        "content/articles/a.md:4: error: invalid YAML: did not find expected ',' or ']'"),
    "no front matter": (
        {"content/articles/a.md": "Just text\n"},
        "content/articles/a.md:1: error: no front matter: start the file with a line '---', then the fields, then another '---'"),
    "front matter never closed": (
        {"content/articles/a.md": "---\ntitle: Hello\n"},
        "content/articles/a.md:1: error: front matter is never closed: add a line '---' after the last field (did you forget it?)"),
    "empty body": (
        {"content/articles/a.md": ARTICLE_OK.replace("Body text.\n", "\n\n")},
        "content/articles/a.md:6: error: the body is empty: write the text below the front matter"),
    "not UTF-8": (
        {"content/articles/a.md": ARTICLE_OK.encode().replace(b"Hello", b"H\xe9llo")},
        "content/articles/a.md:2: error: file is not UTF-8 text (byte 0xe9): save it as UTF-8"),
    "missing required field": (
        {"content/articles/a.md": ARTICLE_OK.replace("source: The Paper\n", "")},
        "content/articles/a.md:2: error: missing required field 'source' in the front matter"),
    "unknown field, a typo": (
        {"content/articles/a.md": ARTICLE_OK.replace("title: Hello\n", "title: Hello\nsumary: x\n")},
        "content/articles/a.md:3: error: unknown field 'sumary' in the front matter (did you mean 'summary'?)"),
    "impossible date": (
        {"content/articles/a.md": ARTICLE_OK.replace("2017-10-05", "2017-13-01")},
        "content/articles/a.md:3: error: 'date' must be a date written YYYY-MM-DD, got '2017-13-01'"),
    "date with a time": (
        {"content/articles/a.md": ARTICLE_OK.replace("2017-10-05", "2017-10-15 10:00:00+02:00")},
        "content/articles/a.md:3: error: 'date' must be a date written YYYY-MM-DD, got '2017-10-15 10:00:00+02:00'"),
    "tags not a list": (
        {"content/articles/a.md": ARTICLE_OK.replace("source: The Paper\n", "source: The Paper\ntags: metoo\n")},
        "content/articles/a.md:5: error: 'tags' must be a list, not a single value: write tags: [metoo]"),
    "NO read as a boolean": (
        {"content/testimonies/t.md": TESTIMONY_OK.replace("date: 2018-01\n", "date: 2018-01\nregion: NO\n")},
        "content/testimonies/t.md:3: error: 'region' must be text, but YAML read NO as the boolean false: put it in quotes, region: \"NO\""),
    "12:30 read as a number": (
        {"content/articles/a.md": ARTICLE_OK.replace("source: The Paper", "source: 12:30")},
        "content/articles/a.md:4: error: 'source' must be text, but YAML read 12:30 as the number 750: put it in quotes, source: \"12:30\""),
    "a date where text belongs": (
        {"content/articles/a.md": ARTICLE_OK.replace("title: Hello", "title: 2017-10-05")},
        "content/articles/a.md:2: error: 'title' must be text, but YAML read 2017-10-05 as a date/time: put it in quotes, title: \"2017-10-05\""),
    "testimony month out of range": (
        {"content/testimonies/t.md": TESTIMONY_OK.replace("2018-01\n", "2017-13\n", 1)},
        "content/testimonies/t.md:2: error: 'date' must be YYYY-MM or YYYY-MM-DD, got '2017-13'"),
    "testimony year zero": (
        {"content/testimonies/t.md": TESTIMONY_OK.replace("2018-01\n", "'0000-01'\n", 1)},
        "content/testimonies/t.md:2: error: 'date' must be YYYY-MM or YYYY-MM-DD, got '0000-01'"),
    "duplicate key": (
        {"content/articles/a.md": ARTICLE_OK.replace("source: The Paper\n", "source: The Paper\ntitle: Again\n")},
        "content/articles/a.md:5: error: duplicate key 'title' (first set on line 2); YAML would silently keep only the last one"),
    "unknown tag": (
        {"content/tags.yaml": "metoo: {label: MeToo}\n",
         "content/articles/a.md": ARTICLE_OK.replace("source: The Paper\n", "source: The Paper\ntags: [metoo, meetoo]\n")},
        "content/articles/a.md:5: error: unknown tag 'meetoo': add it to tags.yaml or fix the spelling (did you mean 'metoo'?)"),
    "tag listed twice": (
        {"content/tags.yaml": "metoo: {label: MeToo}\n",
         "content/articles/a.md": ARTICLE_OK.replace("source: The Paper\n", "source: The Paper\ntags: [metoo, metoo]\n")},
        "content/articles/a.md:5: error: 'tags' lists 'metoo' twice: remove one"),
    "content warning listed twice": (
        {"content/testimonies/t.md": TESTIMONY_OK.replace("date: 2018-01\n", "date: 2018-01\ncontent_warnings: [harassment, harassment]\n")},
        "content/testimonies/t.md:3: error: 'content_warnings' lists 'harassment' twice: remove one"),
    "unknown content warning": (
        {"content/articles/a.md": ARTICLE_OK.replace("source: The Paper\n", "source: The Paper\ncontent_warnings:\n  - harasment\n")},
        "content/articles/a.md:6: error: unknown content warning 'harasment': use one of content_warnings in the site config (did you mean 'harassment'?)"),
    "source_url with another scheme": (
        {"content/articles/a.md": ARTICLE_OK.replace("source: The Paper\n", "source: The Paper\nsource_url: javascript:alert(1)\n")},
        "content/articles/a.md:5: error: 'source_url' must be an http:// or https:// address, got 'javascript:alert(1)'"),
    "consent status not in the vocabulary": (
        {"content/testimonies/t.md": TESTIMONY_OK.replace("status: granted", "status: maybe")},
        "content/testimonies/t.md:4: error: 'consent.status' must be granted or withdrawn, got 'maybe'"),
    "consent missing": (
        {"content/testimonies/t.md": "---\ndate: 2018-01\n---\nText.\n"},
        "content/testimonies/t.md:2: error: missing required field 'consent' in the front matter"),
    "bad file name": (
        {"content/articles/My Story.md": ARTICLE_OK},
        "content/articles/My Story.md:1: error: file name must be lower-case letters, digits and hyphens: rename it to my-story.md"),
    "page takes a reserved name": (
        {"content/pages/tags.md": "---\ntitle: Tags\n---\nText.\n"},
        "content/pages/tags.md:1: error: the page name 'tags' is used by the archive itself (reserved: articles, testimonies, tags, timeline, search, data, static): rename the file"),
    "Markdown nested too deeply": (
        {"content/articles/a.md": ARTICLE_OK.replace("Body text.\n", "".join("    " * i + "- x\n" for i in range(300)))},
        "content/articles/a.md:6: error: the text is nested too deeply to render (lists or quotes inside each other "
        "hundreds of times): flatten it"),
    "YAML testimony without body": (
        {"content/testimonies/t.yaml": "date: 2018-01\nconsent: {status: granted, recorded: 2018-01-02}\n"},
        "content/testimonies/t.yaml:1: error: missing required field 'body' (the testimony text, e.g. body: |)"),
}


@pytest.mark.parametrize("files, expected", CASES.values(), ids=CASES.keys())
def test_each_bad_input_names_file_line_and_remedy(site_tree, capsys, files, expected):
    site_tree(files)
    code, lines = check(capsys)
    assert code == 1
    assert expected in lines, "\n".join(lines)


def test_two_files_with_one_url_list_every_file(site_tree, capsys):
    site_tree({"content/testimonies/t1.md": TESTIMONY_OK,
               "content/testimonies/t1.yaml": "date: 2018-01\nconsent: {status: granted, recorded: 2018-01-02}\nbody: Hi\n"})
    code, lines = check(capsys)
    assert code == 1
    message = "URL /testimonies/t1/ is claimed by 2 files: content/testimonies/t1.md, content/testimonies/t1.yaml; rename all but one"
    assert lines == [f"content/testimonies/t1.md:1: error: {message}", f"content/testimonies/t1.yaml:1: error: {message}"]


def test_all_problems_are_reported_in_one_run(site_tree, capsys):
    site_tree({
        "content/articles/a.md": ARTICLE_OK.replace("2017-10-05", "2017-13-01"),
        "content/articles/b.md": ARTICLE_OK.replace("title: Hello", "titel: Hello"),
        "content/testimonies/t.md": TESTIMONY_OK.replace("date: 2018-01\n", "date: 2018-01\nregion: NO\n"),
    })
    code, lines = check(capsys)
    assert code == 1
    assert [line.split(": error:")[0] for line in lines] == [
        "content/articles/a.md:3", "content/articles/b.md:2", "content/articles/b.md:2", "content/testimonies/t.md:3"]


def test_valid_site_checks_clean(site_tree, capsys):
    site_tree({"content/articles/a.md": ARTICLE_OK, "content/testimonies/t.md": TESTIMONY_OK})
    assert main(["check"]) == 0
    assert "checked 1 articles, 1 testimonies, 0 pages: no errors" in capsys.readouterr().out


def test_unexpected_file_is_a_warning_and_fails_under_strict(site_tree, capsys):
    site_tree({"content/articles/a.md": ARTICLE_OK, "content/articles/notes.txt": "scratch"})
    assert main(["check"]) == 0
    assert "content/articles/notes.txt: warning: file ignored: articles/ takes .md files" in capsys.readouterr().err
    assert main(["check", "--strict"]) == 1


@pytest.mark.parametrize("yaml_text, expected", [
    ("title: T\n", "site.yaml:1: error: missing required field 'base_url' in the site config"),
    ("title: T\nbase_url: https://e.org/\nitems_per_pag: 3\n",
     "site.yaml:3: error: unknown field 'items_per_pag' in the site config (did you mean 'items_per_page'?)"),
    ("title: T\nbase_url: ftp://e.org/\n", "site.yaml:2: error: 'base_url' must be an http:// or https:// address, got 'ftp://e.org/'"),
    ("title: T\nbase_url: https://e.org/\nitems_per_page: 0\n",
     "site.yaml:3: error: 'items_per_page' must be a whole number above 0, YAML read 0 as the number 0"),
    ("title: T\nbase_url: https://e.org/\ncontent_dir: \"con\\0tent\"\n",
     "site.yaml:3: error: 'content_dir' must be a folder name or path, got 'con\\x00tent'"),
])
def test_config_errors_name_the_line(site_tree, capsys, yaml_text, expected):
    site_tree({}, site_yaml=yaml_text)
    assert main(["check"]) == 1
    assert expected in capsys.readouterr().err.splitlines()


def test_top_level_heading_in_body_is_a_warning_on_its_line(site_tree, capsys):
    site_tree({"content/articles/a.md": ARTICLE_OK.replace("Body text.\n", "Intro.\n\n# Section\n\nMore.\n")})
    assert main(["check"]) == 0
    assert ("content/articles/a.md:8: warning: a '# ' heading in the text is shown as a section heading: the title is "
            "the page's only top heading, so write sections as '## '") in capsys.readouterr().err
    assert main(["check", "--strict"]) == 1


def test_symlink_loop_is_reported_not_a_traceback(site_tree, capsys):
    root = site_tree({"content/articles/a.md": ARTICLE_OK})
    (root / "content/articles/loop.md").symlink_to("loop.md")
    code, lines = check(capsys)
    assert code == 1
    assert any(line.startswith("content/articles/loop.md: error: cannot read the file:") for line in lines), lines


def test_invisible_control_character_is_an_error_on_its_line(site_tree, capsys):
    site_tree({"content/articles/a.md": ARTICLE_OK.replace("Body text.", "Body\x07 text.")})
    code, lines = check(capsys)
    assert code == 1
    assert lines == ["content/articles/a.md:6: error: invisible control character U+0007 in the text: delete it "
                     "(it often comes from copying out of a PDF or a chat app)"]
