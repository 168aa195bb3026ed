"""Property tests: sanitised member names never escape; Luhn detects any single-digit change."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from forensic_kit.phone.numbers import luhn_ok
from forensic_kit.phone.source import sanitise_member

PARTS = st.sampled_from(["..", ".", "", "a", "b c", "/", "\\", "C:", "é", "x..y", "..."])


@settings(max_examples=300, deadline=None)
@given(st.lists(PARTS, max_size=8), st.sampled_from(["/", "\\"]))
def test_sanitised_names_stay_relative(parts: list[str], sep: str) -> None:
    safe = sanitise_member(sep.join(parts))
    if safe is not None:
        p = PurePosixPath(safe)
        assert not p.is_absolute() and ".." not in p.parts and "\\" not in safe and safe != ""


@settings(max_examples=200, deadline=None)
@given(st.text("0123456789", min_size=14, max_size=14), st.integers(0, 14), st.integers(1, 9))
def test_luhn_detects_single_digit_errors(body: str, pos: int, delta: int) -> None:
    check = next(str(d) for d in range(10) if luhn_ok(body + str(d)))
    good = body + check
    assert luhn_ok(good)
    bad = good[:pos] + str((int(good[pos]) + delta) % 10) + good[pos + 1:]
    assert not luhn_ok(bad)
