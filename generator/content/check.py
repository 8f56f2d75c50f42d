"""The schema check of one file: its front matter, checked field by field against its kind's
schema (core/schema.py), becomes a model value, or a list of what is wrong with file and line."""

from __future__ import annotations

from generator.core import fields as f
from generator.core.diagnostics import Diagnostic
from generator.core.model import Article, Document, Page, Testimony
from generator.core.schema import BY_KIND, CONSENT
from generator.core.types import RawDocument


def check_document(raw: RawDocument, default_language: str) -> tuple[Document | None, dict, list[Diagnostic]]:
    values, problems = f.check_fields(raw.front, BY_KIND[raw.kind], raw.path)
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
