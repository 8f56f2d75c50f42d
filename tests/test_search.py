"""The search index: normalising, tokenising, shard files, determinism, and what is never indexed."""

import dataclasses
import json
import pickle
import random
import re
import subprocess

import pytest

from bench.search_bench import SHAPES, TAGS, synthetic_items
from generator.core.model import InlineBody
from generator import search
from generator.search import ShardTargets, build_index, spelling
from generator.search import records as search_records
from generator.search import text as search_text
from generator.search.codec import balanced_cuts, decode_numbers, encode_numbers
from generator.search.text import JOINS, index_tokens, normalise, query_tokens, tokens
from tests.conftest import PROJECT, build_site

NODE = "/usr/bin/node"
WARNINGS = {"harassment": "Harassment"}
SEARCH_JS = PROJECT / "templates/static/search.js"


@pytest.mark.parametrize("text, expected", [
    ("Café CAFÉ cafe", ["cafe", "cafe", "cafe"]),
    ("#MeToo MeToo metoo", ["metoo", "metoo", "metoo"]),
    ("Straße", ["strasse"]),
    ("Ærøskøbing Łódź", ["aeroskobing", "lodz"]),
    ("ﬁnance ½ x²", ["finance", "1", "2", "x2"]),
    ("snake_case words", ["snake", "case", "words"]),
    ("Weinstein's accusers—and others", ["weinstein", "s", "accusers", "and", "others"]),
    ("", []),
])
def test_tokens_fold_case_accents_and_symbols(text, expected):
    assert tokens(text) == expected


@pytest.mark.parametrize("query, expected", [
    ("me too", ["metoo"]),
    ("Me-Too movement", ["metoo", "movement"]),
    ("#MeToo", ["metoo"]),
    ("me, too", ["me", "too"]),
    ("Balance ton porc", ["balancetonporc"]),
    ("meet too", ["meet", "too"]),
])
def test_query_tokens_join_known_spellings(query, expected):
    assert query_tokens(query) == expected


def test_index_keeps_the_words_of_a_joined_spelling_and_adds_the_joined_term():
    words, joined, length = index_tokens("She wrote me too, and the Me Too posts spread")
    assert words == ["she", "wrote", "me", "too", "and", "the", "me", "too", "posts", "spread"]
    assert joined == [("metoo", 3), ("metoo", 7)]
    assert length == 10


def test_over_long_tokens_are_dropped():
    assert tokens("a" * 41 + " ok " + "b" * 40) == ["ok", "b" * 40]


@pytest.mark.parametrize("values", [[0], [31, 32, 1023, 1024, 4095, 4096, 10**9], list(range(200))])
def test_number_encoding_round_trips(values):
    assert decode_numbers(encode_numbers(values)) == values


def test_balanced_cuts_make_runs_of_similar_size():
    sizes = [1000 + (i * 37) % 900 for i in range(1000)]
    cuts = balanced_cuts(sizes, 50_000)
    runs = [sum(sizes[a:b]) for a, b in zip(cuts, cuts[1:] + [len(sizes)])]
    assert len(runs) == round(sum(sizes) / 50_000)
    assert max(runs) - min(runs) <= 2 * max(sizes)


def test_chinese_and_japanese_terms_are_cut_into_shards_three_times_smaller():
    # Their words are looked up as bigrams, which sort apart: each bigram of a query is in a shard of its own.
    bigrams = [chr(0x4e00 + n) + chr(0x4e00 + n + 1) for n in range(300)] + [chr(0x30a2 + n) + "ン" for n in range(30)]
    terms = sorted([f"w{n:04}" for n in range(300)] + bigrams + [f"검사{n:03}" for n in range(300)], key=search.term_order)
    cuts = search.term_cuts(terms, [100] * len(terms), 3_000)
    shard_terms = [terms[a:b] for a, b in zip(cuts, cuts[1:] + [len(terms)])]
    assert {len(shard) for shard in shard_terms if shard[0].startswith("w")} == {30}
    assert {len(shard) for shard in shard_terms if shard[0] in bigrams} == {10}
    assert {len(shard) for shard in shard_terms if shard[0].startswith("검")} == {30}  # Korean words sort after them


TRICKY = ["Café", "CAFÉ", "naïve façade", "Ångström", "İstanbul", "ΟΔΥΣΣΕΥΣ Σίσυφος", "Straße STRASSE ẞ",
          "Œuvre æsthetic Øresund Đorđe Łódź þorn", "#MeToo", "#metoo", "me too", "Me-Too", "me—too", "me  too",
          "Balance ton porc", "#BalanceTonPorc", "x² ½ ① ﬁ ㎏", "snake_case", "don't can’t", "日本語のテキスト",
          "हिन्दी में मीटू", "Ｆｕｌｌｗｉｄｔｈ", "e\u0301le\u0300ve", "tab\tnew\nline", "emoji 🙂 here",
          "a" * 45, "Weinstein's", "10,000 people; 4.7 million", "ﬀ ﬃ", "Ǆemal", "ﬆ"]


def test_javascript_normaliser_matches_python():
    """search.js must turn text into the same terms as the index, or searches silently miss."""
    program = (f"const s = require({json.dumps(str(SEARCH_JS))});"
               f"s.setJoins({json.dumps([[list(w), j] for w, j in JOINS])});"
               f"const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
               "console.log(JSON.stringify(input.map(t => [s.normalise(t), s.tokens(t), s.queryTokens(t)])));")
    done = subprocess.run([NODE, "-e", program], input=json.dumps(TRICKY), capture_output=True, text=True, check=True)
    from_js = json.loads(done.stdout)
    from_python = [[normalise(t), tokens(t), query_tokens(t)] for t in TRICKY]
    for text, js, py in zip(TRICKY, from_js, from_python):
        assert js == py, text


def run_js(expression: str, data) -> object:
    """expression over ``s`` (search.js as a module) and ``input`` (data), evaluated by node."""
    program = (f"const s = require({json.dumps(str(SEARCH_JS))});"
               f"s.setJoins({json.dumps([[list(w), j] for w, j in JOINS])});"
               f"const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
               f"console.log(JSON.stringify({expression}));")
    done = subprocess.run([NODE, "-e", program], input=json.dumps(data), capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


SKELETON_TERMS = ["weinstein", "weinstien", "harassment", "harrassment", "aardvark", "baab", "yyyy", "über", "ooooh",
                  "straße", "日本語", "हिन्दी", "🙂🙂x", "x" * 40, "abc", "жжжжa", "привет", "ѐaѐa"]


def test_javascript_skeleton_matches_python():
    """The spelling shards are sorted by skeleton: search.js must find a word's skeleton in them."""
    terms = SKELETON_TERMS + [t for text in TRICKY for t in tokens(text)]
    assert run_js("input.map(s.skeleton)", terms) == [spelling.skeleton(t) for t in terms]
    assert spelling.skeleton("weinstien") == spelling.skeleton("weinstein") == "wnstn"
    assert spelling.skeleton("harrassment") == spelling.skeleton("harassment") == "hrsmnt"


@pytest.mark.parametrize("word, candidates, expected", [
    ("weinstien", [["weinstein", 3], ["wenstein", 1], ["einstein", 9]], "weinstein"),  # a swap is one edit
    ("harrassment", [["harassment", 6], ["harassed", 5]], "harassment"),
    ("harrassment", [["embarrassment", 9]], None),  # three edits away
    ("cat", [["car", 9]], None),  # short words are not corrected
    ("movment", [["movement", 2], ["moment", 8]], "moment"),  # as near: the more used term
    ("2017", [["2016", 9]], None),
])
def test_the_nearest_term_is_suggested(word, candidates, expected):
    assert run_js("s.nearestTerm(input[0], input[1])", [word, candidates]) == expected


def test_spell_shards_hold_every_long_term_once_and_keep_a_skeleton_together():
    # Cyrillic then Latin letters: their UTF-16 holds two zero bytes across code units (04 00 00 61).
    cyrillic = ["ѐaѐa", "ѐaѐb", "жжжжa", "привет", "приветик"]
    terms = sorted({t for item in synthetic_items(150, seed=3) for t in tokens(item.body_text)} | set(cyrillic), key=search.term_order)
    sizes = [len(t) + 10 * (n % 7) + 3 for n, t in enumerate(terms)]
    firsts, files = spelling.spell_shards(terms, sizes, 2_000)
    assert len(files) > 5
    shards = [shard_data(data)[0].split(",") for _path, data in files]
    entries = [entry for shard in shards for entry in shard]
    assert sorted(e.rsplit(".", 1)[0] for e in entries) == sorted(t for t in terms if len(t) >= 4 and not t.isdecimal())
    for number, shard in enumerate(shards):
        skeletons = [spelling.skeleton(e.rsplit(".", 1)[0]) for e in shard]
        assert skeletons[0] == firsts[number] and skeletons == sorted(skeletons, key=search.term_order)
        if number:
            assert spelling.skeleton(shards[number - 1][-1].rsplit(".", 1)[0]) != skeletons[0]  # not cut apart


def test_excerpt_text_is_the_start_of_the_body_cut_after_a_word():
    assert search_records.excerpt_text("  One   two\nthree  ") == "One two three"
    text = " ".join(f"word{n}" for n in range(1000))
    cut = search_records.excerpt_text(text)
    assert cut.endswith("…") and len(cut) <= search_records.EXCERPT_TEXT_CHARS + 1 and text.startswith(cut[:-1])
    assert text[len(cut) - 1] == " "  # the whole last word, then the ellipsis
    assert search_records.excerpt_text("x" * 3000) == "x" * search_records.EXCERPT_TEXT_CHARS + "…"
    # A Chinese character counts as three letters: about as much text as 1,200 letters of English.
    assert search_records.excerpt_text("受害者" * 500) == ("受害者" * 500)[:400] + "…"
    assert search_records.excerpt_text("受害者 " + "a" * 10 + " 受害者") == "受害者 " + "a" * 10 + " 受害者"
    mixed = search_records.excerpt_text("MeToo " * 150 + "运动" * 300)
    assert mixed.startswith("MeToo " * 150 + "运动") and mixed.endswith("…") and len(mixed) == 900 + 100 + 1


@pytest.fixture(scope="module")
def synthetic_index():
    items = synthetic_items(400, seed=7)
    return items, build_index(items, {t: t for t in TAGS}, WARNINGS, processes=1)


def test_shards_are_balanced_and_within_the_size_range(synthetic_index):
    _items, files = synthetic_index
    for kind in ("terms", "positions"):
        sizes = [len(data) for path, data in files if path.startswith(f"search/{kind}/")]
        assert len(sizes) > 3
        assert all(30_000 <= size <= 150_000 for size in sizes), (kind, sizes)
        assert max(sizes) < 2 * min(sizes), (kind, sizes)
    doc_sizes = [len(data) for path, data in files if path.startswith("search/docs/")]
    assert all(size < 2 * ShardTargets().docs for size in doc_sizes)


def shard_data(data: bytes):
    match = re.fullmatch(rb'window\.__chorusShard&&__chorusShard\("([^"]+)",(.*)\);\n', data, re.S)
    assert match, data[:200]
    payload = match.group(2).decode()
    if payload.startswith("JSON.parse("):
        return json.loads(json.loads(payload[len("JSON.parse("):-1]))
    return json.loads("[" + payload + "]")


def test_manifest_term_ranges_cover_every_term_once(synthetic_index):
    _items, files = synthetic_index
    by_path = dict(files)
    manifest = shard_data(by_path["search/manifest.js"])
    terms = []
    for number, first in enumerate(manifest["terms"]):
        shard_terms = shard_data(by_path[f"search/terms/{number}.js"])[0].split(" ")
        assert shard_terms[0] == first
        terms += shard_terms
    assert terms == sorted(terms, key=search.term_order) and len(terms) == len(set(terms))


def test_metadata_shards_hold_what_a_result_shows(synthetic_index):
    items, files = synthetic_index
    by_path = dict(files)
    manifest = shard_data(by_path["search/manifest.js"])
    records, per = [], manifest["docsPerShard"]
    for number in range(-(-len(items) // per)):
        shard = shard_data(by_path[f"search/docs/{number}.js"])
        assert len(records) == number * per and len(shard) == min(per, len(items) - number * per)
        records += shard
    assert len(records) == len(items) == manifest["count"]
    first = items[0]
    assert records[0][:3] == [first.url.lstrip("/"), first.title, first.kind[0]]
    assert records[0][5] == ["Harassment" for _w in first.content_warnings] and records[0][6] == first.summary
    testimony = next(i for i, item in enumerate(items) if item.kind == "testimony")
    assert records[testimony][3] == items[testimony].date.month_label  # month only, never the day
    article = next(i for i, item in enumerate(items) if item.kind == "article")
    assert records[article][7] == items[article].source and records[article][8] == "en"
    assert records[article][9] == search_records.excerpt_text(items[article].body_text)


@pytest.fixture(scope="module")
def long_items():
    return synthetic_items(24, seed=5, shape=SHAPES["long"])


def test_what_the_cards_show_is_indexed(long_items):
    """Region and pseudonym (testimonies), source and authors (articles), tag and warning labels."""
    labels = {t: f"Label {t}" for item in long_items for t in item.tags}
    warnings = {w: f"Warned {w}" for item in long_items for w in item.content_warnings}
    for item in long_items:
        fields = dict(zip(search.FIELDS, search.item_fields(item, labels, warnings)))
        assert fields["title"] == item.title and fields["summary"] == item.summary and fields["body"] == item.body_text
        assert fields["tags"] == " ".join(labels[t] for t in item.tags)
        assert fields["warnings"] == " ".join(warnings[w] for w in item.content_warnings)
        if item.kind == "article":
            assert (fields["source"], fields["byline"], fields["region"]) == (item.source, " ".join(item.authors), "")
        else:
            assert (fields["region"], fields["byline"], fields["source"]) == (item.region, item.pseudonym, "")
    assert any(item.kind == "testimony" and item.region for item in long_items)
    assert any(item.kind == "article" and item.authors for item in long_items)


def test_a_word_found_only_in_a_card_field_finds_the_item(long_items):
    labels = {t: t.replace("-", " ").title() for item in long_items for t in item.tags}
    files = dict(build_index(long_items, labels, bench_warnings(long_items), processes=1))
    manifest = shard_data(files["search/manifest.js"])
    testimony = next(n for n, item in enumerate(long_items) if item.kind == "testimony" and item.region)
    article = next(n for n, item in enumerate(long_items) if item.kind == "article" and item.authors)
    for n, text in ((testimony, long_items[testimony].region), (article, long_items[article].authors[0]),
                    (article, long_items[article].source)):
        for word in tokens(text):
            assert n in postings_of(files, manifest, word), (text, word)


def test_facets_name_each_items_warnings(synthetic_index):
    items, files = synthetic_index
    facets = shard_data(dict(files)["search/facets.js"])
    assert [w[:2] for w in facets["warnings"]] == [["harassment", "Harassment"]]
    assert gaps_to_ids(facets["warnings"][0][2]) == [n for n, item in enumerate(items) if "harassment" in item.content_warnings]
    assert [t[0] for t in facets["tags"]] == sorted(t[0] for t in facets["tags"])  # labels are the ids here
    members = shard_data(dict(files)["search/tags.js"])
    assert facets["tagsBytes"] == len(dict(files)["search/tags.js"])
    for (tag, _label), gaps in zip(facets["tags"], members, strict=True):
        assert gaps_to_ids(gaps) == [n for n, item in enumerate(items) if tag in item.tags]


def bench_warnings(items):
    return {w: w.replace("-", " ").capitalize() for item in items for w in item.content_warnings}


def gaps_to_ids(text: str) -> list[int]:
    ids, previous = [], -1
    for gap in decode_numbers(text):
        previous += gap + 1
        ids.append(previous)
    return ids


def postings_of(files, manifest, term) -> list[int]:
    """The doc ids of a term's postings, or [] if it is not indexed."""
    shard = next(n for n, first in reversed(list(enumerate(manifest["terms"]))) if search.term_order(first) <= search.term_order(term))
    terms, postings = shard_data(files[f"search/terms/{shard}.js"])
    terms = terms.split(" ")
    if term not in terms:
        return []
    docs, previous = [], -1
    for gap in decode_numbers(postings.split(",")[terms.index(term)])[0::2]:
        previous += gap + 1
        docs.append(previous)
    return docs


def test_postings_decode_to_the_documents_containing_the_term(synthetic_index):
    items, files = synthetic_index
    by_path = dict(files)
    manifest = shard_data(by_path["search/manifest.js"])
    term = tokens(items[5].body_text)[10]
    shard = next(n for n, first in reversed(list(enumerate(manifest["terms"]))) if search.term_order(first) <= search.term_order(term))
    terms, postings = shard_data(by_path[f"search/terms/{shard}.js"])
    numbers = decode_numbers(postings.split(",")[terms.split(" ").index(term)])
    docs, previous = [], -1
    for gap in numbers[0::2]:
        previous += gap + 1
        docs.append(previous)
    expected = [i for i, item in enumerate(items) if term in set(tokens(" ".join(search.item_fields(item, {t: t for t in TAGS}, WARNINGS))))]
    assert docs == expected


def test_index_is_byte_identical_across_builds_and_process_counts(synthetic_index):
    items, files = synthetic_index
    again = search.build_index(items, {t: t for t in TAGS}, WARNINGS, processes=2)
    assert files == again
    blocks = search.invert([search.item_fields(i, {t: t for t in TAGS}, WARNINGS) for i in items], processes=2, block_size=37)
    assert blocks == search.invert([search.item_fields(i, {t: t for t in TAGS}, WARNINGS) for i in items], processes=1)


ARTICLE = """\
    ---
    title: "{title}"
    date: 2018-03-04
    source: "Daily Paper"
    summary: "{summary}"
    ---

    {body}
    """
TESTIMONY = """\
    ---
    date: 2018-02
    pseudonym: "{pseudonym}"
    {extra}
    consent: {{status: {status}, recorded: 2018-01-02}}
    ---

    {body}
    """


def test_nothing_unpublished_reaches_any_file_under_search(site_tree, tmp_path):
    root = site_tree({
        "content/articles/public.md": ARTICLE.format(title="Public zebrafinch", summary="Seen.", body="Published words."),
        "content/articles/draft.md": ARTICLE.format(title="Draft", summary="Not yet.", body="Secret quokkadraft words.")
        .replace("source:", "draft: true\n    source:"),
        "content/articles/later.md": ARTICLE.format(title="Later", summary="Embargo.", body="Hidden narwhalembargo.")
        .replace("source:", "publish_after: 2999-01-01\n    source:"),
        "content/testimonies/gone.md": TESTIMONY.format(pseudonym="Withdrawn okapiwithdrawn", extra="", status="withdrawn",
                                                        body="Words of axolotlwithdrawn."),
        "content/testimonies/kept.md": TESTIMONY.format(pseudonym="A reader", extra="private: {intake_ref: \"PANGOLINPRIVATE\"}",
                                                        status="granted", body="My account, published."),
    })
    report = build_site(root, tmp_path / "out")
    assert not report.errors, [d.format() for d in report.errors]
    search_files = sorted((tmp_path / "out/search").rglob("*"))
    blob = b"".join(p.read_bytes() for p in search_files if p.is_file()).lower()
    assert b"zebrafinch" in blob
    for secret in (b"quokkadraft", b"narwhalembargo", b"okapiwithdrawn", b"axolotlwithdrawn", b"pangolinprivate"):
        assert secret not in blob, secret


def edited(items, index, body):
    """items with one item's body changed, as an edit of its source file would change it."""
    return items[:index] + (dataclasses.replace(items[index], body=InlineBody(text=body), fingerprint=f"edited {body}"),) + items[index + 1:]


def build(items, cache_dir=None, processes=1):
    return build_index(items, {t: t for t in TAGS}, WARNINGS, processes=processes, cache_dir=cache_dir)


def counting(monkeypatch, name):
    calls = []
    original = getattr(search, name)
    monkeypatch.setattr(search, name, lambda *args: calls.append(1) or original(*args))
    return calls


def test_warm_rebuild_after_one_edit_redoes_one_item_and_one_block_and_matches_a_cold_build(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "BLOCK_SIZE", 64)
    items = tuple(dataclasses.replace(item, fingerprint=f"source {n}") for n, item in enumerate(synthetic_items(300, seed=11)))
    cold = build(items, tmp_path, processes=2)
    assert cold == build(items)
    changed = edited(items, 150, items[150].body_text + " A new closing sentence about quillwort.")
    analysed, inverted = counting(monkeypatch, "analyse"), counting(monkeypatch, "invert_block")
    spliced = counting(monkeypatch, "splice_block")
    warm = build(changed, tmp_path)
    assert (len(analysed), len(inverted), len(spliced)) == (1, 0, 1)  # one block, its edited item's postings only
    assert warm == build(changed, processes=2)
    assert warm != cold and b"quillwort" in b"".join(data for _path, data in warm)


@pytest.mark.parametrize("edited", [[7], [0], [119], [0, 1, 60, 119]])
def test_splicing_edited_items_into_a_block_gives_what_inverting_it_again_gives(edited):
    """First, last and neighbouring items: each edit takes words away, adds new ones and moves the rest."""
    labels = {t: t for t in TAGS}
    items = synthetic_items(120, seed=21)
    analyses = [search.analyse(search.item_fields(item, labels, WARNINGS)) for item in items]
    averages = search.average_lengths([a.lengths for a in analyses])
    after = list(analyses)
    for n in edited:
        fields = search.item_fields(items[n], labels, WARNINGS)
        after[n] = search.analyse(fields[:search.BODY] + (f"quillwort {n} " + " ".join(fields[search.BODY].split()[5::2]),))
    spliced = search.splice_block(search.invert_block(analyses, averages), {n: analyses[n] for n in edited},
                                  {n: after[n] for n in edited}, averages)
    expected = layout(search.invert_block(after, averages))
    assert layout(spliced) == expected and "quillwort" in expected


def layout(block: search.Block) -> dict[str, tuple]:
    """term -> first, last, rest, positions and ids of a block (the order of its terms does not matter)."""
    rests, places = block.rests.split(","), block.positions.split(",")
    return {term: (block.firsts[i], block.lasts[i], rests[i], places[i],
                   list(block.ids[block.id_ends[i - 1] if i else 0:block.id_ends[i]]))
            for i, term in enumerate(block.terms.split(" "))}


def test_warm_rebuild_after_an_insertion_and_a_deletion_matches_a_cold_build(tmp_path):
    items = synthetic_items(260, seed=12)
    build(items, tmp_path, processes=2)
    changed = (items[0],) + items[2:] + (dataclasses.replace(items[1], slug="moved", fingerprint="new"),)
    assert build(changed, tmp_path, processes=2) == build(changed)
    assert build(changed, tmp_path) == build(changed)  # from the cache only


@pytest.mark.parametrize("damage", [b"", b"not a pickle", pickle.dumps({"some": "other cache"}),
                                    pickle.dumps(("an old version", {"key": "x"}, {}))])
@pytest.mark.parametrize("target", ["state.pickle", "a-", "b-", "f-"])
def test_a_damaged_or_foreign_cache_file_is_ignored(tmp_path, damage, target):
    items = synthetic_items(80, seed=13)
    build(items, tmp_path)
    for path in (tmp_path / "search").glob(target + "*"):
        path.write_bytes(damage)
    search._blocks.clear()  # as a new process finds the cache
    assert build(items, tmp_path) == build(items)
    changed = edited(items, 40, items[40].body_text + " Damaged cache, fresh words.")
    for path in (tmp_path / "search").glob(target + "*"):
        path.write_bytes(damage)
    search._blocks.clear()
    assert build(changed, tmp_path) == build(changed)
    assert build(items, tmp_path) == build(items)  # and the files written instead are usable


def test_a_cache_file_of_earlier_versions_is_removed(tmp_path):
    (tmp_path / "search.pickle").write_bytes(b"hundreds of MB once")
    build(synthetic_items(30, seed=13), tmp_path)
    assert not (tmp_path / "search.pickle").exists()


def test_the_cache_keeps_only_the_current_items(tmp_path):
    items = synthetic_items(120, seed=14)
    build(items, tmp_path)
    build(items[:50], tmp_path)
    state = search.IndexStore(tmp_path).state()
    assert len(state["identities"]) == 50 and len(state["blocks"]) == 1
    files = build(items[:50])
    names = {path.name for path in (tmp_path / "search").iterdir()}
    assert names == {"state.pickle", *state["blocks"][0], *(search.IndexStore.file_name(data) for _path, data in files)}


def test_unchanged_rebuild_gives_the_last_files_without_inverting(tmp_path, monkeypatch):
    items = tuple(dataclasses.replace(item, fingerprint=f"source {n}") for n, item in enumerate(synthetic_items(200, seed=15)))
    cold = build(items, tmp_path)
    calls = [counting(monkeypatch, name) for name in ("analyse", "invert_block", "merge_blocks", "term_script", "json_script")]
    assert build(items, tmp_path) == cold
    assert not any(calls)


def test_edits_in_place_remake_only_the_shards_they_change(tmp_path, monkeypatch):
    """Edits of bodies, summaries and titles, one or two at a time, words added and removed:
    each warm build matches a cold one and makes only some of the files again."""
    monkeypatch.setattr(search, "BLOCK_SIZE", 64)
    targets = search.ShardTargets(terms=8_000, positions=12_000, docs=2_000)
    labels = {t: t for t in TAGS}
    index = lambda items, cache=None: build_index(items, labels, WARNINGS, targets, 1, cache)  # noqa: E731
    items = tuple(dataclasses.replace(item, fingerprint=f"source {n}") for n, item in enumerate(synthetic_items(300, seed=16)))
    previous = dict(index(items, tmp_path))
    rng = random.Random(5)
    made, full = counting(monkeypatch, "term_script"), counting(monkeypatch, "_build_all")
    updates = 0
    for step in range(12):
        for n in rng.sample(range(len(items)), rng.choice((1, 1, 2))):
            item = items[n]
            change = rng.choice(("append", "drop", "summary", "title", "new words"))
            if change == "append":
                item = dataclasses.replace(item, body=InlineBody(text=item.body_text + " " + items[rng.randrange(300)].body_text[:200]))
            elif change == "drop":
                item = dataclasses.replace(item, body=InlineBody(text=item.body_text[:len(item.body_text) // 3]))
            elif change == "summary":
                item = dataclasses.replace(item, summary=f"A new summary, step {step}.")
            elif change == "title" and item.kind == "article":
                item = dataclasses.replace(item, title=f"Retitled zzyzx{step} aardvark{step}")
            else:
                item = dataclasses.replace(item, body=InlineBody(text=f"Unheard qqword{step} words xylo{step}. " + item.body_text))
            items = items[:n] + (dataclasses.replace(item, fingerprint=f"source {n} step {step}"),) + items[n + 1:]
        made.clear(), full.clear()
        warm = index(items, tmp_path)
        if not full:  # not after a change of the average field lengths, which changes every block
            updates += 1
            different = [path for path, data in warm if previous.get(path) != data and path.startswith(("search/terms/", "search/positions/"))]
            assert len(made) <= len(different), step
        assert warm == index(items), step
        previous = dict(warm)
    assert updates >= 9


@pytest.mark.parametrize("present, longest, expected", [
    ("...........", 4, [(0, 4), (4, 8), (8, 11)]),
    ("..x..xx.", 50, [(0, 2), (3, 5), (7, 8)]),
    ("xxxx", 2, []),
    ("x...x", 2, [(1, 3), (3, 4)]),
])
def test_items_to_analyse_are_cut_into_runs_of_at_most_the_given_length(present, longest, expected):
    analyses = [object() if c == "x" else None for c in present]
    assert list(search._missing_runs(analyses, 0, len(analyses), longest)) == expected


# --- every script: Chinese and Japanese bigrams, Korean syllables, stems in the item's language ------

def test_chinese_and_japanese_are_indexed_as_bigrams_and_a_query_looks_up_its_bigrams():
    # One token per character: the bigram it starts, the last character alone (so that a phrase's
    # positions and a field's length count characters).
    assert tokens("那年我也是受害者") == ["那年", "年我", "我也", "也是", "是受", "受害", "害者", "者"]
    assert tokens("MeToo运动，米兔") == ["metoo", "运动", "动", "米兔", "兔"]
    assert tokens("被害者への中傷") == ["被害", "害者", "者へ", "への", "の中", "中傷", "傷"]
    assert search_text.query_words("受害者 MeToo") == [["受害", "害者"], ["metoo"]]
    assert search_text.query_words("米") == [["米"]]  # looked up as the start of its bigrams by search.js
    assert tokens("日本語" * 30)[:2] == ["日本", "本語"]  # a long sentence is not a 'word' over 40 letters


def test_voiced_kana_and_hangul_syllables_survive_folding():
    assert tokens("ガイド") == ["ガイ", "イド", "ド"] and tokens("ｶﾞｲﾄﾞ") == tokens("ガイド")  # halfwidth too
    assert tokens("カイト") != tokens("ガイド")
    assert normalise("검사는") == "검사는" and tokens("서지현 검사는") == ["서지현", "검사는"]  # syllables, not letters
    assert tokens("\u1100\u1161\u11a8") == ["각"]  # letters typed apart become their syllable


def index_of(items, **kwargs):
    files = dict(build_index(items, {t: t for t in TAGS}, WARNINGS, processes=1, **kwargs))
    return files, shard_data(files["search/manifest.js"])


def languages_items():
    base = synthetic_items(4, seed=31)
    texts = [("en", "Readers sent their testimonies and a law."), ("en", "The court heard testimony."),
             ("es", "Una ley contra el acoso."), ("ko", "서지현 검사는 방송에 출연했다.")]
    return tuple(dataclasses.replace(item, language=language, body=InlineBody(text=text), summary="", fingerprint=f"x{n}")
                 for n, (item, (language, text)) in enumerate(zip(base, texts)))


def test_each_word_is_indexed_with_its_stem_in_its_items_language():
    items = languages_items()
    files, manifest = index_of(items)
    assert postings_of(files, manifest, "testimonies") == [0] and postings_of(files, manifest, "testimony") == [1]
    # Both forms under one stem: an item with the form typed holds the word and the stem, and ranks first.
    assert postings_of(files, manifest, "testimoni!") == [0, 1]
    assert postings_of(files, manifest, "acos!") == [2]  # Spanish, stemmed in Spanish
    assert postings_of(files, manifest, "ley") == [2] and postings_of(files, manifest, "ley!") == []  # its own stem
    assert postings_of(files, manifest, "law") == [0] and postings_of(files, manifest, "law!") == []
    assert not [t for t in manifest_terms(files, manifest) if t.endswith("!") and not t[:-1].isascii()]  # no Korean stems
    assert manifest["stemmers"] == [["en", "english", "Latin"], ["es", "spanish", "Latin"]] and manifest["stemMark"] == "!"


def test_stems_are_counted_the_same_when_the_stem_cache_is_full(monkeypatch):
    fields = ("Testimonies", "", "", "", "", "", "", "A testimony, and the testimonies of harassed readers.")
    monkeypatch.setattr(search, "_STEMS", {})
    cold = search.analyse(fields, "english")
    assert search.analyse(fields, "english") == cold and "testimoni!" in cold.terms.split(" ")
    monkeypatch.setattr(search, "_STEMS", {})
    monkeypatch.setattr(search, "MAX_STEMS_KEPT", 0)  # a preview that has run for days keeps no more
    assert search.analyse(fields, "english") == cold


def manifest_terms(files, manifest):
    return [t for n in range(len(manifest["terms"])) for t in shard_data(files[f"search/terms/{n}.js"])[0].split(" ")]


def test_a_site_ships_the_stemmers_of_its_items_languages_only():
    files, _manifest = index_of(languages_items())
    assert sorted(p for p in files if p.startswith("search/stem/")) == ["search/stem/base.js", "search/stem/english.js",
                                                                         "search/stem/spanish.js"]
    files, manifest = index_of(languages_items()[3:])  # Korean alone: no Snowball stemmer
    assert not [p for p in files if p.startswith("search/stem/")] and manifest["stemmers"] == []


def test_stems_have_no_positions_and_are_never_suggested_as_spellings():
    files, manifest = index_of(languages_items())
    shard = 0  # a small index: one positions shard
    terms, places = shard_data(files[f"search/positions/{shard}.js"])
    by_term = dict(zip(terms.split(" "), places.split(",")))
    assert by_term["testimoni!"] == "" and by_term["testimonies"] != ""
    spelled = ",".join(shard_data(files[f"search/spell/{n}.js"])[0] for n in range(len(manifest["spell"])))
    assert "testimonies." in spelled and "!" not in spelled


def test_facets_name_each_language_in_the_sites_and_its_own_and_list_its_items():
    items = languages_items()
    found, _members = search.facets(items, {t: t for t in TAGS}, WARNINGS, "en")
    assert [language[:4] for language in found["languages"]] == [
        ["en", "English", "English", ""], ["ko", "Korean", "한국어", ""], ["es", "Spanish", "Español", ""]]
    # The language of most items lists none: it is that of every item the others do not list.
    assert [language[4] and gaps_to_ids(language[4]) for language in found["languages"]] == [None, [3], [2]]
    found, _members = search.facets(items, {t: t for t in TAGS}, WARNINGS, "fr")
    assert [language[1] for language in found["languages"]] == ["Anglais", "Coréen", "Espagnol"]


def test_an_items_language_is_part_of_what_its_cached_analysis_depends_on(tmp_path):
    # Items without a fingerprint (of their source file, which holds the language) are keyed by their text.
    items = tuple(dataclasses.replace(item, fingerprint="") for item in languages_items())
    build(items, tmp_path)
    # Same text, now French, and an item fewer (a build that takes the others' analyses from the cache by key).
    changed = items[:2] + (dataclasses.replace(items[2], language="fr"),)
    warm = dict(build(changed, tmp_path))
    assert warm == dict(build(changed))
    manifest = shard_data(warm["search/manifest.js"])
    assert postings_of(warm, manifest, "acos!") == [] and manifest["stemmers"] == [["en", "english", "Latin"], ["fr", "french", "Latin"]]
