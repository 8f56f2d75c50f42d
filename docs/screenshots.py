"""Regenerate the README screenshots: `make screenshots` (or `.venv/bin/python docs/screenshots.py`).

Builds the demo archive into a temporary folder (never _site/, and without the build cache), or
takes one already built (--site DIR), serves it on 127.0.0.1 and photographs two pages at a phone
width (375 px, scale 2) and a desktop width (1280 px) with the system's Chromium (Debian's
`chromium` package, $CHROMIUM or --browser PATH; Playwright downloads nothing). Motion is reduced
and the clock, time zone, locale and colour scheme are fixed, so runs on one machine give the same
bytes; other fonts on another machine give other pixels. Writes
docs/screenshot-{testimony,search}-{375,1280}.png, re-encoded by Pillow without metadata.
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import subprocess
import sys
import tempfile
import threading
from datetime import datetime, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

PROJECT = Path(__file__).resolve().parent.parent
DOCS = PROJECT / "docs"

# A testimony with a content warning: its text is folded behind "Show testimony".
TESTIMONY = "testimonies/t001/"
SEARCH = "search/?q=metoo"

DESKTOP = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}
PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
# As in tests/conftest.py: no GPU, and nothing that talks to another host.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FIXED_TIME = datetime(2024, 1, 15, 12, 0, tzinfo=timezone.utc)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the name http.server uses)
        pass


def build(out: Path) -> None:
    subprocess.run([sys.executable, "-m", "generator", "build", "--out", str(out), "--no-cache"],
                   cwd=PROJECT, check=True, stdout=subprocess.DEVNULL)


def serve(root: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def save(png: bytes, path: Path) -> None:
    """Re-encode with Pillow: same pixels, smaller file, no time stamp or other metadata."""
    Image.open(io.BytesIO(png)).convert("RGB").save(path, optimize=True)


def shoot(browser, base: str, device: dict, path: str, ready) -> bytes:
    context = browser.new_context(**device, reduced_motion="reduce", color_scheme="light",
                                  locale="en-GB", timezone_id="UTC")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(FIXED_TIME)
        response = page.goto(base + path)
        if not response or not response.ok:
            raise SystemExit(f"{path}: HTTP {response.status if response else 'no response'}")
        ready(page)
        page.evaluate("() => document.fonts.ready")
        width = device["viewport"]["width"]
        if page.evaluate("() => document.documentElement.scrollWidth") > width:
            raise SystemExit(f"{path} scrolls sideways at {width} px")
        return page.screenshot(animations="disabled", caret="hide")
    finally:
        context.close()


def testimony_ready(page) -> None:
    page.wait_for_selector(".quick-exit", state="visible")
    page.wait_for_selector("details.cw-fold > summary", state="visible")
    if page.get_attribute("details.cw-fold", "open") is not None:
        raise SystemExit(f"{TESTIMONY}: the testimony is not folded")


def search_ready(page) -> None:
    page.wait_for_selector("#search-results > li", state="visible")
    page.wait_for_function("() => /\\d/.test(document.getElementById('search-status').textContent)")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                        help="Chromium to run (default: $CHROMIUM or /usr/bin/chromium)")
    parser.add_argument("--out", type=Path, default=DOCS, help="folder for the PNGs (default: docs/)")
    parser.add_argument("--site", type=Path, help="photograph this already built site instead of building one")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chorus-shots-") as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build(site)
        server, base = serve(site)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.browser, args=CHROMIUM_ARGS)
                for name, path, ready in [("testimony", TESTIMONY, testimony_ready), ("search", SEARCH, search_ready)]:
                    for device in (PHONE, DESKTOP):
                        target = args.out / f"screenshot-{name}-{device['viewport']['width']}.png"
                        save(shoot(browser, base, device, path, ready), target)
                        print(f"{target.relative_to(PROJECT) if target.is_relative_to(PROJECT) else target}: "
                              f"{target.stat().st_size // 1024} KB")
                browser.close()
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
