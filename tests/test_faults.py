"""Builds that survive each other and the disk: racing processes, restored modification times,
saves during the preview's first build, full and read-only disks, damaged caches, a failure
after the swap. Each fault gives a message, never a traceback; no withdrawn testimony stays
published; the output always agrees with its manifest; and the next build equals a clean one.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from bench.corpus import write_corpus
from generator.core import locks
from generator.output import write
from generator.cli import main
from generator.output.manifest import MANIFEST_NAME
from generator.core.types import Output, ReusedFile
from generator.output.write import MARKER, OutputWriter
from tests.conftest import PROJECT, build_site, code_as_written

ENV = {**os.environ, "PYTHONPATH": str(PROJECT)}


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def assert_agrees_with_manifest(out: Path) -> None:
    """Every file in the output is in its manifest with those bytes, and every file of the manifest is there."""
    manifest = json.loads((out / MANIFEST_NAME).read_text())["files"]
    on_disk = tree(out)
    assert on_disk.pop(MANIFEST_NAME) and on_disk.pop(MARKER)
    assert on_disk == manifest


def assert_equals_clean_build(root: Path, out: Path, tmp_path: Path) -> None:
    """The output is what a build from nothing makes (with the code as written, under make mutate)."""
    clean = tmp_path / f"clean-{time.monotonic_ns()}"
    with code_as_written():
        assert not build_site(root, clean, use_cache=False, jobs=1).errors
    assert tree(out) == tree(clean)
    assert_agrees_with_manifest(out)


def withdraw(path: Path) -> None:
    path.write_text(path.read_text().replace("status: granted", "status: withdrawn"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """600 items: a cold build takes seconds, so racing builds overlap."""
    return write_corpus(tmp_path_factory.mktemp("corpus") / "site", 600)


@pytest.fixture
def site(corpus, tmp_path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(corpus, root)
    return root


def start(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=root, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# One writer at a time.

def test_racing_builds_end_in_a_clean_build_without_the_withdrawn_testimony(site, tmp_path):
    assert start(site, "build").wait() == 0
    testimonies = sorted((site / "content/testimonies").glob("*.md"))
    for round_ in range(3):
        withdrawn = testimonies[round_ * 7]
        withdraw(withdrawn)
        racers = [start(site, "build", *(["--no-cache"] if n == 2 else [])) for n in range(3)]
        results = [(racer.wait(timeout=300), racer.stderr.read()) for racer in racers]
        assert [code for code, _ in results] == [0, 0, 0], results
        assert not any("Traceback" in err for _, err in results)
        assert not (site / "_site/testimonies" / withdrawn.stem).exists()
        assert_equals_clean_build(site, site / "_site", tmp_path)
    waited = [err for _, err in results if "waiting for it to finish" in err]
    for err in waited:
        assert re.search(r"another Chorus build \(pid \d+\) is writing (_site/|the build cache \.cache/); "
                         r"waiting for it to finish", err), err


def test_a_second_build_waits_for_the_first_and_says_whom_it_waits_for(site):
    out_lock = locks.lock_file(site / "_site")
    with locks.exclusive(out_lock, "_site/"):
        racer = start(site, "build", "--wait", "30")
        time.sleep(1.0)
        assert racer.poll() is None  # waiting, not writing
    code, err = racer.wait(timeout=120), racer.stderr.read()
    assert code == 0
    assert f"another Chorus process (pid {os.getpid()}) is writing _site/; waiting for it to finish" in err


def test_a_build_that_waits_too_long_gives_up_naming_the_holder(site):
    with locks.exclusive(locks.lock_file(site / "_site"), "_site/"):
        racer = start(site, "build", "--wait", "0.5")
        code, err = racer.wait(timeout=60), racer.stderr.read()
    assert code == 1
    assert err.splitlines()[-2] == (f"_site: error: another Chorus process (pid {os.getpid()}) has been writing _site/ "
                                    f"for longer than 0.5 s: wait for it to finish, or stop it")
    assert not (site / "_site").exists()


def test_racing_bundles_each_write_a_whole_zip_and_report_its_count(site):
    racers = [start(site, "bundle", "--out", "archive.zip") for _ in range(3)]
    results = [(racer.wait(timeout=300), racer.stdout.read(), racer.stderr.read()) for racer in racers]
    assert [code for code, _, _ in results] == [0, 0, 0], results
    with zipfile.ZipFile(site / "archive.zip") as archive:
        assert archive.testzip() is None
        pages = sum(1 for name in archive.namelist() if name.endswith(".html"))
    for _, out, _ in results:
        assert f"{pages} HTML pages into archive.zip" in out
    assert not [p.name for p in site.iterdir() if p.name.startswith(".archive.zip.") and p.name.endswith(".building")]
    assert start(site, "bundle", "--out", "archive.zip").wait(timeout=300) == 0


# Change detection that restored times cannot fool.

ARTICLE = "---\ntitle: Hello\ndate: 2017-10-05\nsource: Paper\n---\n\nFirst text, kept.\n"


def rewrite_in_place_keeping_times(path: Path, old: bytes, new: bytes) -> None:
    """An edit that keeps the file's size, inode and modification time, as some tools and syncs do."""
    assert len(old) == len(new)
    before = os.stat(path)
    data = path.read_bytes()
    with open(path, "r+b") as handle:
        handle.write(data.replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_ino, after.st_mtime_ns) == (before.st_size, before.st_ino, before.st_mtime_ns)


def test_an_edit_with_size_inode_and_modification_time_restored_is_seen(site_tree, tmp_path, capsys):
    site_tree({"content/articles/a.md": ARTICLE})
    path = tmp_path / "content/articles/a.md"
    time.sleep(0.01)
    assert main(["build"]) == 0
    past = time.time_ns() - 3_600_000_000_000  # an hour ago: no "racily clean" hashing saves the day
    os.utime(path, ns=(past, past))
    assert main(["build"]) == 0
    rewrite_in_place_keeping_times(path, b"First text, kept.", b"Other text, sent.")
    capsys.readouterr()
    assert main(["check"]) == 0
    assert main(["build"]) == 0
    assert "is up to date" not in capsys.readouterr().out
    assert "Other text, sent." in (tmp_path / "_site/articles/a/index.html").read_text()
    # The per-file cache does not trust the times either: a broken date is reported.
    rewrite_in_place_keeping_times(path, b"date: 2017-10-05", b"date: 2017-13-05")
    assert main(["check"]) == 1
    assert "content/articles/a.md:3: error: 'date'" in capsys.readouterr().err


def test_a_withdrawal_with_restored_times_is_unpublished(site_tree, tmp_path):
    testimony = ("---\ndate: 2018-01\nconsent:\n  status: granted  \n  recorded: 2018-01-02\n---\n\nIt happened.\n")
    site_tree({"content/testimonies/t001.md": testimony})
    path = tmp_path / "content/testimonies/t001.md"
    past = time.time_ns() - 3_600_000_000_000
    os.utime(path, ns=(past, past))
    assert main(["build"]) == 0 and (tmp_path / "_site/testimonies/t001/index.html").is_file()
    rewrite_in_place_keeping_times(path, b"status: granted  ", b"status: withdrawn")
    assert main(["build"]) == 0
    assert not (tmp_path / "_site/testimonies/t001").exists()


# The preview sees every save.

def until_gone(url: str, seconds: float) -> None:
    """Wait until the preview answers 404 at url (the withdrawn testimony is no longer served)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
            return
        assert time.monotonic() < deadline, "the withdrawn testimony is still served"
        time.sleep(0.2)


def test_the_preview_sees_a_withdrawal_saved_during_its_first_build(site):
    testimony = sorted((site / "content/testimonies").glob("*.md"))[0]
    process = start(site, "serve", "--port", "0")
    try:
        time.sleep(0.5)  # the first build of 600 items takes seconds: this save lands inside it
        withdraw(testimony)
        line = process.stdout.readline()
        base = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        url = f"{base}testimonies/{testimony.stem}/"
        until_gone(url, 30)
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_preview_sees_a_withdrawal_saved_while_it_rebuilds(site):
    testimony = sorted((site / "content/testimonies").glob("*.md"))[0]
    article = sorted((site / "content/articles").glob("*.md"))[0]
    process = start(site, "serve", "--port", "0")
    try:
        line = process.stdout.readline()
        base = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        url = f"{base}testimonies/{testimony.stem}/"
        urllib.request.urlopen(url, timeout=30).read()  # served: the first build is done
        # A title edit makes every list again (seconds for 600 items); the withdrawal lands inside.
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace("title: ", "title: Edited ", 1), encoding="utf-8")
        time.sleep(0.3)
        withdraw(testimony)
        until_gone(url, 40)
    finally:
        process.terminate()
        process.wait(timeout=20)


# Faults of the disk are messages; caches heal.

def _under(path, folder: Path) -> bool:
    return str(folder) in os.fsdecode(path)


def test_a_full_disk_under_the_cache_is_a_message_and_the_next_build_is_clean(site_tree, tmp_path, monkeypatch, capsys):
    site_tree({"content/articles/a.md": ARTICLE})
    assert main(["build"]) == 0
    (tmp_path / "content/articles/a.md").write_text(ARTICLE.replace("First text", "Second text"))
    real_replace = os.replace

    def full(src, dst, *args, **kwargs):
        if _under(dst, tmp_path / ".cache"):
            raise OSError(errno.ENOSPC, "No space left on device", os.fsdecode(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full)
    capsys.readouterr()
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(r"^\.cache/\S+: error: cannot write the build cache: No space left on device: free some space and "
                     r"build again \(build with --no-cache\)$", err, re.M), err
    assert not list((tmp_path / ".cache").rglob("*.partial"))
    monkeypatch.setattr(os, "replace", real_replace)
    assert main(["build"]) == 0
    assert_equals_clean_build(tmp_path, tmp_path / "_site", tmp_path)


def test_a_full_body_store_is_a_message_and_leaves_the_store_usable(site_tree, tmp_path, monkeypatch, capsys):
    """SQLite itself reports the full disk (its page limit stands in for the disk)."""
    from generator.incremental import bodies

    site_tree({"content/articles/a.md": ARTICLE})
    assert main(["build"]) == 0
    (tmp_path / "content/articles/a.md").write_text(ARTICLE.replace("First text", "Second text " + "x" * 50_000))
    real_connection = bodies.SqliteStore._connection

    def small(self):
        connection = real_connection(self)
        connection.execute("PRAGMA max_page_count = 1")
        return connection

    monkeypatch.setattr(bodies.SqliteStore, "_connection", small)
    capsys.readouterr()
    assert main(["build", "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(r"^\.cache/bodies\.sqlite: error: cannot write the build cache: database or disk is full: free "
                     r"some space and build again \(build with --no-cache\)$", err, re.M), err
    monkeypatch.setattr(bodies.SqliteStore, "_connection", real_connection)
    bodies.forget_stores()
    assert main(["build"]) == 0
    assert_equals_clean_build(tmp_path, tmp_path / "_site", tmp_path)


@pytest.mark.parametrize("fault, message", [
    (OSError(errno.ENOSPC, "No space left on device"), "No space left on device: free some space and build again"),
    (PermissionError(errno.EACCES, "Permission denied"), "Permission denied: make it writable"),
])
def test_a_fault_writing_the_cache_folder_is_one_line(site_tree, tmp_path, monkeypatch, capsys, fault, message):
    """CI runs as root, where chmod does not stop writes: the fault is injected where files are opened."""
    site_tree({"content/articles/a.md": ARTICLE})
    assert main(["build"]) == 0
    (tmp_path / "content/articles/a.md").write_text(ARTICLE.replace("First text", "Third text"))
    import builtins
    import io
    real_open = io.open

    def failing(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax") and not isinstance(file, int) and _under(file, tmp_path / ".cache"):
            raise type(fault)(fault.errno, fault.strerror, os.fsdecode(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", failing)
    monkeypatch.setattr(io, "open", failing)  # what pathlib calls
    capsys.readouterr()
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(rf"^\.cache/\S+: error: cannot write the build cache: {message} \(build with --no-cache\)$",
                     err, re.M), err
    monkeypatch.setattr(builtins, "open", real_open)
    monkeypatch.setattr(io, "open", real_open)
    assert main(["build"]) == 0
    assert "Third text" in (tmp_path / "_site/articles/a/index.html").read_text()
    assert_equals_clean_build(tmp_path, tmp_path / "_site", tmp_path)


def test_a_full_output_disk_leaves_the_output_and_frees_what_the_build_wrote(site_tree, tmp_path, monkeypatch, capsys):
    site_tree({f"content/articles/a{n}.md": ARTICLE.replace("Hello", f"Hello {n}") for n in range(3)})
    assert main(["build"]) == 0
    assert main(["build", "--no-cache"]) == 0  # the second build keeps a copy beside the output
    before = tree(tmp_path / "_site")
    for n in range(3):
        path = tmp_path / f"content/articles/a{n}.md"
        path.write_text(path.read_text().replace("First text", "Changed text"))
    real = Path.write_bytes

    def full(self, data):
        if _under(self, tmp_path / "._site.building") and self.name == "index.html":
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    capsys.readouterr()
    assert main(["build", "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(r"^\._site\.building/(\S+/)?index\.html: error: cannot write the site: No space left on device: free "
                     r"some space and build again \(the previous output is unchanged\)$", err, re.M), err
    assert "nothing was written" in err
    assert tree(tmp_path / "_site") == before
    assert not (tmp_path / "._site.building").exists()  # the half-built copy does not keep filling the disk
    monkeypatch.setattr(Path, "write_bytes", real)
    assert main(["build"]) == 0
    assert_equals_clean_build(tmp_path, tmp_path / "_site", tmp_path)


def test_a_damaged_body_store_is_emptied_and_the_build_says_so(site_tree, tmp_path, capsys):
    site_tree({"content/articles/a.md": ARTICLE, "content/articles/b.md": ARTICLE.replace("Hello", "Bee")})
    assert main(["build"]) == 0
    from generator.incremental import bodies
    bodies.forget_stores()
    (tmp_path / ".cache/bodies.sqlite").write_bytes(b"this is not a database" * 100)
    for name in ("bodies.sqlite-wal", "bodies.sqlite-shm"):
        (tmp_path / ".cache" / name).unlink(missing_ok=True)
    (tmp_path / "content/articles/a.md").write_text(ARTICLE.replace("First text", "Fourth text"))
    capsys.readouterr()
    assert main(["build"]) == 0
    err = capsys.readouterr().err
    assert ".cache/bodies.sqlite: note: the build cache was damaged (file is not a database): it was emptied, and " \
           "this build made everything again" in err.splitlines()
    assert_equals_clean_build(tmp_path, tmp_path / "_site", tmp_path)
    assert main(["build", "--strict"]) == 0  # a note is never a failure


def test_a_damaged_document_cache_is_read_again_and_the_build_says_so(site_tree, tmp_path, capsys):
    site_tree({"content/articles/a.md": ARTICLE})
    assert main(["build"]) == 0
    from generator.incremental import documents as cache
    cache.forget_saved()
    pickle_path = tmp_path / ".cache/documents.pickle"
    data = pickle_path.read_bytes()
    pickle_path.write_bytes(data[: len(data) // 2 + 80])  # the fingerprint is whole, what follows is cut
    (tmp_path / "content/articles/a.md").write_text(ARTICLE.replace("First text", "Fifth text"))
    capsys.readouterr()
    assert main(["build"]) == 0
    err = capsys.readouterr().err
    # The note names what was wrong, as Python said it (UnpicklingError: pickle data was truncated).
    assert re.search(r"^\.cache/documents\.pickle: note: the build cache was damaged \(\w+Error: [^)]+\): every file "
                     r"is read again$", err, re.M), err
    assert_equals_clean_build(tmp_path, tmp_path / "_site", tmp_path)
    # That build wrote the cache afresh: the next one finds nothing damaged, and reads only the file edited.
    cache.forget_saved()
    (tmp_path / "content/articles/a.md").write_text(ARTICLE.replace("First text", "Sixth text"))
    capsys.readouterr()
    assert main(["build"]) == 0
    assert "damaged" not in capsys.readouterr().err
    assert_equals_clean_build(tmp_path, tmp_path / "_site", tmp_path)


# A failure after the swap.

def test_a_failure_after_the_swap_says_the_new_site_is_in_place_and_the_next_build_cleans_up(
        site_tree, tmp_path, monkeypatch, capsys):
    testimony = "---\ndate: 2018-01\nconsent:\n  status: granted\n  recorded: 2018-01-02\n---\n\nIt happened.\n"
    site_tree({"content/articles/a.md": ARTICLE, "content/testimonies/t001.md": testimony})
    assert main(["build"]) == 0
    assert main(["build", "--no-cache"]) == 0
    withdraw(tmp_path / "content/testimonies/t001.md")
    real_remove, real_trim = write._remove, write._trim_copy
    trimming = []

    def trim(*args):
        trimming.append(True)
        try:
            return real_trim(*args)
        finally:
            trimming.clear()

    def stuck(path):
        if trimming and "t001" in str(path):
            raise PermissionError(errno.EPERM, "Operation not permitted", str(path))
        return real_remove(path)

    monkeypatch.setattr(write, "_remove", stuck)
    monkeypatch.setattr(write, "_trim_copy", trim)
    capsys.readouterr()
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(r"^\._site\.building/testimonies/t001/index\.html: error: the new site is in place, but the old "
                     r"copy beside it could not be removed; the next build removes it: Operation not permitted$",
                     err, re.M), err
    assert "1 error(s), 0 warning(s): the new site is in place" in err
    assert not (tmp_path / "_site/testimonies/t001").exists()
    assert_agrees_with_manifest(tmp_path / "_site")
    monkeypatch.setattr(write, "_remove", real_remove)
    monkeypatch.setattr(write, "_trim_copy", real_trim)
    (tmp_path / "content/articles/a.md").write_text(ARTICLE.replace("First text", "Sixth text"))
    assert main(["build"]) == 0
    assert not list((tmp_path / "._site.building").rglob("t001*"))
    assert_equals_clean_build(tmp_path, tmp_path / "_site", tmp_path)


def test_pages_a_failed_build_wrote_without_saying_so_never_reach_a_later_output(tmp_path):
    """A render worker can write a page into the copy just as the build fails; the record of the
    copy does not know it. The next build finds and deletes it before swapping."""
    out = tmp_path / "out"
    first = OutputWriter(out)
    first.open()
    first.finish([Output("index.html", b"home")])
    second = OutputWriter(out)
    second.open()
    second.finish([Output("index.html", b"home")])  # from now on a copy is kept beside the output

    failing = OutputWriter(out)
    failing.open()
    failing.store(Output("testimonies/t011/index.html", b"a page whose consent is then withdrawn"))

    def entries():
        yield Output("index.html", b"home 2")
        raise RuntimeError("a template error")

    with pytest.raises(RuntimeError):
        failing.finish(entries(), pending=["testimonies/t011/index.html"])
    assert (failing.staging / "testimonies/t011/index.html").exists()

    later = OutputWriter(out)
    later.open()
    later.finish([Output("index.html", b"home 3")])
    assert not (out / "testimonies").exists()
    assert_agrees_with_manifest(out)


def _copy_beside(out: Path, *outputs: Output) -> None:
    """Two builds: from the second on, a copy of the output is kept beside it."""
    for _ in range(2):
        writer = OutputWriter(out)
        writer.open()
        writer.finish(list(outputs))


def _fail_after_storing(out: Path, stored: Output) -> OutputWriter:
    """A build whose render worker wrote ``stored`` into the copy just as a template error stopped it."""
    failing = OutputWriter(out)
    failing.open()
    failing.store(stored)

    def entries():
        yield Output("index.html", b"home")
        raise RuntimeError("a template error")

    with pytest.raises(RuntimeError):
        failing.finish(entries(), pending=[stored.path])
    return failing


def test_a_page_a_failed_build_rewrote_is_written_again_by_the_next_build(tmp_path):
    """A withdrawal undone, say: the failed build's worker wrote the new page into the copy; the
    next build publishes the page it renders, not that one."""
    out = tmp_path / "out"
    _copy_beside(out, Output("index.html", b"home"), Output("testimonies/t011/index.html", b"the page as it was"))
    _fail_after_storing(out, Output("testimonies/t011/index.html", b"the page the failed build wrote"))
    later = OutputWriter(out)
    later.open()
    later.finish([Output("index.html", b"home"), Output("testimonies/t011/index.html", b"the page as it was")])
    assert (out / "testimonies/t011/index.html").read_bytes() == b"the page as it was"
    assert_agrees_with_manifest(out)


def test_a_file_cut_short_by_an_interrupted_build_is_never_published(tmp_path, monkeypatch):
    """Ctrl-C as the writer rewrites a file in the copy: the copy's record no longer says the
    file holds its old bytes, so a later build that makes those bytes again writes them whole
    instead of publishing what the interrupted one left."""
    out = tmp_path / "out"
    _copy_beside(out, Output("index.html", b"home"), Output("feed.xml", b"<feed>as it was</feed>"))
    real = Path.write_bytes

    def cut_short(path, data):
        if path.name == "feed.xml":
            real(path, data[:7])
            raise KeyboardInterrupt
        return real(path, data)

    interrupted = OutputWriter(out)
    interrupted.open()
    monkeypatch.setattr(Path, "write_bytes", cut_short)
    with pytest.raises(KeyboardInterrupt):
        interrupted.finish([Output("index.html", b"home"), Output("feed.xml", b"<feed>edited</feed>")])
    monkeypatch.setattr(Path, "write_bytes", real)
    assert (interrupted.staging / "feed.xml").read_bytes() == b"<feed>e"
    later = OutputWriter(out)
    later.open()
    later.finish([Output("index.html", b"home"), Output("feed.xml", b"<feed>as it was</feed>")])
    assert (out / "feed.xml").read_bytes() == b"<feed>as it was</feed>"
    assert_agrees_with_manifest(out)


@pytest.mark.parametrize("record", ["{not json", '{"checked": true, "files": ["index.html"]}',
                                    '{"checked": "yes", "files": {"index.html": "0"}}',
                                    '{"checked": true, "files": {"index.html": 0}}'])
def test_a_copy_whose_record_is_damaged_is_made_afresh(tmp_path, record):
    """The copy beside the output says what it holds in .chorus-copy.json: cut short or edited by
    hand, it is not believed, and the next build writes every file again."""
    out = tmp_path / "out"
    _copy_beside(out, Output("index.html", b"home"), Output("about/index.html", b"about"))
    copy_record = write.copy_dir(out) / write.COPY_MANIFEST
    copy_record.write_text(record)
    (write.copy_dir(out) / "index.html").unlink()  # what the record claimed no longer holds
    (write.copy_dir(out) / "about/index.html").write_bytes(b"something else")
    later = OutputWriter(out)
    later.open()
    later.finish([Output("index.html", b"home"), Output("about/index.html", b"about")])
    assert (out / "index.html").read_bytes() == b"home" and (out / "about/index.html").read_bytes() == b"about"
    assert_agrees_with_manifest(out)


def test_a_file_gone_from_the_copy_after_a_failed_build_is_written_again(tmp_path):
    out = tmp_path / "out"
    _copy_beside(out, Output("index.html", b"home"), Output("about/index.html", b"about"))
    failing = _fail_after_storing(out, Output("search/index.html", b"search"))
    (failing.staging / "about/index.html").unlink()  # a disk that lost it, a hand that deleted it
    later = OutputWriter(out)
    later.open()
    later.finish([Output("index.html", b"home"), Output("about/index.html", b"about")])
    assert (out / "about/index.html").read_bytes() == b"about"
    assert not (out / "search").exists()
    assert_agrees_with_manifest(out)


def test_a_page_kept_from_the_last_output_is_copied_where_the_disk_makes_no_hard_links(tmp_path, monkeypatch):
    """A network share or a USB stick formatted FAT refuses hard links: a page the build reuses
    from the output is then copied into the output's copy, whole."""
    out = tmp_path / "out"
    _copy_beside(out, Output("index.html", b"home"), Output("about/index.html", b"about"))
    failing = _fail_after_storing(out, Output("search/index.html", b"search"))
    (failing.staging / "about/index.html").unlink()
    later = OutputWriter(out)
    later.open()

    def refused(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", refused)
    reused = ReusedFile("about/index.html", f"{out}/about/index.html", hashlib.sha256(b"about").hexdigest())
    later.finish([Output("index.html", b"home"), reused])
    assert (out / "about/index.html").read_bytes() == b"about"
    assert not (out / "search").exists()
    assert_agrees_with_manifest(out)


def test_where_folders_cannot_be_swapped_in_one_step_the_output_is_swapped_in_three_renames(tmp_path, monkeypatch):
    """macOS, the BSDs, an old C library: no atomic exchange of two folders. The output is moved
    aside, the new one put in its place, the old one moved to the copy's place; a folder left
    aside by a build that stopped in between is deleted first."""
    out = tmp_path / "out"
    _copy_beside(out, Output("index.html", b"one"), Output("about/index.html", b"about"))

    def no_c_library(*args, **kwargs):
        raise OSError("not found")

    monkeypatch.setattr(write.ctypes, "CDLL", no_c_library)
    left = write._aside(out)
    left.mkdir()
    (left / MARKER).write_text("")
    (left / "index.html").write_text("the output a stopped build moved aside")
    writer = OutputWriter(out)
    writer.open()
    writer.finish([Output("index.html", b"two")])
    assert (out / "index.html").read_bytes() == b"two" and not (out / "about").exists()
    assert not left.exists()
    assert_agrees_with_manifest(out)


def test_an_output_manifest_deleted_by_hand_costs_only_the_copy_beside_it(tmp_path):
    """Someone deletes chorus-manifest.json from the published folder: the next build cannot
    tell what the copy beside it holds after the swap, so it deletes the copy, and the build
    after makes it again."""
    out = tmp_path / "out"
    _copy_beside(out, Output("index.html", b"home"), Output("about/index.html", b"about"))
    (out / MANIFEST_NAME).unlink()
    for text in (b"home 2", b"home 3"):
        writer = OutputWriter(out)
        writer.open()
        writer.finish([Output("index.html", text), Output("about/index.html", b"about")])
        assert (out / "index.html").read_bytes() == text
        assert_agrees_with_manifest(out)
