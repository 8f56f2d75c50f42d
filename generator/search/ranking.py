"""How search ranks items: the fields and their weights (BM25F), written into every posting as a
pseudo-frequency at build time. The page's half of the ranking (saturation, idf, phrases, the
bonus of a word as typed over its other forms) is scoreTerm() and scoreWord() in
templates/static/search.js; docs/search.md, "Ranking", describes both and why each field weighs
what it does."""

from __future__ import annotations

from typing import Sequence


# Fields in the order their tokens are numbered; a gap between fields stops phrases crossing them.
# What a card shows is indexed: the region (testimonies), source and authors (articles), the
# pseudonym, tag labels and content-warning labels as readers see them. docs/search.md says why
# each weighs what it does.
FIELDS = ("title", "tags", "region", "warnings", "source", "byline", "summary", "body")
FIELD_WEIGHTS = (6.0, 4.0, 4.0, 3.0, 3.0, 2.0, 2.0, 1.0)
FIELD_B = (0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75, 0.75)  # how much each field's length dampens its term frequency
FIELD_GAP = 2
K1 = 1.2  # BM25's saturation, applied by the page (search.js reads it from the manifest)
TF_SCALE = 4  # pseudo-frequencies are stored as round(tf * TF_SCALE)
BODY = len(FIELDS) - 1


def field_norms(lengths: Sequence[int], averages: Sequence[float]) -> list[float]:
    """BM25F's factor for each field of one item: its weight over its length normalisation, scaled
    for storage. An item's pseudo-frequency for a term is the sum over fields of the term's count
    there times the field's factor; the page adds K1 saturation and idf when it scores a query
    (templates/static/search.js, scoreTerm())."""
    return [TF_SCALE * FIELD_WEIGHTS[f] / (1 - FIELD_B[f] + FIELD_B[f] * lengths[f] / averages[f])
            for f in range(len(FIELDS))]
