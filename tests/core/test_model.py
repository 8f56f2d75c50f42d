"""The content model: the order of items."""

from pathlib import Path


from generator.core.dates import PartialDate
from generator.core.model import Testimony


def _testimony(**changes):
    base = dict(path=Path("t.md"), slug="t", date=PartialDate(2018, 1, 17), pseudonym="Anonymous", region="",
                tags=(), summary="", language="en", content_warnings=(), editor_note="", draft=False,
                consent_status="granted", publish_after=None, body_markdown="x", body_line=5)
    return Testimony(**{**base, **changes})


def test_testimony_order_ignores_the_day():
    early, late = _testimony(slug="b", date=PartialDate(2018, 1, 2)), _testimony(slug="a", date=PartialDate(2018, 1, 30))
    assert early.sort_key > late.sort_key  # same month: ordered by slug, never by the private day
    assert late.title == "Anonymous, January 2018"
