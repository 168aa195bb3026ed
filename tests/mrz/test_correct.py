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


def _margins(lines: list[str], unsure: set[tuple[int, int]]) -> tuple[tuple[float, ...], ...]:
    """Template-reader margins: 0.5 (sure) everywhere but the ``unsure`` (row, column) cells."""
    return tuple(tuple(0.02 if (r, c) in unsure else 0.5 for c in range(len(line))) for r, line in enumerate(lines))


def test_number_confusion_fixed_where_the_reader_hesitated() -> None:
    """'8' read as 'B' in the document number, the template reader unsure there: the check digit
    and the composite both hold after the swap, and no other swap would do."""
    misread = [TD3[0], "LB98902C36UTO7408122F1204159ZE184226B<<<<<10"]
    lines, changes = correct.correct(misread, ("<" * 44, "<" * 44), _margins(misread, {(1, 1)}))
    assert lines == TD3
    assert [(c.field, c.was, c.now, c.verified) for c in changes] == [("document_number", "B", "8", True)]


def test_ambiguous_number_confusion_left_failed() -> None:
    """Without margins (Tesseract) every confusion is tried: B→8 at column 2, 8→B at column 4 and
    2→Z at column 7 each make both checks hold (the composite weighs the number like its own
    check digit, so it adds nothing there). The check digits cannot tell which: nothing changes
    and the failure stays visible."""
    misread = [TD3[0], "LB98902C36UTO7408122F1204159ZE184226B<<<<<10"]
    lines, changes = correct.correct(misread)
    assert lines == misread and changes == []
    assert [c.name for c in icao.parse(lines).checks if not c.valid] == ["document_number", "composite"]


def test_spoiled_check_digit_not_hidden_by_two_swaps() -> None:
    """Check digit 6 changed to 1; '8'→'B' at column 4 and '0'→'O' at column 6 would make both the
    number's check and the composite hold, but the changed check digit alone explains the failure
    as well: nothing is swapped."""
    spoiled = [TD3[0], "L898902C31UTO7408122F1204159ZE184226B<<<<<10"]
    lines, changes = correct.correct(spoiled, ("<" * 44, "<" * 44), _margins(spoiled, {(1, 3), (1, 5)}))
    assert lines == spoiled and changes == []
    assert [c.name for c in icao.parse(lines).checks if not c.valid] == ["document_number", "composite"]


def test_no_swap_in_visas() -> None:
    """MRV-B has no composite: one check digit (1 chance in 10 to hold by accident) confirms nothing."""
    mrvb = ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"]
    misread = [mrvb[0], "LB988901C4XXX4009078F9612109<<<<<<<<"]
    lines, changes = correct.correct(misread, ("<" * 36, "<" * 36), _margins(misread, {(1, 1)}))
    assert lines == misread and changes == []
    assert [c.name for c in icao.parse(lines).checks if not c.valid] == ["document_number"]


def test_closer_hesitation_breaks_a_tie() -> None:
    """Two single swaps both make the checks hold; the reader hesitated much more over one (margin
    0.00 against 0.08): that one is taken."""
    misread = [TD3[0], "LB98902C36UTO7408122F1204159ZE184226B<<<<<10"]
    margins = tuple(tuple(0.0 if (r, c) == (1, 1) else 0.08 if (r, c) == (1, 3) else 0.5
                          for c in range(44)) for r in range(2))
    lines, changes = correct.correct(misread, ("<" * 44, "<" * 44), margins)
    assert lines == TD3 and [(c.column, c.now) for c in changes] == [(1, "8")]
    margins = tuple(tuple(0.0 if (r, c) == (1, 1) else 0.01 if (r, c) == (1, 3) else 0.5
                          for c in range(44)) for r in range(2))
    lines, changes = correct.correct(misread, ("<" * 44, "<" * 44), margins)
    assert lines == misread and changes == []


def test_filler_lookalikes_only_for_tesseract() -> None:
    """Tesseract reads trailing '<' as K; the template reader does not, so its X stays X."""
    td2 = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<KK<KK", "D231458907UTO7408122F1204159<<<<<<<6"]
    lines, changes = correct.correct(td2)
    assert lines[0] == "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<"
    assert {c.was for c in changes} == {"K"} and len(changes) == 4
    margins = (tuple(0.5 for _ in td2[0]), tuple(0.5 for _ in td2[1]))
    lines, changes = correct.correct(td2, ("<" * 36, "<" * 36), margins)
    assert lines[0] == td2[0] and changes == []
