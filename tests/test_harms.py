"""Behaviours whose loss would hurt people, each once left unpinned (a one-line bug in the code
survived the whole suite). Each test is written as what an editor or a reader would notice."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import threading
from pathlib import Path

import pytest
from PIL import Image

from generator.incremental.patch import PatchSession
from generator.content import markup
from generator.output import write
from generator.cli import main
from generator.core import fields as f
from generator.core.schema import TESTIMONY
from generator.core.schema import public_text_fields
from tests.conftest import build_site, code_as_written


def testimony(body: str = "It happened at work.", **fields: str) -> str:
    front = {"date": "2018-03", "consent": "{status: granted, recorded: 2018-04-01}", **fields}
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in front.items()) + "---\n\n" + body + "\n"


def every_byte(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_new_redaction_reaches_every_page_when_the_build_reuses_its_cache(site_tree, tmp_path):
    allow = '[{text: "Northwind Freight", reason: "reviewed: named before the redaction was decided"}]'
    root = site_tree({"content/testimonies/t1.md": testimony("I worked at Northwind Freight for years.", allow=allow)})
    assert not build_site(root).errors
    assert b"Northwind Freight" in every_byte(tmp_path / "_site")
    (root / "content/redact.yaml").write_text('replace:\n  "Northwind Freight": "[employer]"\n')
    assert not build_site(root).errors  # with the cache of the build above
    published = every_byte(tmp_path / "_site")
    assert b"Northwind Freight" not in published and b"[employer]" in published


def _image(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(out, "PNG")
    return out.getvalue()


def test_an_image_replaced_under_the_same_name_is_published_as_replaced(site_tree, tmp_path):
    """An editor blurs a face and saves the picture under the same name: the new pixels go out."""
    root = site_tree({"content/media/photo.png": _image((200, 30, 30)),
                      "content/articles/a.md": "---\ntitle: A\ndate: 2017-10-05\nsource: P\n---\n\n![A photo](/media/photo.png)\n"})
    assert not build_site(root).errors
    (root / "content/media/photo.png").write_bytes(_image((30, 30, 200)))
    assert not build_site(root).errors
    with Image.open(tmp_path / "_site/media/photo.png") as published:
        assert published.convert("RGB").getpixel((5, 5)) == (30, 30, 200)


def test_every_field_of_a_testimony_says_whether_readers_see_it():
    """A new field must declare public=True or False in core/schema.py: a text field a reader can
    see that the guard does not read would be published unscanned."""
    assert [field.name for field in TESTIMONY if field.public is None] == []
    free_text = {field.name for field in TESTIMONY if field.public and field.check is f.text}
    assert {"title", "pseudonym", "region", "summary", "editor_note"} <= free_text
    assert set(public_text_fields()) == free_text
    assert not {"private", "consent", "allow"} & set(public_text_fields())


@pytest.mark.parametrize("field", public_text_fields())
@pytest.mark.parametrize("source", ["private", "redact.yaml"])
def test_a_private_name_in_any_public_field_stops_the_build(site_tree, tmp_path, field, source, capsys):
    extra = {field: '"Told by Marisol Quintero-Vance"'}
    if source == "private":
        extra["private"] = '{name: "Marisol Quintero-Vance"}'
        files = {}
    else:
        files = {"content/redact.yaml": 'names: ["Marisol Quintero-Vance"]\n'}
    root = site_tree({"content/testimonies/t1.md": testimony(**extra), **files})
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert f"content/testimonies/t1.md:" in err and f"in '{field}'" in err, err
    assert not (tmp_path / "_site").exists()


def test_an_allowed_text_does_not_cover_a_longer_finding_that_contains_it(site_tree, capsys):
    allow = '[{text: "Toronto", reason: "a large city, reviewed"}]'
    root = site_tree({"content/testimonies/t1.md": testimony("I lived in Toronto, at 12 Toronto Street.", allow=allow)})
    assert main(["check"]) == 1
    assert "12 Toronto Street" in capsys.readouterr().err


@pytest.mark.parametrize("state", ["draft: true", "publish_after: 2999-01-01"])
def test_the_build_report_never_quotes_an_unpublished_testimony(site_tree, capsys, state):
    key, value = state.split(": ")
    allow = '[{text: "@SecretHandle", reason: "reason-of-an-unpublished-testimony"}]'
    site_tree({"content/testimonies/t1.md": testimony("Follow @SecretHandle.", allow=allow, **{key: value}),
               "content/testimonies/t2.md": testimony("A published one.")})
    for command in (["build"], ["build", "--verbose"], ["check", "--verbose"]):
        assert main(command) == 0
        printed = capsys.readouterr()
        assert "SecretHandle" not in printed.out + printed.err
        assert "reason-of-an-unpublished" not in printed.out + printed.err


# Every event handler attribute the HTML standard defines, on every tag the sanitiser keeps.
EVENT_HANDLERS = (
    "onabort onafterprint onauxclick onbeforeinput onbeforematch onbeforeprint onbeforetoggle onbeforeunload onblur "
    "oncancel oncanplay oncanplaythrough onchange onclick onclose oncontextlost oncontextmenu oncontextrestored oncopy "
    "oncuechange oncut ondblclick ondrag ondragend ondragenter ondragleave ondragover ondragstart ondrop "
    "ondurationchange onemptied onended onerror onfocus onformdata onhashchange oninput oninvalid onkeydown "
    "onkeypress onkeyup onlanguagechange onload onloadeddata onloadedmetadata onloadstart onmessage onmessageerror "
    "onmousedown onmouseenter onmouseleave onmousemove onmouseout onmouseover onmouseup onoffline ononline "
    "onpagehide onpagereveal onpageshow onpageswap onpaste onpause onplay onplaying onpopstate onprogress "
    "onratechange onrejectionhandled onreset onresize onscroll onscrollend onsecuritypolicyviolation onseeked "
    "onseeking onselect onslotchange onstalled onstorage onsubmit onsuspend ontimeupdate ontoggle onunhandledrejection "
    "onunload onvolumechange onwaiting onwheel onpointerdown onpointerup onpointermove onanimationstart "
    "ontransitionend"
).split()


@pytest.mark.parametrize("tag", sorted(markup.ALLOWED_TAGS))
def test_no_event_handler_survives_on_any_kept_tag(tag):
    attributes = " ".join(f'{name}="alert(1)"' for name in EVENT_HANDLERS)
    inner = "" if tag in ("br", "hr", "img") else "x"
    closing = "" if tag in ("br", "hr", "img") else f"</{tag}>"
    extra = ' src="/media/a.png" alt="a"' if tag == "img" else ' href="https://example.org/"' if tag == "a" else ""
    cleaned = markup.sanitise(f"<{tag}{extra} {attributes}>{inner}{closing}")
    assert "alert" not in cleaned and " on" not in cleaned.lower(), cleaned


def test_the_preview_search_index_follows_a_change_of_tags(site_tree, tmp_path):
    """The preview builds again and again in one process: its search index (tag filters
    included) must be what a clean build makes after the change."""
    article = "---\ntitle: {t}\ndate: 2017-10-0{d}\nsource: P\ntags: [{tags}]\n---\n\nText {t}.\n"
    root = site_tree({"content/tags.yaml": "law: {label: Law}\nwork: {label: Work}\n",
                      **{f"content/articles/a{n}.md": article.format(t=f"A{n}", d=n, tags="law") for n in range(1, 4)}})
    edited = shutil.copytree(root, tmp_path / "edited")
    (edited / "content/articles/a2.md").write_text(article.format(t="A2", d=2, tags="work"))
    with code_as_written():  # the clean build first, in a tree of its own: nothing the preview keeps can help it
        assert not build_site(edited, tmp_path / "clean", use_cache=False).errors
    session = PatchSession()
    build_site(root, tmp_path / "preview", session=session)
    (root / "content/articles/a2.md").write_text(article.format(t="A2", d=2, tags="work"))
    again = build_site(root, tmp_path / "preview", session=session)
    assert not again.errors
    index = lambda out: {k: v for k, v in tree(out).items() if k.startswith("search/")}  # noqa: E731
    assert index(tmp_path / "preview") == index(tmp_path / "clean")


def test_the_output_never_disappears_while_a_build_swaps_it_in(site_tree, tmp_path, monkeypatch):
    """On Linux the copy and the output are exchanged in one step (renameat2); a swap in three
    renames would leave a moment with no output folder, which a web server would serve as 404."""
    root = site_tree({"content/articles/a.md": "---\ntitle: A\ndate: 2017-10-05\nsource: P\n---\n\nOne.\n"})
    assert not build_site(root).errors
    assert not build_site(root, use_cache=False).errors  # from here on the output is swapped
    renames = []
    real_rename = os.rename
    monkeypatch.setattr(write.os, "rename", lambda a, b: renames.append((a, b)) or real_rename(a, b))
    missing = []
    stop = threading.Event()

    def watch():  # every millisecond: a loop that never waits slows the builds beside it tenfold
        while not stop.wait(0.001):
            if not (tmp_path / "_site").is_dir():
                missing.append(True)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for n in range(3):
            (root / "content/articles/a.md").write_text(f"---\ntitle: A\ndate: 2017-10-05\nsource: P\n---\n\nEdit {n}.\n")
            assert not build_site(root).errors
    finally:
        stop.set()
        watcher.join()
    assert renames == [] and missing == []


def test_a_withdrawal_removes_the_page_from_the_output_and_the_copy_beside_it(site_tree, tmp_path):
    root = site_tree({"content/testimonies/t1.md": testimony("The story of t1."),
                      "content/testimonies/t2.md": testimony("The story of t2.")})
    assert not build_site(root).errors
    assert not build_site(root, use_cache=False).errors  # a copy beside the output from now on
    assert (tmp_path / "_site/testimonies/t1/index.html").is_file()
    path = root / "content/testimonies/t1.md"
    path.write_text(path.read_text().replace("status: granted", "status: withdrawn"))
    assert not build_site(root).errors
    for folder in ("_site", "._site.building"):
        assert not (tmp_path / folder / "testimonies/t1").exists(), folder
        assert b"The story of t1." not in every_byte(tmp_path / folder), folder
    assert build_site(root).up_to_date
    assert not (tmp_path / "_site/testimonies/t1").exists()
