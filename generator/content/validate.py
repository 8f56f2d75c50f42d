"""Check raw documents against the content schema and turn them into model values."""

from __future__ import annotations

import difflib
import hashlib
import os
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from generator.core import fields as f
from generator.privacy import redact
from generator.config import SiteConfig
from generator.core.diagnostics import Diagnostic, display_path, error, note, warning
from generator.core.model import Document, Tag
from generator.core.types import FileResult, SourceSet, FileSettings, Allowance, ValidContent
from generator.content.perfile import process_files
from generator.content.images import check_media
from generator.core.schema import TAG
from generator.privacy.pii import PLAIN_PRIVATE_KEPT, PLAIN_PRIVATE_UNSET


def validate(sources: SourceSet, config: SiteConfig, *, jobs: int = 1,
             cache_dir: Path | None = None) -> tuple[ValidContent, tuple[Diagnostic, ...]]:
    """Check every file (cached by content hash, in parallel) and every cross-reference."""
    from generator.incremental.bodies import open_store
    from generator.incremental.documents import DocumentCache

    problems: list[Diagnostic] = []
    tags, tag_problems = _validate_tags(sources)
    problems.extend(tag_problems)
    settings = _file_settings(config, tags, problems)
    cache = DocumentCache(cache_dir, settings, open_store(cache_dir))
    if cache.damaged:
        problems.append(note(cache.path, None, f"the build cache was damaged ({cache.damaged}): every file is read again"))
    results, hashes, parsed = _file_results(sources, settings, cache, jobs)
    problems.extend(check_media(sources.media, config.max_image_bytes, cache_dir, config.read_roots))
    media_names = frozenset(path.name for path in sources.media)
    documents: list[Document] = []
    allowances: list[Allowance] = []
    for source, result in zip(sources.files, results):
        problems.extend(result.diagnostics)
        problems.extend(_check_references(source.path, result.references, tags, config, media_names))
        allowances.extend(result.allowances)
        if result.document is not None:
            documents.append(result.document)
    problems.extend(_check_translations(documents, {source.path: result.references
                                                    for source, result in zip(sources.files, results)}))
    plain = sum(1 for result in results if result.plain_private)
    if plain and not config.private_recipients and config.private_records != "sealed":
        # Said once, on the folder: a message on one file could name a draft, and the report names
        # no unpublished item (only --verbose lists them). A note where the site keeps its records
        # in plain text on purpose (private_records: plain), else a warning.
        said, why = (note, PLAIN_PRIVATE_KEPT) if config.private_records == "plain" else (warning, PLAIN_PRIVATE_UNSET)
        problems.append(said(config.content_dir / "testimonies", None,
                             f"in {plain} testimon{'y' if plain == 1 else 'ies'}, {why}"))
    content = ValidContent(tuple(documents), MappingProxyType(tags), tuple(allowances),
                           cache_hits=cache.hits, parsed=parsed, settings=settings, media_names=media_names)
    return content, tuple(problems)


def _file_settings(config: SiteConfig, tags: Mapping[str, Tag], problems: list[Diagnostic]) -> FileSettings:
    """What reading each file depends on beyond the file: the language, the limits, redact.yaml
    (opened with this process's identities when its private lists are sealed) and the tags."""
    from generator.privacy import sealing

    try:
        identities = sealing.process_identities()
    except sealing.SealError as exc:
        identities = None
        problems.append(error(Path(os.environ.get(sealing.IDENTITY_VARIABLE, "CHORUS_IDENTITY")), None, str(exc)))
    redactions, redact_problems = redact.load_redactions(config.content_dir / "redact.yaml", config.max_file_bytes,
                                                      config.read_roots, identities)
    problems.extend(redact_problems)
    # The guard reads each testimony's tags as its page shows them, labels included.
    redactions = replace(redactions, tag_labels=tuple((tag.id, tag.label) for tag in tags.values()))
    return FileSettings(config.language, config.max_file_bytes, redactions, config.read_roots,
                        (sealing.identity_fingerprint(identities), config.private_records == "sealed",
                         bool(config.private_recipients)))


def _file_results(sources: SourceSet, settings: FileSettings, cache, jobs: int) -> tuple[list[FileResult], list, int]:
    """Each file's result, from the cache or the per-file stage in ``jobs`` processes: (results in
    the order of sources.files, their content hashes, how many files were read)."""
    from generator.incremental.bodies import SqliteStore, store_bodies

    # A file the cache does not know is hashed by the worker that reads it (None until then).
    # A linked file is read again every time: its target is checked against the reading rule when read.
    hashes: list[str | None] = [cache.file_hash(s.path) if cache.knows(s.path) and not s.linked else None
                                for s in sources.files]
    results: list[FileResult | None] = [cache.get(s.path, h) if h is not None else None
                                        for s, h in zip(sources.files, hashes)]
    missing = [i for i, result in enumerate(results) if result is None]
    # Bodies go to the store as results arrive, so the archive's HTML is never all in memory.
    batch: list[tuple[int, FileResult, str]] = []
    fresh = process_files([sources.files[i] for i in missing], settings, jobs, [hashes[i] for i in missing],
                          cache.fingerprint if isinstance(cache.store, SqliteStore) else None)
    for index, (digest, result) in zip(missing, fresh):
        hashes[index] = digest
        batch.append((index, result, cache.body_key(digest) if digest else ""))
        if len(batch) >= 128 or index == missing[-1]:
            for (position, _, _), stored in zip(batch, store_bodies(batch, cache.store)):
                if stored.document is not None:  # cached with its identity, so a hit needs no copy
                    stored = replace(stored, document=replace(stored.document, fingerprint=_identity(
                        hashes[position], sources.files[position].path, cache.fingerprint)))
                results[position] = stored
                if hashes[position]:
                    cache.put(sources.files[position].path, hashes[position], stored)
            batch = []
    cache.save()
    return results, hashes, len(missing)


def check_file(source, digest: str, cache, tags: Mapping[str, Tag], config: SiteConfig,
               media_names: frozenset[str]) -> tuple[FileResult, list[Diagnostic]]:
    """One file through the per-file stage, its body put in the cache's store, as validate()
    does for each file it has no cached result for; and the problems its references have."""
    from generator.incremental.bodies import store_bodies
    from generator.content.perfile import process_file

    result = store_bodies([(0, process_file(source, cache.settings), cache.body_key(digest))], cache.store)[0]
    if result.document is not None:
        result = replace(result, document=replace(result.document, fingerprint=_identity(digest, source.path, cache.fingerprint)))
    problems = [*result.diagnostics, *_check_references(source.path, result.references, tags, config, media_names)]
    return result, problems


def _identity(digest: str, path: Path, settings_fingerprint: str) -> str:
    # The path is part of it: a renamed file with the same bytes has a new address.
    return hashlib.sha256(f"{digest}\n{path}\n{settings_fingerprint}".encode()).hexdigest()


def _validate_tags(sources: SourceSet) -> tuple[dict[str, Tag], list[Diagnostic]]:
    doc, path = sources.tags, sources.tags_path
    if doc is None or doc.data is None:
        return {}, []
    if not isinstance(doc.data, dict):
        return {}, [error(path, 1, "tags.yaml must map each tag id to its label, e.g. workplace: {label: Workplace}")]
    tags: dict[str, Tag] = {}
    problems: list[Diagnostic] = []
    for tag_id in doc.data:
        try:
            f.identifier("tag id", tag_id, tag_id)
        except f.FieldError as exc:
            problems.append(error(path, doc.line(tag_id), str(exc)))
            continue
        values, tag_problems = f.check_fields(doc, TAG, path, prefix=(tag_id,), what=f"tag '{tag_id}'")
        problems.extend(tag_problems)
        if not tag_problems:
            tags[tag_id] = Tag(tag_id, values["label"], values["description"])
    return dict(sorted(tags.items())), problems


def _check_translations(documents, references: Mapping[Path, tuple]) -> list[Diagnostic]:
    """translation_of must name an original of the same kind (not itself a translation), in
    another language, with at most one translation into each language."""
    by_slug = {(d.kind, d.slug): d for d in documents}
    noun = {"article": "article", "testimony": "testimony"}
    problems: list[Diagnostic] = []
    languages_of: dict[tuple[str, str], dict[str, Path]] = {}
    for document in sorted(documents, key=lambda d: str(d.path)):
        target = getattr(document, "translation_of", "")
        if not target:
            continue
        line = next((ref.line for ref in references.get(document.path, ()) if ref.vocabulary == "translation_of"), 1)
        original = by_slug.get((document.kind, target))
        if original is None:
            slugs = [slug for kind, slug in by_slug if kind == document.kind]
            problems.append(error(document.path, line, f"translation_of '{target}': there is no {noun[document.kind]} "
                                                       f"with that file name{_did_you_mean(target, slugs)}"))
        elif original is document:
            problems.append(error(document.path, line, "translation_of names this file itself: name the original"))
        elif getattr(original, "translation_of", ""):
            problems.append(error(document.path, line, f"translation_of '{target}' is itself a translation (of "
                                                       f"'{original.translation_of}'): name the original, "
                                                       f"translation_of: {original.translation_of}"))
        elif original.language == document.language:
            problems.append(error(document.path, line, f"'{target}' is in the same language ({document.language}) as "
                                                       f"this one: a translation is in another language (set language:)"))
        else:
            taken = languages_of.setdefault((document.kind, target), {})
            if document.language in taken:
                problems.append(error(document.path, line, f"'{target}' already has a translation into "
                                                           f"{document.language}: {display_path(taken[document.language])}; "
                                                           f"keep one"))
            else:
                taken[document.language] = document.path
    return problems


def _check_references(path: Path, references, tags: Mapping[str, Tag], config: SiteConfig,
                      media_names: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """Tag and warning ids and images must exist; checked even when other fields of the file are wrong."""
    problems = []
    for ref in references:
        if ref.vocabulary == "tags" and ref.value not in tags:
            problems.append(error(path, ref.line, f"unknown tag '{ref.value}': add it to tags.yaml or fix the "
                                                  f"spelling{_did_you_mean(ref.value, tags)}"))
        elif ref.vocabulary == "content_warnings" and ref.value not in config.content_warnings:
            problems.append(error(path, ref.line, f"unknown content warning '{ref.value}': use one of content_warnings "
                                                  f"in the site config{_did_you_mean(ref.value, config.content_warnings)}"))
        elif ref.vocabulary == "media" and ref.value not in media_names:
            problems.append(error(path, ref.line, f"image not found: there is no content/media/{ref.value}"
                                                  f"{_did_you_mean(ref.value, media_names)}"))
    return problems


def _did_you_mean(value: str, known) -> str:
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
