"""Decoding by the evidence: BOM, declared charset, in-document declaration, detection."""

from __future__ import annotations

import codecs
import random

import pytest

from newsflow.ingest.decode import NotText, charset_of, decode_bytes
from newsflow.ingest.parsers import parse_feed, parse_html
from newsflow.ingest.records import Reject

KOREAN = "북한 김정은 국무위원장이 러시아 국방장관을 평양에서 만났다고 조선중앙통신이 보도했다. " * 8
JAPANESE = "北朝鮮の金正恩総書記は平壌でロシアの国防相と会談したと朝鮮中央通信が伝えた。" * 8
FRENCH = "Le ministre a déclaré à Séoul que la coopération était « très étroite » désormais. " * 8


@pytest.mark.parametrize("codec", ["utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_a_byte_order_mark_wins(codec):
    bom = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    bom |= {"utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}
    decoded = decode_bytes(bom[codec] + KOREAN.encode(codec), declared="iso-8859-1")
    assert (decoded.text, decoded.evidence) == (KOREAN, "bom")


def test_the_declared_charset_is_used_when_the_bytes_decode_under_it():
    assert decode_bytes(KOREAN.encode("euc-kr"), declared="EUC-KR").text == KOREAN
    assert decode_bytes(FRENCH.encode("latin-1"), declared="ISO-8859-1").text == FRENCH
    # A header that the bytes contradict is not evidence: detection decides.
    wrong = decode_bytes(KOREAN.encode("euc-kr"), declared="utf-8")
    assert wrong.text == KOREAN and wrong.evidence == "detected"


def test_documents_declare_their_own_charset():
    xml = f'<?xml version="1.0" encoding="Shift_JIS"?><p>{JAPANESE}</p>'.encode("shift_jis")
    assert decode_bytes(xml).evidence == "xml declaration"
    assert JAPANESE in decode_bytes(xml).text
    script = "<script>var x = 1;</script>" * 200
    page = f'<html><head>{script}<meta charset="shift_jis"><title>t</title></head><body>{JAPANESE}</body></html>'
    decoded = decode_bytes(page.encode("shift_jis"), markup=True)
    assert (decoded.evidence, JAPANESE in decoded.text) == ("meta charset", True)
    old_style = f'<meta http-equiv="Content-Type" content="text/html; charset=euc-kr"><p>{KOREAN}</p>'
    assert KOREAN in decode_bytes(old_style.encode("euc-kr"), markup=True).text


@pytest.mark.parametrize(("text", "codec"), [(KOREAN, "euc-kr"), (JAPANESE, "shift_jis"), (FRENCH, "cp1252")])
def test_undeclared_bytes_are_detected_not_read_as_latin1(text, codec):
    decoded = decode_bytes(text.encode(codec))
    assert decoded.text == text
    assert decoded.evidence == "detected"


def test_bytes_that_are_not_text_are_refused():
    rng = random.Random(7)
    with pytest.raises(NotText, match="not text"):
        decode_bytes(bytes(rng.getrandbits(8) for _ in range(6000)))
    with pytest.raises(NotText, match="control"):
        decode_bytes(b"\x00\x01\x02" * 300 + b"some words")
    with pytest.raises(NotText):
        decode_bytes(b"\x89PNG\r\n\x1a\n" + bytes(rng.getrandbits(8) for _ in range(3000)))


def test_control_characters_are_stripped():
    sentence = "Kim Jong Un met Andrei Belousov in Pyongyang on Friday, state media said. "
    dirty = "Kim\x00 Jong Un met\x07 Andrei Belousov\x1b in Pyongyang on Friday, state media said. "
    assert decode_bytes((dirty + sentence * 19).encode()).text == sentence * 20


def test_charset_of_a_content_type():
    assert charset_of('application/rss+xml; charset="EUC-KR"') == "EUC-KR"
    assert charset_of("text/html") is None


ENTITY_FEED = """<?xml version="1.0" encoding="{codec}"?>
<!DOCTYPE rss [<!ENTITY boom "boom boom boom boom">]>
<rss version="2.0"><channel><title>T</title><item><title>&boom;</title></item></channel></rss>"""


@pytest.mark.parametrize("codec", ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "iso-8859-1", "ebcdic"])
def test_entity_declarations_are_refused_in_every_encoding(codec):
    python_codec = {"ebcdic": "cp500"}.get(codec, codec)
    data = ENTITY_FEED.format(codec=codec).encode(python_codec)
    [item] = parse_feed(data, declared="cp500" if codec == "ebcdic" else None)
    assert isinstance(item, Reject) and "entities" in str(item)


def test_a_feed_in_utf16_with_a_declared_encoding_parses():
    feed = (
        '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Korea Ledger</title>'
        f"<item><title>김정은</title><link>https://k.example/1</link><description>{KOREAN}</description></item>"
        "</channel></rss>"
    )
    [item] = parse_feed(feed.encode("utf-16"))
    assert item["title"] == "김정은" and item["outlet"] == "Korea Ledger"
    assert KOREAN.strip() in item["text"]


def test_a_shift_jis_page_with_its_own_meta_charset_is_not_mojibake():
    page = (
        '<html><head><meta charset="Shift_JIS"><title>金正恩氏</title></head>'
        f"<body><article><h1>金正恩氏</h1><p>{JAPANESE}</p><p>{JAPANESE}</p></article></body></html>"
    )
    [item] = parse_html(page.encode("shift_jis"))
    assert "金正恩総書記" in item["text"]
