"""Editors' tools: scaffolding, build progress, and the live preview in a real browser."""

import io
import os
import re
import subprocess
import sys
import time

import pytest

from generator.core.progress import Progress, TerminalProgress
from generator.scaffold import next_testimony_id, slugify
from tests.conftest import PROJECT

ARTICLE = "---\ntitle: Hello\ndate: 2017-10-05\nsource: The Paper\n---\nFirst text.\n"


def run(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("title, slug", [
    ("Hello", "hello"),
    ("Ça, c'est #MeToo!", "ca-c-est-metoo"),
    ("  ", "untitled"),
    ("Weinstein: the 2017 reports", "weinstein-the-2017-reports"),
])
def test_slugify(title, slug):
    assert slugify(title) == slug


@pytest.mark.parametrize("existing, expected", [
    ([], "t001"),
    (["t001.md", "t002.yaml", "t009.md"], "t010"),
    (["0041.md", "0042.md"], "0043"),
    (["t1.md", "t2.md", "about-me.md"], "t3"),
])
def test_next_testimony_id_follows_the_folder_pattern(tmp_path, existing, expected):
    for name in existing:
        (tmp_path / name).write_text("x")
    assert next_testimony_id(tmp_path) == expected


def test_new_article_then_check_after_filling_the_required_fields(site_tree, tmp_path):
    site_tree({"content/articles/hello.md": ARTICLE})
    result = run("new", "article", "Hello", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "content/articles/hello-2.md"
    path = tmp_path / "content/articles/hello-2.md"
    text = path.read_text(encoding="utf-8")
    for field in ("title", "date", "source", "source_url", "authors", "tags", "summary", "language",
                  "content_warnings", "featured", "editor_note", "draft", "publish_after"):
        assert re.search(rf"^# .+\n{field}:", text, re.M), f"{field} has no comment above it"
    unfilled = run("check", cwd=tmp_path)
    assert unfilled.returncode == 1
    date_line = text.splitlines().index("date:") + 1
    assert f"content/articles/hello-2.md:{date_line}: error: 'date' is required but empty: write its value after 'date:'" \
        in unfilled.stderr
    text = text.replace("date:\n", "date: 2018-01-02\n", 1).replace('source: ""', 'source: "The Paper"')
    path.write_text(text + "Our summary of the piece.\n", encoding="utf-8")
    filled = run("check", cwd=tmp_path)
    assert filled.returncode == 0, filled.stderr
    assert "checked 2 articles" in filled.stdout


def test_new_testimony_then_check_after_filling_the_required_fields(site_tree, tmp_path):
    site_tree({})
    result = run("new", "testimony", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / result.stdout.strip()
    assert path == tmp_path / "content/testimonies/t001.md"
    assert run("check", cwd=tmp_path).returncode == 1
    text = path.read_text(encoding="utf-8")
    text = (text.replace("\ndate:\n", "\ndate: 2018-03\n").replace("  status:\n", "  status: granted\n")
            .replace("  recorded:\n", "  recorded: 2018-04-01\n"))
    path.write_text(text + "What I want others to know.\n", encoding="utf-8")
    filled = run("check", cwd=tmp_path)
    assert filled.returncode == 0, filled.stderr
    assert "withheld 1 (1 draft)" in filled.stdout  # a new testimony stays a draft until reviewed
    assert run("new", "testimony", cwd=tmp_path).stdout.strip() == "content/testimonies/t002.md"


def test_new_article_needs_a_title(site_tree, tmp_path):
    site_tree({})
    result = run("new", "article", cwd=tmp_path)
    assert result.returncode == 2 and "new article \"Title\"" in result.stderr


def test_built_pages_never_carry_the_preview_script(demo_site):
    assert not [p for p in demo_site.rglob("*.html") if "__chorus" in p.read_text(encoding="utf-8")]


def test_progress_shows_on_a_terminal_and_clears_its_line():
    stream = io.StringIO()
    progress = TerminalProgress(stream, delay=0, interval=0)
    progress.stage("reading")
    assert list(progress.count(iter("abc"), "rendering", total=3)) == ["a", "b", "c"]
    progress.finish()
    assert stream.getvalue() == ("\r\033[Kreading ...\r\033[Krendering: 1 of 3 pages\r\033[Krendering: 2 of 3 pages"
                                 "\r\033[Krendering: 3 of 3 pages\r\033[K")


def test_progress_is_silent_for_short_builds_and_off_a_terminal(site_tree, tmp_path):
    stream = io.StringIO()
    progress = TerminalProgress(stream, delay=60)
    progress.stage("reading")
    list(progress.count(range(5), "rendering"))
    progress.finish()
    assert stream.getvalue() == ""
    assert list(Progress().count([1, 2], "x")) == [1, 2]
    site_tree({"content/articles/a.md": ARTICLE})
    assert "\r" not in run("build", cwd=tmp_path).stderr


# The live preview, in a real browser.

def start_preview(cwd):
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    log = open(cwd / "preview.log", "w+")
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", "0"], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=log, text=True)
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if not match:
        process.kill()
        log.seek(0)
        pytest.fail(f"serve did not start: {line!r} {log.read()}")
    return process, match.group(0)


def wait_until(check, what, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # the page may be reloading
            pass
        time.sleep(0.1)
    pytest.fail(f"timed out waiting until {what}")


def test_serve_reloads_on_change_shows_errors_and_recovers(site_tree, tmp_path, page):
    site_tree({"content/articles/a.md": ARTICLE})
    process, base = start_preview(tmp_path)
    try:
        page.goto(base + "articles/a/")
        assert page.text_content("h1") == "Hello"
        assert page.locator("#chorus-preview-errors").count() == 0
        source = tmp_path / "content/articles/a.md"

        source.write_text(ARTICLE.replace("title: Hello", "title: Hello again"), encoding="utf-8")
        wait_until(lambda: page.text_content("h1") == "Hello again", "the page reloads with the new title")

        source.write_text(ARTICLE.replace("date: 2017-10-05", "date: 2017-13-05"), encoding="utf-8")
        wait_until(lambda: page.locator("#chorus-preview-errors").count() == 1, "the error overlay shows")
        overlay = page.text_content("#chorus-preview-errors")
        assert "content/articles/a.md:3: error: 'date' must be a date written YYYY-MM-DD, got '2017-13-05'" in overlay
        assert page.text_content("h1") == "Hello again"  # the last good build stays readable
        assert process.poll() is None

        source.write_text(ARTICLE.replace("title: Hello", "title: Fixed"), encoding="utf-8")
        wait_until(lambda: page.text_content("h1") == "Fixed", "the fixed page reloads")
        assert page.locator("#chorus-preview-errors").count() == 0

        # The text alone: the preview patches its last build (generator/incremental/patch.py).
        source.write_text(ARTICLE.replace("title: Hello", "title: Fixed").replace("First text.", "Second text."),
                          encoding="utf-8")
        wait_until(lambda: "Second text." in page.text_content("main"), "the page reloads with the new text")
    finally:
        process.terminate()
        process.wait(timeout=10)
    log = (tmp_path / "preview.log").read_text()
    assert "content/articles/a.md:3: error:" in log and "rebuilt in" in log


def test_preview_answers_only_requests_addressed_to_this_computer(tmp_path):
    # Another web site the editor has open can point its own name at 127.0.0.1 (DNS rebinding)
    # and read the preview: unpublished pages and error messages that quote what the PII guard found.
    import functools
    import http.client
    import http.server
    import threading

    from generator.serve import Preview, PreviewHandler

    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<!doctype html><body><p>Draft preview</p></body>")
    preview = Preview(tmp_path / "site.yaml", out)
    preview.errors = ("content/testimonies/t.md:6: error: an email address in the body: 'sam@example.org'",)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(PreviewHandler, preview=preview))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    def get(path, host):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body

    try:
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST"):
            assert get("/", host) == (200, get("/", f"127.0.0.1:{port}")[1])
            assert get("/__chorus/errors", host)[0] == 200
        for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}"):
            for path in ("/", "/__chorus/errors", "/__chorus/version", "/index.html", "/nowhere/"):
                status, body = get(path, host)
                assert status == 403 and b"sam@example.org" not in body and b"Draft" not in body, (host, path)
    finally:
        server.shutdown()
        server.server_close()


def test_two_previews_of_one_site_at_once_each_show_their_pages(site_tree, tmp_path):
    # The first keeps its pages in .cache/preview-site; the second builds into a folder of its
    # own, removed when it stops, so neither replaces the other's pages.
    import urllib.request

    site_tree({"content/articles/a.md": ARTICLE})
    first, first_base = start_preview(tmp_path)
    try:
        second, second_base = start_preview(tmp_path)
        try:
            for base in (first_base, second_base):
                page = urllib.request.urlopen(base + "articles/a/", timeout=10).read().decode()
                assert "<h1>Hello</h1>" in page
            assert (tmp_path / ".cache/preview-site/articles/a/index.html").is_file()
            assert (tmp_path / f".cache/preview-{second.pid}/articles/a/index.html").is_file()
            (tmp_path / "content/articles/a.md").write_text(ARTICLE + "\nA second paragraph.\n", encoding="utf-8")
            for base in (first_base, second_base):  # each rebuilds its own folder (a copy beside it too)
                wait_until(lambda: "A second paragraph." in urllib.request.urlopen(base + "articles/a/", timeout=10).read().decode(),
                           "both previews show the edit")
        finally:
            second.terminate()
            second.wait(timeout=10)
        assert not (tmp_path / f".cache/preview-{second.pid}").exists()
        assert not (tmp_path / f".cache/.preview-{second.pid}.building").exists()
        assert "<h1>Hello</h1>" in urllib.request.urlopen(first_base + "articles/a/", timeout=10).read().decode()
    finally:
        first.terminate()
        first.wait(timeout=10)
    assert (tmp_path / ".cache/preview-site/articles/a/index.html").is_file()  # kept for the next session


def test_a_worker_forked_by_a_preview_build_dies_at_sigterm_as_it_would_without_the_preview():
    # The preview stops on SIGTERM as on Ctrl+C; a build's pool stops its workers with SIGTERM,
    # and a worker that raised there instead of dying could hang the preview.
    import multiprocessing
    import signal

    from generator.serve import stop_on_sigterm

    before = signal.getsignal(signal.SIGTERM)
    try:
        stop_on_sigterm()
        worker = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
        worker.start()
        time.sleep(0.2)
        worker.terminate()
        worker.join(timeout=10)
        assert worker.exitcode == -signal.SIGTERM
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGTERM)  # this process: as Ctrl+C
    finally:
        signal.signal(signal.SIGTERM, before)
