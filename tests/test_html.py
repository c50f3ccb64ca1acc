"""HTML input: the bytes' encoding, the page's own address, and the lines the converters give."""

from __future__ import annotations

import codecs

import pytest
from linesift.model.io.html import PREDICT_CONVERTER, decode_html, html_page, html_to_lines, page_url

RUSSIAN = "<p>Новости дня</p>"


def test_a_bom_names_the_encoding_and_is_not_part_of_the_text():
    assert decode_html(codecs.BOM_UTF8 + "<p>hé</p>".encode()) == "<p>hé</p>"
    assert decode_html(codecs.BOM_UTF16_LE + "<p>hé</p>".encode("utf-16-le")) == "<p>hé</p>"
    assert decode_html(codecs.BOM_UTF16_BE + "<p>hé</p>".encode("utf-16-be")) == "<p>hé</p>"
    # A UTF-8 BOM before bytes that are not UTF-8: the BOM still decides, bad bytes are replaced.
    assert decode_html(codecs.BOM_UTF8 + b"caf\xe9") == "caf\ufffd"


def test_utf8_wins_over_a_declared_charset_when_the_bytes_decode():
    html = '<meta charset="iso-8859-1"><p>Zürich</p>'
    assert decode_html(html.encode("utf-8")) == html


def test_the_declared_charset_reads_bytes_that_are_not_utf8():
    for declaration in ('<meta charset="windows-1251">', "<meta charset='WINDOWS-1251' />",
                        '<META http-equiv="Content-Type" content="text/html; charset = windows-1251">'):
        html = declaration + RUSSIAN
        assert decode_html(html.encode("cp1251")) == html, declaration
    koi8 = '<meta charset=koi8-r>' + RUSSIAN
    assert decode_html(koi8.encode("koi8-r")) == koi8
    # Bytes the declared charset cannot read are replaced, not an error.
    assert decode_html(b'<meta charset="ascii"><p>caf\xe9</p>') == '<meta charset="ascii"><p>caf\ufffd</p>'


def test_cp1252_when_nothing_else_reads_the_bytes():
    html = "<p>café – “quoted”</p>"
    assert decode_html(html.encode("cp1252")) == html
    # The five bytes cp1252 leaves undefined are replaced, not an error.
    assert decode_html(b"<p>caf\xe9 \x81\x8d\x8f\x90\x9d</p>") == "<p>café \ufffd\ufffd\ufffd\ufffd\ufffd</p>"
    # An unknown charset, or one declared past the first 4,096 bytes, is not used.
    unknown = '<meta charset="x-no-such-codec">' + html
    assert decode_html(unknown.encode("cp1252")) == unknown
    late = "<!--" + "x" * 4100 + '--><meta charset="windows-1251">' + RUSSIAN
    assert decode_html(late.encode("cp1251")) == late.encode("cp1251").decode("cp1252", errors="replace")


def test_page_url_reads_each_declaration_either_attribute_order():
    cases = {
        '<link rel="canonical" href="https://a.example/x">': "https://a.example/x",
        "<link href='https://a.example/y' rel='canonical'>": "https://a.example/y",
        '<meta property="og:url" content="http://b.example/z" />': "http://b.example/z",
        '<meta content="http://b.example/w" property="og:url">': "http://b.example/w",
        '<base href="https://c.example/dir/">': "https://c.example/dir/",
        '<LINK REL="canonical" HREF="//d.example/v">': "//d.example/v",
    }
    assert {html: page_url(html) for html in cases} == cases


def test_page_url_skips_relative_and_late_declarations():
    # A relative canonical link names no site: the next declaration is used, else none.
    assert page_url('<link rel="canonical" href="/x"><meta property="og:url" content="https://b.example/x">') \
        == "https://b.example/x"
    assert page_url('<link rel="canonical" href="/x">') == ""
    assert page_url('<base href="/static/">') == ""
    # The canonical link wins over og:url wherever each stands in the head.
    assert page_url('<meta property="og:url" content="https://og.example/"><link rel="canonical" '
                    'href="https://canon.example/">') == "https://canon.example/"
    # Only the first 20,000 characters (the head) are searched.
    assert page_url("<p>" + "x" * 20_000 + '</p><link rel="canonical" href="https://a.example/">') == ""
    assert page_url("<p>" + "x" * 19_000 + '</p><link rel="canonical" href="https://a.example/">') \
        == "https://a.example/"


def test_lines_are_trimmed_and_blank_runs_kept_as_one(monkeypatch):
    """The converter's text is split into lines with inner spaces collapsed, no blank line at either
    end and no two blank lines in a row (html-text's output is stood in for, to pin these steps)."""
    import html_text

    monkeypatch.setattr(html_text, "extract_text",
                        lambda html, guess_layout: "\n \n  Head   line \n\n\n\t\nBody\ttext .\n\n \n")
    assert html_to_lines("<p>ignored</p>", "html-text") == ["Head line", "", "Body text ."]
    monkeypatch.setattr(html_text, "extract_text", lambda html, guess_layout: "\n\n")
    assert html_to_lines("<p></p>", "html-text") == []


def test_both_converters_give_one_block_per_line_and_an_unknown_one_is_refused():
    html = "<body><h1>Head</h1><p>First   para.</p><p></p><p>Second</p><ul><li>One</li><li>Two</li></ul></body>"
    for converter in ("html-text", "resiliparse"):
        assert html_to_lines(html, converter) == ["Head", "", "First para.", "", "Second", "", "One", "Two"]
    with pytest.raises(ValueError) as caught:
        html_to_lines(html, "lynx")
    assert str(caught.value) == "unknown converter 'lynx'; choose from html-text, resiliparse"


def test_html_page_is_predicts_reading_of_html_bytes():
    data = ('<html><head><meta charset="windows-1251"><link rel="canonical" href="https://r.example/1">'
            '</head><body><h1>Заголовок</h1><p>Текст статьи.</p></body></html>').encode("cp1251")
    assert PREDICT_CONVERTER == "resiliparse"
    assert html_page(data) == ("Заголовок\n\nТекст статьи.", "https://r.example/1")
    assert html_page(b"") == ("", "")


ARTICLE = """<html><body><header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header><main><article>
<h1>Storm hits coast</h1><img src="x.jpg" alt="Waves at the pier">
<p>Waves reached <a href="https://x.example/m">six metres</a> on Monday.</p><ul><li>One</li><li>Two</li></ul>
</article></main><footer><p>© 2026 Paper</p></footer></body></html>"""


def test_resiliparse_gives_every_visible_block_and_nothing_it_adds():
    """The whole page, chrome included (linesift decides what is chrome), without the image's alt
    text, the links' addresses or list bullets, and one block per line."""
    assert html_to_lines(ARTICLE, "resiliparse") == [
        "Home News", "", "Storm hits coast", "", "Waves reached six metres on Monday.", "", "One", "Two",
        "", "© 2026 Paper"]


def test_a_charset_is_read_from_the_first_4096_bytes_only():
    named = '<meta charset="windows-1251'  # the regular expression needs no more than this
    for last_byte, expected in ((4096, "cp1251"), (4097, "cp1252")):  # 'windows-125' is no codec
        html = "<!--" + "x" * (last_byte - len(named) - 7) + "-->" + named + '">' + RUSSIAN
        data = html.encode("cp1251")
        assert data.index(b"1251") + 4 == last_byte
        assert decode_html(data) == data.decode(expected, errors="replace"), expected


def test_the_url_is_read_from_the_first_20000_characters_only():
    link = '<link href="https://a.example/" rel="canonical'
    assert page_url("x" * (20_000 - len(link)) + link + '">') == "https://a.example/"
    assert page_url("x" * (20_001 - len(link)) + link + '">') == ""  # 'canonica' ends the head


def test_predict_reads_html_with_resiliparse():
    """A ``div`` after a list: html-text sets it apart by a blank line, resiliparse does not."""
    data = b"<body><ul><li>One</li></ul><div>Next block</div></body>"
    assert html_to_lines(data.decode(), "html-text") == ["One", "", "Next block"]
    assert html_page(data) == ("One\nNext block", "")
    assert html_to_lines(data.decode()) == ["One", "", "Next block"]  # the corpus builders' default: html-text
