"""The offline bundle: the offline-profile site in one reproducible zip with a README.txt."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import re
import tempfile
import time
import zipfile
from pathlib import Path

from generator.core.types import BuildReport
from generator.pipeline import build, build_date, fault
from generator.config import SiteConfig
from generator.core.diagnostics import display_path, error
from generator.core.locks import DEFAULT_WAIT_SECONDS, LockTimeout, exclusive, lock_file
from generator.core.types import BuildOptions

_ZIP_EPOCH_FLOOR = dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)  # the earliest time a zip can hold
_ZIP_EPOCH_CEILING = dt.datetime(2107, 12, 31, 23, 59, 58, tzinfo=dt.timezone.utc)  # and the latest


def bundle_name(config: SiteConfig) -> str:
    return re.sub(r"[^a-z0-9]+", "-", config.title.lower()).strip("-") or "archive"


def default_zip_path(config: SiteConfig) -> Path:
    return config.root / f"{bundle_name(config)}-offline.zip"


def readme_text(config: SiteConfig, built_on: dt.date) -> str:
    return (
        f"{config.title}\n{'=' * len(config.title)}\n\n"
        f"An offline copy of the archive, built on {built_on.isoformat()}.\n\n"
        "To read it: unzip this file anywhere, open the folder, and open index.html in a web browser.\n"
        "Everything works from disk, search included; nothing is loaded from the internet.\n\n"
        f"The archive on the web: {config.base_url}\n"
    )


def write_bundle(config: SiteConfig, zip_path: Path, *, strict: bool = False, jobs: int | None = None,
                 use_cache: bool = True, wait: float = DEFAULT_WAIT_SECONDS) -> BuildReport:
    """Build the offline profile and zip it; the report's file and HTML page counts are the zip's.

    One bundle at a time writes a given zip (the lock beside it, generator/core/locks.py); the zip is
    written under a name of its own and renamed over the old one only when it is whole.
    """
    zip_path = Path(zip_path).resolve()
    started = time.perf_counter()
    try:
        zip_path.parent.mkdir(parents=True, exist_ok=True)
        with exclusive(lock_file(zip_path), display_path(zip_path), wait), \
                tempfile.TemporaryDirectory(prefix="chorus-bundle-") as tmp:
            # With the cache on, the offline tree is kept in .cache/ so the next bundle is incremental.
            site_dir = config.root / ".cache" / "offline-site" if use_cache else Path(tmp) / "site"
            report = build(config, BuildOptions(site_dir, strict=strict, profile="offline", jobs=jobs, use_cache=use_cache,
                                                 wait=wait))
            if report.failed(strict):
                return report
            files, pages = _zip_site(config, site_dir, zip_path)
    except LockTimeout as exc:
        return BuildReport((error(zip_path, None, str(exc)),), None, 0, 0, None, time.perf_counter() - started)
    except OSError as exc:
        return BuildReport((fault(exc, zip_path, config.root / ".cache" if use_cache else None),), None, 0, 0, None,
                           time.perf_counter() - started)
    return dataclasses.replace(report, files_written=files, pages_rendered=pages)


def _zip_site(config: SiteConfig, site_dir: Path, zip_path: Path) -> tuple[int, int]:
    """Write the zip of site_dir whole or not at all; (entries, HTML pages) in it."""
    top = bundle_name(config)
    stamp = _zip_time()
    files = sorted(p for p in site_dir.rglob("*") if p.is_file() and p.name != ".chorus-output")
    handle, partial = tempfile.mkstemp(dir=zip_path.parent, prefix=f".{zip_path.name}.", suffix=".building")
    try:
        with os.fdopen(handle, "wb") as stream, \
                zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            _add(archive, f"{top}/README.txt", readme_text(config, build_date()).encode(), stamp)
            for path in files:
                _add(archive, f"{top}/{path.relative_to(site_dir).as_posix()}", path.read_bytes(), stamp)
            names = archive.namelist()
        os.chmod(partial, 0o644)
        os.replace(partial, zip_path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise
    return len(names), sum(1 for name in names if name.endswith(".html"))


def _zip_time() -> tuple[int, int, int, int, int, int]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch.isdigit() else _ZIP_EPOCH_FLOOR
    moment = min(max(moment, _ZIP_EPOCH_FLOOR), _ZIP_EPOCH_CEILING)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def _add(archive: zipfile.ZipFile, name: str, data: bytes, stamp) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.external_attr = 0o644 << 16  # same permissions whatever the umask
    info.create_system = 3  # always "Unix", whatever the building machine
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
