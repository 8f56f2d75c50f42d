"""Hostile files from a contributor: links out of the site, pipes, devices, names that are not
text, foreign folders beside the output. Each is refused with a message naming it, within a
bound, and no byte of anything outside the site reaches any output (web, offline, bundle) or
the cache.

Links and pipes cannot be committed, so every case is made at test time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from generator.core import safefs
from tests.conftest import PROJECT, image_with_metadata
from tests.test_privacy import all_bytes

CANARY = b"OUTSIDE-CANARY-7f3a"
ARTICLE = """\
---
title: Hello
date: 2017-10-05
source: Paper
---

First text.
"""
OUTSIDE_ARTICLE = f"""\
---
title: Leaked
date: 2017-10-06
source: Paper
---

{CANARY.decode()} secret text from outside the site.
"""
OUTSIDE_TESTIMONY = f"""\
---
date: 2018-01
consent:
  status: granted
  recorded: 2018-01-02
---

{CANARY.decode()} a testimony from outside the site.
"""
# Passed to every command: /proc/self/environ would publish it.
ENV = {**os.environ, "PYTHONPATH": str(PROJECT), "CHORUS_TEST_SECRET": CANARY.decode() + "-environ"}
# No command may take longer than this on any of these files (a pipe used to block for ever).
BOUND_SECONDS = 60


def run(root: Path, *args: str) -> tuple[int, str, float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "generator", *args, "--jobs", "1"], cwd=root, env=ENV,
                          capture_output=True, timeout=BOUND_SECONDS * 2)
    return done.returncode, done.stderr.decode("utf-8", "replace"), time.monotonic() - started


@pytest.fixture
def outside(tmp_path_factory) -> Path:
    """A folder beside the site, not inside it: what a link out of the site points to."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "secret.md").write_text(OUTSIDE_ARTICLE)
    (folder / "testimony.md").write_text(OUTSIDE_TESTIMONY)
    (folder / "tags.yaml").write_text(f"leak: {{label: {CANARY.decode()}}}\n")
    (folder / "redact.yaml").write_text(f"names: [\"{CANARY.decode()}\"]\n")
    (folder / "photo.jpg").write_bytes(image_with_metadata("JPEG", canary=CANARY.decode()))
    (folder / "page.html").write_text(f"{CANARY.decode()} {{{{ config.title }}}}")
    (folder / "notes.txt").write_text(f"{CANARY.decode()} notes")
    (folder / "articles").mkdir()
    (folder / "articles" / "secret.md").write_text(OUTSIDE_ARTICLE)
    return folder


@pytest.fixture
def good_site(site_tree, tmp_path):
    """A site with one article, built once (web, offline and bundle), so that every output exists."""
    root = site_tree({"content/articles/a.md": ARTICLE, "templates/static/local.txt": "a static file\n"})
    for args in (("build",), ("build", "--profile", "offline", "--out", "offline"), ("bundle", "--out", "bundle.zip")):
        code, err, _ = run(root, *args)
        assert code == 0, err
    return root


def outputs(root: Path) -> list[tuple[str, bytes]]:
    """Every byte Chorus wrote: the web and offline outputs, the copies beside them, the bundle, the cache."""
    found = []
    for name in ("_site", "._site.building", "offline", ".offline.building", "bundle.zip", ".cache"):
        if (root / name).is_dir():
            found += [(f"{name}/{inner}", data) for inner, data in all_bytes(root / name)]
        elif (root / name).exists():
            found += all_bytes(root / name, name)
    return found


def fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)


def link(path: Path, target: Path | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


# (case, make the hostile file(s) in root from the folder outside, the lines every command prints)
CASES = [
    ("article linked outside", lambda r, o: link(r / "content/articles/leak.md", o / "secret.md"),
     ["content/articles/leak.md: error: links to {o}/secret.md, outside the site: copy the file in, or remove the link"]),
    ("testimony linked outside", lambda r, o: link(r / "content/testimonies/t1.md", o / "testimony.md"),
     ["content/testimonies/t1.md: error: links to {o}/testimony.md, outside the site: copy the file in, or remove the link"]),
    ("articles folder linked outside", lambda r, o: (os.replace(r / "content/articles", r / "kept"),
                                                    link(r / "content/articles", o / "articles")),
     ["content/articles: error: links to {o}/articles, outside the site: copy the folder in, or remove the link"]),
    ("image linked outside", lambda r, o: link(r / "content/media/photo.jpg", o / "photo.jpg"),
     ["content/media/photo.jpg: error: links to {o}/photo.jpg, outside the site: copy the file in, or remove the link"]),
    ("tags.yaml linked outside", lambda r, o: (os.remove(r / "content/tags.yaml"), link(r / "content/tags.yaml", o / "tags.yaml")),
     ["content/tags.yaml: error: links to {o}/tags.yaml, outside the site: copy the file in, or remove the link"]),
    ("redact.yaml linked outside", lambda r, o: link(r / "content/redact.yaml", o / "redact.yaml"),
     ["content/redact.yaml: error: links to {o}/redact.yaml, outside the site: copy the file in, or remove the link"]),
    ("static file linked to /etc/passwd", lambda r, o: link(r / "templates/static/passwd.txt", "/etc/passwd"),
     ["templates/static/passwd.txt: error: links to /etc/passwd, outside the site: copy the file in, or remove the link"]),
    ("static file linked to the build's environment", lambda r, o: link(r / "templates/static/env.txt", "/proc/self/environ"),
     [re.compile(r"templates/static/env\.txt: error: links to /proc/\d+/environ, outside the site: copy the file in, "
                 r"or remove the link")]),
    ("static folder linked outside", lambda r, o: link(r / "templates/static/more", o),
     ["templates/static/more: error: links to {o}, outside the site: copy the folder in, or remove the link"]),
    ("template linked outside", lambda r, o: link(r / "templates/page.html", o / "page.html"),
     ["templates/page.html: error: links to {o}/page.html, outside the site: copy the file in, or remove the link"]),
    ("a link to the whole disk among the articles", lambda r, o: link(r / "content/articles/everything", "/"),
     ["content/articles/everything: error: links to /, outside the site: copy the folder in, or remove the link"]),
    ("article linked to /dev/zero", lambda r, o: link(r / "content/articles/zero.md", "/dev/zero"),
     ["content/articles/zero.md: error: links to /dev/zero, outside the site: copy the file in, or remove the link"]),
    ("image linked to /dev/urandom", lambda r, o: link(r / "content/media/noise.png", "/dev/urandom"),
     ["content/media/noise.png: error: links to /dev/urandom, outside the site: copy the file in, or remove the link"]),
    ("a pipe named like an article", lambda r, o: fifo(r / "content/articles/x.md"),
     ["content/articles/x.md: error: is a named pipe (FIFO), not a file: Chorus reads only regular files here; "
      "remove it or put a file in its place"]),
    ("a pipe as tags.yaml", lambda r, o: (os.remove(r / "content/tags.yaml"), fifo(r / "content/tags.yaml")),
     ["content/tags.yaml: error: is a named pipe (FIFO), not a file: Chorus reads only regular files here; "
      "remove it or put a file in its place"]),
    ("a pipe among the images", lambda r, o: fifo(r / "content/media/x.jpg"),
     ["content/media/x.jpg: error: is a named pipe (FIFO), not a file: Chorus reads only regular files here; "
      "remove it or put a file in its place"]),
    ("a pipe among the static files", lambda r, o: fifo(r / "templates/static/x.txt"),
     ["templates/static/x.txt: error: is a named pipe (FIFO), not a file: Chorus reads only regular files here; "
      "remove it or put a file in its place"]),
    ("an article whose name is not UTF-8", lambda r, o: (r / "content/articles").joinpath(os.fsdecode(b"\xffname.md"))
     .write_text(ARTICLE),
     ["content/articles/\\xffname.md: error: the name is not UTF-8 text (the bytes shown as \\x..): rename it with "
      "lower-case letters, digits and hyphens"]),
    ("a content folder whose name is not UTF-8", lambda r, o: (r / "content").joinpath(os.fsdecode(b"caf\xe9")).mkdir(),
     ["content/caf\\xe9: error: the name is not UTF-8 text (the bytes shown as \\x..): rename it with "
      "lower-case letters, digits and hyphens"]),
    ("an image whose name is not UTF-8", lambda r, o: (r / "content/media").mkdir() or (r / "content/media").joinpath(
        os.fsdecode(b"\xfe.png")).write_bytes(image_with_metadata("PNG")),
     ["content/media/\\xfe.png: error: the name is not UTF-8 text (the bytes shown as \\x..): rename it with "
      "lower-case letters, digits and hyphens"]),
    ("a static file whose name is not UTF-8", lambda r, o: (r / "templates/static").joinpath(os.fsdecode(b"\xff.css"))
     .write_text("body{}"),
     ["templates/static/\\xff.css: error: the name is not UTF-8 text (the bytes shown as \\x..): rename it with "
      "lower-case letters, digits and hyphens"]),
    ("a static file whose name cannot be an address", lambda r, o: (r / "templates/static/my notes?.txt").write_text("x"),
     ["templates/static/my notes?.txt: error: names in the templates folder are letters, digits, '.', '_' and '-': "
      "rename it"]),
]


@pytest.mark.parametrize("make, expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_hostile_file_is_refused_by_name_and_nothing_from_outside_is_published(good_site, outside, make, expected):
    root = good_site
    before = {name: data for name, data in outputs(root)}
    make(root, outside)
    real_outside = os.path.realpath(outside)
    for args in (("check",), ("build",), ("build", "--profile", "offline", "--out", "offline"),
                 ("bundle", "--out", "bundle.zip")):
        code, err, seconds = run(root, *args)
        assert code == 1, (args, err)
        assert "Traceback" not in err
        lines = err.splitlines()
        for line in expected:
            if isinstance(line, str):
                assert line.format(o=real_outside) in lines, (args, err)
            else:
                assert any(line.fullmatch(text) for text in lines), (args, err)
        assert seconds < BOUND_SECONDS
    after = outputs(root)
    # The build stopped before writing: every output is the good build's, byte for byte ...
    assert {name: data for name, data in after if not name.startswith(".cache")} == \
        {name: data for name, data in before.items() if not name.startswith(".cache")}
    # ... and nothing from outside the site is in any output or the cache.
    leaked = [name for name, data in after if CANARY in data or b"root:x:0:0" in data]
    assert leaked == []


@pytest.mark.parametrize("layout", ["a linked folder of articles", "a linked article", "a linked static folder"])
def test_links_that_stay_inside_the_site_keep_working(site_tree, tmp_path, layout):
    root = site_tree({"library/articles/a.md": ARTICLE, "library/b.md": ARTICLE.replace("Hello", "Bee"),
                      "library/assets/note.txt": "kept inside\n"})
    if layout == "a linked folder of articles":
        link(root / "content/articles", root / "library/articles")
        expected = "articles/a/index.html"
    elif layout == "a linked article":
        link(root / "content/articles/b.md", Path("../../library/b.md"))
        expected = "articles/b/index.html"
    else:
        link(root / "templates/static/assets", root / "library/assets")
        expected = "static/assets/note.txt"
    code, err, _ = run(root, "build")
    assert code == 0, err
    assert (root / "_site" / expected).is_file()


def test_a_file_moved_out_of_the_site_and_linked_back_is_refused_even_when_cached(good_site, outside):
    """The cache knows the file by size, modification time and inode; all three move with it."""
    root = good_site
    moved = outside / "a.md"
    os.replace(root / "content/articles/a.md", moved)
    link(root / "content/articles/a.md", moved)
    code, err, _ = run(root, "build")
    assert code == 1
    assert f"content/articles/a.md: error: links to {os.path.realpath(moved)}, outside the site: copy the file in, " \
           f"or remove the link" in err.splitlines()


def test_a_pipe_as_the_config_file_is_an_error(tmp_path):
    fifo(tmp_path / "site.yaml")
    code, err, seconds = run(tmp_path, "check")
    assert code == 1 and seconds < BOUND_SECONDS
    assert err.splitlines() == ["site.yaml: error: is a named pipe (FIFO), not a file: Chorus reads only regular "
                                "files here; remove it or put a file in its place"]


@pytest.mark.parametrize("setting", ["content_dir", "templates_dir"])
def test_content_and_templates_folders_must_be_inside_the_site(site_tree, tmp_path, outside, setting):
    root = site_tree({"content/articles/a.md": ARTICLE})
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + f"{setting}: {outside}\n")
    code, err, _ = run(root, "check")
    assert code == 1
    line = len((root / "site.yaml").read_text().splitlines())
    assert err.splitlines() == [
        f"site.yaml:{line}: error: '{setting}' must be a folder inside the site's folder {os.path.realpath(root)}, but it "
        f"is {os.path.realpath(outside)}: Chorus reads only files inside the site; move the folder in, or copy it"]


def test_devices_and_pipes_are_refused_without_being_opened(tmp_path):
    """The kind of file is known from stat(); a device or pipe is never opened, so never blocks."""
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(safefs.Refused, match=r"^is a named pipe \(FIFO\), not a file"):
        safefs.read(tmp_path / "pipe", 100, safefs.real_roots([tmp_path]))
    with pytest.raises(safefs.Refused, match=r"^is a character device, not a file"):
        safefs.read("/dev/zero", 100, ("/dev",))
    assert safefs.hash_regular(tmp_path / "pipe") == "" and safefs.hash_regular("/dev/zero") == ""


def test_reading_stops_one_byte_past_the_limit(tmp_path, monkeypatch):
    """The size check does not trust st_size: a file reported small but longer is still refused."""
    path = tmp_path / "big.md"
    path.write_bytes(b"x" * 5000)
    reads = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(safefs.Refused, match=r"^file is 5,000 bytes, over the limit of 100 \(max_file_bytes"):
        safefs.read(path, 100, safefs.real_roots([tmp_path]))
    assert sum(reads) <= 101


# Folders beside the output that Chorus did not write.

def test_a_foreign_folder_where_chorus_keeps_its_copy_is_never_deleted(good_site):
    root = good_site
    staging = root / "._site.building"
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "thesis").mkdir(parents=True)
    (staging / "thesis/chapter1.txt").write_text("years of work")
    (root / "content/articles/a.md").write_text(ARTICLE.replace("First text.", "Changed."))
    code, err, _ = run(root, "build")
    assert code == 1
    assert err.splitlines()[0] == ("._site.building: error: refusing to delete a folder that Chorus did not write "
                                   "(Chorus keeps a copy of the output here, beside it): move it away or delete it, "
                                   "or choose another --out")
    assert (staging / "thesis/chapter1.txt").read_text() == "years of work"


def test_a_link_where_chorus_keeps_its_copy_is_an_error_that_says_so(good_site, outside):
    root = good_site
    staging = root / "._site.building"
    if staging.exists():
        shutil.rmtree(staging)
    link(staging, outside)
    listed = sorted(path.name for path in outside.iterdir())
    (root / "content/articles/a.md").write_text(ARTICLE.replace("First text.", "Changed."))
    code, err, _ = run(root, "build")
    assert code == 1
    assert err.splitlines()[0] == ("._site.building: error: is a symbolic link, where Chorus keeps a folder of its own "
                                   "beside the output: remove the link")
    assert "None" not in err
    assert sorted(path.name for path in outside.iterdir()) == listed  # nothing written through the link


# The live preview applies the same rules, and keeps serving.

def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def _wait(check, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting until {what}")


def test_the_preview_shows_hostile_files_as_errors_and_keeps_serving(good_site, outside):
    root = good_site
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", "0"], cwd=root, env=ENV,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base = re.search(r"http://127\.0\.0\.1:\d+/", process.stdout.readline()).group(0)
        errors = lambda: json.loads(_get(base + "__chorus/errors"))  # noqa: E731
        assert errors() == []

        link(root / "content/articles/leak.md", outside / "secret.md")
        _wait(lambda: any("content/articles/leak.md: error: links to" in line for line in errors()),
              "the preview reports the link")
        fifo(root / "content/articles/pipe.md")
        _wait(lambda: any("content/articles/pipe.md: error: is a named pipe (FIFO)" in line for line in errors()),
              "the preview reports the pipe")
        os.remove(root / "content/articles/leak.md")
        os.remove(root / "content/articles/pipe.md")
        _wait(lambda: errors() == [], "the preview recovers")

        # Only the text changes, so the preview would patch its last build: the same rule holds there.
        moved = outside / "a.md"
        (root / "content/articles/a.md").rename(moved)
        moved.write_text(ARTICLE.replace("First text.", f"{CANARY.decode()} patched in."))
        link(root / "content/articles/a.md", moved)
        _wait(lambda: any("content/articles/a.md: error: links to" in line for line in errors()),
              "the preview's patch reports the link")
        assert b"First text." in _get(base + "articles/a/")  # the last good build stays readable
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert not [name for name, data in all_bytes(root / ".cache") if CANARY in data]


# The cache: what is in it is trusted, so a cache this machine did not write is never used.

def test_a_cache_committed_to_the_site_is_emptied_not_loaded(site_tree, tmp_path):
    """A pull request can hold .cache/: its pickles would run code when loaded, its stored
    bodies would be published as HTML the sanitiser never saw."""
    import pickle

    root = site_tree({"content/articles/a.md": ARTICLE})
    assert run(root, "build")[0] == 0
    ran = tmp_path / "pickle-ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(ran), "w"))

    planted = pickle.dumps(Payload())
    for name in ("documents.pickle", "documents.journal"):
        (root / ".cache" / name).write_bytes(planted)
    copy = tmp_path.parent / "committed"
    shutil.copytree(root, copy, symlinks=True)  # as a fresh clone of a repository that holds .cache/
    (copy / "content/articles/a.md").write_text(ARTICLE.replace("First text.", "Second text."))
    code, err, _ = run(copy, "build")
    assert code == 0, err
    assert not ran.exists()
    assert not (copy / ".cache/documents.journal").exists()
    assert "Second text." in (copy / "_site/articles/a/index.html").read_text()


def test_a_link_where_the_cache_goes_is_refused(site_tree, tmp_path, outside):
    root = site_tree({"content/articles/a.md": ARTICLE})
    link(root / ".cache", outside)
    listed = sorted(path.name for path in outside.iterdir())
    code, err, _ = run(root, "build")
    assert code == 1
    assert err.splitlines()[0] == (".cache: error: is a symbolic link, where Chorus keeps its build cache (a folder): "
                                   "remove it, or build with --no-cache")
    assert sorted(path.name for path in outside.iterdir()) == listed
    assert run(root, "build", "--no-cache")[0] == 0
