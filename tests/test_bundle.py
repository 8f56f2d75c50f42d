"""Offline bundle and trustworthy publishing: links, reproducibility, atomic writes, manifest and diff."""

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.cli import main
from tests.conftest import PROJECT, build_site

ATTR = re.compile(r'\b(href|src|srcset)="([^"]*)"')
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
RESOURCE_TAGS = re.compile(r"<(link|script|img|iframe|source|video|audio|embed|object)\b[^>]*>")


def run(*args, cwd, env=None):
    full_env = {**os.environ, "PYTHONPATH": str(PROJECT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)


def tree_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def internal_target(site: Path, page: Path, link: str, offline: bool) -> Path | None:
    """The file an internal link resolves to; None for other hosts, mailto and fragments."""
    if not link or link.startswith("#") or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", link) or link.startswith("//"):
        return None
    path = urlsplit(link).path
    if offline:
        assert not path.startswith("/"), f"{page}: root-relative link {link} cannot work from disk"
        assert not path.endswith("/"), f"{page}: folder link {link} does not open from disk"
    base = site if path.startswith("/") else page.parent
    target = (base / path.lstrip("/")).resolve()
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def check_links(site: Path, offline: bool, own_host: str) -> list[str]:
    problems = []
    for page in sorted(site.rglob("*")):
        if page.suffix == ".html":
            text = page.read_text(encoding="utf-8")
            for match in RESOURCE_TAGS.finditer(text):
                tag = match.group(0)
                if 'rel="alternate"' in tag or 'rel="canonical"' in tag:
                    continue
                for _, value in ATTR.findall(tag):
                    if re.match(r"^(https?:)?//", value):
                        problems.append(f"{page.relative_to(site)}: loads {value} from another host")
            links = [v for _, value in ATTR.findall(text) for v in value.split(",")]
            links = [v.strip().split(" ")[0] for v in links]
        elif page.suffix == ".css":
            links = CSS_URL.findall(page.read_text(encoding="utf-8"))
            for link in links:
                if re.match(r"^(https?:)?//", link):
                    problems.append(f"{page.relative_to(site)}: CSS loads {link} from another host")
        else:
            continue
        for link in links:
            if offline and link.startswith(own_host) and "web-address" not in text.split(f'href="{link}"')[0][-200:]:
                problems.append(f"{page.relative_to(site)}: absolute link {link} back to the web host")
            target = internal_target(site, page, link, offline)
            if target is not None and not target.is_file():
                problems.append(f"{page.relative_to(site)}: broken link {link}")
    return problems


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("offline") / "site"
    report = build_site(PROJECT, out, profile="offline")
    assert not report.errors
    return out


def test_web_profile_has_no_broken_link_and_no_foreign_resource(demo_site):
    assert check_links(demo_site, offline=False, own_host="https://archive.example.org/") == []


def test_offline_profile_links_name_files_and_never_point_back_to_the_web(offline_site):
    assert check_links(offline_site, offline=True, own_host="https://archive.example.org/") == []
    home = (offline_site / "index.html").read_text()
    assert 'href="articles/index.html"' in home
    assert "Web address of this archive" in home
    for name in ("feed.xml", "sitemap.xml", "robots.txt", "404.html"):
        assert not (offline_site / name).exists()


def test_markdown_links_work_offline(site_tree, tmp_path):
    site_tree({"content/pages/about.md": "---\ntitle: About\n---\nSee [articles](/articles/), [tags](../tags/) and [out](https://example.com/).\n"})
    build_site(tmp_path, tmp_path / "web")
    build_site(tmp_path, tmp_path / "off", profile="offline")
    web = (tmp_path / "web/about/index.html").read_text()
    off = (tmp_path / "off/about/index.html").read_text()
    assert 'href="../articles/"' in web and 'href="../tags/"' in web
    assert 'href="../articles/index.html"' in off and 'href="../tags/index.html"' in off
    assert 'href="https://example.com/"' in off


def test_bundle_is_one_folder_with_readme_and_fixed_metadata(tmp_path, monkeypatch):
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    zip_path = tmp_path / "archive.zip"
    assert main(["bundle", "--out", str(zip_path)]) == 0
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        tops = {name.split("/")[0] for name in names}
        assert tops == {"metoo-reporting-and-testimony"}
        assert "metoo-reporting-and-testimony/index.html" in names
        readme = archive.read("metoo-reporting-and-testimony/README.txt").decode()
        assert "open index.html" in readme and "built on 2023-11-14" in readme
        assert names[0] == "metoo-reporting-and-testimony/README.txt" and names[1:] == sorted(names[1:])
        for info in archive.infolist():
            assert info.date_time == (2023, 11, 14, 22, 13, 20)
            assert info.external_attr >> 16 == 0o644


def test_same_content_gives_identical_bytes_whatever_the_environment(tmp_path):
    site = tmp_path / "src"
    shutil.copytree(PROJECT / "content", site / "content")
    shutil.copy(PROJECT / "site.yaml", site / "site.yaml")
    variations = [
        ({"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C", "SOURCE_DATE_EPOCH": "1700000000"}, "1"),
        ({"PYTHONHASHSEED": "4242", "TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8", "SOURCE_DATE_EPOCH": "1700000000"}, "2"),
    ]
    trees, zips = [], []
    for index, (env, jobs) in enumerate(variations):
        out = tmp_path / f"out-{index}" / ("deeper" * index) / "site"
        zip_path = tmp_path / f"bundle-{index}.zip"
        assert run("build", "--out", str(out), "--jobs", jobs, "--no-cache", cwd=site, env=env).returncode == 0
        assert run("bundle", "--out", str(zip_path), "--jobs", jobs, cwd=site, env=env).returncode == 0
        trees.append(tree_hashes(out))
        zips.append(hashlib.sha256(zip_path.read_bytes()).hexdigest())
    assert trees[0] == trees[1]
    assert zips[0] == zips[1]


def test_file_listing_order_does_not_change_the_output(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build_site(PROJECT, tmp_path / "a")
    real_iterdir, real_rglob = Path.iterdir, Path.rglob
    monkeypatch.setattr(Path, "iterdir", lambda self: iter(sorted(real_iterdir(self), reverse=True)))
    monkeypatch.setattr(Path, "rglob", lambda self, pattern: iter(sorted(real_rglob(self, pattern), reverse=True)))
    build_site(PROJECT, tmp_path / "b")
    assert tree_hashes(tmp_path / "a") == tree_hashes(tmp_path / "b")


def big_site(root: Path, count: int) -> None:
    (root / "content/articles").mkdir(parents=True)
    (root / "content/tags.yaml").write_text("")
    (root / "site.yaml").write_text("title: Big\nbase_url: https://example.org/\nitems_per_page: 5\n")
    body = "\n\n".join(f"Paragraph {n} with *emphasis* and a [link](https://example.com/{n})." for n in range(30))
    for n in range(count):
        (root / f"content/articles/a{n:05d}.md").write_text(
            f"---\ntitle: Article {n}\ndate: 2018-01-{n % 28 + 1:02d}\nsource: Paper\n---\n{body}\n")


def test_killed_build_leaves_previous_output_intact(tmp_path):
    big_site(tmp_path, 3000)
    assert run("build", cwd=tmp_path).returncode == 0
    before = tree_hashes(tmp_path / "_site")
    # A new title changes every page, so the build has 3,000 pages to write when it is killed.
    (tmp_path / "site.yaml").write_text("title: Bigger\nbase_url: https://example.org/\nitems_per_page: 5\n")
    (tmp_path / "content/articles/a00000.md").write_text(
        "---\ntitle: Changed\ndate: 2018-01-01\nsource: Paper\n---\nChanged body.\n")
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", "--jobs", "1"], cwd=tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staging = tmp_path / "._site.building"
    updating = staging / ".chorus-updating"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if updating.exists() and (staging / "index.html").exists() \
                and "Bigger" in (staging / "index.html").read_text(errors="replace"):
            break  # the copy is being rewritten: the home page (the first) is new, most pages not yet
        time.sleep(0.002)
    assert process.poll() is None, "the build finished before it could be interrupted"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert tree_hashes(tmp_path / "_site") == before
    assert run("build", cwd=tmp_path).returncode == 0
    assert "Changed body." in (tmp_path / "_site/articles/a00000/index.html").read_text()
    assert "Bigger" in (tmp_path / "_site/articles/a02999/index.html").read_text()
    # The half-written copy was started afresh: it holds the new output's files and nothing else.
    assert not updating.exists() and (staging / ".chorus-copy.json").is_file()
    copy = {k: v for k, v in tree_hashes(staging).items() if not k.startswith(".chorus-")}
    output = tree_hashes(tmp_path / "_site")
    assert copy and all(output.get(path) == digest for path, digest in copy.items())


def test_manifest_and_diff_name_added_removed_and_changed_pages(site_tree, tmp_path, capsys):
    article = "---\ntitle: {0}\ndate: 2018-01-0{1}\nsource: Paper\n---\nBody {0}.\n"
    site_tree({"content/articles/a.md": article.format("A", 1), "content/articles/b.md": article.format("B", 2),
               "content/testimonies/t.md": "---\ndate: 2018-02\nconsent: {status: granted, recorded: 2018-02-01}\n"
                                           "private: {name: \"CANARY-PRIVATE-NAME\"}\n---\nText.\n"})
    assert main(["build", "--out", "old"]) == 0
    (tmp_path / "content/articles/b.md").write_text(article.format("B changed", 2))
    (tmp_path / "content/articles/a.md").unlink()
    (tmp_path / "content/articles/c.md").write_text(article.format("C", 3))
    assert main(["build", "--out", "new"]) == 0
    manifest = (tmp_path / "new/chorus-manifest.json").read_text()
    assert '"articles/c/index.html"' in manifest and "CANARY" not in manifest
    capsys.readouterr()
    assert main(["diff", "old", "new/chorus-manifest.json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "added: /articles/c/" in lines
    assert "removed: /articles/a/" in lines
    assert "changed: /articles/b/" in lines
    assert "changed: /testimonies/t/" not in lines
    assert main(["diff", "new", "new"]) == 0
    assert capsys.readouterr().out == "no changes\n"


def test_diff_of_a_folder_without_manifest_is_an_error(tmp_path, capsys):
    (tmp_path / "x").mkdir()
    assert main(["diff", str(tmp_path / "x"), str(tmp_path / "x")]) == 1
    assert "no build manifest here" in capsys.readouterr().err


@pytest.mark.parametrize("text", ['{"files": ["index.html"]}', '{"files": {"index.html": 1}}', '[1]'])
def test_diff_of_other_json_is_an_error(tmp_path, capsys, text):
    # package.json, say, also has a "files" key, holding a list.
    (tmp_path / "other.json").write_text(text)
    assert main(["diff", str(tmp_path / "other.json"), str(tmp_path / "other.json")]) == 1
    assert "not a Chorus build manifest" in capsys.readouterr().err


def test_bundle_opened_from_disk_navigates_to_every_kind_of_page(tmp_path, page, monkeypatch):
    monkeypatch.chdir(PROJECT)
    zip_path = tmp_path / "bundle.zip"
    assert main(["bundle", "--out", str(zip_path)]) == 0
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(tmp_path / "unzipped")
    home = tmp_path / "unzipped/metoo-reporting-and-testimony/index.html"
    page.goto(home.as_uri())
    for link_text, heading in (("Articles", "Articles"), ("Testimonies", "Testimonies"), ("Tags", "Tags"),
                               ("Timeline", "Timeline")):
        page.goto(home.as_uri())
        page.get_by_role("navigation", name="Main").get_by_role("link", name=link_text, exact=True).click()
        assert page.locator("h1").first.inner_text().startswith(heading)
        assert page.url.endswith("/index.html")
    page.goto(home.as_uri())
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Articles", exact=True).click()
    page.locator(".card-title a").first.click()
    assert page.locator(".item-article h1").count() == 1
    page.get_by_role("link", name="Testimonies", exact=True).click()
    page.locator(".card-title a").first.click()
    assert page.locator(".item-testimony h1").count() == 1
    page.locator(".tag-list a").first.click()
    assert "/tags/" in page.url and page.locator(".cards li").count() >= 1
    # The stylesheet loaded from disk too.
    assert page.evaluate("getComputedStyle(document.querySelector('.quick-exit')).fontWeight") == "700"
    # Search works from disk: the header form leads to the search page, which finds the Weinstein reporting.
    page.goto(home.as_uri())
    page.locator("header input[name=q]").fill("Weinstein")
    page.locator("header input[name=q]").press("Enter")
    page.wait_for_selector("#search-results .card-title")
    titles = page.locator("#search-results .card-title").all_inner_texts()
    assert any("New York Times" in title or "Weinstein" in title for title in titles), titles
    assert page.url.startswith("file://") and "q=Weinstein" in page.url
