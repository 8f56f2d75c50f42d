"""Images: re-encoded without any metadata, upright, deterministic, local only, and checked with file and line."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from generator.cli import main
from generator.content.markup import sanitise
from tests.conftest import build_site, image_with_metadata

CANARY = b"serial-canary-0042"


def article(body: str, slug_fields: str = "") -> str:
    return f"---\ntitle: Pictures\ndate: 2017-10-05\nsource: The Paper\n{slug_fields}---\n{body}\n"


def png_chunks(data: bytes) -> list[bytes]:
    chunks, offset = [], 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        chunks.append(kind)
        offset += 12 + length
    return chunks


def built(site_tree, tmp_path, files: dict, **kwargs):
    root = site_tree(files)
    out = tmp_path / "out"
    report = build_site(root, out, **kwargs)
    assert report.errors == (), [d.format() for d in report.errors]
    return out


def test_jpeg_loses_exif_gps_xmp_and_comment_and_stays_upright(site_tree, tmp_path):
    out = built(site_tree, tmp_path, {
        "content/media/photo.jpg": image_with_metadata("JPEG"),
        "content/articles/a.md": article("![A red and blue card](/media/photo.jpg)"),
    })
    data = (out / "media/photo.jpg").read_bytes()
    for needle in (CANARY, b"Exif", b"GPS", b"xmpmeta", b"adobe", b"Make", b"Comment", b"ICC_PROFILE"):
        assert needle not in data, needle
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert not {"exif", "xmp", "comment", "icc_profile", "photoshop"} & set(image.info)
        # Orientation 6 turns the 40x20 picture a quarter to the right: the red left half is now on top.
        assert image.size == (20, 40)
        red, blue = image.convert("RGB").getpixel((10, 5)), image.convert("RGB").getpixel((10, 35))
        assert red[0] > 150 > red[2] and blue[2] > 150 > blue[0]


def test_png_keeps_only_its_pixel_chunks(site_tree, tmp_path):
    out = built(site_tree, tmp_path, {
        "content/media/chart.png": image_with_metadata("PNG", orientation=1),
        "content/articles/a.md": article("![A chart](../../media/chart.png)"),
    })
    data = (out / "media/chart.png").read_bytes()
    assert CANARY not in data
    assert set(png_chunks(data)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (40, 20) and image.text == {} and len(image.getexif()) == 0


@pytest.mark.parametrize("image_format, name", [("WEBP", "photo.webp"), ("GIF", "drawing.gif"), ("JPEG", "photo.jpeg")])
def test_other_formats_lose_their_metadata(site_tree, tmp_path, image_format, name):
    out = built(site_tree, tmp_path, {
        f"content/media/{name}": image_with_metadata(image_format),
        "content/articles/a.md": article(f"![Picture](/media/{name})"),
    })
    data = (out / "media" / name).read_bytes()
    assert CANARY not in data and b"Exif" not in data and b"xmpmeta" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == image_format
        assert len(image.getexif()) == 0 and not {"exif", "xmp", "comment", "icc_profile"} & set(image.info)


def test_colour_profile_is_applied_then_dropped(site_tree, tmp_path):
    from PIL import ImageCms

    source = io.BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(source, "PNG", icc_profile=profile)
    out = built(site_tree, tmp_path, {
        "content/media/green.png": source.getvalue(),
        "content/articles/a.md": article("![Green](/media/green.png)"),
    })
    data = (out / "media/green.png").read_bytes()
    assert b"iCCP" not in png_chunks(data)
    with Image.open(io.BytesIO(data)) as image:
        assert "icc_profile" not in image.info
        assert all(abs(a - b) <= 2 for a, b in zip(image.getpixel((4, 4)), (10, 200, 30)))


@pytest.mark.parametrize("name, image_format", [("logo.png", "PNG"), ("logo.gif", "GIF")])
def test_a_palette_image_keeps_its_colours_and_its_transparent_background(site_tree, tmp_path, name, image_format):
    """A logo or a chart saved with a palette: re-encoded without its metadata, it must not turn
    grey or lose the transparency of its background."""
    logo = Image.new("P", (8, 8), 0)
    logo.putpalette([255, 255, 255, 200, 20, 60, 20, 60, 200] + [0] * (256 * 3 - 9))
    logo.paste(1, (0, 0, 4, 8))
    logo.paste(2, (4, 0, 6, 8))
    source = io.BytesIO()
    logo.save(source, image_format, transparency=0)
    out = built(site_tree, tmp_path, {f"content/media/{name}": source.getvalue(),
                                      "content/articles/a.md": article(f"![Logo](/media/{name})")})
    with Image.open(out / "media" / name) as published:
        assert published.mode == "P"
        rgba = published.convert("RGBA")
        assert [rgba.getpixel((x, 4)) for x in (1, 5, 7)] == [(200, 20, 60, 255), (20, 60, 200, 255), (255, 255, 255, 0)]


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def icc_with_primaries(red, green, blue) -> bytes:
    """A minimal ICC v2 RGB display profile with these primaries (XYZ under D50) and gamma 2.2."""
    def xyz(values):
        return b"XYZ " + bytes(4) + b"".join(_s15(v) for v in values)

    text = b"test primaries\0"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(8 + 2 + 1 + 67)
    curve = b"curv" + bytes(4) + struct.pack(">IH", 1, 0x0233)
    tags = [(b"desc", desc), (b"wtpt", xyz((0.9642, 1.0, 0.8249))), (b"rXYZ", xyz(red)), (b"gXYZ", xyz(green)),
            (b"bXYZ", xyz(blue)), (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table, data = struct.pack(">I", len(tags)), b""
    for signature, body in tags:
        body += bytes(-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    header = (struct.pack(">I", 128 + len(table) + len(data)) + bytes(4) + struct.pack(">I", 0x02100000)
              + b"mntrRGB XYZ " + bytes(12) + b"acsp" + bytes(28) + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + bytes(48))
    return header + table + data


SRGB_PRIMARIES = {"red": (0.4361, 0.2225, 0.0139), "green": (0.3851, 0.7169, 0.0971), "blue": (0.1431, 0.0606, 0.7141)}


@pytest.mark.parametrize("colour", [(200, 20, 60), (200, 20, 60, 255)], ids=["RGB", "with transparency"])
def test_colours_in_another_profile_are_converted_before_it_is_dropped(site_tree, tmp_path, colour):
    """A camera or phone tags its pictures with its own colour profile, which is dropped (it can
    name the device): the colours are converted first, so the picture looks as it did. Here a
    profile whose red is sRGB's green: a red pixel in it is green on the page."""
    icc = icc_with_primaries(SRGB_PRIMARIES["green"], SRGB_PRIMARIES["red"], SRGB_PRIMARIES["blue"])
    source = io.BytesIO()
    Image.new("RGBA" if len(colour) == 4 else "RGB", (8, 8), colour).save(source, "PNG", icc_profile=icc)
    out = built(site_tree, tmp_path, {"content/media/swap.png": source.getvalue(),
                                      "content/articles/a.md": article("![Swapped](/media/swap.png)")})
    data = (out / "media/swap.png").read_bytes()
    assert b"iCCP" not in png_chunks(data)
    with Image.open(io.BytesIO(data)) as image:
        red, green, blue = image.convert("RGB").getpixel((4, 4))
    assert red < 40 and abs(green - 200) <= 12 and abs(blue - 60) <= 12, (red, green, blue)


def test_a_photo_is_published_at_the_quality_it_was_given(site_tree, tmp_path):
    """Re-encoding a photo must not cost it detail: a JPEG is written at quality 90 (Pillow's own
    default, 75, blurs faces and text), as its quantisation tables show."""
    out = built(site_tree, tmp_path, {"content/media/photo.jpg": image_with_metadata("JPEG"),
                                      "content/articles/a.md": article("![Photo](/media/photo.jpg)")})
    reference = io.BytesIO()
    Image.new("RGB", (8, 8)).save(reference, "JPEG", quality=90)
    with Image.open(out / "media/photo.jpg") as published, Image.open(reference) as at_90:
        assert published.quantization == at_90.quantization


def test_same_image_gives_the_same_bytes_with_and_without_the_cache(site_tree, tmp_path):
    root = site_tree({
        "content/media/photo.jpg": image_with_metadata("JPEG"),
        "content/articles/a.md": article("![Photo](/media/photo.jpg)"),
    })
    outputs = []
    for index, use_cache in enumerate((True, True, False)):
        report = build_site(root, tmp_path / f"out{index}", use_cache=use_cache)
        assert report.errors == ()
        outputs.append((tmp_path / f"out{index}/media/photo.jpg").read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    assert [p.suffix for p in (root / ".cache/media").iterdir()] == [".jpg"]


def test_a_rebuild_re_encodes_no_unchanged_image_and_the_cache_keeps_only_the_images_of_the_site(
        site_tree, tmp_path, monkeypatch):
    """An archive of photos rebuilds without decoding them again; a photo replaced or removed
    leaves nothing of itself in .cache/media."""
    from generator.content import images

    root = site_tree({"content/media/photo.jpg": image_with_metadata("JPEG"),
                      "content/articles/a.md": article("![Photo](/media/photo.jpg)")})
    encoded = []
    real = images.reencode
    monkeypatch.setattr(images, "reencode", lambda *args: encoded.append(args[1]) or real(*args))
    assert build_site(root, tmp_path / "out").errors == () and encoded == ["JPEG"]
    assert build_site(root, tmp_path / "out").errors == () and encoded == ["JPEG"]  # nothing re-encoded
    (root / "content/media/photo.jpg").write_bytes(image_with_metadata("JPEG", size=(30, 30)))
    assert build_site(root, tmp_path / "out").errors == () and encoded == ["JPEG", "JPEG"]
    cached = list((root / ".cache/media").iterdir())
    assert [p.read_bytes() for p in cached] == [(tmp_path / "out/media/photo.jpg").read_bytes()]
    (root / "content/media/photo.jpg").unlink()
    (root / "content/articles/a.md").write_text(article("No photo now."))
    assert build_site(root, tmp_path / "out").errors == ()
    assert list((root / ".cache/media").iterdir()) == []


def test_every_badly_named_image_is_reported_with_a_name_it_could_have(site_tree, capsys):
    site_tree({"content/media/-My Photo!-.JPG": image_with_metadata("JPEG"),
               "content/media/写真.png": image_with_metadata("PNG"),
               "content/media/good.jpg": image_with_metadata("JPEG")})
    assert main(["check"]) == 1
    errors = sorted(line for line in capsys.readouterr().err.splitlines() if ": error: " in line)
    assert errors == [
        "content/media/-My Photo!-.JPG: error: image name must be lower-case letters, digits and hyphens: rename it "
        "to my-photo.jpg",
        "content/media/写真.png: error: image name must be lower-case letters, digits and hyphens: rename it "
        "to image.png"]


@pytest.mark.parametrize("profile", ["web", "offline"])
def test_image_addresses_are_relative_in_pages(site_tree, tmp_path, profile):
    out = built(site_tree, tmp_path, {
        "content/media/photo.jpg": image_with_metadata("JPEG"),
        "content/media/chart.png": image_with_metadata("PNG"),
        "content/articles/a.md": article("![Photo](/media/photo.jpg)\n\n![Chart](../../media/chart.png)"),
        "content/pages/about.md": "---\ntitle: About\n---\n![Photo](/media/photo.jpg)\n",
    }, profile=profile)
    article_html = (out / "articles/a/index.html").read_text()
    assert '<img alt="Photo" src="../../media/photo.jpg">' in article_html
    assert '<img alt="Chart" src="../../media/chart.png">' in article_html
    assert '<img alt="Photo" src="../media/photo.jpg">' in (out / "about/index.html").read_text()


@pytest.mark.parametrize("profile", ["web", "offline"])
def test_every_image_address_resolves_to_a_file(site_tree, tmp_path, profile):
    from tests.test_bundle import check_links

    out = built(site_tree, tmp_path, {
        "content/media/photo.jpg": image_with_metadata("JPEG"),
        "content/articles/a.md": article("![Photo](/media/photo.jpg) and [home](/)"),
        "content/pages/about.md": "---\ntitle: About\n---\n<img src=\"../media/photo.jpg\" alt=\"Photo\" width=\"20\">\n",
    }, profile=profile)
    assert check_links(out, offline=profile == "offline", own_host="https://example.org/") == []


def test_only_images_shown_by_published_pages_are_copied(site_tree, tmp_path):
    out = built(site_tree, tmp_path, {
        "content/media/shown.jpg": image_with_metadata("JPEG"),
        "content/media/unused.jpg": image_with_metadata("JPEG"),
        "content/media/draft-only.jpg": image_with_metadata("JPEG"),
        "content/articles/a.md": article("![Shown](/media/shown.jpg)"),
        "content/articles/b.md": article("![Draft](/media/draft-only.jpg)", "draft: true\n"),
    })
    assert sorted(p.name for p in (out / "media").iterdir()) == ["shown.jpg"]


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (4, 4), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    return out.getvalue()


def huge_png(width: int, height: int) -> bytes:
    """A PNG that says it has width x height pixels, and holds none: decoding it would claim memory
    for all of them."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


ERRORS = {
    # 100 million pixels: over Pillow's limit (89 million), under twice it, where Pillow only warns
    "decompression bomb": (
        {"content/media/huge.png": huge_png(10_000, 10_000)},
        "content/media/huge.png: error: image has too many pixels to decode safely: scale it down"),
    "not an image": (
        {"content/media/broken.png": b"nope"},
        "content/media/broken.png: error: not an image Chorus can read (JPEG, PNG, WebP or GIF): is the file "
        "damaged? Open it and save it again"),
    "remote image": (
        {"content/articles/a.md": article("Text.\n\n![Logo](https://example.com/logo.png)")},
        "content/articles/a.md:8: error: image 'https://example.com/logo.png' is not a file of this site: images "
        "must be files in content/media/, written as ![description](/media/name.jpg); remote images would make "
        "readers' browsers contact another host"),
    "protocol-relative raw HTML image": (
        {"content/articles/a.md": article('<img src="//example.com/pixel.gif" alt="">')},
        "content/articles/a.md:6: error: image '//example.com/pixel.gif' is not a file of this site: images "
        "must be files in content/media/, written as ![description](/media/name.jpg); remote images would make "
        "readers' browsers contact another host"),
    "data: image": (
        {"content/articles/a.md": article("![Dot](data:image/png;base64,iVBORw0KGgo=)")},
        "content/articles/a.md:6: error: image 'data:image/png;base64,iVBORw0KGgo=' is not a file of this site: "
        "images must be files in content/media/, written as ![description](/media/name.jpg); remote images would "
        "make readers' browsers contact another host"),
    "missing media file": (
        {"content/media/photo.jpg": image_with_metadata("JPEG"),
         "content/articles/a.md": article("Intro.\n\n![Photo](/media/foto.jpg)")},
        "content/articles/a.md:8: error: image not found: there is no content/media/foto.jpg (did you mean 'photo.jpg'?)"),
    "image outside media": (
        {"content/articles/a.md": article("![Logo](/static/logo.png)")},
        "content/articles/a.md:6: error: image '/static/logo.png' is not in content/media/: put the file there and "
        "write ![description](/media/name.jpg)"),
    "bad name": (
        {"content/media/Photo 1.JPG": image_with_metadata("JPEG")},
        "content/media/Photo 1.JPG: error: image name must be lower-case letters, digits and hyphens: rename it "
        "to photo-1.jpg"),
    "damaged image": (
        {"content/media/broken.jpg": b"\xff\xd8\xff\xe0 not really a jpeg"},
        "content/media/broken.jpg: error: cannot read the image (Truncated File Read): is the file damaged? Open "
        "it and save it again"),
    "wrong extension": (
        {"content/media/chart.jpg": image_with_metadata("PNG")},
        "content/media/chart.jpg: error: the file is a PNG image but its name ends in .jpg: give it the right "
        "extension or convert it"),
    "animated": (
        {"content/media/moving.gif": animated_gif()},
        "content/media/moving.gif: error: animated images are not published: save a still image"),
}


@pytest.mark.parametrize("case", ERRORS)
def test_image_errors_name_the_file_and_line(site_tree, tmp_path, capsys, case):
    files, expected = ERRORS[case]
    site_tree(files)
    assert main(["build", "--out", str(tmp_path / "out")]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert errors == [expected]
    assert not (tmp_path / "out").exists()


def test_image_over_max_image_bytes(site_tree, capsys):
    root = site_tree({"content/media/photo.jpg": image_with_metadata("JPEG")},
                     site_yaml="title: T\nbase_url: https://example.org/\nmax_image_bytes: 100\n")
    size = (root / "content/media/photo.jpg").stat().st_size
    assert main(["check"]) == 1
    assert (f"content/media/photo.jpg: error: image is {size:,} bytes, over the limit of 100 (max_image_bytes "
            f"in the site config): make it smaller") in capsys.readouterr().err.splitlines()


def test_sanitiser_keeps_local_images_and_drops_others():
    assert sanitise('<img src="/media/a.jpg" alt="A" width="4" height="3" onerror="x()">') == \
        '<img src="/media/a.jpg" alt="A" width="4" height="3">'
    for src in ("https://example.com/a.jpg", "//example.com/a.jpg", "/\\example.com/a.jpg",
                "data:image/png;base64,AAAA", "javascript:alert(1)", "jav&#x61;script:alert(1)", ""):
        assert sanitise(f'<p>x<img src="{src}" alt="A"></p>') == "<p>x</p>", src


def test_check_reports_image_errors_too(site_tree, capsys):
    site_tree({"content/media/broken.png": b"nope"})
    assert main(["check"]) == 1
    assert "content/media/broken.png: error: not an image Chorus can read" in capsys.readouterr().err


@pytest.mark.parametrize("profile", ["web", "offline"])
def test_browser_shows_the_image_upright_under_the_csp(site_tree, tmp_path, serve_dir, page, profile):
    out = built(site_tree, tmp_path, {
        "content/media/photo.jpg": image_with_metadata("JPEG", size=(400, 200)),
        "content/articles/a.md": article("![Photo](/media/photo.jpg)"),
    }, profile=profile)
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto(serve_dir(out) + "articles/a/" if profile == "web" else (out / "articles/a/index.html").as_uri())
    page.wait_for_load_state("load")
    assert page.evaluate("[...document.images].map(i => [i.naturalWidth, i.naturalHeight])") == [[200, 400]]
    assert violations == []


def test_image_address_with_tabs_or_line_breaks_is_not_local(site_tree, tmp_path, capsys):
    # Browsers delete tabs and line breaks from addresses: "/\t/host/..." is "//host/...", another host,
    # even though the path, read with the tabs, resolves to a file in media/.
    for src in ("/\t/example.com/a.jpg", "/\n/example.com/a.jpg", "/x\r/y.jpg"):
        assert sanitise(f'<p>x<img src="{src}" alt="A"></p>') == "<p>x</p>", repr(src)
    site_tree({"content/media/photo.jpg": image_with_metadata("JPEG"),
               "content/articles/a.md": article('<img src="/articles/a/&#9;/&#9;/example.com/../../../../../media/photo.jpg" alt="">')})
    assert main(["build", "--out", str(tmp_path / "out")]) == 1
    assert "is not a file of this site" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_image_damaged_after_it_was_checked_stops_the_build_naming_the_file(site_tree, tmp_path, monkeypatch):
    """An editor saving over an image while a build runs: the bytes read to publish are no longer
    the ones checked. The build stops with the file named, and the previous output stays."""
    from generator.content import images

    root = site_tree({"content/media/photo.jpg": image_with_metadata("JPEG"),
                      "content/articles/a.md": article("![Photo](/media/photo.jpg)")})
    real, reads = images.read_image, []

    def read_then_damaged(path, *args):
        reads.append(path)
        return real(path, *args) if len(reads) == 1 else b"\xff\xd8\xff\xe0 not really a jpeg"

    monkeypatch.setattr(images, "read_image", read_then_damaged)
    report = build_site(root, tmp_path / "out", use_cache=False)
    assert [d.format() for d in report.errors] == [
        "content/media/photo.jpg: error: cannot read the image (Truncated File Read): is the file damaged? Open it "
        "and save it again"]
    assert len(reads) == 2 and not (tmp_path / "out").exists()
