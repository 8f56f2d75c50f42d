"""What each kind of content file may hold: its fields, their checkers, defaults and meaning.

Kept at the bottom so that every stage reads the same definition: the schema check turns front
matter into model values with it (content/check.py), the privacy guard learns from it which
testimony fields readers see (public_text_fields, below), and the scaffold and the
README's field tables are written from its docs.
"""

from __future__ import annotations

from types import MappingProxyType

from generator.core import fields as f

CONSENT_STATES = ("granted", "withdrawn")


def _consent_status(name, value, source):
    value = f.text(name, value, source)
    if value not in CONSENT_STATES:
        raise f.FieldError(f"'consent.status' must be granted or withdrawn, got {value!r}")
    return value


def allow_list(name, value, source):
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
    f.Field("date", f.month_or_date, required=True, doc="When it was shared, YYYY-MM or YYYY-MM-DD; shown as month and year.", public=True),
    f.Field("title", f.text, default="", doc="A short title for lists and the page; without one, the pseudonym and month.", public=True),
    f.Field("pseudonym", f.text, default="Anonymous", doc="Name shown with the testimony.", public=True),
    f.Field("region", f.text, default="", doc="Coarse region, e.g. a country.", public=True),
    f.Field("tags", f.list_of(f.identifier, unique=True), default=(), public=True),
    f.Field("summary", f.text, default="", public=True),
    f.Field("language", f.language, public=True),
    f.Field("content_warnings", f.list_of(f.identifier, unique=True), default=(), public=True),
    f.Field("editor_note", f.text, default="", public=True),
    f.Field("draft", f.flag, default=False, public=False),
    f.Field("consent", f.mapping, required=True, doc="status: granted | withdrawn, recorded: YYYY-MM-DD.", public=False),
    f.Field("private", f.mapping, default=MappingProxyType({}), doc="Editorial records; never published.", public=False),
    f.Field("publish_after", f.full_date, public=False),
    f.Field("translation_of", f.identifier, doc="The id (file name) of the testimony this one translates.", public=True),
    f.Field("allow", allow_list, default=(), doc="Reviewed exceptions to the PII guard: a list of {text, reason}.", public=False),
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

# Each kind's schema, by the kind's name (core/kinds.py names the same tuples).
BY_KIND = MappingProxyType({"article": ARTICLE, "testimony": TESTIMONY, "page": PAGE})

TAG = (
    f.Field("label", f.text, required=True),
    f.Field("description", f.text, default=""),
)


def public_text_fields() -> tuple[str, ...]:
    """The testimony fields of free text that readers see: the guard reads each of them, and
    redact.yaml rewrites each of them. Every field above declares whether it is public (a test
    fails on one that does not); tags are read apart, with their labels."""
    return tuple(field.name for field in TESTIMONY if field.public and field.check is f.text)
