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
from generator.core.dates import PartialDate
from generator.core.kinds import KINDS
from generator.core.model import Item
from generator.core.urls import absolute_url

COLUMNS = ("kind", "slug", "url", "title", "date", "source", "source_url", "authors", "tags",
           "content_warnings", "language", "region", "pseudonym", "summary")
LIST_COLUMNS = ("authors", "tags", "content_warnings")
CSV_LIST_SEPARATOR = "; "


# Each column's value, taken explicitly from the item; a kind fills the columns its
# specification names (core/kinds.py), the others are None (or [] for lists).
_VALUES = {
    "kind": lambda item, config: item.kind,
    "slug": lambda item, config: item.slug,
    "url": lambda item, config: absolute_url(config.base_url, item.url),
    "title": lambda item, config: item.title,
    # Testimonies are dated to the month only, everywhere.
    "date": lambda item, config: item.date.month_iso if isinstance(item.date, PartialDate) else item.date.isoformat(),
    "source": lambda item, config: item.source,
    "source_url": lambda item, config: item.source_url,
    "authors": lambda item, config: list(item.authors),
    "tags": lambda item, config: list(item.tags),
    "content_warnings": lambda item, config: list(item.content_warnings),
    "language": lambda item, config: item.language,
    "region": lambda item, config: item.region or None,
    "pseudonym": lambda item, config: item.pseudonym,
    "summary": lambda item, config: item.summary or None,
}
assert tuple(_VALUES) == COLUMNS


def export_row(item: Item, config: SiteConfig) -> dict:
    """One item's public metadata; None where a column does not apply to its kind."""
    filled = KINDS[item.kind].export_columns
    return {column: value(item, config) if column in filled else ([] if column in LIST_COLUMNS else None)
            for column, value in _VALUES.items()}


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
