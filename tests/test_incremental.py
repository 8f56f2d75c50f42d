"""Incremental and parallel builds give exactly the bytes of a clean, serial build."""

import hashlib
import datetime as dt
import os
import random
import shutil
import time
from pathlib import Path

import pytest

from generator.incremental.patch import PatchSession
from generator.content import perfile as documents
from generator.output import render
from tests.conftest import build_site

TAGS = ("alpha", "beta", "gamma", "delta")


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def article(rng: random.Random, title: str) -> str:
    tags = ", ".join(sorted(rng.sample(TAGS, rng.randint(0, 2))))
    return (f"---\ntitle: \"{title}\"\ndate: 20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
            f"source: Paper\ntags: [{tags}]\nsummary: \"About {title}.\"\n---\n"
            f"Text about {title} with [a link](https://example.com/).\n\n## Part\n\nMore words {rng.random()}.\n")


def testimony(rng: random.Random, status: str = "granted") -> str:
    tags = ", ".join(sorted(rng.sample(TAGS, rng.randint(0, 2))))
    return (f"---\ndate: 20{rng.randint(17, 24)}-{rng.randint(1, 12):02d}\ntags: [{tags}]\n"
            f"consent: {{status: {status}, recorded: 2018-01-02}}\n---\nIt happened at work. {rng.random()}\n")


def seed_site(root: Path, rng: random.Random) -> None:
    (root / "content/articles").mkdir(parents=True)
    (root / "content/testimonies").mkdir(parents=True)
    (root / "content/pages").mkdir(parents=True)
    (root / "site.yaml").write_text("title: Walk\nbase_url: https://walk.example.org/\nitems_per_page: 3\n")
    (root / "content/tags.yaml").write_text("".join(f"{t}: {{label: {t.title()}}}\n" for t in TAGS))
    (root / "content/pages/about.md").write_text("---\ntitle: About\nmenu: 1\n---\nAbout us.\n")
    for n in range(10):
        (root / f"content/articles/a{n}.md").write_text(article(rng, f"Article {n}"))
    for n in range(6):
        (root / f"content/testimonies/t{n}.md").write_text(testimony(rng))


def mutate(root: Path, rng: random.Random, step: int) -> str:
    articles = sorted((root / "content/articles").glob("*.md"))
    testimonies = sorted((root / "content/testimonies").glob("*.md"))
    operation = rng.choice(["add", "edit", "edit", "retitle", "delete", "rename", "withdraw", "retag", "draft", "page",
                            "template", "tag-label", "config", "testimony-text"])
    if operation == "add" or len(articles) < 3:
        (root / f"content/articles/new{step}.md").write_text(article(rng, f"New {step}"))
    elif operation == "edit":  # the text alone, of one article or two (a draft's too)
        for target in rng.sample(articles, rng.choice((1, 1, 2))):
            target.write_text(target.read_text().replace("More words", f"Edited {step}, more words"))
    elif operation == "testimony-text" and testimonies:  # an identifying detail taken out of the text
        target = rng.choice(testimonies)
        target.write_text(target.read_text().replace("at work", f"somewhere {step}"))
    elif operation == "retitle":  # what lists, cards, neighbours and exports show, not the text
        target = rng.choice(articles)
        lines = [line for line in target.read_text().split("\n") if not line.startswith(("title: ", "summary: "))]
        lines[1:1] = [f"title: \"Retitled {step}\"", f"summary: \"Summary {step}.\""]
        target.write_text("\n".join(lines))
    elif operation == "delete":
        rng.choice(articles + testimonies).unlink()
    elif operation == "rename":
        target = rng.choice(articles)
        target.rename(target.with_name(f"renamed{step}.md"))
    elif operation == "withdraw" and testimonies:
        target = rng.choice(testimonies)
        target.write_text(target.read_text().replace("status: granted", "status: withdrawn"))
    elif operation == "retag":
        target = rng.choice(articles)
        text = target.read_text()
        start = text.index("tags: [")
        end = text.index("]", start)
        target.write_text(text[:start] + f"tags: [{rng.choice(TAGS)}" + text[end:])
    elif operation == "draft":
        target = rng.choice(articles)
        target.write_text(target.read_text().replace("source: Paper", "source: Paper\ndraft: true", 1))
    elif operation == "tag-label":
        (root / "content/tags.yaml").write_text("".join(f"{t}: {{label: {t.title()} {step}}}\n" for t in TAGS))
    elif operation == "config":
        (root / "site.yaml").write_text(f"title: Walk {step}\nbase_url: https://walk.example.org/\n"
                                        f"items_per_page: {rng.randint(2, 5)}\n")
    elif operation == "page":
        (root / "content/pages/about.md").write_text(f"---\ntitle: About {step}\nmenu: 1\n---\nAbout us.\n")
    elif (root / "templates/page.html").exists():  # back to Chorus's own templates
        (root / "templates/page.html").unlink()
    else:
        (root / "templates").mkdir(exist_ok=True)
        (root / "templates/page.html").write_text(
            "{% extends 'base.html' %}{% block main %}<h1>{{ item.title }}</h1><p>v" + str(step) + "</p>{% endblock %}")
    return operation


@pytest.mark.parametrize("process", ["one build each", "the preview's, patching"])
def test_random_walk_of_edits_matches_clean_builds(tmp_path, monkeypatch, process):
    """Each step's build gives the bytes of a clean build: in a new process each time (the cache
    on disk), or as the preview builds, in one process that patches its last build when it can."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    rng = random.Random(20171015)
    site = tmp_path / "site"
    seed_site(site, rng)
    reused_any, patched, session = False, set(), PatchSession()
    seen = set()
    for step in range(40):
        operation = mutate(site, rng, step) if step else "initial"
        seen.add(operation)
        if process == "one build each":
            incremental = build_site(site, tmp_path / "incremental", jobs=1)
        else:
            incremental = build_site(site, tmp_path / "incremental", jobs=1, session=session)
            assert session.kept is not None
            if incremental.patched:
                patched.add(operation)
        assert not incremental.errors, [d.format() for d in incremental.errors]
        build_site(site, tmp_path / f"clean{step}", use_cache=False, jobs=1)
        assert tree(tmp_path / "incremental") == tree(tmp_path / f"clean{step}"), f"step {step}: {operation}"
        reused_any |= incremental.pages_reused > 0
    assert reused_any, "the walk never reused a page, so it tested nothing incremental"
    assert {"edit", "retitle", "rename", "withdraw", "retag", "template", "config", "testimony-text"} <= seen, seen
    if process != "one build each":  # text edits were patched, and nothing else was
        assert patched == {"edit", "testimony-text"}, patched


def test_unchanged_rebuild_renders_no_item_page_again(tmp_path, monkeypatch):
    rng = random.Random(7)
    seed_site(tmp_path / "site", rng)
    first = build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    # Touched, not changed (a git checkout does this): a real build, but nothing is parsed again.
    os.utime(tmp_path / "site/content/articles/a0.md")
    second = build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    assert first.files_cached == 0 and second.files_cached == 17 and not second.up_to_date
    item_pages = [p for p in tree(tmp_path / "out") if p.startswith(("articles/a", "testimonies/t"))]
    assert second.pages_reused >= len(item_pages) > 0


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def test_build_with_nothing_changed_does_nothing_and_says_what_the_last_one_said(tmp_path):
    seed_site(tmp_path / "site", random.Random(7))
    (tmp_path / "site/content/stray.txt").write_text("a warning: file ignored")
    first = build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    before = inodes(tmp_path / "out")
    second = build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    assert second.up_to_date and inodes(tmp_path / "out") == before
    assert second.diagnostics == first.diagnostics and len(second.warnings) == 1
    assert second.summary == first.summary and second.withheld_counts == first.withheld_counts


def test_build_with_nothing_changed_does_not_load_the_stages(tmp_path):
    # Most of such a build's time used to go to importing the renderer, Markdown and the search index.
    import subprocess
    import sys

    seed_site(tmp_path / "site", random.Random(8))
    heavy = ('PIL', 'babel', 'generator.content', 'generator.output', 'generator.privacy.pii', 'generator.search',
             'generator.site', 'jinja2', 'markdown', 'nh3', 'sqlite3')
    script = ("import sys; from generator.cli import main; code = main(['build', '--out', sys.argv[1]]); "
              f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    runs = [subprocess.run([sys.executable, "-c", script, str(tmp_path / "out")], cwd=tmp_path / "site",
                           capture_output=True, text=True, env=env) for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    assert "is up to date" in runs[1].stdout + runs[1].stderr
    assert runs[0].stdout.strip().endswith("'sqlite3']") and runs[1].stdout.strip().endswith("[]")


def test_output_edited_by_hand_is_put_right_by_the_next_build(tmp_path):
    seed_site(tmp_path / "site", random.Random(7))
    build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    clean = tree(tmp_path / "out")
    (tmp_path / "out/index.html").write_text("defaced")
    (tmp_path / "out/articles/a1/index.html").unlink()
    again = build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    assert not again.up_to_date and tree(tmp_path / "out") == clean


def test_change_in_the_same_clock_tick_is_still_seen(tmp_path, monkeypatch):
    """Same size, same modification time, same inode, and (a file system whose clock ticks
    seldom: FAT's two seconds) the same change time: only the content hash can tell."""
    from generator.incremental import documents as cache
    from generator.incremental import freshness

    # However slow this machine, the file counts as modified just before the build's record.
    monkeypatch.setattr(freshness, "RACY_NS", 600_000_000_000)
    monkeypatch.setattr(cache, "RACY_NS", 600_000_000_000)
    real_stat, first_seen = cache._stat, {}

    def coarse(path):
        now = real_stat(path)
        return now and now[:3] + (first_seen.setdefault(str(path), now[3]),) + now[4:]

    monkeypatch.setattr(cache, "_stat", coarse)
    seed_site(tmp_path / "site", random.Random(7))
    build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    path = tmp_path / "site/content/articles/a0.md"
    stat = path.stat()
    text = path.read_text()
    with path.open("r+") as handle:  # in place: the inode stays
        handle.write(text.replace("Article", "Articlf", 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    assert not again.up_to_date and "Articlf" in (tmp_path / "out/articles/a0/index.html").read_text()


def test_a_rebuild_reads_again_only_the_files_the_file_system_says_changed(tmp_path, monkeypatch):
    """Listing an archive's files costs little, reading them all a second or more: a file whose
    size, times and inode are what the build that cached it saw is not read again, and one
    touched is read once, then known by its new times."""
    from generator.incremental import documents as cache

    monkeypatch.setattr(cache, "RACY_NS", 0)  # every file here was saved before the build that reads it
    read, real_hash = [], cache.hash_regular
    monkeypatch.setattr(cache, "hash_regular", lambda path: read.append(Path(path).name) or real_hash(path))
    seed_site(tmp_path / "site", random.Random(7))
    build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    for touched in ("a0.md", "a1.md"):
        read.clear()
        os.utime(tmp_path / "site/content/articles" / touched)
        again = build_site(tmp_path / "site", tmp_path / "out", jobs=1)
        assert read == [touched] and again.files_cached == 17


def test_an_edit_after_the_clock_was_put_back_is_still_seen(tmp_path, monkeypatch):
    """A clock that was ahead and is corrected (by NTP, a virtual machine restored) gives the
    next edit a time before the last build's: the file's size and times differ from what
    that build saw, so it is read again."""
    import time

    from generator.incremental import documents as cache

    class Ahead:
        @staticmethod
        def time_ns():
            return time.time_ns() + 3_600_000_000_000

    seed_site(tmp_path / "site", random.Random(7))
    monkeypatch.setattr(cache, "time", Ahead)
    build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    monkeypatch.setattr(cache, "time", time)
    path = tmp_path / "site/content/articles/a0.md"
    path.write_text(path.read_text().replace("Article 0", "Article zero"))
    build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    assert "Article zero" in (tmp_path / "out/articles/a0/index.html").read_text()


def test_embargo_that_ends_between_builds_publishes_the_item(tmp_path, monkeypatch):
    seed_site(tmp_path / "site", random.Random(7))
    path = tmp_path / "site/content/articles/a0.md"
    path.write_text(path.read_text().replace("source: Paper", "source: Paper\npublish_after: 2024-01-02", 1))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc).timestamp())))
    build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    assert not (tmp_path / "out/articles/a0").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc).timestamp())))
    later = build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    assert not later.up_to_date and (tmp_path / "out/articles/a0/index.html").is_file()


@pytest.mark.parametrize("jobs", [2, 3])
def test_any_number_of_jobs_gives_the_same_bytes(tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(documents, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(render, "PARALLEL_PAGES", 1)
    seed_site(tmp_path / "site", random.Random(3))
    serial = build_site(tmp_path / "site", tmp_path / "one", jobs=1, use_cache=False)
    parallel = build_site(tmp_path / "site", tmp_path / "many", jobs=jobs, use_cache=False)
    assert not serial.errors and not parallel.errors
    assert tree(tmp_path / "one") == tree(tmp_path / "many")
    # With the cache, workers put the rendered texts in the body store themselves.
    cached = build_site(tmp_path / "site", tmp_path / "cached", jobs=jobs)
    assert not cached.errors and tree(tmp_path / "cached") == tree(tmp_path / "one")
    for path in (tmp_path / "site/content").rglob("*.md"):  # every page made again from the store
        path.write_text(path.read_text() + "\n")
    build_site(tmp_path / "site", tmp_path / "cached", jobs=jobs)
    build_site(tmp_path / "site", tmp_path / "one", jobs=1, use_cache=False)
    assert tree(tmp_path / "cached") == tree(tmp_path / "one")


@pytest.mark.parametrize("template, expression", [
    ("article.html", "item.nope"),  # rendered by a page worker
    ("search.html", "nope.nope"),  # rendered in the build's search thread, beside the page workers
])
def test_template_error_beside_the_page_workers_is_reported_with_its_line_and_leaves_no_thread(
        tmp_path, monkeypatch, template, expression):
    import threading

    monkeypatch.setattr(render, "PARALLEL_PAGES", 1)
    seed_site(tmp_path / "site", random.Random(5))
    (tmp_path / "site/templates").mkdir()
    (tmp_path / "site/templates" / template).write_text(
        "{% extends 'base.html' %}\n{% block main %}\n{{ " + expression + " }}\n{% endblock %}\n")
    report = build_site(tmp_path / "site", tmp_path / "out", jobs=2)
    assert [d.format(tmp_path / "site") for d in report.errors][0].startswith(f"templates/{template}:3: error: template error:")
    assert not any(thread.name.startswith("chorus-search") for thread in threading.enumerate())
    assert not (tmp_path / "out").exists()


def test_menu_page_summary_change_reaches_the_home_page(tmp_path):
    # The home page lists menu pages with their summaries.
    site = tmp_path / "site"
    seed_site(site, random.Random(5))
    about = site / "content/pages/about.md"
    about.write_text("---\ntitle: About\nmenu: 1\nsummary: Who we are.\n---\nAbout us.\n")
    build_site(site, tmp_path / "incremental", jobs=1)
    about.write_text("---\ntitle: About\nmenu: 1\nsummary: Who runs the archive.\n---\nAbout us.\n")
    build_site(site, tmp_path / "incremental", jobs=1)
    build_site(site, tmp_path / "clean", jobs=1, use_cache=False)
    assert "Who runs the archive." in (tmp_path / "clean/index.html").read_text()
    assert tree(tmp_path / "incremental") == tree(tmp_path / "clean")


def test_document_cache_journal_cut_short_costs_only_a_reread(tmp_path):
    """A build killed while appending to the cache's journal: the next build reads the files
    whose records were lost again, and its output is still a clean build's."""
    site = tmp_path / "site"
    seed_site(site, random.Random(11))
    build_site(site, tmp_path / "out", jobs=1)
    for n in range(3):
        path = site / f"content/articles/a{n}.md"
        path.write_text(path.read_text().replace("More words", f"Journal edit {n}, more words"))
        build_site(site, tmp_path / "out", jobs=1)
    journal = site / ".cache/documents.journal"
    assert journal.stat().st_size > 0, "small edits are appended to the journal, not written whole"
    journal.write_bytes(journal.read_bytes()[:-7])
    path = site / "content/articles/a3.md"
    path.write_text(path.read_text().replace("More words", "After the cut, more words"))
    again = build_site(site, tmp_path / "out", jobs=1)
    assert not again.errors and again.files_cached >= 14
    build_site(site, tmp_path / "clean", jobs=1, use_cache=False)
    assert tree(tmp_path / "out") == tree(tmp_path / "clean")


def test_a_change_inside_a_linked_template_folder_is_seen_and_a_link_loop_is_harmless(tmp_path):
    seed_site(tmp_path / "site", random.Random(7))
    shared = tmp_path / "site/shared-templates"  # inside the site: a link out of it is refused (test_hostile_files.py)
    shared.mkdir()
    (shared / "page.html").write_text("{% extends 'base.html' %}{% block main %}<h1>{{ item.title }}</h1><p>one</p>{% endblock %}")
    (tmp_path / "site/templates").symlink_to(shared, target_is_directory=True)
    (shared / "loop").symlink_to(shared, target_is_directory=True)
    assert not build_site(tmp_path / "site", tmp_path / "out", jobs=1).errors
    (shared / "page.html").write_text("{% extends 'base.html' %}{% block main %}<h1>{{ item.title }}</h1><p>two</p>{% endblock %}")
    again = build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    assert not again.up_to_date and "<p>two</p>" in (tmp_path / "out/about/index.html").read_text()


def test_a_preview_process_building_again_keeps_the_cache_right_when_another_build_wrote_it(tmp_path):
    """A process that builds again (the preview) starts from the cache it saved, unless another
    build wrote the cache since: then it reads it back. Either way the output is a clean build's,
    and the cache on disk holds every file for the next process."""
    from generator.incremental import documents as cache

    site = tmp_path / "site"
    seed_site(site, random.Random(12))
    out = tmp_path / "out"

    def edit(name: str, words: str) -> None:
        path = site / name
        path.write_text(path.read_text().replace("It happened", f"{words}. It happened").replace("More words", f"{words}, more words"))

    build_site(site, out, jobs=1)
    edit("content/articles/a1.md", "Edited here")
    build_site(site, out, jobs=1)  # from the entries this process saved
    edit("content/testimonies/t2.md", "Edited by another build")  # a testimony: the cache is written whole
    (site / "content/articles/a4.md").unlink()
    # Another process builds: it knows only the cache on disk; then the preview's process goes on.
    preview_knows = dict(cache._last_saved)
    cache._last_saved.clear()
    assert not build_site(site, out, jobs=1).errors
    cache._last_saved.clear()
    cache._last_saved.update(preview_knows)
    edit("content/articles/a2.md", "Edited here again")
    again = build_site(site, out, jobs=1)
    assert not again.errors
    build_site(site, tmp_path / "clean", jobs=1, use_cache=False)
    assert tree(out) == tree(tmp_path / "clean")
    cache._last_saved.clear()  # what a new process finds on disk
    fresh = build_site(site, tmp_path / "elsewhere", jobs=1)
    files = [path for folder in ("articles", "testimonies", "pages") for path in (site / "content" / folder).glob("*.md")]
    assert fresh.files_cached == len(files) == 16 and not fresh.errors  # none read again


def test_a_preview_process_building_again_after_the_body_store_was_deleted_builds_right(tmp_path):
    """The preview keeps its cache entries in memory; their rendered texts live in .cache/bodies.sqlite.
    Deleted while the preview runs, every page is still made right when they are all needed."""
    site = tmp_path / "site"
    seed_site(site, random.Random(13))
    out = tmp_path / "out"
    build_site(site, out, jobs=1)
    (site / ".cache/bodies.sqlite").unlink()
    (site / "site.yaml").write_text((site / "site.yaml").read_text().replace("title: Walk", "title: Walk again"))
    again = build_site(site, out, jobs=1)  # every page again, with every item's text
    assert not again.errors
    build_site(site, tmp_path / "clean", jobs=1, use_cache=False)
    assert tree(out) == tree(tmp_path / "clean")


def test_the_code_fingerprint_covers_the_stemmers_version(monkeypatch):
    """The search page's stemmers are translated from snowballstemmer's: a build after an upgrade
    that changed nothing else must make them (and the index's stems) again."""
    from importlib import metadata

    from generator.incremental import cachedir

    before = cachedir.code_fingerprint()
    installed = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "0.1" if name == "snowballstemmer" else installed(name))
    cachedir._library_versions.cache_clear()  # what the next process reads (this one read them once)
    try:
        assert cachedir.code_fingerprint() != before
    finally:
        cachedir._library_versions.cache_clear()


def test_the_code_fingerprint_covers_every_module_of_every_package(tmp_path, monkeypatch):
    """Cached rendered text is trusted only by the code that made it: a change in a module inside
    a package (or code moved from one module to another) must invalidate it too."""
    from generator.incremental import cachedir

    code = tmp_path / "generator"
    (code / "content").mkdir(parents=True)
    (code / "__init__.py").write_text("")
    (code / "content" / "markup.py").write_text("SANITISE = True\n")
    monkeypatch.setattr(cachedir, "GENERATOR_DIR", code)
    before = cachedir.code_fingerprint()
    (code / "content" / "markup.py").write_text("SANITISE = False\n")
    edited = cachedir.code_fingerprint()
    assert edited != before
    (code / "content" / "markup.py").rename(code / "content" / "render.py")  # the same code, moved
    assert cachedir.code_fingerprint() not in (before, edited)


def test_a_file_saved_again_within_the_clock_tick_of_the_last_scan_is_changed(tmp_path):
    """An editor saves twice in a moment: the file system may report the same size and times for
    both versions, so the preview compares the bytes of files written that lately."""
    from generator.incremental.freshness import changed_files, racy_hashes, scan

    path = tmp_path / "a.md"
    path.write_text("one")
    entries = scan([tmp_path], (str(tmp_path),))
    racy = racy_hashes(entries)
    path.write_text("two")
    assert changed_files(entries, racy, entries) == {str(path)}
    assert changed_files(entries, racy_hashes(()), entries) == set()


def test_only_files_saved_within_moments_of_a_scan_are_hashed_to_compare(tmp_path):
    """The rest are compared by size and times: hashing every file at every check would have the
    preview read the whole archive after each save."""
    from generator.incremental.freshness import racy_hashes, scan

    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text("old")
    new.write_text("new")
    an_hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(old, ns=(an_hour_ago, an_hour_ago))
    assert set(racy_hashes(scan([tmp_path], (str(tmp_path),)))) == {str(new)}


def edited_in_the_preview(site_tree, tmp_path):
    """Four articles built by the preview, then one's text edited and built again: (root, report)."""
    article = "---\ntitle: A{n}\ndate: 2018-01-0{n}\nsource: Paper\n---\n\n{text}\n"
    root = site_tree({f"content/articles/a{n}.md": article.format(n=n, text=f"First words {n}.") for n in range(1, 5)})
    session = PatchSession()
    assert not build_site(root, tmp_path / "preview", session=session, jobs=1).errors
    (root / "content/articles/a2.md").write_text(article.format(n=2, text="Second words, edited."))
    return root, build_site(root, tmp_path / "preview", session=session, jobs=1)


def test_the_cache_a_patching_preview_saves_serves_the_next_build(site_tree, tmp_path, monkeypatch):
    """The preview patches its last build after an edit to an item's text and saves the document
    cache with it. The next build (a new process: nothing kept in memory) reuses every file from
    that cache, the edited one as edited, and writes what a clean build writes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root, patched = edited_in_the_preview(site_tree, tmp_path)
    assert not patched.errors and patched.patched
    next_build = build_site(root, tmp_path / "next", jobs=1)
    assert not next_build.errors and next_build.files_cached == 4
    assert b"Second words, edited." in (tmp_path / "next/articles/a2/index.html").read_bytes()
    build_site(root, tmp_path / "clean", use_cache=False, jobs=1)
    assert tree(tmp_path / "next") == tree(tmp_path / "clean")


def test_the_preview_reads_again_only_the_file_edited_even_when_every_file_is_freshly_saved(site_tree, tmp_path,
                                                                                              monkeypatch):
    """Files saved within a clock tick of a build are checked by their hash, not only their time:
    the preview's next build reads again the one edited, and reuses the others, unchanged."""
    from generator.incremental import freshness

    monkeypatch.setattr(freshness, "RACY_NS", 600_000_000_000)  # every file counts as just saved
    _, again = edited_in_the_preview(site_tree, tmp_path)
    assert not again.errors and again.patched and again.files_cached == 3


def test_the_check_lists_every_file_past_link_loops_and_unreadable_folders_and_never_walks_out(tmp_path, monkeypatch):
    """Whether anything changed is decided from this list: a folder left out of it (after a link
    loop, or an unreadable folder) would let a rebuild say "up to date" over an edit there. A
    link to a folder inside the site is walked, one out of it is listed but not walked, and each
    thing the build will refuse (a dangling link, a folder it cannot read) is listed too."""
    from generator.incremental.freshness import scan

    site, outside = tmp_path / "site", tmp_path / "outside"
    for folder in ("a", "b", "c", "shared"):
        (site / folder).mkdir(parents=True)
    outside.mkdir()
    (site / "b/page.md").write_text("b")
    (site / "shared/s.md").write_text("s")
    (outside / "o.md").write_text("o")
    (site / "a/loop").symlink_to(site / "a", target_is_directory=True)
    (site / "a/shared").symlink_to(site / "shared", target_is_directory=True)
    (site / "a/out").symlink_to(outside, target_is_directory=True)
    (site / "a/gone").symlink_to(site / "nowhere")
    real_scandir = os.scandir

    def unreadable_c(path):
        if os.fspath(path) == str(site / "c"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", unreadable_c)
    # Listed last to first: a (and its loop) before b, c before them.
    for folders in ([site / "b", site / "a"], [site / "a", site / "b", site / "c"]):
        listed = {entry[0].removeprefix(f"{site}/") for entry in scan(folders, (str(site),))}
        assert {"b/page.md", "a/shared/", "a/shared/s.md", "a/out/", "a/gone", "a/loop/"} <= listed, listed
        assert not any("o.md" in path for path in listed)
    assert "c/" in listed


def test_two_outputs_of_one_site_are_each_rebuilt_after_an_edit(tmp_path):
    """The record of what a build wrote is kept per output folder: a build into another folder
    (the preview's, a copy for a bundle) must not make this one look current."""
    seed_site(tmp_path / "site", random.Random(7))
    build_site(tmp_path / "site", tmp_path / "one", jobs=1)
    path = tmp_path / "site/content/articles/a0.md"
    path.write_text(path.read_text().replace("Article 0", "Article zero"))
    build_site(tmp_path / "site", tmp_path / "two", jobs=1)
    again = build_site(tmp_path / "site", tmp_path / "one", jobs=1)
    assert not again.up_to_date and "Article zero" in (tmp_path / "one/articles/a0/index.html").read_text()


def test_a_body_store_deleted_between_builds_costs_only_a_reread(tmp_path):
    """The text of each cached document is kept in .cache/bodies.sqlite: deleted (by hand, or a
    clean-up tool), the next build reads again the files whose text is gone, and its pages are
    a clean build's."""
    from generator.incremental import bodies
    from generator.incremental import documents as cache

    seed_site(tmp_path / "site", random.Random(7))
    build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    cache.forget_saved()
    bodies.forget_stores()
    (tmp_path / "site/.cache/bodies.sqlite").unlink()
    path = tmp_path / "site/content/pages/about.md"
    path.write_text(path.read_text().replace("About us.", "About us, again."))
    again = build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    assert not again.diagnostics, [d.format() for d in again.diagnostics]  # nothing was damaged
    build_site(tmp_path / "site", tmp_path / "clean", use_cache=False, jobs=1)
    assert tree(tmp_path / "out") == tree(tmp_path / "clean")


def test_a_detail_removed_from_a_testimony_or_a_deleted_testimony_leaves_the_document_cache(tmp_path):
    """An editor removes a detail that could identify someone, or deletes the testimony: no
    earlier version stays in .cache/ (the document cache is written whole then, not appended to,
    and the texts no entry needs leave the body store)."""
    seed_site(tmp_path / "site", random.Random(7))
    path = tmp_path / "site/content/testimonies/t0.md"
    path.write_text(path.read_text().replace("---\nIt happened", "pseudonym: A nurse at the Leeds depot\n---\nIt happened"))
    build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    cache = lambda: b"".join(p.read_bytes() for p in (tmp_path / "site/.cache").iterdir() if p.is_file())  # noqa: E731
    assert b"Leeds depot" in cache()
    path.write_text(path.read_text().replace("A nurse at the Leeds depot", "A nurse"))
    build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    assert b"Leeds depot" not in cache()
    other = tmp_path / "site/content/testimonies/t1.md"
    other.write_text(other.read_text().replace("---\nIt happened", "pseudonym: A clerk\n---\nAt the Hull office it happened"))
    build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    assert b"Hull office" in cache()
    other.unlink()
    build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    assert b"Hull office" not in cache()


def test_a_file_where_a_folder_is_now_needed_is_replaced_by_it_and_the_other_way_round(tmp_path):
    """A template's static file becomes a folder of files between builds (static/pattern, then
    static/pattern/dark/bg.css), and back: each rebuild gives a clean build's bytes. (The folder's
    files were deleted again as the file's leftover, and going back failed with "Not a directory".)"""
    seed_site(tmp_path / "site", random.Random(7))
    static = tmp_path / "site/templates/static"
    static.mkdir(parents=True)
    (static / "pattern").write_text("body { color: black; }\n")
    about = tmp_path / "site/content/pages/about.md"
    for n in range(2):  # the second build keeps the first's files in the copy beside the output
        about.write_text(about.read_text().replace("About us", f"About us ({n})"))
        assert not build_site(tmp_path / "site", tmp_path / "out", jobs=1).errors
    assert (tmp_path / ".out.building/static/pattern").is_file()
    (static / "pattern").unlink()
    (static / "pattern/dark").mkdir(parents=True)
    (static / "pattern/dark/bg.css").write_text("body { color: white; }\n")
    (tmp_path / "site/content/articles/a0.md").unlink()  # its page goes in the same build
    again = build_site(tmp_path / "site", tmp_path / "out", jobs=1)
    assert not again.errors, [d.format() for d in again.errors]
    assert (tmp_path / "out/static/pattern/dark/bg.css").read_text() == "body { color: white; }\n"
    build_site(tmp_path / "site", tmp_path / "clean", use_cache=False, jobs=1)
    assert tree(tmp_path / "out") == tree(tmp_path / "clean")
    about.write_text(about.read_text().replace("About us", "About us again"))
    assert not build_site(tmp_path / "site", tmp_path / "out", jobs=1).errors
    assert (tmp_path / ".out.building/static/pattern/dark/bg.css").is_file()
    shutil.rmtree(static / "pattern")  # and back: a folder where a file is now needed
    (static / "pattern").write_text("body { color: grey; }\n")
    for n in range(2):  # the copy beside the output holds the folder at the first
        about.write_text(about.read_text().replace("About us", f"About us again ({n})"))
        assert not build_site(tmp_path / "site", tmp_path / "out", jobs=1).errors
        assert (tmp_path / "out/static/pattern").read_text() == "body { color: grey; }\n"
    build_site(tmp_path / "site", tmp_path / "clean again", use_cache=False, jobs=1)
    assert tree(tmp_path / "out") == tree(tmp_path / "clean again")


def test_a_rebuild_leaves_each_item_page_it_did_not_change_as_it_was(tmp_path):
    """After an edit, the item pages the edit does not touch are not written again: each keeps
    its inode and modification time, so a sync to the web server (rsync, say) sends only what
    changed."""
    seed_site(tmp_path / "site", random.Random(7))
    out = tmp_path / "out"

    def pages() -> dict[str, tuple[int, int]]:
        return {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
                for folder in ("articles", "testimonies") for p in (out / folder).rglob("*.html")}

    before = None
    for n in range(3):  # the third build is the first that writes into a copy the second made
        path = tmp_path / "site/content/articles/a0.md"
        path.write_text(path.read_text().replace("More words", f"More words ({n})"))
        build_site(tmp_path / "site", out, jobs=1)
        now = pages()
        if before:
            assert now["articles/a0/index.html"] != before["articles/a0/index.html"]
            assert {path: stat for path, stat in now.items() if path != "articles/a0/index.html"} == {
                path: stat for path, stat in before.items() if path != "articles/a0/index.html"}
        before = now
