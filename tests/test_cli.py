"""The command line: exit codes, messages, and no traceback for a user's mistake."""

import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT

ARTICLE = "---\ntitle: Hello\ndate: 2017-10-05\nsource: The Paper\n---\nBody.\n"


def run(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_build_writes_site_and_prints_a_summary(site_tree, tmp_path):
    site_tree({"content/articles/a.md": ARTICLE})
    result = run("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("built 1 articles, 0 testimonies, 0 pages into _site/: ")
    assert (tmp_path / "_site/articles/a/index.html").is_file()


def test_build_out_option(site_tree, tmp_path):
    site_tree({"content/articles/a.md": ARTICLE})
    assert run("build", "--out", "public", cwd=tmp_path).returncode == 0
    assert (tmp_path / "public/index.html").is_file()


def test_check_writes_nothing(site_tree, tmp_path):
    site_tree({"content/articles/a.md": ARTICLE})
    result = run("check", cwd=tmp_path)
    assert result.returncode == 0 and "no errors" in result.stdout
    assert not (tmp_path / "_site").exists()


def test_content_error_exit_1_without_traceback(site_tree, tmp_path):
    site_tree({"content/articles/a.md": ARTICLE.replace("date: 2017-10-05", "date: 2017-10-32")})
    result = run("build", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/articles/a.md:3: error: 'date' must be a date written YYYY-MM-DD, got '2017-10-32'",
        "1 error(s), 0 warning(s): nothing was written",
    ]
    assert not (tmp_path / "_site").exists()


def test_missing_config_exit_1(tmp_path):
    result = run("check", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "site.yaml: error: config file not found: pass --config PATH or run from the site's folder"


@pytest.mark.parametrize("args", [(), ("publish",), ("build", "--no-such-flag"), ("check", "--config")])
def test_usage_errors_exit_2(tmp_path, args):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


def test_strict_turns_warnings_into_failure(site_tree, tmp_path):
    site_tree({"content/articles/a.md": ARTICLE, "content/stray.txt": "x"})
    assert run("build", cwd=tmp_path).returncode == 0
    result = run("build", "--strict", cwd=tmp_path)
    assert result.returncode == 1
    assert "content/stray.txt: warning: file ignored" in result.stderr
    assert "warnings count as errors with --strict" in result.stderr


def test_cache_makes_the_second_build_incremental_and_no_cache_leaves_none(site_tree, tmp_path):
    site_tree({"content/articles/a.md": ARTICLE, "content/articles/b.md": ARTICLE.replace("Hello", "Other")})
    assert run("build", "--no-cache", cwd=tmp_path).returncode == 0
    assert not (tmp_path / ".cache").exists()
    run("build", "--jobs", "2", cwd=tmp_path)
    second = run("build", "--jobs", "1", cwd=tmp_path)
    assert (tmp_path / ".cache").is_dir()
    # The cache holds drafts and withdrawn testimonies as content/ does: git must never pick it up.
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    untracked = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path,
                               capture_output=True, text=True, check=True).stdout
    assert "content/articles/a.md" in untracked and ".cache" not in untracked
    assert "_site/ is up to date with 2 articles" in second.stdout, "nothing changed: nothing to do"
    (tmp_path / "content/articles/c.md").write_text(ARTICLE.replace("Hello", "Third"))
    third = run("build", "--jobs", "1", cwd=tmp_path)
    assert "unchanged)" in third.stdout and "2 content files from cache" in third.stdout
    assert run("build", "--jobs", "0", cwd=tmp_path).returncode == 2
