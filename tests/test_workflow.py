"""The editorial workflow: ids never reused, and the commonest slips said as what to do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from generator.scaffold import slugify
from tests.conftest import PROJECT

TESTIMONY = "---\ndate: 2018-03\nconsent:\n  status: granted\n  recorded: 2018-04-01\n---\n\n{text}\n"


def run(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def git(cwd, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "editor@example.org",
           "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "editor@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def archive(site_tree, tmp_path):
    """A site in a git repository with two testimonies, the second deleted in a later commit."""
    site_tree({"content/testimonies/t010.md": TESTIMONY.format(text="The tenth story."),
               "content/testimonies/t011.md": TESTIMONY.format(text="The eleventh story.")})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "two testimonies")
    git(tmp_path, "rm", "-q", "content/testimonies/t011.md")
    git(tmp_path, "commit", "-q", "-m", "t011 deleted")
    return tmp_path


def test_a_new_testimony_never_takes_a_deleted_id(archive):
    made = run("new", "testimony", cwd=archive)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "content/testimonies/t012.md"


def test_a_new_testimony_never_takes_an_id_the_last_build_published(site_tree, tmp_path):
    site_tree({"content/testimonies/t001.md": TESTIMONY.format(text="One."),
               "content/testimonies/t002.md": TESTIMONY.format(text="Two.")})
    assert run("build", cwd=tmp_path).returncode == 0
    (tmp_path / "content/testimonies/t002.md").unlink()  # no git here: the manifest remembers it
    assert run("new", "testimony", cwd=tmp_path).stdout.strip() == "content/testimonies/t003.md"


def test_a_file_that_takes_a_deleted_id_is_an_error(archive):
    (archive / "content/testimonies/t011.md").write_text(TESTIMONY.format(text="Another person's story."))
    commit = git(archive, "log", "-1", "--format=%H").strip()[:10]
    checked = run("check", cwd=archive)
    assert checked.returncode == 1
    assert (f"content/testimonies/t011.md:1: error: the id 't011' belonged to a testimony deleted in commit {commit}: "
            f"a new item must never take a withdrawn or deleted item's address, which readers, search engines and "
            f"archives may still link to. Rename the file (python -m generator new testimony picks a free id)"
            ) in checked.stderr.splitlines()


def test_the_same_testimony_restored_is_not_an_error(archive):
    git(archive, "checkout", "-q", "HEAD~1", "--", "content/testimonies/t011.md")
    assert run("check", cwd=archive).returncode == 0


@pytest.mark.parametrize("front, message", [
    ("title: Weinstein: the report\ndate: 2017-10-05\nsource: P\n",
     "content/articles/a.md:2: error: the value of 'title' holds ': ', which YAML reads as another field: put the "
     "whole value in quotes, title: \"Weinstein: the report\""),
    ("title: A\n\tdate: 2017-10-05\nsource: P\n",
     "content/articles/a.md:3: error: a tab character: YAML indents with spaces only, replace the tab with spaces"),
    ("title: A\ndate: 2017-10-05\nsource: P\ndraft: \"true\"\n",
     "content/articles/a.md:5: error: 'draft' must be true or false without quotes (in quotes it is text): write draft: true"),
    ("title: A\ndate: 2018-2-3\nsource: P\n",
     "content/articles/a.md:3: error: 'date' must be a date written YYYY-MM-DD, got '2018-2-3' (did you mean 2018-02-03?)"),
    ("title: A\ndate:\nsource: P\n",
     "content/articles/a.md:3: error: 'date' is required but empty: write its value after 'date:'"),
])
def test_the_commonest_slips_say_what_to_do(site_tree, tmp_path, front, message):
    site_tree({"content/articles/a.md": f"---\n{front}---\n\nText.\n"})
    checked = run("check", cwd=tmp_path)
    assert checked.returncode == 1
    assert message in checked.stderr.splitlines(), checked.stderr


def test_a_long_title_makes_a_slug_cut_at_a_word():
    slug = slugify("When the women who worked for the film producer finally spoke in the newspaper of record")
    assert slug == "when-the-women-who-worked-for-the-film-producer-finally"
    assert len(slug) <= 60 and not slug.endswith("-")


def test_a_new_article_with_a_title_already_used_says_so(site_tree, tmp_path):
    site_tree({"content/articles/hello.md": "---\ntitle: \"Hello  World\"\ndate: 2017-10-05\nsource: P\n---\nText.\n"})
    made = run("new", "article", "hello world", cwd=tmp_path)
    assert made.returncode == 0
    assert made.stdout.strip() == "content/articles/hello-world.md"
    assert ("note: content/articles/hello.md has the same title; if it is the same article, delete "
            "content/articles/hello-world.md and edit that one") in made.stderr


# Hooks that check what is committed.

ARTICLE = "---\ntitle: A\ndate: {date}\nsource: P\n---\n\nText.\n"


@pytest.fixture
def repo(site_tree, tmp_path):
    site_tree({"content/articles/a.md": ARTICLE.format(date="2017-10-05")})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def test_a_broken_file_staged_then_fixed_without_staging_is_refused(repo):
    path = repo / "content/articles/a.md"
    path.write_text(ARTICLE.format(date="2017-13-05"))
    git(repo, "add", "content/articles/a.md")
    path.write_text(ARTICLE.format(date="2017-10-06"))  # fixed, but the fix is not staged
    assert run("check", cwd=repo).returncode == 0  # the working folder is fine ...
    staged = run("check", "--staged", cwd=repo)  # ... the commit would not be
    assert staged.returncode == 1
    lines = staged.stderr.splitlines()
    assert lines[0] == "content/articles/a.md:3: error: 'date' must be a date written YYYY-MM-DD, got '2017-13-05'"
    assert lines[-1] == ("commit refused: the staged files have the problems above. Fix them, stage the fixes "
                         "(git add), and commit again")


def test_a_broken_file_not_staged_does_not_refuse_the_commit(repo):
    (repo / "content/articles/a.md").write_text(ARTICLE.format(date="2017-13-05"))
    (repo / "content/articles/b.md").write_text(ARTICLE.format(date="2017-11-05"))
    git(repo, "add", "content/articles/b.md")
    assert run("check", "--staged", cwd=repo).returncode == 0


def test_the_hook_refuses_a_commit_and_says_so(repo):
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text(f"#!/bin/sh\nexec {sys.executable} -m generator check --staged\n")
    hook.chmod(0o755)
    (repo / "content/articles/a.md").write_text(ARTICLE.format(date="2017-13-05"))
    git(repo, "add", "-A")
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "GIT_AUTHOR_NAME": "E", "GIT_AUTHOR_EMAIL": "e@example.org",
           "GIT_COMMITTER_NAME": "E", "GIT_COMMITTER_EMAIL": "e@example.org"}
    done = subprocess.run(["git", "commit", "-m", "broken"], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "commit refused" in done.stderr
    assert git(repo, "log", "--format=%s").splitlines() == ["first"]


def test_the_pre_commit_framework_hook_checks_the_staged_files():
    import yaml

    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in hooks] == ["chorus-check"]
    assert "--staged" in hooks[0]["entry"].split() and hooks[0]["pass_filenames"] is False


# Drafts in the preview, never in a build.

def test_drafts_show_in_the_drafts_preview_only(site_tree, tmp_path):
    import json
    import re
    import urllib.error
    import urllib.request

    draft = TESTIMONY.format(text="A draft story.").replace("date: 2018-03", "title: \"Under review\"\ndate: 2018-03\ndraft: true")
    withdrawn = TESTIMONY.format(text="A withdrawn story.").replace("status: granted", "status: withdrawn")
    site_tree({"content/testimonies/t001.md": TESTIMONY.format(text="A published story."),
               "content/testimonies/t002.md": draft, "content/testimonies/t003.md": withdrawn})
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", "0", "--drafts"], cwd=tmp_path,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base = re.search(r"http://127\.0\.0\.1:\d+/", process.stdout.readline()).group(0)
        page = urllib.request.urlopen(base + "testimonies/t002/").read().decode()
        assert "Not published (draft)." in page and "A draft story." in page
        listing = urllib.request.urlopen(base + "testimonies/").read().decode()
        assert "Under review" in listing and "Not published (draft)" in listing
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(base + "testimonies/t003/")
        assert json.loads(urllib.request.urlopen(base + "__chorus/errors").read()) == []
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / ".cache/preview-drafts/testimonies/t002/index.html").is_file()
    assert run("build", cwd=tmp_path).returncode == 0
    assert not (tmp_path / "_site/testimonies/t002").exists()
    assert b"A draft story." not in b"".join(p.read_bytes() for p in (tmp_path / "_site").rglob("*") if p.is_file())
    assert not (tmp_path / ".cache/preview-site/testimonies/t002").exists()


# Withdrawal that ends everywhere Chorus can reach.

def test_a_withdrawal_is_reported_listed_for_purging_and_purged_from_the_preview(site_tree, tmp_path):
    from tests.conftest import build_site

    root = site_tree({"content/testimonies/t001.md": TESTIMONY.format(text="The first story."),
                      "content/testimonies/t002.md": TESTIMONY.format(text="The second story.")})
    assert run("build", cwd=root).returncode == 0
    assert not build_site(root, root / ".cache/preview-site").errors  # as the preview leaves it
    assert (root / ".cache/preview-site/testimonies/t001/index.html").is_file()
    path = root / "content/testimonies/t001.md"
    path.write_text(path.read_text().replace("status: granted", "status: withdrawn"))
    built = run("build", cwd=root)
    assert built.returncode == 0
    assert "no longer published: /testimonies/t001/ (consent withdrawn)" in built.stderr.splitlines()
    assert (root / "._site.removed.txt").read_text() == "https://example.org/testimonies/t001/\n"
    assert not (root / ".cache/preview-site/testimonies/t001").exists()  # at once, before the preview runs
    again = run("build", "--no-cache", cwd=root)
    assert "no longer published" not in again.stderr and not (root / "._site.removed.txt").exists()


def test_withdrawn_notice_says_nothing_of_the_testimony(site_tree, tmp_path):
    site_yaml = "title: T\nbase_url: https://example.org/\nwithdrawn: notice\n"
    withdrawn = TESTIMONY.format(text="Secret story text.").replace(
        "date: 2018-03", "title: \"Secret title\"\npseudonym: \"Secret pseudonym\"\nregion: \"Secret region\"\ndate: 2018-03"
    ).replace("status: granted", "status: withdrawn")
    site_tree({"content/testimonies/t001.md": withdrawn,
               "content/testimonies/t002.md": TESTIMONY.format(text="A published story.")}, site_yaml=site_yaml)
    assert run("build", cwd=tmp_path).returncode == 0
    notice = (tmp_path / "_site/testimonies/t001/index.html").read_text()
    assert "withdrawn at the request of the person who shared it" in notice
    assert '<meta name="robots" content="noindex">' in notice
    everything = b"".join(p.read_bytes() for p in (tmp_path / "_site").rglob("*") if p.is_file())
    assert b"Secret" not in everything and b"March 2018" not in notice.encode()
    for listing in ("sitemap.xml", "feed.xml", "testimonies/index.html", "data/items.json"):
        assert "/testimonies/t001/" not in (tmp_path / "_site" / listing).read_text()


def test_withdrawn_takes_remove_or_notice_only(site_tree, tmp_path):
    site_tree({}, site_yaml="title: T\nbase_url: https://example.org/\nwithdrawn: notise\n")
    checked = run("check", cwd=tmp_path)
    assert checked.returncode == 1
    assert "site.yaml:3: error: 'withdrawn' must be remove or notice, got 'notise' (did you mean 'notice'?)" in checked.stderr


# Review what a commit publishes.

def article(title: str, date: str, tags: str = "law", text: str = "Text.") -> str:
    return f"---\ntitle: \"{title}\"\ndate: {date}\nsource: Paper\ntags: [{tags}]\n---\n\n{text}\n"


@pytest.fixture
def history(site_tree, tmp_path):
    site_tree({"content/tags.yaml": "law: {label: Law}\nwork: {label: Work}\n",
               "content/articles/a.md": article("First", "2017-10-05"),
               "content/articles/b.md": article("Second", "2017-11-05"),
               "content/articles/c.md": article("Third", "2017-12-05", tags="work"),
               "content/testimonies/t001.md": TESTIMONY.format(text="A story.")})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def test_diff_since_gives_each_changed_address_its_reason(history):
    (history / "content/articles/d.md").write_text(article("Fourth", "2018-01-05", tags="work"))
    (history / "content/articles/a.md").write_text(article("First", "2017-10-05", text="Edited text."))
    path = history / "content/testimonies/t001.md"
    path.write_text(path.read_text().replace("status: granted", "status: withdrawn"))
    done = run("diff", "--since", "HEAD", cwd=history)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for expected in ("added: /articles/d/ (a new item)",
                     "changed: /articles/a/ (its own item edited)",
                     "changed: /articles/c/ (its newer/older link)",
                     "removed: /testimonies/t001/ (consent withdrawn)",
                     "changed: /articles/ (the list of articles)",
                     "changed: /tags/work/ (a tag page)",
                     "changed: /feed.xml (the feed)"):
        assert expected in lines, done.stdout
    assert not any(line.startswith("changed: /articles/b/") for line in lines)  # nothing it shows changed
    assert git(history, "worktree", "list").count("\n") == 1  # the temporary worktree is gone


def test_diff_since_writes_a_pull_request_comment(history):
    (history / "content/articles/d.md").write_text(article("Fourth", "2018-01-05"))
    done = run("diff", "--since", "HEAD", "--format", "markdown", cwd=history)
    assert done.returncode == 0
    text = done.stdout
    assert text.startswith("**Chorus:** what this change publishes, compared with `HEAD`: 2 added, ")
    assert "| added | `/articles/d/` | a new item |" in text


def test_diff_since_a_revision_that_does_not_exist_is_an_error(history):
    done = run("diff", "--since", "no-such-branch", cwd=history)
    assert done.returncode == 1
    assert done.stderr.startswith("cannot compare with no-such-branch:")


def test_chorus_installed_as_the_pre_commit_framework_installs_it_checks_the_staged_files(repo, tmp_path_factory):
    """pre-commit installs a hook repository with pip (language: python) and runs its entry:
    `chorus check --staged`. Installed, Chorus finds its own templates under share/chorus/."""
    target = tmp_path_factory.mktemp("installed")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--target", str(target), str(PROJECT)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (target / "share/chorus/templates/base.html").is_file()
    (repo / "content/articles/a.md").write_text(ARTICLE.format(date="2017-13-05"))
    git(repo, "add", "-A")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(target)  # the package from the install, its libraries from this environment
    hook = subprocess.run([sys.executable, str(target / "bin/chorus"), "check", "--staged", "--strict"], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=120)
    assert hook.returncode == 1
    assert "content/articles/a.md:3: error: 'date' must be a date written YYYY-MM-DD" in hook.stderr
    assert "commit refused" in hook.stderr
    for leftover in ("build", "chorus_archive.egg-info"):
        shutil.rmtree(PROJECT / leftover, ignore_errors=True)


def test_a_new_article_never_takes_the_address_of_one_deleted_in_git_history(site_tree, tmp_path):
    # The same rule as for testimonies: a reader's old link must never lead to another text.
    site_tree({"content/articles/a-report.md": ARTICLE.format(date="2018-01-02")})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "an article")
    git(tmp_path, "rm", "-q", "content/articles/a-report.md")
    git(tmp_path, "commit", "-q", "-m", "the article deleted")
    made = run("new", "article", "A report", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "content/articles/a-report-2.md"
    (tmp_path / "content/articles/a-report.md").write_text(ARTICLE.format(date="2019-05-06").replace("Text.", "Other."))
    checked = run("check", cwd=tmp_path)
    assert checked.returncode == 1
    assert "content/articles/a-report.md:1: error: the address 'a-report' belonged to an article deleted in commit" \
        in checked.stderr, checked.stderr
