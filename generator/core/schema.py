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


# Docs shared by fields of several kinds: the README says "as for articles" for the same doc.
_LANGUAGE = "Language of the text when not the site's `language`, as a BCP 47 tag: `fr`, `es`, `pt-BR`."
_WARNINGS = "Content warnings: ids from `content_warnings` in `site.yaml`, e.g. `[sexual-assault]`."
_NOTE = "A note from the editors, shown above the text."
_DRAFT = "`true` keeps it out of every output."
_EMBARGO = "Embargo: not published before this date, `YYYY-MM-DD` (the build's date, or `SOURCE_DATE_EPOCH`)."


# Each field's doc is the comment above it in a new file (`python -m generator new`) and its row
# in the README's tables (generator/fielddocs.py writes both; tests/test_docs.py checks the README).
ARTICLE = (
    f.Field("title", f.text, required=True, doc="Headline of our entry.", scaffold="{title}"),
    f.Field("date", f.full_date, required=True,
            doc="Date the original piece was published, `YYYY-MM-DD`, e.g. `2017-10-05`.", scaffold=""),
    f.Field("source", f.text, required=True, doc="Name of the publication, e.g. `\"The New York Times\"`.",
            scaffold='""'),
    f.Field("source_url", f.http_url, doc="Link to the original piece, starting with `https://` or `http://`.",
            scaffold=""),
    f.Field("authors", f.list_of(f.text), default=(),
            doc="Authors of the original piece, e.g. `[\"Jodi Kantor\", \"Megan Twohey\"]`.", scaffold="[]"),
    f.Field("tags", f.list_of(f.identifier, unique=True), default=(),
            doc="Tag ids from `content/tags.yaml`, e.g. `[workplace, media]`.", scaffold="[]"),
    f.Field("summary", f.text, default="", doc="One or two sentences for lists, search and the feed.", scaffold=""),
    f.Field("language", f.language, doc=_LANGUAGE, scaffold=""),
    f.Field("content_warnings", f.list_of(f.identifier, unique=True), default=(), doc=_WARNINGS, scaffold="[]"),
    f.Field("featured", f.flag, default=False, doc="`true` shows it on the home page.", scaffold="false"),
    f.Field("editor_note", f.text, default="", doc=_NOTE, scaffold=""),
    f.Field("draft", f.flag, default=False, doc=_DRAFT, scaffold="false"),
    f.Field("publish_after", f.full_date, doc=_EMBARGO, scaffold=""),
    f.Field("translation_of", f.identifier, doc="The file name (slug) of the article this one translates."),
)

TESTIMONY = (
    f.Field("date", f.month_or_date, required=True, public=True, scaffold="",
            doc="When it was shared, `YYYY-MM` (e.g. `2018-03`) or `YYYY-MM-DD`; only the month and year are "
                "ever shown, and the day reaches no output."),
    f.Field("title", f.text, default="", public=True, scaffold="",
            doc="A short title for lists and its page, in quotes, such as a phrase from the text that names no "
                "one; without one, the pseudonym and month (`Anonymous, March 2018`)."),
    f.Field("pseudonym", f.text, default="Anonymous", public=True, scaffold='"Anonymous"',
            doc="Name shown with the testimony; never a real name."),
    f.Field("region", f.text, default="", public=True, scaffold="",
            doc="Coarse region only, such as a country, in quotes: `\"Canada\"` (unquoted, `NO` is false)."),
    f.Field("tags", f.list_of(f.identifier, unique=True), default=(), public=True,
            doc="Tag ids from `content/tags.yaml`, e.g. `[workplace, media]`.", scaffold="[]"),
    f.Field("summary", f.text, default="", public=True, scaffold="",
            doc="One or two sentences for lists and search; no names, places or dates."),
    f.Field("language", f.language, public=True, doc=_LANGUAGE, scaffold=""),
    f.Field("content_warnings", f.list_of(f.identifier, unique=True), default=(), public=True, doc=_WARNINGS,
            scaffold="[]"),
    f.Field("editor_note", f.text, default="", public=True, doc=_NOTE, scaffold=""),
    # A new testimony starts as a draft: it is published once an editor has reviewed it.
    f.Field("draft", f.flag, default=False, public=False, doc=_DRAFT, scaffold="true"),
    f.Field("consent", f.mapping, required=True, public=False, scaffold="",
            doc="`status: granted` or `withdrawn`, and `recorded: YYYY-MM-DD`; only granted testimonies are "
                "published."),
    f.Field("private", f.mapping, default=MappingProxyType({}), public=False, scaffold="{}",
            doc="Editorial records, any mapping, e.g. `intake_ref: \"INT-2018-004\"`: checked, then dropped; "
                "never in any output (`python -m generator private seal` encrypts them)."),
    f.Field("publish_after", f.full_date, public=False, doc=_EMBARGO, scaffold=""),
    f.Field("translation_of", f.identifier, doc="The id (file name) of the testimony this one translates.", public=True),
    f.Field("allow", allow_list, default=(), public=False, scaffold="[]",
            doc="Reviewed exceptions to the privacy guard, a list of `{text, reason}`, e.g. "
                "`[{text: \"Toronto\", reason: \"a large city\"}]` (docs/privacy.md)."),
)

CONSENT = (
    f.Field("status", _consent_status, required=True, scaffold="",
            doc="`granted` or `withdrawn`; only granted testimonies are published."),
    f.Field("recorded", f.full_date, required=True, scaffold="", doc="The day consent was recorded, `YYYY-MM-DD`."),
)

PAGE = (
    f.Field("title", f.text, required=True, doc="Page title."),
    f.Field("summary", f.text, default="", doc="Shown beside the link on the home page."),
    f.Field("menu", f.integer, doc="Position in the main navigation; pages without it are linked from the footer."),
    f.Field("language", f.language, doc=_LANGUAGE),
    f.Field("draft", f.flag, default=False, doc=_DRAFT),
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
