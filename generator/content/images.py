"""Content images: check each file in content/media/ and re-encode it with no metadata (Pillow).

A photo straight from a phone can carry the place it was taken (GPS), the camera's serial
number, the owner's name, editing software history (XMP) and free-text PNG chunks. Copying
metadata blocks out one by one misses the ones nobody thought of, so every image is decoded
to pixels and encoded again from a fresh image that has nothing else attached.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from pathlib import Path
from typing import Iterable, Iterator

import PIL
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from generator.core import safefs
from generator.core.fsutil import write_atomically
from generator.content.media import FOLDER, FORMATS, find_media
from generator.core.diagnostics import Diagnostic, DiagnosticError, error

_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\.(jpg|jpeg|png|webp|gif)$")
# Fixed encoder settings: the same input gives the same bytes (none of them writes a timestamp).
SAVE_OPTIONS = {
    "JPEG": {"quality": 90, "optimize": True, "progressive": False},
    "PNG": {"optimize": False, "compress_level": 9},
    "WEBP": {"quality": 90, "method": 4},
    "GIF": {"optimize": False},
}
_CODE = Path(__file__).read_bytes()


class ImageProblem(Exception):
    """An image that cannot be published; the message says what to do."""


def check_media(paths: Iterable[Path], max_bytes: int, cache_dir: Path | None, roots: tuple[str, ...]) -> tuple[Diagnostic, ...]:
    """Re-encode every image once, so a file that cannot be published is an error before anything is written."""
    problems: list[Diagnostic] = []
    kept: set[str] = set()
    for path in paths:
        if not _NAME.match(path.name):
            stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "image"
            problems.append(error(path, None, f"image name must be lower-case letters, digits and hyphens: "
                                              f"rename it to {stem}{path.suffix.lower()}"))
            continue
        try:
            raw = read_image(path, max_bytes, roots)
            kept.add(_cache_name(path, raw))
            clean_image(path, raw, cache_dir)
        except ImageProblem as exc:
            problems.append(error(path, None, str(exc)))
    _prune_cache(cache_dir, kept)
    return tuple(problems)


def read_image(path: Path, max_bytes: int, roots: tuple[str, ...]) -> bytes:
    """The file's bytes, if it is a regular file inside the site (generator/core/safefs.py) within the limit."""
    try:
        return safefs.read(path, max_bytes, roots, noun="image", setting="max_image_bytes", advice="make it smaller")
    except safefs.Refused as exc:
        raise ImageProblem(str(exc)) from None


def clean_image(path: Path, raw: bytes, cache_dir: Path | None) -> bytes:
    """The image re-encoded without metadata, from the cache when this exact file was done before."""
    cached = cache_dir / FOLDER / _cache_name(path, raw) if cache_dir else None
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    data = reencode(raw, FORMATS[path.suffix.lower()], path.suffix)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(cached, data)
    return data


def reencode(raw: bytes, image_format: str, suffix: str = "") -> bytes:
    """Decode, turn upright by the EXIF orientation, convert to sRGB, and encode a fresh copy."""
    try:
        with warnings.catch_warnings():
            # Very large pixel counts (decompression bombs) are errors, not warnings.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as image:
                if image.format != image_format:
                    raise ImageProblem(f"the file is a {image.format} image but its name ends in {suffix}: "
                                       f"give it the right extension or convert it")
                if getattr(image, "n_frames", 1) > 1:
                    raise ImageProblem("animated images are not published: save a still image")
                image.load()
                upright = ImageOps.exif_transpose(image)
                pixels = _to_srgb(upright, image.info.get("icc_profile"))
                fresh, options = _bare_copy(pixels)
        out = io.BytesIO()
        fresh.save(out, format=image_format, **SAVE_OPTIONS[image_format], **options)
        return out.getvalue()
    except ImageProblem:
        raise
    except UnidentifiedImageError:
        raise ImageProblem("not an image Chorus can read (JPEG, PNG, WebP or GIF): is the file damaged? "
                           "Open it and save it again") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem("image has too many pixels to decode safely: scale it down") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageProblem(f"cannot read the image ({exc}): is the file damaged? Open it and save it again") from None


def media_outputs(config, site, cache_dir: Path | None) -> Iterator[tuple[str, bytes]]:
    """(output path, bytes) of each image that a published item or page shows, and only those.

    An image used only by a draft, embargoed or withdrawn item is not published: withdrawing
    a testimony removes its pictures too.
    """
    folder = config.content_dir / FOLDER
    if not folder.is_dir():
        return
    roots = config.read_roots
    by_name = {path.name: path for path in find_media(folder, roots)[0]}
    shown = sorted({name for document in (*site.items, *site.pages) for name in document.images if name in by_name})
    for name in shown:
        try:
            data = clean_image(by_name[name], read_image(by_name[name], config.max_image_bytes, roots), cache_dir)
        except ImageProblem as exc:  # checked before rendering; only a file changed since can get here
            raise DiagnosticError((error(by_name[name], None, str(exc)),)) from None
        yield FOLDER + "/" + name, data


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Apply an embedded colour profile so colours survive dropping it (a profile can name the device)."""
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: publish the pixels as they are


def _bare_copy(image: Image.Image) -> tuple[Image.Image, dict]:
    """The same pixels in a new image with an empty info dict, so no encoder finds metadata to copy."""
    fresh = Image.frombytes(image.mode, image.size, image.tobytes())
    options = {}
    if image.mode in ("P", "PA") and image.palette is not None:
        fresh.putpalette(image.getpalette(image.palette.mode), image.palette.mode)
    transparency = image.info.get("transparency")
    if isinstance(transparency, (int, bytes, tuple)):
        options["transparency"] = transparency
    return fresh, options


def _cache_name(path: Path, raw: bytes) -> str:
    digest = hashlib.sha256(_CODE + PIL.__version__.encode() + path.suffix.lower().encode() + raw).hexdigest()
    return digest + path.suffix.lower()


def _prune_cache(cache_dir: Path | None, kept: set[str]) -> None:
    """Keep only the images of this build: the cache never holds more than content/ does."""
    folder = cache_dir / FOLDER if cache_dir else None
    if folder is None or not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name not in kept:
            entry.unlink(missing_ok=True)
