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


def two_pages(folder: Path) -> tuple[Path, Path]:
    about, contact = folder / "about.md", folder / "contact.md"
    about.write_text("About.")
    contact.write_text("Contact.")
    return about, contact


def test_the_next_process_finds_each_files_result_on_disk_an_edit_in_the_journal_included(tmp_path):
    about, contact = two_pages(tmp_path)
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
    about, contact = two_pages(tmp_path)
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

    about, contact = two_pages(tmp_path)
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


def clock_ahead(monkeypatch, seconds: int = 10) -> None:
    """The cache's clock runs ``seconds`` ahead: the files written so far were saved that long
    before the cache recorded them, not within the moments when a later edit could keep the same
    size and times."""
    import time

    class Later:
        @staticmethod
        def time_ns() -> int:
            return time.time_ns() + seconds * 1_000_000_000

    monkeypatch.setattr(documents, "time", Later)


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_build_that_finds_every_file_as_it_was_writes_nothing_to_the_cache(tmp_path, monkeypatch):
    """A rebuild after an unrelated change (a template, say) answers every file from the cache and
    leaves the cache's files untouched: no journal record per file, no journal at all."""
    about, contact = two_pages(tmp_path)
    store = MemoryStore()
    clock_ahead(monkeypatch)
    cache_with(tmp_path / ".cache", store, about, contact)
    saved = files_of(tmp_path / ".cache")
    again = next_process(tmp_path / ".cache", store)
    assert results(again, about, contact) == ["About", "Contact"]
    again.save()
    assert files_of(tmp_path / ".cache") == saved
    assert not (tmp_path / ".cache/documents.journal").exists()


def test_a_file_cached_moments_after_it_was_saved_is_hashed_again_once_then_trusted(tmp_path, monkeypatch):
    """A file saved within moments of the cache recording it could change again without its size
    or times changing, so the next build hashes it; found the same, it is recorded anew, and the
    build after that trusts it without reading it."""
    about = tmp_path / "about.md"
    about.write_text("About.")
    store = MemoryStore()
    cache_with(tmp_path / ".cache", store, about)  # recorded at once: too soon to trust
    clock_ahead(monkeypatch)
    hashed = []
    real_hash = documents.hash_regular
    monkeypatch.setattr(documents, "hash_regular", lambda path: hashed.append(path.name) or real_hash(path))
    again = next_process(tmp_path / ".cache", store)
    assert results(again, about) == ["About"] and hashed == ["about.md"]
    again.save()
    hashed.clear()
    third = next_process(tmp_path / ".cache", store)
    assert results(third, about) == ["About"] and hashed == []


def test_a_preview_building_again_takes_the_cache_it_saved_without_reading_it_back(tmp_path, monkeypatch):
    """The preview rebuilds in one process: the cache it saved last is still in memory, and the
    files on disk are those it wrote, so it does not read them again."""
    about, contact = two_pages(tmp_path)
    store = MemoryStore()
    documents.forget_saved()
    cache_with(tmp_path / ".cache", store, about, contact)

    def unreadable(handle):
        raise AssertionError(f"read back: {handle.name}")

    monkeypatch.setattr(documents.pickle, "load", unreadable)
    again = DocumentCache(tmp_path / ".cache", settings(tmp_path), store)
    assert results(again, about, contact) == ["About", "Contact"]


def edit(path: Path, n: int) -> None:
    path.write_text(f"{path.stem} {n}.")


def test_the_journal_is_written_into_the_cache_after_64_records_and_read_in_every_process(tmp_path):
    """Each build (a process of its own) appends its edits to the journal; the build that would
    take it past 64 records writes the whole cache instead, and the journal is gone."""
    about, contact = two_pages(tmp_path)
    store = MemoryStore()
    cache_with(tmp_path / ".cache", store, about, contact)
    journal = tmp_path / ".cache/documents.journal"
    for n in range(1, 66):
        cache = next_process(tmp_path / ".cache", store)
        cache.keep_all_but({})  # the other file as it was
        edit(about, n)
        read(cache, store, about)
        cache.save()
        assert journal.exists() == (n <= 64), f"edit {n}: journal {'missing' if n <= 64 else 'kept'}"
    assert results(next_process(tmp_path / ".cache", store), about, contact) == ["About", "Contact"]


def test_a_cache_of_many_files_keeps_a_journal_of_up_to_a_twentieth_of_them(tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    paths = [folder / f"p{n:04}.md" for n in range(1400)]  # a twentieth: 70 records
    for path in paths:
        edit(path, 0)
    store = MemoryStore()
    cache_with(tmp_path / ".cache", store, *paths)
    journal = tmp_path / ".cache/documents.journal"
    cache = next_process(tmp_path / ".cache", store)
    cache.keep_all_but({})
    for path in paths[:70]:
        edit(path, 1)
        read(cache, store, path)
    cache.save()
    assert journal.exists(), "70 records of 1,400 entries were folded into the cache"
    cache = next_process(tmp_path / ".cache", store)
    cache.keep_all_but({})
    edit(paths[70], 1)
    read(cache, store, paths[70])
    cache.save()
    assert not journal.exists(), "the 71st record went to the journal"


def test_a_journal_left_by_a_killed_build_is_emptied_before_the_next_record(tmp_path):
    """A build killed after writing the cache whole, before removing the old journal, leaves a
    journal of an older cache behind: the next edit starts the journal afresh, so the build
    after it finds the edit instead of ignoring the whole journal."""
    about, contact = two_pages(tmp_path)
    store = MemoryStore()
    cache_with(tmp_path / ".cache", store, about, contact)
    journal = tmp_path / ".cache/documents.journal"
    journal.write_bytes(__import__("pickle").dumps("an older cache") + b"left behind")
    cache = next_process(tmp_path / ".cache", store)
    cache.keep_all_but({})  # the other file as it was
    edit(about, 1)
    read(cache, store, about)
    cache.save()
    assert results(next_process(tmp_path / ".cache", store), about, contact) == ["About", "Contact"]


def test_when_every_entrys_text_is_gone_from_the_body_store_every_file_is_read_again(tmp_path):
    about, contact = two_pages(tmp_path)
    store = MemoryStore()
    cache_with(tmp_path / ".cache", store, about, contact)
    store.discard(store.keys())
    assert results(next_process(tmp_path / ".cache", store), about, contact) == [None, None]
