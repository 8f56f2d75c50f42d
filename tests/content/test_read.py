"""Reading one content file: front matter, body and the line the body starts on."""



from generator.core import safefs
from generator.content.read import read_document


def test_front_matter_split_reports_the_body_line(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: A\n---\nFirst line.\n")
    raw, problems = read_document(path, "article", 1000, safefs.real_roots([tmp_path]))
    assert problems == [] and raw.body_line == 4 and raw.body == "First line.\n" and raw.slug == "a"


def test_crlf_and_byte_order_mark_are_accepted(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes("\ufeff---\r\ntitle: A\r\n---\r\nBody\r\n".encode())
    raw, problems = read_document(path, "article", 1000, safefs.real_roots([tmp_path]))
    assert problems == [] and raw.front.data == {"title": "A"}
