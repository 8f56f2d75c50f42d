"""Rendering pages: pagination and the cards reused between pages."""


import pytest

from generator.output.render import paginate


def test_pagination_links_newer_and_older_pages():
    pages = paginate(list(range(5)), 2, "/articles/")
    assert [p.url for p in pages] == ["/articles/", "/articles/page/2/", "/articles/page/3/"]
    assert pages[0].newer_url is None and pages[0].older_url == "/articles/page/2/"
    assert pages[2].items == (4,) and pages[2].newer_url == "/articles/page/2/"
    assert len(paginate([], 2, "/x/")) == 1


def test_reused_cards_are_made_once_per_item_and_heading_whatever_the_link_and_stay_right_past_the_limit(monkeypatch):
    import jinja2

    from generator.output import render as render_module
    from generator.output.render import CardCache
    from generator.core.urls import PageLinks

    monkeypatch.setattr(render_module, "CARD_CHECKS", 1)  # the first card is also made with its link, to compare
    calls = []
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.globals["reuse"] = reuse = CardCache(limit=4)
    env.globals["count"] = lambda item: calls.append(item.slug) or ""
    template = env.from_string(
        '{% macro card(item, heading, href) %}{{ count(item) }}<a href="{{ href }}">{{ item.slug }}</a>{% endmacro %}'
        '{% for c in reuse.cards(card, items, "h2") %}{{ c }}|{% endfor %}')

    class Item:
        def __init__(self, slug):
            self.slug, self.url = slug, f"/articles/{slug}/"

    items = [Item("a"), Item("b"), Item("c&d")]
    from_tags = '<a href="../../articles/a/">a</a>|<a href="../../articles/b/">b</a>|<a href="../../articles/c&amp;d/">c&amp;d</a>|'
    from_list = '<a href="a/">a</a>|<a href="b/">b</a>|<a href="c&amp;d/">c&amp;d</a>|'
    render = lambda page: template.render(items=items, url=PageLinks(page))  # noqa: E731
    assert render("/tags/x/") == from_tags and calls == ["a", "a", "b", "c&d"]  # a twice: the check
    assert render("/tags/y/") == from_tags and render("/articles/") == from_list
    assert len(calls) == 4  # other pages, other links: the same cards
    env.globals["reuse"] = reuse = CardCache(limit=2)  # past the limit the oldest are dropped, made again when shown
    assert render("/articles/") == from_list and render("/tags/x/") == from_tags and len(reuse.saved) <= 2


@pytest.mark.parametrize("card", [
    '<a href="{{ href }}">{{ item.title }}</a>',  # the usual card: made once, the link put in per page
    '<a href="{{ href }}">{{ item.title }}</a> <a href="{{ href }}#more">more</a>',  # the link twice
    '<a href="{{ href | upper }}">{{ item.title }}</a>',  # does more with the link than show it
    '<a href="/x/">{{ item.title }}</a>',  # no link at all
])
def test_saved_cards_are_the_macro_own_markup_for_every_link(card):
    import jinja2

    from generator.output.render import LINK, CardCache

    env = jinja2.Environment(autoescape=True)
    macro = env.from_string("{% macro card(item, heading, href) %}<" + "{{ heading }}>" + card
                            + "</{{ heading }}>{% endmacro %}").module.card

    class Item:
        def __init__(self, url, title):
            self.url, self.title = url, title

    items = [Item(f"/articles/a{n}/", f"Title {n} & <b>") for n in range(12)] + [Item("/articles/odd/", f"Has {LINK} in it")]
    reuse = CardCache()
    for depth in ("", "../", "../../../", 'q"<&'):
        for heading in ("h2", "h3"):
            for item in items:
                href = depth + item.url.strip("/") + "/"
                assert reuse.card(macro, item, heading, href) == macro(item, heading, href)
