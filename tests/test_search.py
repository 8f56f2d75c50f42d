"""The search index: normalising, tokenising, shard files, determinism, and what is never indexed."""

import dataclasses
import json
import pickle
import random
import re
import subprocess

import pytest

from bench.search_bench import TAGS, synthetic_items
from generator.bodies import InlineBody
from generator import search
from generator.search import (JOINS, ShardTargets, balanced_cuts, build_index, decode_numbers, encode_numbers,
                              index_tokens, normalise, query_tokens, tokens)
from tests.conftest import PROJECT, build_site

NODE = "/usr/bin/node"
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


@pytest.fixture(scope="module")
def synthetic_index():
    items = synthetic_items(400, seed=7)
    return items, build_index(items, {t: t for t in TAGS}, {"harassment": "Harassment"}, processes=1)


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
    records = []
    for number, start in enumerate(manifest["docs"]):
        shard = shard_data(by_path[f"search/docs/{number}.js"])
        assert len(records) == start
        records += shard
    assert len(records) == len(items) == manifest["count"]
    first = items[0]
    assert records[0][:3] == [first.url.lstrip("/"), first.title, first.kind[0]]
    assert records[0][5] == list(first.tags) and records[0][7] == first.summary
    testimony = next(i for i, item in enumerate(items) if item.kind == "testimony")
    assert records[testimony][3] == items[testimony].date.month_label  # month only, never the day


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
    expected = [i for i, item in enumerate(items) if term in set(tokens(" ".join(search.item_fields(item, {t: t for t in TAGS}))))]
    assert docs == expected


def test_index_is_byte_identical_across_builds_and_process_counts(synthetic_index):
    items, files = synthetic_index
    again = search.build_index(items, {t: t for t in TAGS}, {"harassment": "Harassment"}, processes=2)
    assert files == again
    blocks = search.invert([search.item_fields(i, {t: t for t in TAGS}) for i in items], processes=2, block_size=37)
    assert blocks == search.invert([search.item_fields(i, {t: t for t in TAGS}) for i in items], processes=1)


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
    return build_index(items, {t: t for t in TAGS}, {"harassment": "Harassment"}, processes=processes, cache_dir=cache_dir)


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
    analyses = [search.analyse(search.item_fields(item, labels)) for item in items]
    averages = search.average_lengths([a.lengths for a in analyses])
    after = list(analyses)
    for n in edited:
        fields = search.item_fields(items[n], labels)
        after[n] = search.analyse(fields[:4] + (f"quillwort {n} " + " ".join(fields[4].split()[5::2]),))
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
    index = lambda items, cache=None: build_index(items, labels, {"harassment": "Harassment"}, targets, 1, cache)  # noqa: E731
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
