"""Finding the content files."""





def test_content_files_are_listed_in_path_order_with_sub_folders_among_them(tmp_path):
    # Reports list files in this order; '-' sorts before '/', so a-b-x.md comes after a-b/.
    from generator.config import load_config
    from generator.content.sources import discover

    (tmp_path / "site.yaml").write_text("title: T\nbase_url: https://example.org/\nlanguage: en\n")
    articles = tmp_path / "content" / "articles"
    for name in ("a-b-x.md", "a-b/inner.md", "a-b/A/deep.md", "a.md", "A.md", "a_b.md", ".hidden.md", ".dot/x.md", "b.md"):
        (articles / name).parent.mkdir(parents=True, exist_ok=True)
        (articles / name).write_text("---\ntitle: T\n---\nText.\n")
    config, _ = load_config(tmp_path / "site.yaml")
    sources, problems = discover(config)
    listed = [f.path for f in sources.files] + [p.path for p in problems if "sub-folders" in p.message]
    expected = sorted(articles / name for name in ("a-b-x.md", "a-b/inner.md", "a-b/A/deep.md", "a.md", "A.md", "a_b.md", "b.md"))
    assert sorted(listed) == expected
    assert [p.path for p in problems if "sub-folders" in p.message] == [articles / "a-b/A/deep.md", articles / "a-b/inner.md"]
    assert [f.path.name for f in sources.files] == ["A.md", "a-b-x.md", "a.md", "a_b.md", "b.md"]
