"""Whether a document is published today, and why not."""

import datetime as dt
from pathlib import Path

import pytest

from generator.privacy.rules import withholding_reason
from generator.core.dates import PartialDate
from generator.core.model import Article, Testimony


def _article(**changes):
    base = dict(path=Path("a.md"), slug="a", title="A", date=dt.date(2017, 10, 5), source="S", source_url=None,
                authors=(), tags=(), summary="", language="en", content_warnings=(), featured=False,
                editor_note="", draft=False, publish_after=None, body_markdown="x", body_line=5)
    return Article(**{**base, **changes})


def _testimony(**changes):
    base = dict(path=Path("t.md"), slug="t", date=PartialDate(2018, 1, 17), pseudonym="Anonymous", region="",
                tags=(), summary="", language="en", content_warnings=(), editor_note="", draft=False,
                consent_status="granted", publish_after=None, body_markdown="x", body_line=5)
    return Testimony(**{**base, **changes})


@pytest.mark.parametrize("document, expected", [
    (_article(), None),
    (_article(draft=True), "draft"),
    (_article(publish_after=dt.date(2030, 1, 1)), "embargoed"),
    (_article(publish_after=dt.date(2020, 1, 1)), None),
    (_testimony(), None),
    (_testimony(consent_status="withdrawn"), "consent withdrawn"),
    (_testimony(draft=True, consent_status="withdrawn"), "draft"),
])
def test_withholding_reasons(document, expected):
    assert withholding_reason(document, dt.date(2026, 11, 28)) == expected
