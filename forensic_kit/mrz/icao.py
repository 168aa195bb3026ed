"""ICAO Doc 9303 machine-readable zones: layouts, check digits, fields and dates.

Five layouts (Doc 9303 parts 4-7): TD3 passports (2 × 44), TD2 cards (2 × 36), TD1 cards (3 × 30),
and the visas MRV-A (2 × 44) and MRV-B (2 × 36). :func:`parse` takes the MRZ text exactly as it
stands (no OCR correction: that is :mod:`forensic_kit.mrz.correct`'s job) and returns every field
raw, with each check digit recomputed. Nothing here guesses: a line of the wrong length or a
character outside ``0-9A-Z<`` is a :class:`MrzSyntaxError`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from forensic_kit.errors import FormatError
from forensic_kit.mrz import codes

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
_VALID_LINE = re.compile(r"[0-9A-Z<]+")
WEIGHTS = (7, 3, 1)

# (lines, length) of each layout; the first letter of line 1 separates visas from the rest.
LAYOUTS = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44), "MRVA": (2, 44), "MRVB": (2, 36)}


class MrzSyntaxError(FormatError):
    """Text that is not an MRZ of any ICAO layout."""


def char_value(c: str) -> int:
    """The check-digit value of one MRZ character (digits 0-9, ``A``-``Z`` 10-35, ``<`` 0)."""
    if c == "<":
        return 0
    if "0" <= c <= "9":
        return ord(c) - 48
    if "A" <= c <= "Z":
        return ord(c) - 55
    raise ValueError(f"{c!r} is not an MRZ character")


def check_digit(data: str) -> str | None:
    """The ICAO 7-3-1 check digit of ``data`` (``None`` if a character is not ``0-9A-Z<``).

    The empty string gives ``"0"`` (the weighted sum of nothing); lower case, spaces and any
    other character are not MRZ characters and give ``None``.
    """
    try:
        total = sum(char_value(c) * WEIGHTS[i % 3] for i, c in enumerate(data))
    except ValueError:
        return None
    return str(total % 10)


@dataclass(frozen=True)
class Check:
    """One check digit: what the MRZ prints, what its data gives, and whether they agree."""

    name: str
    """``document_number``, ``birth_date``, ``expiry_date``, ``optional_data`` or ``composite``."""
    printed: str
    computed: str | None
    valid: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"name": self.name, "printed": self.printed, "computed": self.computed, "valid": self.valid}


@dataclass(frozen=True)
class Mrz:
    """The fields of one machine-readable zone, raw (fillers ``<`` kept where they mean something)."""

    format: str
    lines: tuple[str, ...]
    document_code: str
    """The two-character document code as printed (``P<``, ``ID``, ``V<``, ``I<``...)."""
    issuing_state: str
    """Issuing state or organisation, padding removed (``D<<`` → ``D``)."""
    names_raw: str
    surname: str
    given_names: str
    document_number: str
    """Document number without trailing fillers; a TD1/TD2 long number includes its extension."""
    nationality: str
    birth_date: str
    """YYMMDD as printed (``<`` marks an unknown part)."""
    sex: str
    expiry_date: str
    optional_data: str
    optional_data_2: str | None
    checks: tuple[Check, ...] = field(default=())

    @property
    def check_digits_valid(self) -> bool:
        """Every check digit of this MRZ holds."""
        return all(c.valid for c in self.checks)

    @property
    def names_truncated(self) -> bool:
        """The name field is full to its last character, so the names may have been cut."""
        field_len = 30 if self.format == "TD1" else len(self.lines[0]) - 5
        return len(self.names_raw) == field_len and not self.names_raw.endswith("<")

    def check(self, name: str) -> Check | None:
        """The check called ``name``, if this layout has one."""
        return next((c for c in self.checks if c.name == name), None)

    def text(self) -> str:
        """The MRZ lines joined with newlines."""
        return "\n".join(self.lines)

    def fields(self) -> dict[str, Any]:
        """The fields as a JSON object (names in the order a person reads a data page)."""
        return {
            "format": self.format,
            "document_code": self.document_code,
            "issuing_state": self.issuing_state,
            "surname": self.surname,
            "given_names": self.given_names,
            "names_raw": self.names_raw,
            "names_truncated": self.names_truncated,
            "document_number": self.document_number,
            "nationality": self.nationality,
            "birth_date": self.birth_date,
            "sex": self.sex,
            "expiry_date": self.expiry_date,
            "optional_data": self.optional_data,
            "optional_data_2": self.optional_data_2,
        }


def layout_of(lines: list[str] | tuple[str, ...]) -> str:
    """The layout name for lines of these lengths and first letter (``MrzSyntaxError`` if none)."""
    n = len(lines)
    lengths = {len(line) for line in lines}
    if len(lengths) != 1:
        raise MrzSyntaxError(f"MRZ lines of different lengths: {[len(x) for x in lines]}")
    length = lengths.pop()
    visa = bool(lines) and lines[0][:1] == "V"
    for name, (count, size) in LAYOUTS.items():
        if (count, size) == (n, length) and name.startswith("MRV") == visa:
            return name
    raise MrzSyntaxError(f"no ICAO layout has {n} line(s) of {length} characters"
                         f"{' for a visa' if visa else ''}")


def _check(name: str, data: str, printed: str, filler_ok: bool = False) -> Check:
    computed = check_digit(data)
    valid = computed == printed or (filler_ok and printed == "<" and set(data) <= {"<"})
    return Check(name, printed, computed, valid)


def split_names(raw: str) -> tuple[str, str]:
    """Surname and given names of a name field: ``<<`` separates them, ``<`` is a space."""
    body = raw.rstrip("<")
    surname, _, given = body.partition("<<")
    return (" ".join(p for p in surname.split("<") if p),
            " ".join(p for p in given.split("<") if p))


def _long_number(number: str, cd: str, optional: str) -> tuple[str, str, str]:
    """TD1/TD2 numbers longer than 9: the check-digit place holds ``<`` and the number goes on
    in the optional data, whose last character before the first filler is the check digit.
    Returns (number, check digit, optional data left)."""
    if cd != "<" or not optional or optional[0] == "<":
        return number, cd, optional
    ext = optional.split("<", 1)[0]
    return number + ext[:-1], ext[-1], optional[len(ext):]


def parse(text: str | list[str] | tuple[str, ...]) -> Mrz:
    """Parse MRZ text (lines separated by newlines, or a list of lines) of any ICAO layout."""
    lines = text.strip().split("\n") if isinstance(text, str) else list(text)
    lines = [line.strip() for line in lines if line.strip()]
    for line in lines:
        if not _VALID_LINE.fullmatch(line):
            bad = sorted({c for c in line if c not in ALPHABET})
            raise MrzSyntaxError(f"characters outside 0-9A-Z<: {''.join(bad)!r}")
    fmt = layout_of(lines)
    l1 = lines[0]
    code, state = l1[0:2], codes.normalise(l1[2:5])
    if fmt == "TD1":
        l2, l3 = lines[1], lines[2]
        number, cd, opt1 = _long_number(l1[5:14], l1[14], l1[15:30])
        checks: tuple[Check, ...] = (
            _check("document_number", number, cd),
            _check("birth_date", l2[0:6], l2[6]),
            _check("expiry_date", l2[8:14], l2[14]),
            _check("composite", l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29]),
        )
        surname, given = split_names(l3)
        return Mrz(fmt, tuple(lines), code, state, l3, surname, given, number.rstrip("<"),
                   codes.normalise(l2[15:18]), l2[0:6], l2[7], l2[8:14], opt1, l2[18:29], checks)
    l2 = lines[1]
    names = l1[5:]
    surname, given = split_names(names)
    birth, sex, expiry, nat = l2[13:19], l2[20], l2[21:27], codes.normalise(l2[10:13])
    if fmt == "TD3":
        checks = (
            _check("document_number", l2[0:9], l2[9]),
            _check("birth_date", birth, l2[19]),
            _check("expiry_date", expiry, l2[27]),
            _check("optional_data", l2[28:42], l2[42], filler_ok=True),
            _check("composite", l2[0:10] + l2[13:20] + l2[21:43], l2[43]),
        )
        return Mrz(fmt, tuple(lines), code, state, names, surname, given, l2[0:9].rstrip("<"),
                   nat, birth, sex, expiry, l2[28:42], None, checks)
    end = len(l2) - 1 if fmt == "TD2" else len(l2)
    number, cd, optional = _long_number(l2[0:9], l2[9], l2[28:end])
    checks_list = [
        _check("document_number", number, cd),
        _check("birth_date", birth, l2[19]),
        _check("expiry_date", expiry, l2[27]),
    ]
    if fmt == "TD2":
        checks_list.append(_check("composite", l2[0:10] + l2[13:20] + l2[21:35], l2[35]))
    return Mrz(fmt, tuple(lines), code, state, names, surname, given, number.rstrip("<"),
               nat, birth, sex, expiry, optional, None, tuple(checks_list))


def mrz_date(raw: str, kind: str, reference: dt.date) -> dt.date | None:
    """The calendar date of a YYMMDD field, or ``None`` if it is not a real date.

    The century is not in the MRZ. A birth date takes the latest century that does not put it
    after ``reference``; an expiry date takes the century that puts it within 50 years either
    side of ``reference``. ``kind`` is ``birth`` or ``expiry``.
    """
    if not re.fullmatch(r"\d{6}", raw):
        return None
    yy, mm, dd = int(raw[0:2]), int(raw[2:4]), int(raw[4:6])
    century = reference.year // 100 * 100
    year = century + yy
    if kind != "birth":
        if year > reference.year + 50:
            year -= 100
        elif year < reference.year - 50:
            year += 100
    try:
        date = dt.date(year, mm, dd)
        if kind == "birth" and date > reference:
            date = dt.date(year - 100, mm, dd)
    except ValueError:
        return None
    return date
