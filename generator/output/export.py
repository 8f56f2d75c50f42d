"""Data export for researchers: the public metadata of published items as JSON and CSV.

Only the columns named in COLUMNS are written, each taken explicitly from the item; a field
added to the content model never reaches the export by accident.
"""

from __future__ import annotations

import csv
import io
import json
import re

from generator.core.types import Site
from generator.config import SiteConfig
from generator.core.model import Item
from generator.core.urls import absolute_url

COLUMNS = ("kind", "slug", "url", "title", "date", "source", "source_url", "authors", "tags",
           "content_warnings", "language", "region", "pseudonym", "summary")
LIST_COLUMNS = ("authors", "tags", "content_warnings")
CSV_LIST_SEPARATOR = "; "


def export_row(item: Item, config: SiteConfig) -> dict:
    """One item's public metadata; None where a column does not apply to its kind."""
    is_article = item.kind == "article"
    row = {
        "kind": item.kind,
        "slug": item.slug,
        "url": absolute_url(config.base_url, item.url),
        "title": item.title,
        # Testimonies are dated to the month only, everywhere.
        "date": item.date.isoformat() if is_article else item.date.month_iso,
        "source": item.source if is_article else None,
        "source_url": item.source_url if is_article else None,
        "authors": list(item.authors) if is_article else [],
        "tags": list(item.tags),
        "content_warnings": list(item.content_warnings),
        "language": item.language,
        "region": None if is_article else (item.region or None),
        "pseudonym": None if is_article else item.pseudonym,
        "summary": item.summary or None,
    }
    assert tuple(row) == COLUMNS
    return row


def items_json(site: Site, config: SiteConfig) -> bytes:
    document = {
        "archive": config.title,
        "base_url": config.base_url,
        "columns": list(COLUMNS),
        "tags": {tag_id: tag.label for tag_id, tag in sorted(site.tags.items())},
        "content_warnings": dict(sorted(config.content_warnings.items())),
        "items": [export_row(item, config) for item in site.items],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# A spreadsheet reads a cell that starts with one of these as a formula (and may run it:
# =HYPERLINK(...), +cmd|' /C calc'!A0); OWASP's advice is to put a ' before it.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^-\d+(?:[.,]\d+)?$")


def spreadsheet_safe(cell: str) -> str:
    """The cell as a spreadsheet shows it but never runs it; a plain negative number stays as it is."""
    if cell.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.match(cell):
        return "'" + cell
    return cell


def items_csv(site: Site, config: SiteConfig) -> bytes:
    """The export as CSV; unlike items.json, whose text is exact, cells that a spreadsheet would
    run as formulas start with a '."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in site.items:
        row = export_row(item, config)
        writer.writerow([spreadsheet_safe(CSV_LIST_SEPARATOR.join(row[c]) if c in LIST_COLUMNS else
                                          ("" if row[c] is None else row[c])) for c in COLUMNS])
    return buffer.getvalue().encode("utf-8")
