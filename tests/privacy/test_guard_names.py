"""The name finder measured on a labelled set: precision and recall must not fall below what docs/privacy.md reports."""

from __future__ import annotations

import re

import pytest
import yaml

from generator.privacy import names
from generator.privacy.visible import normalise
from tests.conftest import PROJECT

LABELLED = PROJECT / "tests/data/names.yaml"
# Measured on tests/data/names.yaml (102 texts, 68 names): precision 1.00, recall 0.88. The
# thresholds leave room for one or two findings either way, not for a regression.
MIN_PRECISION = 0.95
MIN_RECALL = 0.85


def labelled() -> tuple[list[tuple[str, list[tuple[int, int]]]], list[str]]:
    data = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    texts = []
    for raw in data["texts"]:
        spans, text, position = [], "", 0
        for match in re.finditer(r"\{([^}]*)\}", raw):
            text += raw[position:match.start()]
            spans.append((len(text), len(text) + len(match.group(1))))
            text += match.group(1)
            position = match.end()
        texts.append((text + raw[position:], spans))
    return texts, data["public"]


def measure() -> tuple[int, int, int, int]:
    """(findings that are names, findings, names found, names) over the labelled set."""
    texts, public = labelled()
    knowledge = names.Knowledge(names.public_keys(public))
    right = found = hit = total = 0
    for text, spans in texts:
        findings = names.find_names(normalise(text), knowledge)
        overlaps = lambda f, s: f.start < s[1] and s[0] < f.end  # noqa: E731
        found += len(findings)
        right += sum(1 for f in findings if any(overlaps(f, s) for s in spans))
        total += len(spans)
        hit += sum(1 for s in spans if any(overlaps(f, s) for f in findings))
    return right, found, hit, total


def test_the_labelled_set_is_large_enough():
    texts, _ = labelled()
    assert len(texts) >= 60 and sum(len(spans) for _, spans in texts) >= 50
    assert sum(1 for _, spans in texts if not spans) >= 20  # texts with no name at all


def test_precision_and_recall_hold():
    right, found, hit, total = measure()
    precision, recall = right / found, hit / total
    assert precision >= MIN_PRECISION, f"precision {right}/{found} = {precision:.3f}"
    assert recall >= MIN_RECALL, f"recall {hit}/{total} = {recall:.3f}"


@pytest.mark.parametrize("text, kind", [
    ("I told Dr Patel everything.", names.PERSON),
    ("My manager Dave Hutchins was there.", names.PERSON),
    ("I worked at Greenfield Foods then.", names.ORGANISATION),
    ("I studied at the University of Leeds.", names.ORGANISATION),
    ("We lived near Leicester then.", names.PLACE),
    ("We met on Mulberry Lane then.", names.PLACE),
])
def test_kinds(text, kind):
    assert [f.kind for f in names.find_names(normalise(text), names.Knowledge())] == [kind]


def test_public_names_are_never_flagged():
    knowledge = names.Knowledge(names.public_keys(["Harvey Weinstein", "The New York Times"]))
    assert names.find_names("After Harvey Weinstein and the New York Times story, I spoke.", knowledge) == []


@pytest.mark.parametrize("text", [
    "I lived in Canada, then Ontario, then the United Kingdom, Scotland and Wales.",
    "It was in Europe, in the Middle East and in South America.",
    "I moved from Texas to California.",
    "I lived in Bavaria and then Maharashtra.",
])
def test_countries_and_regions_are_never_flagged(text):
    assert names.find_names(normalise(text), names.Knowledge()) == []
