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


def dumps(record: Record) -> str:
    """One record as a single line of JSON text (no trailing newline)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def dump_bytes(record: Record) -> bytes:
    """One record as UTF-8 bytes ending in a newline."""
    return (dumps(record) + "\n").encode("utf-8")


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
