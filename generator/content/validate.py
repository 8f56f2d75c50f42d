"""Check raw documents against the content schema and turn them into model values."""

from __future__ import annotations

import difflib
import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from generator.core import fields as f
from generator.privacy import pii
from generator.config import SiteConfig
from generator.core.diagnostics import Diagnostic, Severity, display_path, error, note, warning
from generator.core.model import Article, Document, Page, Tag, Testimony
from generator.content.perfile import FileResult, FileSettings, process_files
from generator.content.media import check_media
from generator.content.sources import RawDocument, SourceSet
from generator.privacy.visible import strip_invisible

CONSENT_STATES = ("granted", "withdrawn")
# Testimony fields that are published, so the PII guard reads them and redact.yaml rewrites them.
TESTIMONY_PUBLIC_TEXT = ("title", "pseudonym", "region", "summary", "editor_note")


def _consent_status(name, value, source):
    value = f.text(name, value, source)
    if value not in CONSENT_STATES:
        raise f.FieldError(f"'consent.status' must be granted or withdrawn, got {value!r}")
    return value


def _allow_list(name, value, source):
    """allow: [{text: "exact string", reason: "why it is safe"}]; never a bare string."""
    if not isinstance(value, list):
        raise f.FieldError(f"'{name}' must be a list of entries, e.g. allow: [{{text: \"Toronto\", reason: \"a large city, reviewed\"}}]")
    entries = []
    for index, entry in enumerate(value, start=1):
        if not isinstance(entry, dict) or set(entry) != {"text", "reason"}:
            raise f.FieldError(f"'{name}' entry {index} must have exactly 'text' (the exact string accepted) and 'reason' (why it is safe)")
        text = f.text(f"{name}[{index}].text", entry["text"], None)
        reason = f.text(f"{name}[{index}].reason", entry["reason"], None)
        entries.append((text, reason))
    return tuple(entries)


ARTICLE = (
    f.Field("title", f.text, required=True, doc="Headline of our entry."),
    f.Field("date", f.full_date, required=True, doc="Original publication date, YYYY-MM-DD."),
    f.Field("source", f.text, required=True, doc="Name of the publication."),
    f.Field("source_url", f.http_url, doc="Link to the original piece (http/https)."),
    f.Field("authors", f.list_of(f.text), default=(), doc="Authors of the original piece."),
    f.Field("tags", f.list_of(f.identifier, unique=True), default=(), doc="Tag ids from tags.yaml."),
    f.Field("summary", f.text, default="", doc="One or two sentences for lists, search and the feed."),
    f.Field("language", f.language, doc="BCP 47 tag when not the site's language."),
    f.Field("content_warnings", f.list_of(f.identifier, unique=True), default=(), doc="Ids from content_warnings in the site config."),
    f.Field("featured", f.flag, default=False, doc="Show on the home page."),
    f.Field("editor_note", f.text, default="", doc="A note from the editors shown above the body."),
    f.Field("draft", f.flag, default=False, doc="true keeps it out of every output."),
    f.Field("publish_after", f.full_date, doc="Embargo: not published before this date."),
    f.Field("translation_of", f.identifier, doc="The file name (slug) of the article this one translates."),
)

TESTIMONY = (
    f.Field("date", f.month_or_date, required=True, doc="When it was shared, YYYY-MM or YYYY-MM-DD; shown as month and year."),
    f.Field("title", f.text, default="", doc="A short title for lists and the page; without one, the pseudonym and month."),
    f.Field("pseudonym", f.text, default="Anonymous", doc="Name shown with the testimony."),
    f.Field("region", f.text, default="", doc="Coarse region, e.g. a country."),
    f.Field("tags", f.list_of(f.identifier, unique=True), default=()),
    f.Field("summary", f.text, default=""),
    f.Field("language", f.language),
    f.Field("content_warnings", f.list_of(f.identifier, unique=True), default=()),
    f.Field("editor_note", f.text, default=""),
    f.Field("draft", f.flag, default=False),
    f.Field("consent", f.mapping, required=True, doc="status: granted | withdrawn, recorded: YYYY-MM-DD."),
    f.Field("private", f.mapping, default=MappingProxyType({}), doc="Editorial records; never published."),
    f.Field("publish_after", f.full_date),
    f.Field("translation_of", f.identifier, doc="The id (file name) of the testimony this one translates."),
    f.Field("allow", _allow_list, default=(), doc="Reviewed exceptions to the PII guard: a list of {text, reason}."),
)

CONSENT = (
    f.Field("status", _consent_status, required=True),
    f.Field("recorded", f.full_date, required=True),
)

PAGE = (
    f.Field("title", f.text, required=True),
    f.Field("summary", f.text, default=""),
    f.Field("menu", f.integer, doc="Position in the main navigation; leave out to keep the page out of it."),
    f.Field("language", f.language),
    f.Field("draft", f.flag, default=False),
)

TAG = (
    f.Field("label", f.text, required=True),
    f.Field("description", f.text, default=""),
)


@dataclass(frozen=True, slots=True)
class ValidContent:
    documents: tuple[Document, ...]
    tags: Mapping[str, Tag]
    allowances: tuple[pii.Allowance, ...] = ()  # PII-guard findings an editor accepted, with reasons
    cache_hits: int = 0  # files whose cached result was reused
    parsed: int = 0  # files read, checked and rendered in this build
    settings: FileSettings | None = None  # what each file's result was made with
    media_names: frozenset[str] = frozenset()  # the images in content/media/


def validate(sources: SourceSet, config: SiteConfig, *, jobs: int = 1,
             cache_dir: Path | None = None) -> tuple[ValidContent, tuple[Diagnostic, ...]]:
    """Check every file (cached by content hash, in parallel) and every cross-reference."""
    from generator.incremental.bodies import SqliteStore, open_store
    from generator.incremental.documents import DocumentCache, store_bodies

    problems: list[Diagnostic] = []
    tags, tag_problems = _validate_tags(sources)
    problems.extend(tag_problems)
    from generator.privacy import sealing

    try:
        identities = sealing.process_identities()
    except sealing.SealError as exc:
        identities = None
        problems.append(error(Path(os.environ.get(sealing.IDENTITY_VARIABLE, "CHORUS_IDENTITY")), None, str(exc)))
    redactions, redact_problems = pii.load_redactions(config.content_dir / "redact.yaml", config.max_file_bytes,
                                                      config.read_roots, identities)
    problems.extend(redact_problems)
    # The guard reads each testimony's tags as its page shows them, labels included.
    redactions = replace(redactions, tag_labels=tuple((tag.id, tag.label) for tag in tags.values()))
    settings = FileSettings(config.language, config.max_file_bytes, redactions, config.read_roots,
                            (sealing.identity_fingerprint(identities), config.private_records == "sealed",
                             bool(config.private_recipients)))
    store = open_store(cache_dir)
    cache = DocumentCache(cache_dir, settings, store)
    if cache.damaged:
        problems.append(note(cache.path, None, f"the build cache was damaged ({cache.damaged}): every file is read again"))
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
                          cache.fingerprint if isinstance(store, SqliteStore) else None)
    for index, (digest, result) in zip(missing, fresh):
        hashes[index] = digest
        batch.append((index, result, cache.body_key(digest) if digest else ""))
        if len(batch) >= 128 or index == missing[-1]:
            for (position, _, _), stored in zip(batch, store_bodies(batch, store)):
                if stored.document is not None:  # cached with its identity, so a hit needs no copy
                    stored = replace(stored, document=replace(stored.document, fingerprint=_identity(
                        hashes[position], sources.files[position].path, cache.fingerprint)))
                results[position] = stored
                if hashes[position]:
                    cache.put(sources.files[position].path, hashes[position], stored)
            batch = []
    cache.save()
    problems.extend(check_media(sources.media, config.max_image_bytes, cache_dir, config.read_roots))
    media_names = frozenset(path.name for path in sources.media)
    documents: list[Document] = []
    allowances: list[pii.Allowance] = []
    for source, result, digest in zip(sources.files, results, hashes):
        problems.extend(result.diagnostics)
        problems.extend(_check_references(source.path, result.references, tags, config, media_names))
        allowances.extend(result.allowances)
        if result.document is not None:
            documents.append(result.document)
    problems.extend(_check_translations(documents, {source.path: result.references
                                                    for source, result in zip(sources.files, results)}))
    plain = sum(1 for result in results if result.plain_private)
    if plain and not config.private_recipients and config.private_records != "sealed":
        # Said once, on the folder: a note on one file could name a draft, and the report names
        # no unpublished item (only --verbose lists them).
        problems.append(note(config.content_dir / "testimonies", None,
                             f"in {plain} testimon{'y' if plain == 1 else 'ies'}, {PLAIN_PRIVATE_UNSET}"))
    content = ValidContent(tuple(documents), MappingProxyType(tags), tuple(allowances),
                           cache_hits=cache.hits, parsed=len(missing), settings=settings, media_names=media_names)
    return content, tuple(problems)


def check_file(source, digest: str, cache, tags: Mapping[str, Tag], config: SiteConfig,
               media_names: frozenset[str]) -> tuple[FileResult, list[Diagnostic]]:
    """One file through the per-file stage, its body put in the cache's store, as validate()
    does for each file it has no cached result for; and the problems its references have."""
    from generator.incremental.documents import store_bodies
    from generator.content.perfile import process_file

    result = store_bodies([(0, process_file(source, cache.settings), cache.body_key(digest))], cache.store)[0]
    if result.document is not None:
        result = replace(result, document=replace(result.document, fingerprint=_identity(digest, source.path, cache.fingerprint)))
    problems = [*result.diagnostics, *_check_references(source.path, result.references, tags, config, media_names)]
    return result, problems


def _identity(digest: str, path: Path, settings_fingerprint: str) -> str:
    # The path is part of it: a renamed file with the same bytes has a new address.
    return hashlib.sha256(f"{digest}\n{path}\n{settings_fingerprint}".encode()).hexdigest()


PLAIN_PRIVATE = ("private: holds values in plain text, readable by anyone who can read the repository: seal them "
                 "with python -m generator private seal")
PLAIN_PRIVATE_UNSET = ("private: records are in plain text, readable by anyone who can read the repository: list "
                       "the editors' age keys under private_recipients in the site config, then seal them "
                       "(docs/editors.md, 'Sealed private records')")


def open_private(raw: RawDocument, sealing_settings: tuple[str, bool, bool]) -> tuple[RawDocument, list[Diagnostic], bool]:
    """The testimony with its sealed private values opened in memory (generator/privacy/sealing.py), and
    what to say: sealed values without an identity cannot be checked against the text (a
    warning); plain values are a warning to seal them where the site seals, an error with
    private_records: sealed; and whether it holds plain values (where the site does not seal
    yet, validate() says so once for all)."""
    from generator.privacy import sealing

    data = raw.front.data
    record = data.get("private") if isinstance(data, dict) else None
    if not record:
        return raw, [], False
    _identity, required, sealing_on = sealing_settings
    line = raw.front.line("private")
    problems = []
    plain = sealing.has_plain(record)
    if plain and (sealing_on or required):
        problems.append((error if required else warning)(raw.path, line, PLAIN_PRIVATE))
    if not sealing.has_sealed(record):
        return raw, problems, plain
    try:
        identities = sealing.process_identities()
        if identities is None:
            problems.append(warning(raw.path, line, f"private: is sealed and {sealing.IDENTITY_VARIABLE} is not set: "
                                                    f"its values cannot be checked against the text; set it to your "
                                                    f"age identity file (docs/editors.md, 'Sealed private records')"))
            opened = _without_sealed(record)
        else:
            opened = sealing.unseal_tree(record, identities)
    except sealing.SealError as exc:
        return raw, problems + [error(raw.path, line, str(exc))], plain
    return replace(raw, front=replace(raw.front, data={**data, "private": opened})), problems, plain


def _without_sealed(value):
    from generator.privacy.sealing import is_sealed

    if isinstance(value, dict):
        return {k: _without_sealed(v) for k, v in value.items() if not is_sealed(v)}
    if isinstance(value, list):
        return [_without_sealed(v) for v in value if not is_sealed(v)]
    return value


def guard_testimony(raw: RawDocument, redactions: pii.Redactions, site_language: str = "en"):
    """Apply redact.yaml to the public text, then run the PII guard on what would be published.

    A withdrawn testimony is never published, so it is not scanned; drafts and embargoed
    ones are, so that they are safe on the day they go out.
    """
    redacted = redact_testimony(raw, redactions)
    problems, used = check_testimony(redacted, redactions, site_language)
    return redacted, problems, used


def redact_testimony(raw: RawDocument, redactions: pii.Redactions) -> RawDocument:
    """The testimony as published: its public fields and body without invisible characters (they
    show nothing, and hide a name or a number from every reader but a machine), then with the
    replacements of redact.yaml applied."""
    data = raw.front.data
    if not isinstance(data, dict):
        return raw  # the schema check reports front matter that is not a mapping
    public = {key: redactions.apply(strip_invisible(data[key])) for key in TESTIMONY_PUBLIC_TEXT
              if isinstance(data.get(key), str)}
    body = redactions.apply(strip_invisible(raw.body))
    return replace(raw, front=replace(raw.front, data={**data, **public}), body=body)


def check_testimony(raw: RawDocument, redactions: pii.Redactions, site_language: str = "en",
                    body_html: str | None = None, *, findings_only: bool = False):
    """The PII guard on a redacted testimony (redact_testimony): (problems, allowances used), or,
    with findings_only, (findings, allowances) for review. body_html is the body as rendered for
    publication; without it the guard renders the body itself."""
    data = raw.front.data
    if not isinstance(data, dict):
        return [], ()
    consent = data.get("consent")
    if isinstance(consent, dict) and consent.get("status") == "withdrawn":
        return [], ()
    try:
        entries = _allow_list("allow", data["allow"], None) if data.get("allow") is not None else ()
    except f.FieldError:
        entries = ()  # reported by the schema check; without valid entries nothing is accepted
    allowances = [pii.Allowance(raw.path, raw.front.line("allow", index), text, reason)
                  for index, (text, reason) in enumerate(entries)]
    texts = [pii.PublicText(key, data[key], raw.front.line(key)) for key in TESTIMONY_PUBLIC_TEXT
             if isinstance(data.get(key), str)]
    texts.extend(_tag_texts(raw, redactions))
    texts.append(pii.PublicText("body", raw.body, raw.body_line))
    private = [data.get("private"), _private_numbers(raw.front)]
    region = data.get("region") if isinstance(data.get("region"), str) else ""
    language = data.get("language") if isinstance(data.get("language"), str) else None
    listed = pii.listed_for(private, redactions, region=region, site_language=site_language, language=language)
    findings = pii.guard_findings(texts, private, redactions, body_html=body_html, listed=listed)
    if findings_only:
        return findings, tuple(allowances)
    return pii.diagnostics_of(raw.path, findings, allowances)


def _tag_texts(raw: RawDocument, redactions: pii.Redactions) -> list[pii.PublicText]:
    """A testimony's tags as its page shows them: each id (in its address) and its label from tags.yaml."""
    tags = raw.front.data.get("tags")
    if not isinstance(tags, list):
        return []
    labels = dict(redactions.tag_labels)
    texts = []
    for index, tag in enumerate(tags):
        if isinstance(tag, str):
            shown = tag.replace("-", " ")
            if tag in labels:
                shown += ", " + labels[tag]
            texts.append(pii.PublicText("tags", shown, raw.front.line("tags", index)))
    return texts


def _private_numbers(front) -> list[str]:
    """Numbers in private:, as written: YAML reads 48213 as a number and 0012345 as 5349, not as text."""
    found = []
    for key, written in front.sources.items():
        if key[:1] != ("private",):
            continue
        value = front.data
        try:
            for part in key:
                value = value[part]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            found.append(written)
    return found


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


def check_document(raw: RawDocument, default_language: str) -> tuple[Document | None, dict, list[Diagnostic]]:
    schema = {"article": ARTICLE, "testimony": TESTIMONY, "page": PAGE}[raw.kind]
    values, problems = f.check_fields(raw.front, schema, raw.path)
    if raw.kind == "testimony" and isinstance(values.get("consent"), dict):
        consent, consent_problems = f.check_fields(raw.front, CONSENT, raw.path, prefix=("consent",), what="consent")
        problems.extend(consent_problems)
        values["consent_status"] = consent.get("status")
    if problems:
        return None, values, problems
    common = dict(path=raw.path, slug=raw.slug, language=values["language"] or default_language,
                  draft=values["draft"], body_markdown=raw.body, body_line=raw.body_line)
    if raw.kind == "article":
        return Article(title=values["title"], date=values["date"], source=values["source"],
                       source_url=values["source_url"], authors=values["authors"], tags=values["tags"],
                       summary=values["summary"], content_warnings=values["content_warnings"],
                       featured=values["featured"], editor_note=values["editor_note"],
                       publish_after=values["publish_after"], translation_of=values["translation_of"] or "",
                       **common), values, []
    if raw.kind == "testimony":
        return Testimony(date=values["date"], given_title=values["title"], pseudonym=values["pseudonym"], region=values["region"],
                         tags=values["tags"], summary=values["summary"],
                         content_warnings=values["content_warnings"], editor_note=values["editor_note"],
                         consent_status=values["consent_status"], publish_after=values["publish_after"],
                         translation_of=values["translation_of"] or "", **common), values, []
    return Page(title=values["title"], summary=values["summary"], menu=values["menu"], **common), values, []


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
