"""The rules that decide what readers see, each stated once: whether a document is published
today, and every date on which that can change. (Which testimony fields are public is declared
on the fields themselves: core/schema.py.)

The build, the check that nothing changed since the last build (incremental/freshness.py) and
the preview's patch (incremental/patch.py) all ask these functions, so a new rule that depends
on time cannot be known to one of them and forgotten by another.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from generator.core.model import Document, Testimony


def withholding_reason(document: Document, today: dt.date) -> str | None:
    """Why ``document`` is not published on ``today`` ("draft", "consent withdrawn", "embargoed"), or None."""
    if document.draft:
        return "draft"
    if isinstance(document, Testimony) and document.consent_status != "granted":
        return "consent withdrawn"
    publish_after = getattr(document, "publish_after", None)
    if publish_after is not None and today < publish_after:
        return "embargoed"
    return None


def publication_dates(documents: Iterable[Document]) -> tuple[dt.date, ...]:
    """Every date on which withholding_reason() can change its answer for one of ``documents``:
    a build that found nothing changed is still current only if none of these fell between
    the day it was made and today."""
    return tuple(sorted({d.publish_after for d in documents if getattr(d, "publish_after", None)}))


def dates_between(dates: Iterable[dt.date], then: dt.date, today: dt.date) -> bool:
    """Did one of publication_dates() fall between two build days (either way round)?"""
    low, high = min(then, today), max(then, today)
    return any(low < date <= high for date in dates)


