"""The per-file stage: read, check, guard and render one content file.

Each file's result depends only on its bytes and a few settings, so results are cached by
content hash (an unchanged file is not parsed or rendered again) and cache misses are
processed in parallel, with the same result whatever the number of jobs.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Iterator, Sequence

from markupsafe import Markup

from generator.core.model import EMPTY, InlineBody
from generator.core.safefs import hash_regular
from generator.core.diagnostics import Diagnostic, error, warning
from generator.content.limits import find_hazards
from generator.content.markup import Effect, Renderer, Unclosed, image_sources, plain_text
from generator.core.urls import media_name
from generator.core.model import Document
from generator.core.types import SourceFile, FileResult, Reference, FileSettings
from generator.content.check import check_document
from generator.content.read import read_document
from generator.incremental.bodies import body_key, shared_store, store_bodies
from generator.privacy.pii import check_testimony, open_private, redact_testimony


_renderer: Renderer | None = None


def process_file(source: SourceFile, settings: FileSettings) -> FileResult:

    raw, problems = read_document(source.path, source.kind, settings.max_file_bytes, settings.read_roots)
    if raw is None:
        return FileResult(None, (), tuple(problems), ())
    allowances: tuple = ()
    if raw.kind == "testimony":
        raw, sealed_problems, plain_private = open_private(raw, settings.sealing)
        problems.extend(sealed_problems)
        raw = redact_testimony(raw, settings.redactions)
    document, values, doc_problems = check_document(raw, settings.language)
    problems.extend(doc_problems)
    references = tuple(Reference(vocabulary, value, raw.front.line(vocabulary, index))
                       for vocabulary in ("tags", "content_warnings")
                       for index, value in enumerate(values.get(vocabulary) or ()))
    if values.get("translation_of"):
        references += (Reference("translation_of", values["translation_of"], raw.front.line("translation_of")),)
    body_html = None
    if document is not None:
        document, body_problems, images = render_body(document)
        problems.extend(body_problems)
        references += images
        if not document.body_markdown and isinstance(document.body, InlineBody):
            body_html = str(document.body.html)  # the guard reads the body as it is published
    if raw.kind == "testimony":
        guard_problems, allowances = check_testimony(raw, settings.redactions, settings.language, body_html)
        problems.extend(guard_problems)
    return FileResult(document, references, tuple(problems), tuple(allowances), raw.kind == "testimony" and plain_private)


def render_body(document: Document) -> tuple[Document, list[Diagnostic], tuple[Reference, ...]]:
    """The document with its HTML, problems in the text, and the site images it shows (checked later)."""
    global _renderer
    hazards = find_hazards(document.body_markdown)
    if hazards:  # rendering would take minutes, or hours: say where and why instead
        return document, [error(document.path, document.body_line + hazard.line, hazard.message) for hazard in hazards], ()
    if _renderer is None:
        _renderer = Renderer()
    try:
        rendered = _renderer.to_html(document.body_markdown)
    except RecursionError:  # Markdown recurses once per level of nesting
        # A conversion stopped half-way leaves the reused Markdown instance in the middle of its
        # state (the next text came out without its paragraphs, and went into the cache so):
        # the next document gets a new one.
        _renderer = None
        return document, [error(document.path, document.body_line, "the text is nested too deeply to render (lists "
                                "or quotes inside each other hundreds of times): flatten it")], ()
    body_html = rendered.html
    problems = []
    if rendered.unclosed is not None:
        problems.append(_unclosed_element_error(document, rendered.unclosed))
    if rendered.has_h1:
        lines = document.body_markdown.split("\n")
        offset = next((i for i, line in enumerate(lines) if line.startswith("# ")), 0)
        problems.append(warning(document.path, document.body_line + offset,
                                "a '# ' heading in the text is shown as a section heading: the title is the page's "
                                "only top heading, so write sections as '## '"))
    removed_at = _SourceLines(document.body_markdown, document.body_line)
    for src in rendered.removed_images:
        shown = f"'{src}'" if src else "with no address"
        problems.append(error(document.path, removed_at.line_of(src),
                              f"image {shown} is not a file of this site: images must be files in content/media/, "
                              f"written as ![description](/media/name.jpg); remote images would make readers' "
                              f"browsers contact another host"))
    images = []
    shown_at = _SourceLines(document.body_markdown, document.body_line)
    for src in image_sources(body_html):
        line = shown_at.line_of(src)
        name = media_name(src, document.url)
        if name is None:
            problems.append(error(document.path, line, f"image '{src}' is not in content/media/: put the file "
                                                       f"there and write ![description](/media/name.jpg)"))
        else:
            images.append(Reference("media", name, line))
    # The Markdown is not needed once rendered; dropping it keeps large archives in less memory.
    # Markup marks the sanitised body as the one text templates may show as HTML.
    document = replace(document, body_markdown="", body=InlineBody(Markup(body_html), plain_text(body_html)),
                       images=tuple(sorted({reference.value for reference in images})))
    # Pages that show the item without its text (lists, cards, related items, the timeline,
    # the data exports) depend on this, so editing the text alone does not make them again.
    card = hashlib.sha256(repr(replace(document, body=EMPTY, body_line=0, images=())).encode()).hexdigest()
    document = replace(document, card=card)
    return document, problems, tuple(images)


def _unclosed_element_error(document: Document, unclosed: Unclosed) -> Diagnostic:
    """An element left open takes in the text after it: where it is, and what it does to the text."""
    name, source = unclosed.name, document.body_markdown.lower()
    # The one left open is the first of its start tags after its last end tag (the first, if never closed).
    start = source.find(f"<{name}", source.rfind(f"</{name}") + 1)
    if start < 0:
        start = source.find(f"<{name}")
    line = document.body_line + (source.count("\n", 0, start) if start >= 0 else 0)
    if name == "plaintext":
        message = "a <plaintext> shows all the text after it as raw HTML code, and cannot be closed: remove it"
    else:
        message = f"an unclosed <{name}> {_UNCLOSED[unclosed.effect]}: close it with </{name}> or remove it"
    return error(document.path, line, message)


_UNCLOSED = {
    Effect.HIDES_ALL: "hides all the text after it",
    Effect.HIDES_IN_FOREIGN: "in <math> or <svg> hides the text after it",
    Effect.SHOWS_AS_CODE: "shows all the text after it as raw HTML code",
}


class _SourceLines:
    """The body line where each of a series of texts (image addresses, in the order the HTML shows
    them) is written: the first place it appears from where the one before it was found, or from
    the top when it is not found after that; the body's first line when it is not found at all.

    Searching each from the top instead made n images cost n readings of the body (8,000 images, 7 s).
    """

    MAX_SEARCHES_FROM_TOP = 100  # past this (texts far out of order), a text not found onwards is put at the first line

    def __init__(self, body: str, first_line: int):
        self.body, self.first_line = body, first_line
        self.position, self.line = 0, first_line  # where the last text was found, and its line
        self.searches_from_top = 0
        self.known: dict[str, int] = {}

    def line_of(self, text: str) -> int:
        if not text:
            return self.first_line
        found = self.body.find(text, self.position)
        if found >= 0:
            self.line += self.body.count("\n", self.position, found)
            self.position = found
            self.known.setdefault(text, self.line)
            return self.line
        if text not in self.known:
            self.searches_from_top += 1
            found = self.body.find(text) if self.searches_from_top <= self.MAX_SEARCHES_FROM_TOP else -1
            self.known[text] = self.first_line + (self.body.count("\n", 0, found) if found >= 0 else 0)
        return self.known[text]


# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 64


def process_files(sources: Sequence[SourceFile], settings: FileSettings, jobs: int,
                  hashes: Sequence[str | None] | None = None,
                  key_fingerprint: str | None = None) -> Iterator[tuple[str, FileResult]]:
    """(content hash, result) for each of ``sources``, in order, computed in ``jobs`` processes,
    as they arrive.

    A hash given as None is worked out where the file is read (in the worker, not before the
    workers start). With ``key_fingerprint``, the workers put each rendered body in the body
    store themselves, under bodies.body_key(key_fingerprint, hash) (an SQLite store takes writers
    from any process), so the text never travels back to this process.
    """
    hashes = list(hashes) if hashes is not None else [None] * len(sources)
    if jobs <= 1 or len(sources) < PARALLEL_THRESHOLD:
        for source, digest in zip(sources, hashes):
            digest = digest if digest is not None else _file_hash(source)
            yield digest, process_file(source, settings)
        return
    size = max(8, min(64, len(sources) // (jobs * 8)))
    chunks = [(tuple(sources[n:n + size]), tuple(hashes[n:n + size]), key_fingerprint)
              for n in range(0, len(sources), size)]
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for results in pool.map(_process_chunk, chunks, [settings] * len(chunks)):
            yield from results


def _file_hash(source: SourceFile) -> str:
    # "" for a file that is unreadable or not a regular file: the worker that reads it says why.
    return hash_regular(source.path)


def _process_chunk(chunk: tuple[tuple[SourceFile, ...], tuple[str | None, ...], str | None],
                   settings: FileSettings) -> list[tuple[str, FileResult]]:
    sources, hashes, key_fingerprint = chunk
    hashes = [digest if digest is not None else _file_hash(source) for source, digest in zip(sources, hashes)]
    results = [process_file(source, settings) for source in sources]
    if key_fingerprint is not None:
        store = shared_store()
        if store is not None:
            keys = [body_key(key_fingerprint, digest) if digest else "" for digest in hashes]
            results = store_bodies([(n, result, key) for n, (result, key) in enumerate(zip(results, keys))], store)
    return list(zip(hashes, results))
