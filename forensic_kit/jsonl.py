"""Reading and writing JSON Lines record streams.

Records are written as compact UTF-8 JSON (``ensure_ascii=False``), one per line, keys in the
order the producer built them. Reading accepts fkit records and reports the line number of any
line that is not a JSON object.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from forensic_kit.errors import FormatError
from forensic_kit.records import Record


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(record: Record) -> str:
    """One record as a single line of JSON text (no trailing newline)."""
    return _ENCODER.encode(record)


def dump_bytes(record: Record) -> bytes:
    """One record as UTF-8 bytes ending in a newline."""
    return (dumps(record) + "\n").encode("utf-8")


class OrjsonSafe(dict):  # type: ignore[type-arg]
    """A record its maker has checked: every value is a str, int, bool, ``None``, a finite float
    that orjson and :mod:`json` write alike (zero, or 1e-4 ≤ |x| < 1e16), or a list/dict of these.
    :func:`fast_dump_bytes` writes such records with orjson; it is a plain dict otherwise."""

    __slots__ = ()


def float_same_text(x: float) -> bool:
    """True when ``json`` and orjson write ``x`` alike (both use the shortest round-trip digits;
    they differ only where ``repr`` switches to exponent form, and on NaN/infinity)."""
    return x == 0.0 or 1e-4 <= abs(x) < 1e16


try:  # the well-kept C encoder, when installed
    import orjson as _orjson

    _ORJSON_OPTS = _orjson.OPT_PASSTHROUGH_DATETIME | _orjson.OPT_PASSTHROUGH_DATACLASS
except ImportError:  # pragma: no cover - orjson is a declared dependency
    _orjson = None  # type: ignore[assignment]


def fast_dump_bytes(record: Record) -> bytes:
    """Exactly :func:`dump_bytes`'s bytes: by orjson for an :class:`OrjsonSafe` record (anything
    orjson still refuses, e.g. integers beyond 64 bits or lone surrogates, falls back), by
    :mod:`json` for every other record."""
    if _orjson is not None and type(record) is OrjsonSafe:
        try:
            out: bytes = _orjson.dumps(record, option=_ORJSON_OPTS)
            return out + b"\n"
        except TypeError:
            pass
    return dump_bytes(record)


def loads(line: str | bytes, where: str = "input", lineno: int = 0) -> Record:
    """Parse one line into a record, or raise :class:`FormatError` naming where it was."""
    try:
        value = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"{where}:{lineno}: not a JSON record ({exc})") from None
    if not isinstance(value, dict):
        raise FormatError(f"{where}:{lineno}: a JSON record must be an object")
    return value


def read_records(stream: IO[bytes] | IO[str], where: str = "input") -> Iterator[Record]:
    """Yield the records of a JSON Lines stream, skipping blank lines."""
    lineno = 0
    for line in stream:
        lineno += 1
        text: str | bytes = line
        if not text.strip():
            continue
        yield loads(text, where, lineno)


def write_records(stream: IO[bytes], records: Iterable[Record]) -> int:
    """Write records to a binary stream; returns how many were written."""
    count = 0
    for rec in records:
        stream.write(dump_bytes(rec))
        count += 1
    return count


def is_record_line(line: bytes | str) -> bool:
    """True if a line looks like a JSON object (used to tell records from plain paths)."""
    stripped = line.lstrip()
    return bool(stripped) and stripped[:1] in (b"{", "{")


def as_json(value: Any) -> str:
    """Pretty JSON for files a person may open (sorted keys are *not* forced)."""
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"
