"""Live preview: build into a private folder, serve it on 127.0.0.1, rebuild when a source changes."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from generator.incremental import freshness, pages as incremental
from generator.core import safefs
from generator.core.types import BuildOptions
from generator.incremental.patch import PatchSession
from generator.pipeline import build
from generator.core.fsutil import CacheRefused
from generator.incremental.cachedir import locked_cache
from generator.core.locks import DEFAULT_WAIT_SECONDS
from generator.config import PROJECT_TEMPLATES, load_config
from generator.core.diagnostics import display_path
from generator.incremental.freshness import scan

POLL_SECONDS = 0.3
RELOAD_SCRIPT = Path(__file__).with_name("preview.js")
RELOAD_TAG = b'<script src="/__chorus/reload.js"></script>'
LOCAL_HOSTS = ("127.0.0.1", "localhost")


class Preview:
    """The preview's state: where the site is, which build it is, and what went wrong."""

    def __init__(self, config_path: Path, out_dir: Path, drafts: bool = False):
        self.config_path = Path(config_path)
        self.out_dir = out_dir
        self.drafts = drafts  # serve --drafts: drafts and embargoed items shown, marked as not published
        self.version = 0
        self.errors: tuple[str, ...] = ()
        self.watched_roots: tuple[Path, ...] = (self.config_path.parent / "content", self.config_path.parent / "templates")
        self.read_roots = safefs.real_roots((self.config_path.parent, PROJECT_TEMPLATES))  # SiteConfig.read_roots
        self.lock = threading.Lock()
        # What the last build made, kept in memory: an edit to items' text then patches it; and
        # the watcher's last look at the folders, which the build uses instead of looking again.
        self.session = PatchSession()

    def rebuild(self) -> None:
        started = time.perf_counter()
        config, problems = self.load_config()
        lines: list[str]
        if config is None:
            lines = [p.format() for p in problems]
            self.session.forget()
        else:
            report = build(config, BuildOptions(self.out_dir, drafts=self.drafts), self.session)
            for diagnostic in report.diagnostics:
                if diagnostic not in report.errors:  # warnings and notes
                    print(diagnostic.format(), file=sys.stderr)
            lines = [d.format() for d in report.errors]
        for line in lines:
            print(line, file=sys.stderr)
        if lines:
            print(f"{len(lines)} error(s): the preview shows the last good build", file=sys.stderr, flush=True)
        else:
            print(f"rebuilt in {time.perf_counter() - started:.2f} s", file=sys.stderr, flush=True)
        with self.lock:
            self.errors = tuple(lines)
            self.version += 1

    def load_config(self):
        """The config, and the folders it names are the ones watched."""
        config, problems = load_config(self.config_path)
        if config is not None:
            self.watched_roots = (config.content_dir, config.templates_dir, PROJECT_TEMPLATES)
            self.read_roots = config.read_roots
        return config, problems

    def snapshot(self) -> dict[str, tuple]:
        """What scan() says of every watched file, and of the config; a change in any means rebuild."""
        roots = tuple(self.watched_roots)
        files = scan(roots, self.read_roots)
        self.session.look(roots, files)
        state = {path: tuple(rest) for path, *rest in files}
        try:
            stat = self.config_path.stat()
            state[str(self.config_path)] = (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)
        except OSError:
            pass
        return state

    def watch(self, stop: threading.Event, before: dict[str, tuple] | None = None) -> None:
        """Rebuild at every change after ``before`` (the look the first build was made from:
        a file saved while that build ran differs from it, so it is seen too)."""
        pause = POLL_SECONDS
        if before is None:
            before, pause = self.timed_snapshot()
        while not stop.wait(pause):
            now, pause = self.timed_snapshot()
            if now != before:
                changed = sorted({*now, *before} - {p for p in now if before.get(p) == now[p]})
                print(f"changed: {', '.join(display_path(Path(p)) for p in changed[:3])}"
                      f"{' ...' if len(changed) > 3 else ''}", file=sys.stderr, flush=True)
                self.rebuild()  # from this look: a file saved while it builds is seen at the next
            before = now

    def timed_snapshot(self) -> tuple[dict[str, tuple], float]:
        """The snapshot, and how long to wait before the next: on a large archive looking costs
        time too, so the watcher spends at most a fifth of its time looking."""
        started = time.perf_counter()
        state = self.snapshot()
        return state, max(POLL_SECONDS, 4 * (time.perf_counter() - started))


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site, with the reload script added to each HTML page, and the preview's state."""

    def __init__(self, *args, preview: Preview, **kwargs):
        self.preview = preview
        super().__init__(*args, directory=str(preview.out_dir), **kwargs)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if not self.addressed_here():
            return self.send_error(403, "This preview answers only http://127.0.0.1 and http://localhost")
        path = urlsplit(self.path).path
        if path == "/__chorus/version":
            return self.send_bytes(str(self.preview.version).encode(), "text/plain; charset=utf-8")
        if path == "/__chorus/errors":
            return self.send_bytes(json.dumps(list(self.preview.errors)).encode(), "application/json")
        if path == "/__chorus/reload.js":
            return self.send_bytes(RELOAD_SCRIPT.read_bytes(), "text/javascript; charset=utf-8")
        file = Path(self.translate_path(self.path))
        if file.is_dir() and path.endswith("/"):
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            return self.send_bytes(with_reload_script(file.read_bytes()), "text/html; charset=utf-8")
        if not file.exists():
            missing = self.preview.out_dir / "404.html"
            page = missing.read_bytes() if missing.is_file() else b"<!doctype html><title>Preview</title><body><p>Not built yet.</p></body>"
            return self.send_bytes(with_reload_script(page), "text/html; charset=utf-8", status=404)
        return super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802
        if not self.addressed_here():
            return self.send_error(403)
        return super().do_HEAD()

    def addressed_here(self) -> bool:
        """Another site can point its own name at 127.0.0.1 (DNS rebinding) to read the preview;
        its requests carry that name in Host, so only this computer's names are answered."""
        host = self.headers.get("Host")
        if host is None:  # HTTP/1.0 without Host: not a browser
            return True
        name, _, port = host.strip().partition(":")
        return name.lower() in LOCAL_HOSTS and (not port or port.isdigit())

    def send_bytes(self, data: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args) -> None:
        pass


def with_reload_script(html: bytes) -> bytes:
    head, body_end, tail = html.rpartition(b"</body>")
    return head + RELOAD_TAG + body_end + tail if body_end else html + RELOAD_TAG


@contextlib.contextmanager
def preview_folder(cache_dir: Path, name: str = "preview-site") -> Iterator[Path]:
    """Where the preview builds: .cache/preview-site (preview-drafts with --drafts), kept between
    sessions so that a preview of an unchanged archive starts at once. A second preview of the
    same site running at the same time builds into a folder of its own, removed when it stops:
    two previews writing one folder would each replace the other's pages."""
    with locked_cache(cache_dir, DEFAULT_WAIT_SECONDS):
        pass  # made and marked as this machine's (generator/incremental/cachedir.py) before anything is put in it
    lock = open(cache_dir / f"{name}.lock", "a+b")
    try:
        if _lock(lock):
            yield cache_dir / name
            return
        own = cache_dir / f"preview-{os.getpid()}"
        try:
            yield own
        finally:
            for state in (freshness.state_path(cache_dir, own, "web"), incremental.state_file(cache_dir, own, "web")):
                state.unlink(missing_ok=True)
            for folder in (own, own.with_name(f".{own.name}.building")):
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        lock.close()


def _lock(handle) -> bool:
    """Whether this session holds the lock; False when another preview does, or where there are
    no advisory locks (then every session has a folder of its own)."""
    try:
        import fcntl
    except ImportError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def stop_on_sigterm() -> None:
    """SIGTERM stops the preview as Ctrl+C does, so it cleans up. Processes that builds fork
    inherit the handler: they must still die at once, as they would without it (a worker
    that raised instead could wait forever on a lock another held when it was stopped)."""
    preview_pid = os.getpid()

    def stop(signum, _frame) -> None:
        if os.getpid() != preview_pid:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def serve(config_path: Path, port: int, drafts: bool = False) -> int:
    """Run until interrupted; returns an exit code."""
    stop_on_sigterm()
    cache_dir = Path(config_path).resolve().parent / ".cache"
    try:
        with preview_folder(cache_dir, "preview-drafts" if drafts else "preview-site") as folder:
            return _serve(Preview(config_path, folder, drafts), port)
    except CacheRefused as exc:
        print(f"{display_path(cache_dir)}: error: {exc}", file=sys.stderr)
        return 1


def _serve(preview: Preview, port: int) -> int:
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(PreviewHandler, preview=preview))
    except OSError as exc:
        print(f"cannot serve on 127.0.0.1:{port}: {exc.strerror}; choose another port with --port", file=sys.stderr)
        return 2
    server.daemon_threads = True
    preview.load_config()
    first_look = preview.snapshot()  # the first build is made from this look, and the watcher starts from it
    preview.rebuild()
    stop = threading.Event()
    watcher = threading.Thread(target=preview.watch, args=(stop, first_look), daemon=True)
    watcher.start()
    shown = " with drafts and embargoed items, marked as not published" if preview.drafts else ""
    print(f"Preview at http://127.0.0.1:{server.server_address[1]}/{shown} (it rebuilds when you save; "
          f"Ctrl+C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("preview stopped", file=sys.stderr)
    finally:
        stop.set()
        server.server_close()
    return 0
