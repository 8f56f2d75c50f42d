"""The document cache on its own (generator/incremental/documents.py), as the next build finds it
on disk: each file's result comes back without the file being read again, an edit appended to
the journal included; an entry whose rendered text is gone from the body store, or a damaged
cache, costs a reread. Without a build, in milliseconds: the builds of tests/test_incremental.py
show the same through the pages."""

from pathlib import Path

from markupsafe import Markup

from generator.core.model import InlineBody, Page, StoredBody
from generator.core.types import FileResult, FileSettings, Redactions
from generator.incremental import documents
from generator.incremental.bodies import MemoryStore
from generator.incremental.documents import DocumentCache


def settings(root: Path) -> FileSettings:
    return FileSettings(language="en", max_file_bytes=100_000, redactions=Redactions(), read_roots=(str(root),))


def page_result(path: Path, body_key: str) -> FileResult:
    page = Page(path=path, slug=path.stem, title=path.stem.title(), summary="", menu=None, language="en",
                draft=False, body_markdown="Text.", body_line=4, body=StoredBody(body_key))
    return FileResult(page, (), (), ())


def read(cache: DocumentCache, store: MemoryStore, path: Path) -> None:
    """What a build does with a file it reads: its result in the cache, its text in the body store."""
    digest = cache.file_hash(path)
    store.put([(cache.body_key(digest), InlineBody(Markup("<p>Text.</p>"), "Text."))])
    cache.put(path, digest, page_result(path, cache.body_key(digest)))


def cache_with(folder: Path, store: MemoryStore, *paths: Path) -> DocumentCache:
    """A build of these files, saved."""
    cache = DocumentCache(folder, settings(folder.parent), store)
    for path in paths:
        read(cache, store, path)
    cache.save()
    return cache


def next_process(folder: Path, store: MemoryStore) -> DocumentCache:
    documents.forget_saved()  # what a new process knows: only the files on disk
    return DocumentCache(folder, settings(folder.parent), store)


def results(cache: DocumentCache, *paths: Path) -> list[str | None]:
    """The title of each file's cached result, or None where the file would be read again."""
    found = [cache.get(path, cache.file_hash(path)) for path in paths]
    return [result.document.title if result else None for result in found]


def test_the_next_process_finds_each_files_result_on_disk_an_edit_in_the_journal_included(tmp_path):
    about, contact = tmp_path / "about.md", tmp_path / "contact.md"
    about.write_text("About.")
    contact.write_text("Contact.")
    store = MemoryStore()
    cache_with(tmp_path / ".cache", store, about, contact)
    again = next_process(tmp_path / ".cache", store)
    assert results(again, about, contact) == ["About", "Contact"] and again.damaged is None
    contact.write_text("Contact us.")  # an edited page goes to the journal, the rest stands
    assert results(again, contact) == [None]
    read(again, store, contact)
    again.save()
    assert (tmp_path / ".cache/documents.journal").stat().st_size > 0
    third = next_process(tmp_path / ".cache", store)
    assert results(third, about, contact) == ["About", "Contact"]


def test_an_entry_whose_text_is_gone_from_the_body_store_is_read_again_and_only_that_one(tmp_path):
    about, contact = tmp_path / "about.md", tmp_path / "contact.md"
    about.write_text("About.")
    contact.write_text("Contact.")
    store = MemoryStore()
    cache = cache_with(tmp_path / ".cache", store, about, contact)
    store.discard([cache.body_key(cache.file_hash(contact))])
    again = next_process(tmp_path / ".cache", store)
    assert results(again, about, contact) == ["About", None]


def test_a_damaged_cache_is_read_as_empty_and_says_why(tmp_path):
    about = tmp_path / "about.md"
    about.write_text("About.")
    store = MemoryStore()
    cache_with(tmp_path / ".cache", store, about)
    saved = tmp_path / ".cache/documents.pickle"
    saved.write_bytes(saved.read_bytes()[:-40])
    again = next_process(tmp_path / ".cache", store)
    assert results(again, about) == [None]
    assert again.damaged and again.damaged.startswith(("UnpicklingError", "EOFError")), again.damaged


def test_a_disk_that_refuses_the_new_cache_file_is_reported_as_itself_and_the_old_cache_stands(tmp_path, monkeypatch):
    """The cache is written whole to documents.partial, then renamed (here because a file was
    deleted): where that file cannot even be made (a full disk), the error is the disk's, not one
    about the partial file, and the cache saved before is still there for the next build."""
    import errno

    about, contact = tmp_path / "about.md", tmp_path / "contact.md"
    about.write_text("About.")
    contact.write_text("Contact.")
    store = MemoryStore()
    cache_with(tmp_path / ".cache", store, about, contact)
    saved = (tmp_path / ".cache/documents.pickle").read_bytes()
    contact.unlink()
    again = next_process(tmp_path / ".cache", store)
    assert results(again, about) == ["About"]
    real_open = Path.open

    def full_disk(path, mode="r", *args, **kwargs):
        if path.name == "documents.partial":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", full_disk)
    try:
        again.save()
    except OSError as exc:
        assert exc.errno == errno.ENOSPC, exc
    else:
        raise AssertionError("the full disk was not reported")
    monkeypatch.setattr(Path, "open", real_open)
    assert (tmp_path / ".cache/documents.pickle").read_bytes() == saved
    assert not (tmp_path / ".cache/documents.partial").exists()
