"""Strict YAML: every key and item keeps its line; dates stay as their text."""



from generator.core.yamlio import YamlTimestamp, parse_yaml


def test_yaml_keeps_the_line_of_every_key_and_item():
    doc, problems = parse_yaml("title: A\ntags:\n  - x\n  - y\nconsent:\n  status: granted\n", first_line=2)
    assert problems == ()
    assert doc.line("title") == 2 and doc.line("tags", 1) == 5 and doc.line("consent", "status") == 7
    assert doc.line("missing") == 2


def test_yaml_keeps_dates_as_their_text_and_says_what_it_read():
    doc, _ = parse_yaml("a: 2017-10-05\nb: NO\nc: 12:30\nd: '2017-10-05'\n")
    assert isinstance(doc.data["a"], YamlTimestamp) and doc.data["a"] == "2017-10-05"
    assert doc.data["b"] is False and doc.sources[("b",)] == "NO"
    assert doc.data["c"] == 750 and doc.sources[("c",)] == "12:30"
    assert type(doc.data["d"]) is str
