"""The privacy guard, probed as an adversarial reviewer and an editor pasting from Word, PDFs and chat
apps would: every written form of a detail is stopped with path:line: error:, and ordinary text is not."""

from __future__ import annotations

import json

import pytest

from generator.privacy import pii
from generator.privacy.detectors import ADDRESS, DATE, EMAIL, HANDLE, PHONE, POSTCODE, WEB
from generator.privacy.pii import LISTED, PRIVATE
from generator.core.types import FileSettings, SourceFile, Redactions
from generator.content.perfile import process_file

FRONT = """\
---
date: 2018-03
pseudonym: {pseudonym}
consent:
  status: granted
  recorded: 2018-04-01
tags: [{tags}]
{fields}private:
  name: "Jane Doe"
  surname: "O'Brien"
  employer: "Acme Logistics"
---

First line of the testimony.
{body}
"""
BODY_LINE = 15  # the probe's first line in the body, when no field is added
SITE = Redactions(names=("Jo Bloggs",), replacements=(("Acme Logistics", "[employer]"), ("Harbour View", "[a street]"),
                                                         ("Acme", "[company]")),
                      public=("Harvey Weinstein", "Twitter", "The New York Times", "Tarana Burke"),
                      tag_labels=(("jane-doe", "Jane Doe"), ("solidarity", "Solidarity"), ("named", "Jane Doe")))


def guard(tmp_path, body: str = "", fields: dict[str, str] | None = None, tags: str = "solidarity",
          redactions: Redactions = SITE):
    fields = dict(fields or {})
    pseudonym = json.dumps(fields.pop("pseudonym", "A reader"), ensure_ascii=False)
    lines = "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in fields.items())
    path = tmp_path / "content/testimonies/t.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FRONT.format(pseudonym=pseudonym, fields=lines, body=body, tags=tags), encoding="utf-8")
    result = process_file(SourceFile(path, "testimony"), FileSettings("en", 1_000_000, redactions, (str(tmp_path),)))
    return [d.format(tmp_path) for d in result.diagnostics], result


def field_line(name: str, fields: dict[str, str]) -> int:
    return 8 + list(fields).index(name) if name != "pseudonym" else 3


MISSED = "text that redact.yaml replaces, written so that the replacement missed it"
PERSON = "a person's name"
ORGANISATION = "the name of an organisation"
PLACE = "the name of a place smaller than a region"
NAME = "a name"

# (written in the body, what the guard must say). Each is one class the review found passing.
BODY_PROBES = [
    # Emails, plain and obfuscated
    ("Write to sam.roe@example.com today.", EMAIL),
    ("Write to jane at gmail dot com today.", EMAIL),
    ("Write to jane AT gmail DOT com today.", EMAIL),
    ("Write to jane At Gmail Dot Com today.", EMAIL),
    ("Write to jane{at}gmail{dot}com today.", EMAIL),
    ("Write to jane[at]gmail[dot]com today.", EMAIL),
    ("Write to jane (at) example (dot) co (dot) uk today.", EMAIL),
    ("Write to jane [ at ] gmail [ dot ] com today.", EMAIL),
    ("Write to jane @ gmail . com today.", EMAIL),
    ("Write to <span>jane</span>@gmail.com today.", EMAIL),
    ("Write to jane**@**gmail.com today.", EMAIL),
    ("Write to jane*@*gmail.com today.", EMAIL),
    ("Write to jane＠gmail.com today.", EMAIL),
    ("Write to JANE@GMAIL.COM today.", EMAIL),
    ("Write to <jane@example.org> today.", EMAIL),
    ("Write to [me](mailto:jane@example.org) today.", EMAIL),
    ("Write to jane&#64;example.org today.", EMAIL),
    ("Write to jane@exam\u00adple.org today.", EMAIL),
    # Phone numbers
    ("Call 555–123–4567 after six.", PHONE),
    ("Call 555—123—4567 after six.", PHONE),
    ("Call 555/123/4567 after six.", PHONE),
    ("Call 555&nbsp;123&nbsp;4567 after six.", PHONE),
    ("Call 555\u00a0123\u00a04567 after six.", PHONE),
    ("Call 555 123\n4567 after six.", PHONE),
    ("Call 555 **123** 4567 after six.", PHONE),
    ("Call 555\u200b123\u200b4567 after six.", PHONE),
    ("Call 555&shy;123&shy;4567 after six.", PHONE),
    ("Call +44 20 7946 0958 after six.", PHONE),
    ("Call +44 (0)20 7946 0958 after six.", PHONE),
    ("Call 020 7946 0958 after six.", PHONE),
    ("Call 07700 900123 after six.", PHONE),
    ("Call +1 (555) 123-4567 after six.", PHONE),
    ("Call (212) 555-0147 after six.", PHONE),
    ("Call 0033 6 12 34 56 78 after six.", PHONE),
    ("Call 06 12 34 56 78 after six.", PHONE),
    ("Call +91 98765 43210 after six.", PHONE),
    ("Call 07946.095.835 after six.", PHONE),
    ("Call ０２０ ７９４６ ０９５８ after six.", PHONE),
    # Street addresses
    ("He lived at 221b baker street then.", ADDRESS),
    ("He lived at 221B Baker Street then.", ADDRESS),
    ("He lived at 221B&nbsp;Baker Street then.", ADDRESS),
    ("He lived at 221B **Baker** Street then.", ADDRESS),
    ("He lived at 12 main road then.", ADDRESS),
    ("He lived at 1600 pennsylvania avenue then.", ADDRESS),
    ("He lived in flat 3 then.", ADDRESS),
    ("He lived in Flat 3B then.", ADDRESS),
    ("He lived in apt 4 then.", ADDRESS),
    ("Write to po box 1234 then.", ADDRESS),
    ("He lived at 12 rue de la Paix then.", ADDRESS),
    ("He lived at Hauptstraße 5 then.", ADDRESS),
    ("He lived at hauptstrasse 5 then.", ADDRESS),
    ("He lived at Calle Mayor 5 then.", ADDRESS),
    ("He lived at Via Roma 10 then.", ADDRESS),
    ("He lived at 12 MG Road then.", ADDRESS),
    ("He lived at House No. 45 then.", ADDRESS),
    ("He lived at Kerkstraat 12 then.", ADDRESS),
    # Postcodes
    ("The postcode was sw1a 2aa then.", POSTCODE),
    ("The postcode was SW1A 2AA then.", POSTCODE),
    ("The postcode was SW1A2AA then.", POSTCODE),
    ("The postcode was SW1A&nbsp;2AA then.", POSTCODE),
    ("The address ended NY 10001 then.", POSTCODE),
    ("The address ended springfield, il 62701 then.", POSTCODE),
    ("The zip was 12345-6789 then.", POSTCODE),
    ("The postcode was K1A 0B1 then.", POSTCODE),
    ("The postcode was k1a 0b1 then.", POSTCODE),
    ("The eircode was D02 X285 then.", POSTCODE),
    ("The eircode was d02 x285 then.", POSTCODE),
    ("The address ended 75002 Paris then.", POSTCODE),
    ("The address ended 10115 berlin then.", POSTCODE),
    ("The address ended Delhi 110001 then.", POSTCODE),
    ("The address ended PIN code 560001 then.", POSTCODE),
    ("The address ended Mumbai - 400001 then.", POSTCODE),
    ("The address ended VIC 3065 then.", POSTCODE),
    ("The address ended nsw 2000 then.", POSTCODE),
    # Handles
    ("Follow @janedoe99 for updates.", HANDLE),
    ("Follow ＠janedoe99 for updates.", HANDLE),
    ("Follow **@**janedoe99 for updates.", HANDLE),
    ("Follow @jane.doe99 for updates.", HANDLE),
    ("Follow u/janedoe99 for updates.", HANDLE),
    ("Follow /u/janedoe99 for updates.", HANDLE),
    # Web addresses
    ("See Example.com/jane for more.", WEB),
    ("See HTTPS://example.com for more.", WEB),
    ("See Www.example.com for more.", WEB),
    ("See WWW.EXAMPLE.COM for more.", WEB),
    ("See samroe.social for more.", WEB),
    ("See samroe.us for more.", WEB),
    ("See linktr.ee/samroe for more.", WEB),
    ("See example[.]com for more.", WEB),
    ("See example(.)com for more.", WEB),
    ("See example[dot]com for more.", WEB),
    ("See example**.**com for more.", WEB),
    ("See example.co.uk for more.", WEB),
    ("See example.blog for more.", WEB),
    ("See https://example.org/profile/42 for more.", WEB),
    ("See [my page](https://example.org/me) for more.", WEB),
    ("See <https://example.org/me> for more.", WEB),
    # Dates to the day
    ("It was 15 october 2017.", DATE),
    ("It was 15 October 2017.", DATE),
    ("It was OCTOBER 15.", DATE),
    ("It was October 15, 2017.", DATE),
    ("It was 15-Oct-2017.", DATE),
    ("It was 2017/10/15.", DATE),
    ("It was 2017-10-15.", DATE),
    ("It was 15/10/2017.", DATE),
    ("It was 15.10.2017.", DATE),
    ("It was 10/15/17.", DATE),
    ("It was the 15th, I think.", DATE),
    ("It was October the 15th.", DATE),
    ("It was the 15th of October.", DATE),
    ("It was 15 octobre 2017.", DATE),
    ("It was 15. Oktober 2017.", DATE),
    ("It was 15 de octubre de 2017.", DATE),
    ("It was 15 ottobre 2017.", DATE),
    ("It was 1er mai 2018.", DATE),
    ("It was 15&nbsp;October 2017.", DATE),
    ("It was 15\nOctober 2017.", DATE),
    ("It was 15 **October** 2017.", DATE),
    ("It was Oct. 15, 2017.", DATE),
    ("It was 15 Oct.", DATE),
    ("It was 15 october.", DATE),
    # A private name, written so that a scan of the source misses it
    ("I met Ja\u00adne Doe at work.", PRIVATE),
    ("I met Ja&shy;ne Doe at work.", PRIVATE),
    ("I met J\u200bane Doe at work.", PRIVATE),
    ("I met J&#8203;ane Doe at work.", PRIVATE),
    ("I met Ja\u200dne Doe at work.", PRIVATE),
    ("I met Ja\u200cne Doe at work.", PRIVATE),
    ("I met Ja\u2060ne Doe at work.", PRIVATE),
    ("I met \ufeffJane Doe at work.", PRIVATE),
    ("I met \u202dJane Doe\u202c at work.", PRIVATE),
    ("I met Ja\U000e0041ne Doe at work.", PRIVATE),
    ("I met J\u0430ne Doe at work.", PRIVATE),
    ("I met Jane D\u043ee at work.", PRIVATE),
    ("I met \u0408\u0430ne Doe at work.", PRIVATE),
    ("I met Ｊａｎｅ Ｄｏｅ at work.", PRIVATE),
    ("I met J\u0332a\u0332n\u0332e\u0332 Doe at work.", PRIVATE),
    ("I met JANE DOE at work.", PRIVATE),
    ("I met Jane<!-- -->Doe at work.", PRIVATE),
    ("I met Jane<!-- x --> Doe at work.", PRIVATE),
    ("I met Jane[^1] Doe at work.\n\n[^1]: A note.", PRIVATE),
    ("I met **Jane** Doe at work.", PRIVATE),
    ("I met Jane&nbsp;Doe at work.", PRIVATE),
    ("I met J&#97;ne Doe at work.", PRIVATE),
    ("I met Jane\nDoe at work.", PRIVATE),
    ("I met <span>Ja</span><span>ne</span> Doe at work.", PRIVATE),
    ("| Jane | Doe |\n|------|-----|\n| x | y |", PRIVATE),
    ("- Jane\n- Doe", PRIVATE),
    ("Jane\n:   Doe", PRIVATE),
    ("I met Sam O’Brien at work.", PRIVATE),
    ("I met Sam O\u02bcBrien at work.", PRIVATE),
    # redact.yaml: a listed name and a replaced one, bypassed by the same tricks
    ("I met Jo\u00adBloggs at work.", LISTED),
    ("I met Jo B\u200bloggs at work.", LISTED),
    ("I met J\u043e Bloggs at work.", LISTED),
    ("I met Ｊｏ Ｂｌｏｇｇｓ at work.", LISTED),
    ("I met **Jo** Bloggs at work.", LISTED),
    ("I lived on **Harbour** View then.", MISSED),
    ("I lived on Harbour<!-- -->View then.", MISSED),
    ("I lived on H\u0332arbour View then.", MISSED),
    ("I lived on Harbour[^1] View then.\n\n[^1]: A note.", MISSED),
    ("I lived on Harbour\u2060View then.", MISSED),
    # Names nobody listed (any of the four kinds: a name is stopped whatever it is taken for)
    ("My manager Dave Hutchins made comments every morning.", PERSON),
    ("I told Dr Patel what had happened.", PERSON),
    ("I told Mr. Jonathan Hale what had happened.", PERSON),
    ("The coach, Coach Reyes, said nothing.", PERSON),
    ("I worked at Greenfield Foods for six years.", ORGANISATION),
    ("I was a nurse at St Mary's Hospital then.", ORGANISATION),
    ("I studied at the University of Leeds then.", ORGANISATION),
    ("I was a trainee at Harlow & Finch Solicitors then.", ORGANISATION),
    ("We lived just outside Leicester then.", PLACE),
    ("We met on Mulberry Lane every day.", PLACE),
    ("It happened at Kestrel Logistics Ltd in the aisles.", ORGANISATION),
    ("He ran the Northfield Depot night shift.", ORGANISATION),
    ("Okonkwo was my supervisor there.", PERSON),
    ("I told Priya first.", PERSON),
    ("The owner, Big Steve, had cameras fitted.", PERSON),
    ("She ran the Starfish Cafe on the pier.", ORGANISATION),
    ("We lived above a shop in Croydon then.", PLACE),
    ("The pastor of Grace Fellowship Church told me to forgive.", ORGANISATION),
    ("I moved to Toronto to get away from him.", PLACE),
]

# (field, written there, what the guard must say)
FIELD_PROBES = [
    (field, text, what)
    for field in ("title", "pseudonym", "region", "summary", "editor_note")
    for text, what in (
        ("About Ja\u00adne Doe", PRIVATE),
        ("About J\u200bane Doe", PRIVATE),
        ("About J\u0430ne Doe", PRIVATE),
        ("About Ｊａｎｅ Ｄｏｅ", PRIVATE),
        ("About Sam O’Brien", PRIVATE),
        ("About J\u0332a\u0332n\u0332e\u0332 Doe", PRIVATE),
        ("About Jane<!-- -->Doe", PRIVATE),
        ("About Jane&nbsp;Doe", PRIVATE),
        ("About **Harbour** View", MISSED),
        ("Mail jane at gmail dot com", EMAIL),
        ("Call 555–123–4567", PHONE),
        ("On 15 october 2017", DATE),
        ("At Greenfield Foods", ORGANISATION),
    )
    if not (field == "pseudonym" and what == ORGANISATION)  # a pseudonym is a made-up name by design
]


@pytest.mark.parametrize("text, what", BODY_PROBES, ids=[f"body-{n}" for n in range(len(BODY_PROBES))])
def test_body_probe_is_stopped_on_its_line(tmp_path, text, what):
    errors, _ = guard(tmp_path, text)
    expected = f"content/testimonies/t.md:{BODY_LINE}: error: {what} in the body: "
    assert any(e.startswith(expected) for e in errors), errors


@pytest.mark.parametrize("field, text, what", FIELD_PROBES, ids=[f"{f}-{n}" for n, (f, _, _) in enumerate(FIELD_PROBES)])
def test_field_probe_is_stopped_on_its_line(tmp_path, field, text, what):
    fields = {"title": "A title", "region": "Canada", "summary": "A summary.", "editor_note": "A note."}
    fields[field] = text
    if field == "pseudonym":
        fields = {"pseudonym": text, **{k: v for k, v in fields.items() if k != "pseudonym"}}
    errors, _ = guard(tmp_path, "Text.", fields)
    line = 3 if field == "pseudonym" else 8 + [k for k in fields if k != "pseudonym"].index(field)
    expected = f"content/testimonies/t.md:{line}: error: {what} in '{field}': "
    assert any(e.startswith(expected) for e in errors), errors


def test_the_sites_own_tags_are_not_taken_for_names(tmp_path):
    """Tags are the site's vocabulary: 'Weinstein' and 'Media' on a testimony are not names to remove."""
    site = Redactions(names=SITE.names, public=SITE.public,
                      tag_labels=(("weinstein", "Weinstein"), ("media", "Media"), ("justice-system", "Justice system")))
    errors, _ = guard(tmp_path, "Text.", tags="weinstein, media, justice-system", redactions=site)
    assert errors == []


@pytest.mark.parametrize("tags", ["jane-doe", "named"])
def test_a_tag_that_shows_a_private_name_is_stopped(tmp_path, tags):
    errors, _ = guard(tmp_path, "Text.", tags=tags)
    assert any(e.startswith(f"content/testimonies/t.md:7: error: {PRIVATE} in 'tags': ") for e in errors), errors


REPLACED = [
    "I worked at Ac\u00adme Logistics.",
    "I worked at Ac&shy;me Logistics.",
    "I worked at Ac\u200bme Logistics.",
    "I worked at Ac&#8203;me Logistics.",
    "I worked at Acme&nbsp;Logistics.",
    "I worked at Acme\nLogistics.",
    "I worked at acme logistics.",
    "I worked at ACME LOGISTICS, then at Acme.",
    "I worked at Ａｃｍｅ Logistics.",
]


@pytest.mark.parametrize("text", REPLACED)
def test_redact_replacements_reach_text_written_with_invisible_characters(tmp_path, text):
    """Replaced, never published readable: the page says [employer] and the guard has nothing to say."""
    errors, result = guard(tmp_path, text)
    assert [e for e in errors if MISSED in e or "Acme" in e] == []
    assert "[employer]" in result.document.body.text
    assert "acme" not in result.document.body.text.lower()


@pytest.mark.parametrize("text", ["I lived on H\u0430rbour View.", "I lived on Ｈａｒｂｏｕｒ View.",
                                  "I lived on HARBOUR VIEW.", "I lived on Harbour&#32;View."])
def test_redact_replacements_reach_look_alike_letters(tmp_path, text):
    errors, result = guard(tmp_path, text)
    assert errors == [] and "I lived on [a street]." in result.document.body.text


INVISIBLE = ["\u00ad", "\u200b", "\u2060", "\ufeff", "\u202e", "\u2066", "\U000e0041", "\u180e", "\u200c", "\u200d",
             "\u200e", "\u200f", "\ufe0f"]


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_characters_are_not_published(tmp_path, char):
    errors, result = guard(tmp_path, f"It was a hard{char} year.", {"summary": f"A hard{char} year."})
    assert errors == []
    assert char not in result.document.body.html and char not in result.document.body.text
    assert char not in result.document.summary
    assert "It was a hard year." in result.document.body.text


@pytest.mark.parametrize("text", [
    "ميخواهم\u200cبروم",       # Persian: ZWNJ between letters changes how they join
    "क्\u200dष",                # Devanagari: ZWJ asks for a half form
    "👩\u200d💻 at work",        # an emoji sequence
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f flag",  # Scotland's flag
])
def test_joiners_a_script_needs_are_kept(tmp_path, text):
    _, result = guard(tmp_path, text)
    assert text in result.document.body.text


@pytest.mark.parametrize("text, published", [
    ("Bob\u200cبروم", "Bobبروم"),                 # a joiner between a Latin and an Arabic letter joins nothing
    ("\u200cميخواهم بروم", "ميخواهم بروم"),         # nor at the start of a line...
    ("ميخواهم\u200c", "ميخواهم"),                  # ...or at its end
    ("a\u200c👩 at work", "a👩 at work"),            # a non-joiner before an emoji
    ("👍\u200b done", "👍 done"),                   # a zero-width space after an emoji
    ("hard\ufe0f work", "hard work"),              # an emoji selector after a letter
    ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f a hard\u200byear",
     "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f a hardyear"),  # beside a flag, not in it
])
def test_invisible_characters_that_join_or_show_nothing_are_removed(tmp_path, text, published):
    _, result = guard(tmp_path, text, {"summary": text})
    assert published in result.document.body.text
    assert text not in result.document.body.text
    assert result.document.summary == published


@pytest.mark.parametrize("text", [
    "I ❤\ufe0f it",            # the emoji selector shows the heart in colour
    "❤\ufe0f\u200d🔥 again",     # a heart on fire: selector and joiner, side by side
    "הוא אמר\u200f: לא",        # a right-to-left mark places the colon in Hebrew text
    "قالت\u200e (2017) لا",      # a left-to-right mark in Arabic text
])
def test_invisible_characters_that_change_what_is_shown_are_kept(tmp_path, text):
    _, result = guard(tmp_path, text)
    assert text in result.document.body.text


def test_references_to_invisible_characters_are_removed_from_text_outside_ascii(tmp_path):
    _, result = guard(tmp_path, "Zoë had a hard&shy;ship year&#8203;, and &zwj;more.")
    assert "Zoë had a hardship year, and more." in result.document.body.text
    assert "&shy;" not in result.document.body.html and "\u00ad" not in result.document.body.html


# Ordinary testimony text: none of it is a finding.
CLEAN = [
    "It cost 1 000 000 in the end.",
    "It cost 1.000.000 in the end.",
    "It cost 1,000,000 in the end.",
    "We had 10 000 people at the march.",
    "See you @9pm at the usual place.",
    "See you @ 10:30 at the usual place.",
    "Two High Court judges heard it.",
    "He sat on 2 High Court cases that year.",
    "Unit 4 was where the training took place.",
    "I was 24 and she was 31.",
    "I was aged 15 in October.",
    "It cost £25,000 and $1,200 and €3.50.",
    "The meeting was in room 12, section 4.",
    "Room 101 was the staff room.",
    "It was in 2017, and again in 2018-2019.",
    "Between 1998 2004 and 2010 I moved twice.",
    "In March 2018 and by May 2019 it was over.",
    "It was October 2017 when I first posted.",
    "The posts tagged #MeToo and #TimesUp were everywhere.",
    "It was the 21st century and still nobody listened.",
    "His office was on the 3rd floor.",
    "It was the 2nd time he had done it.",
    "One in 4 women I know has a story like this.",
    "We worked 9 to 5, 5 days a week, 24/7 on call.",
    "Our team won 3-2 and then 4-1.",
    "About 50% of us left within a year.",
    "I read the stories online like everyone else.",
    "In 2017 the square was full of people.",
    "May I say something? I may.",
    "The #MeToo posts, e.g. on social media, i.e. everywhere.",
    "I worked in Canada, then in the United Kingdom and Germany.",
    "I was living in Scotland, then in Northern Ireland.",
    "Everyone in Europe seemed to be posting about it.",
    "My Canadian colleagues and my British manager laughed.",
    "I speak English and French at work.",
    "After the Harvey Weinstein stories, I told my sister.",
    "I read it in The New York Times and on Twitter.",
    "Tarana Burke started the movement years earlier.",
    "We talked on WhatsApp and later on Zoom.",
    "On Monday I went to the police station.",
    "The Christmas party was where it started.",
    "I told HR, and the CEO, and nobody did anything.",
    "I never told Mum, only my best friend.",
    "God knows I tried to forget it.",
    "Afterwards, I left the industry for good.",
    "Unfortunately, the company sided with him.",
    "Freelance work depends on reputation and on being asked back.",
    "It happened at a restaurant in a busy city.",
    "The Head of Department called me into her office.",
    "Human Resources sent me a form and never called back.",
    "I went to the Crown Court every day of the trial.",
    "The High Court ruled in my favour.",
    "It was COVID-19 and everyone was working from home.",
    "I was 5'4\" and he towered over me.",
    "He gave the film 3.5 stars and moved on.",
    "Chapter 3 of the handbook covers harassment.",
    "I was in Year 9 and he was a teacher.",
    "Level 2 of the car park had no cameras.",
    "My shift was from 10 pm to 6 am.",
    "It lasted 18 months, from spring 2016 to autumn 2017.",
    "The policy came in 2019, article 8 of the code.",
    "We were paid 12.50 an hour.",
    "I earned 250000 rupees that year.",
    "He was in his 40s, maybe 45.",
    "## What Happened At Work\n\nIt started slowly.",
    "- First, he commented.\n- Then he touched.\n- Then he threatened.",
    "I saw it on the news: 3 out of 10 women.",
    "I have moved on to different work now.",
    "A friend sat with me and helped me write it all down.",
    "I reported it to the Equality Office and to the Dean of Students.",
]


@pytest.mark.parametrize("text", CLEAN, ids=[f"clean-{n}" for n in range(len(CLEAN))])
def test_ordinary_text_passes(tmp_path, text):
    errors, _ = guard(tmp_path, text)
    assert errors == []


def test_probe_and_clean_counts():
    """The issue's bar: at least 200 probes and 60 clean sentences."""
    probes = len(BODY_PROBES) + len(FIELD_PROBES) + 2 + len(REPLACED) + len(INVISIBLE)
    assert probes >= 200 and len(CLEAN) >= 60, (probes, len(CLEAN))


def test_finding_maps_to_its_source_line(tmp_path):
    body = "One.\n\nTwo, and a list:\n\n- three\n- four with jane@example.org\n\n| a | b |\n|---|---|\n| c | 555 123 4567 |"
    errors, _ = guard(tmp_path, body)
    assert [e.split(": error: ")[0] for e in errors] == [f"content/testimonies/t.md:{BODY_LINE + 5}",
                                                          f"content/testimonies/t.md:{BODY_LINE + 9}"]


def test_allow_accepts_a_finding_as_quoted(tmp_path):
    errors, result = guard(tmp_path, "I worked with Dave Hutchins.")
    assert errors == [f"content/testimonies/t.md:{BODY_LINE}: error: {PERSON} in the body: 'Dave Hutchins': {pii.NAME_HINT}"]
    path = tmp_path / "content/testimonies/t.md"
    path.write_text(path.read_text().replace("private:", "allow:\n  - {text: \"Dave Hutchins\", reason: \"a public figure, reviewed\"}\nprivate:"))
    result = process_file(SourceFile(path, "testimony"), FileSettings("en", 1_000_000, SITE, (str(tmp_path),)))
    assert result.diagnostics == () and [a.text for a in result.allowances] == ["Dave Hutchins"]


def test_a_pseudonym_may_be_a_made_up_name(tmp_path):
    errors, _ = guard(tmp_path, "Text.", {"pseudonym": "Maya R."})
    assert errors == []


def test_public_names_and_replacements_are_never_flagged(tmp_path):
    errors, _ = guard(tmp_path, "Harvey Weinstein, The New York Times and Twitter; [employer] and [company].")
    assert errors == []
