"""Inputs of ``timeline``, ``graph`` and ``money``: case folders, JSON Lines files, or stdin.

A case folder gives its ``fkit/records.jsonl`` and ``fkit/custody.jsonl``. A line that is not a
JSON object is never skipped silently: it becomes a :class:`BadLine` the caller reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from forensic_kit.errors import InputError

CASE_FILES = ("fkit/records.jsonl", "fkit/custody.jsonl")
"""The record streams of a case folder, relative to its root."""


@dataclass(frozen=True)
class Line:
    """One raw input line and where it came from (``where`` = file name, ``lineno`` from 1)."""

    data: bytes
    where: str
    lineno: int


@dataclass(frozen=True)
class BadLine:
    """A line that is not a JSON object: reported, never dropped silently."""

    where: str
    lineno: int
    reason: str


def case_files(root: Path) -> list[Path]:
    """The record files of a case folder (``root`` or ``root/case``), or raise :class:`InputError`."""
    for base in (root, root / "case"):
        if (base / "fkit" / "case.json").is_file():
            return [base / rel for rel in CASE_FILES if (base / rel).is_file()]
    raise InputError(f"{root}: not an fkit case folder (no fkit/case.json)")


def expand(args: Iterable[str]) -> list[str]:
    """Input arguments as a list of file paths (``-`` kept for stdin); case folders expanded."""
    out: list[str] = []
    for arg in args:
        if arg == "-":
            out.append(arg)
            continue
        p = Path(arg)
        if p.is_dir():
            out.extend(str(f) for f in case_files(p))
        elif p.exists():
            out.append(arg)
        else:
            raise InputError(f"{arg}: no such file or folder")
    return out


def streams(paths: Iterable[str], stdin: IO[bytes] | None = None) -> Iterator[tuple[str, IO[bytes]]]:
    """Each input as (name, binary stream), opened read-only one at a time and closed after use."""
    for path in paths:
        if path == "-":
            if stdin is None:
                raise InputError("'-' given but no standard input")
            yield "stdin", stdin
            continue
        try:
            f = open(path, "rb", buffering=1 << 20)
        except OSError as exc:
            raise InputError(f"{path}: {exc.strerror or exc}") from None
        with f:
            yield path, f


def lines(paths: Iterable[str], stdin: IO[bytes] | None = None) -> Iterator[Line]:
    """Every non-blank line of every input, in order."""
    for where, stream in streams(paths, stdin):
        for n, data in enumerate(stream, 1):
            if data.strip():
                yield Line(data, where, n)


def parse(line: Line) -> dict[str, Any] | BadLine:
    """The JSON object on ``line``, or a :class:`BadLine` saying why not."""
    try:
        value = json.loads(line.data)
    except (ValueError, UnicodeDecodeError) as exc:
        return BadLine(line.where, line.lineno, f"not JSON ({exc})")
    if not isinstance(value, dict):
        return BadLine(line.where, line.lineno, "not a JSON object")
    return value


def records(paths: Iterable[str], stdin: IO[bytes] | None = None,
            bad: list[BadLine] | None = None) -> Iterator[dict[str, Any]]:
    """The JSON objects of every input; bad lines go to ``bad`` (if given) and are skipped."""
    for line in lines(paths, stdin):
        rec = parse(line)
        if isinstance(rec, BadLine):
            if bad is not None:
                bad.append(rec)
            continue
        yield rec
