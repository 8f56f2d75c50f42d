"""Shared fixtures: inline fixture sites, the built demo archive, a local HTTP server, a real browser."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import signal
import textwrap
import threading
from pathlib import Path

import pytest

from generator.pipeline import build
from generator.config import load_config
from generator.core.types import BuildOptions

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

MINIMAL_SITE_YAML = """\
title: Test Archive
description: A small archive for tests.
base_url: https://example.org/
language: en
items_per_page: 2
content_warnings:
  harassment: Harassment
# Test sites keep their (made-up) private records readable, as a site may choose to: the
# warning for a site that has not chosen is tested in tests/privacy/test_sealing.py.
private_records: plain
"""


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write {relative path: text} under root; text is dedented so tests can indent it."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def site_tree(tmp_path, monkeypatch):
    """Make a site in tmp_path from {path: text}; site.yaml defaults to a minimal config.

    The working directory is the site, so diagnostics show paths like content/articles/a.md.
    """
    monkeypatch.chdir(tmp_path)

    def make(files: dict[str, str | bytes], site_yaml: str | None = MINIMAL_SITE_YAML) -> Path:
        if site_yaml is not None:
            files = {"site.yaml": site_yaml, **files}
        files.setdefault("content/tags.yaml", "")
        return write_tree(tmp_path, files)

    return make


@contextlib.contextmanager
def code_as_written():
    """make mutate: the block runs the code as written, not the mutant under test (mutmut reads
    MUTANT_UNDER_TEST at each call), so a reference the test compares with is one the mutant
    cannot bend. Outside make mutate it changes nothing."""
    mutant = os.environ.get("MUTANT_UNDER_TEST")
    if mutant is None:
        yield
        return
    os.environ["MUTANT_UNDER_TEST"] = ""
    try:
        yield
    finally:
        os.environ["MUTANT_UNDER_TEST"] = mutant


def build_site(root: Path, out: Path | None = None, session=None, **options):
    config, problems = load_config(root / "site.yaml")
    assert config is not None, [p.format() for p in problems]
    return build(config, BuildOptions(out, **options), session)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo archive in content/, built once per test session."""
    out = tmp_path_factory.mktemp("demo") / "site"
    report = build_site(PROJECT, out)
    assert not report.errors, [d.format() for d in report.errors]
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def serve_dir():
    """Serve a folder on 127.0.0.1 with a real HTTP server; returns its base URL."""
    servers = []

    def serve(directory: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright. Missing Chromium fails in CI, skips elsewhere."""
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: runs in headless Chromium (given to every test that uses the browser)")
    # make mutate: while mutmut records which tests call which functions (MUTANT_UNDER_TEST=stats;
    # it keeps the value in the process too), a build run as a subprocess cannot record: it runs
    # the code as it is. With a mutant active, subprocesses run the mutant.
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        del os.environ["MUTANT_UNDER_TEST"]
        config.pluginmanager.register(_ForgetCachedResults())
        config.pluginmanager.register(_RecordOnlyEachModulesTests())
    if "MUTANT_UNDER_TEST" in os.environ:
        # A mutmut worker inherits its fork server's signal handlers, and so would every process a
        # build forks: on SIGTERM (a build's pool stops its workers so) that handler kills all the
        # other workers, whose mutants would then count as caught. Python's own handlers instead.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if os.environ.get("MUTANT_UNDER_TEST", "") not in ("stats", "fail", "") and config.option.basetemp is None:
        # Each mutant's tests write in a folder of their own, removed when they end. pytest's own
        # numbered folders would make every mutant delete an earlier one's (the recording's and the
        # clean run's are whole builds: seconds each), two workers at a time.
        basetemp = Path(os.environ.get("PYTEST_DEBUG_TEMPROOT", "/tmp")) / f"mutant-{os.getpid()}"
        config.option.basetemp = str(basetemp)
        config.add_cleanup(functools.partial(shutil.rmtree, basetemp, ignore_errors=True))


def _mutation_config() -> dict:
    import tomllib

    return tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]


class _RecordOnlyEachModulesTests:
    """make mutate: a mutant runs the tests that called its function while mutmut recorded, but only
    those in its module's test files ([tool.chorus.mutate.tests] in pyproject.toml): a module's own
    tests and the harms it must prevent, not every build that happens to pass through it. So a
    survivor costs seconds, not every build of the suite, and says which file lacks a test.
    (tests/test_mutation_config.py keeps those files and mutmut's selection in agreement.)"""

    def __init__(self):
        files = _mutation_config()["chorus"]["mutate"]["tests"]
        self.files = {path.removesuffix(".py").replace("/", ".") + ".": tuple(tests) for path, tests in files.items()}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_teardown(self, item):
        from mutmut.state import state  # mutmut's own record of the functions this test called

        called = state()._stats
        for function in list(called):
            tests = next((tests for module, tests in self.files.items() if function.startswith(module)), ())
            if not item.nodeid.startswith(tests):
                called.discard(function)


def pytest_collection_finish(session):
    """make mutate: mutmut forks each mutant's tests from a process that has collected them (with
    MUTANT_UNDER_TEST empty). The first build in a process loads the guard's data sets and compiles
    the templates, 2 to 3 seconds that every mutant whose tests build a site would pay again: that
    process builds a small site first, then forgets what the mutated modules cached, so that no
    mutant is hidden behind a result of the code as written."""
    if session.config.option.collectonly and os.environ.get("MUTANT_UNDER_TEST") == "":
        import tempfile

        with tempfile.TemporaryDirectory(dir=os.environ.get("PYTEST_DEBUG_TEMPROOT")) as folder:
            root = write_tree(Path(folder), {
                "site.yaml": MINIMAL_SITE_YAML, "content/tags.yaml": "",
                "content/articles/a.md": "---\ntitle: A\ndate: 2018-01-05\nsource: Paper\n---\n\nText.\n",
                "content/testimonies/t.md": "---\ndate: 2018-02\nconsent: {status: granted, recorded: 2018-02-20}\n"
                                            "---\nIt was at work, on a Monday.\n"})
            # A build that stops at an error would not reach the templates: this one must pass.
            assert not build_site(root, root / "out", use_cache=False, jobs=1).errors
        _ForgetCachedResults().forget(everything=True)
        with contextlib.suppress(OSError, ValueError):
            import json

            _RECORDED_SECONDS.update(json.loads(Path("mutmut-stats.json").read_text())["duration_by_test"])


# make mutate: how long each test took while mutmut recorded (read by the process mutants fork from).
_RECORDED_SECONDS: dict[str, float] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """make mutate: a mutant that makes a test loop is stopped after ten times the test's recorded
    time (ten seconds at least), and counts as caught, rather than holding one of the two workers
    until mutmut's timeout for the whole mutant. Outside make mutate it changes nothing."""
    recorded = _RECORDED_SECONDS.get(item.nodeid)
    if recorded is None or "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", ""):
        yield
        return
    limit = max(10.0, 10 * recorded)

    def stop(signum, frame):
        raise TimeoutError(f"over {limit:.0f} s (recorded: {recorded:.2f} s): the mutant makes this test loop")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _ForgetCachedResults:
    """make mutate: mutmut runs a mutant with the tests that called its function while it recorded.
    A pattern cached by an earlier test (functools.lru_cache) hides that call from every later one,
    so while it records, each test starts with the caches of the mutated modules empty (not the
    tables loaded once, maxsize=1: what makes them is left unmutated)."""

    def __init__(self):
        mutated = _mutation_config()["mutmut"]["only_mutate"]
        self.modules = [path.removesuffix(".py").replace("/", ".") for path in mutated]

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        self.forget()

    def forget(self, everything: bool = False):
        import sys

        for module in filter(None, map(sys.modules.get, self.modules)):
            for value in vars(module).values():
                info = getattr(value, "cache_info", None)
                if callable(info) and info().maxsize != 1:
                    value.cache_clear()
        if everything:  # what the process keeps of the last cache it saved
            from generator.incremental import documents

            documents.forget_saved()


def pytest_collection_modifyitems(items):
    """Mark the browser tests, so that a run can leave them out (make mutate runs -m 'not browser').

    make mutate: a mutant's tests run fastest first (by the times mutmut recorded), so that a
    caught mutant is usually caught by a test of a few milliseconds, not after whole builds."""
    for item in items:
        if {"browser", "page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
    if os.environ.get("MUTANT_UNDER_TEST", "stats") not in ("stats", "fail", ""):
        durations = _recorded_durations()
        killers = _killers_of(_mutated_function())
        items.sort(key=lambda item: (item.nodeid not in killers, durations.get(item.nodeid, float("inf"))))


# make mutate: the tests that caught a mutant of a function, one file per function (in mutants/,
# kept between runs). The mutants of one function mostly fail the same few tests; trying those
# first stops most mutants at the test that catches them instead of after every faster test.
_KILLERS = PROJECT / "mutmut-killers"


def _mutated_function() -> str:
    return os.environ.get("MUTANT_UNDER_TEST", "").partition("__mutmut_")[0]


def _killers_of(function: str) -> set[str]:
    try:
        return set((_KILLERS / function).read_text(encoding="utf-8").split("\n")) - {""}
    except (OSError, ValueError):
        return set()


def pytest_runtest_logreport(report):
    """make mutate: remember the test that caught a mutant, for the next mutants of its function."""
    function = _mutated_function()
    if report.failed and "__mutmut_" in os.environ.get("MUTANT_UNDER_TEST", "") and report.nodeid not in _killers_of(function):
        _KILLERS.mkdir(exist_ok=True)
        with open(_KILLERS / function, "a", encoding="utf-8") as record:  # one short line: appended whole
            record.write(report.nodeid + "\n")


@functools.cache
def _recorded_durations() -> dict[str, float]:
    import json

    try:  # mutmut runs the tests from mutants/, beside the times it recorded
        return json.loads(Path("mutmut-stats.json").read_text(encoding="utf-8"))["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return {}


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: a browser test that did not run proves nothing."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and session.exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; skipped tests count as failures in CI", red=True)
        session.exitstatus = 1


def image_with_metadata(image_format: str = "JPEG", canary: str = "serial-canary-0042", orientation: int = 6,
                        size: tuple[int, int] = (40, 20)) -> bytes:
    """An image whose left half is red and right half blue, carrying metadata that holds ``canary``:
    EXIF (make, serial number, orientation, a GPS position), XMP, a comment and, for PNG, text chunks."""
    import io

    from PIL import Image, PngImagePlugin

    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[0x010F] = f"Make {canary}"  # Make
    exif[0x0131] = f"Software {canary}"  # Software
    exif[0x0112] = orientation  # Orientation
    exif.get_ifd(0x8769)[0xA431] = canary  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)})
    xmp = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           f'<rdf:Description>{canary}</rdf:Description></rdf:RDF></x:xmpmeta>')
    out = io.BytesIO()
    if image_format == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Author", f"Author {canary}")
        text.add_itxt("Comment", f"Comment {canary}")
        text.add_text("XML:com.adobe.xmp", xmp)
        image.save(out, "PNG", pnginfo=text, exif=exif)
    elif image_format == "GIF":
        image.convert("P").save(out, "GIF", comment=f"Comment {canary}".encode(), xmp=xmp.encode())
    else:
        image.save(out, image_format, exif=exif, xmp=xmp.encode(), **({"comment": f"Comment {canary}"} if image_format == "JPEG" else {}))
    return out.getvalue()
