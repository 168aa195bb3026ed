"""OCR confusion correction: only where check digits then hold; never hides a wrong check digit."""

from __future__ import annotations

from forensic_kit.mrz import correct, icao

TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]


def test_letters_in_dates_set_right_and_verified() -> None:
    misread = [TD3[0], "L898902C36UTO74O8122F12O4159ZE184226B<<<<<1O"]
    lines, changes = correct.correct(misread)
    assert lines == TD3
    assert [(c.line, c.column, c.was, c.now, c.field, c.verified) for c in changes] == [
        (1, 15, "O", "0", "birth_date", True), (1, 23, "O", "0", "expiry_date", True),
        (1, 43, "O", "0", "composite_cd", True)]
    assert changes[0].to_dict() == {"line": 2, "column": 16, "from": "O", "to": "0", "field": "birth_date",
                                    "verified": True}


def test_digit_in_state_code_set_right_unverified() -> None:
    lines, changes = correct.correct(["P<UT0ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", TD3[1]])
    assert lines == TD3
    assert [(c.field, c.was, c.now, c.verified) for c in changes] == [("issuing_state", "0", "O", False)]


def test_wrong_check_digit_is_not_corrected_away() -> None:
    """A forged or altered zone keeps its failing check: no confusion swap may make it pass."""
    spoiled = [TD3[0], "L898902C37UTO7408122F1204159ZE184226B<<<<<10"]
    lines, changes = correct.correct(spoiled)
    assert lines == spoiled and changes == []
    m = icao.parse(lines)
    assert [c.name for c in m.checks if not c.valid] == ["document_number", "composite"]


def test_number_confusion_fixed_only_with_composite() -> None:
    """'8' read as 'B' in the document number: the check digit and the composite both hold after."""
    misread = [TD3[0], "LB98902C36UTO7408122F1204159ZE184226B<<<<<10"]
    lines, changes = correct.correct(misread)  # no margins: Tesseract-style reading, all confusions tried
    assert lines == TD3
    assert [(c.field, c.was, c.now, c.verified) for c in changes] == [("document_number", "B", "8", True)]


def test_filler_lookalikes_only_for_tesseract() -> None:
    """Tesseract reads trailing '<' as K; the template reader does not, so its X stays X."""
    td2 = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<KK<KK", "D231458907UTO7408122F1204159<<<<<<<6"]
    lines, changes = correct.correct(td2)
    assert lines[0] == "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<"
    assert {c.was for c in changes} == {"K"} and len(changes) == 4
    margins = (tuple(0.5 for _ in td2[0]), tuple(0.5 for _ in td2[1]))
    lines, changes = correct.correct(td2, ("<" * 36, "<" * 36), margins)
    assert lines[0] == td2[0] and changes == []
