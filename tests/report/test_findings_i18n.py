"""Every finding code in Arabic, French and English from the string tables; bidi isolation."""

from __future__ import annotations

import tomllib

import pytest

from forensic_kit.report.findings import (
    custody_finding_codes, custody_sentence, isolate, verify_finding_codes, verify_sentence,
)
from forensic_kit.report.strings import load_strings
from forensic_kit.report.text import register_fonts, visual_lines
from forensic_kit.resources import templates_dir

EVENTS = [{"seq": 1, "time": "2025-03-14T09:42:00Z", "released_by": {"name": "A. Ben Salah", "id": "4471"}}]


def table(lang: str) -> dict[str, str]:
    return tomllib.loads((templates_dir() / "strings" / f"{lang}.toml").read_text("utf-8"))["strings"]


def test_arabic_and_french_tables_have_every_english_key() -> None:
    en = set(table("en"))
    for lang in ("ar", "fr"):
        assert en - set(table(lang)) == set(), lang


@pytest.mark.parametrize("code", custody_finding_codes())
def test_each_custody_code_in_three_languages(code: str) -> None:
    en, fr, ar = (load_strings(x) for x in ("en", "fr", "ar"))
    texts = {s.lang: custody_sentence(s, code, 1, "EX-01", EVENTS) for s in (en, fr, ar)}
    key = "f_" + code.replace(".", "_")
    assert key in table("en") and key in table("fr") and key in table("ar")
    assert texts["fr"] != texts["en"] and texts["ar"] != texts["en"]
    assert not any(c.isascii() and c.isalpha() for c in texts["ar"].translate(
        dict.fromkeys(range(0x2066, 0x206A))).replace("EX-01", "").replace("A. Ben Salah", "").replace("UTC", "").replace("fkit", ""))


@pytest.mark.parametrize("code", verify_finding_codes())
def test_each_verify_code_in_three_languages(code: str) -> None:
    f = {"code": code, "path": "data/EX-01/a.jpg", "message": "English message never shown"}
    texts = {lang: verify_sentence(load_strings(lang), f) for lang in ("en", "fr", "ar")}
    assert all("English message" not in t for t in texts.values())
    assert texts["fr"] != texts["en"] and texts["ar"] != texts["en"]


def test_unknown_code_gets_the_translated_generic_sentence() -> None:
    ar = load_strings("ar")
    assert custody_sentence(ar, "new.code", 3, None, EVENTS).startswith("مشكلة")
    assert verify_sentence(load_strings("fr"), {"code": "x.y", "path": "p"}) == "Problème x.y : p."


def test_phone_number_stays_whole_inside_arabic() -> None:
    register_fonts()
    line = visual_lines(f"محمود {isolate('+218949603082')} القذافي", 8, 500)[0][0]
    assert "+218949603082" in line and "218949603082+" not in line
    line = visual_lines(f"الملف {isolate('data/EX-01/DCIM/IMG_0001.jpg')} معدّل", 8, 500)[0][0]
    assert "data/EX-01/DCIM/IMG_0001.jpg" in line


def test_brackets_face_the_right_way_in_arabic() -> None:
    register_fonts()
    [(line, rtl)] = visual_lines("63 ملفات (5362 بايت)", 8, 500)
    # drawn left to right: the closing bracket (of the reader's right-to-left text) is on the left
    assert rtl and line.index("(") < line.index("5362") < line.index(")")
    [(line, _)] = visual_lines(f"الملف {isolate('a(b).txt')} مفقود", 8, 500)
    assert "a(b).txt" in line  # inside an isolate: untouched


def test_watermark_in_three_languages() -> None:
    from forensic_kit.report import watermark_text

    assert watermark_text() == "TRAINING / FORMATION / تدريب"
