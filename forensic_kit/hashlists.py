"""Hash-list formats: write fkit records as sha256sum / b3sum / hashdeep lines, and read any of
sha256sum, b3sum, BSD-tagged, HASHDEEP-1.0, BagIt manifests and fkit JSON Lines as a known list.

Names are bytes throughout so that non-UTF-8 and Arabic names round-trip exactly.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from forensic_kit import jsonl, names
from forensic_kit.errors import FormatError, UsageError
from forensic_kit.hashing import HEX_LENGTHS

HASHDEEP_ALGOS = ("md5", "sha1", "sha256")  # the subset of ours that hashdeep knows
_TAGS = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512", "SHA3-256": "sha3-256", "BLAKE3": "blake3"}


# ---------------------------------------------------------------- writing


def _escape_name(path: bytes) -> tuple[bytes, bool]:
    """GNU coreutils (9.x) escaping: backslash, newline and carriage return are escaped and the
    line gets a leading ``\\``."""
    if b"\\" not in path and b"\n" not in path and b"\r" not in path:
        return path, False
    return path.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r"), True


def checksum_line(hexdigest: str, path: bytes) -> bytes:
    """One ``sha256sum``/``b3sum`` line: ``HEX  NAME\\n`` (escaped like coreutils when needed)."""
    name, escaped = _escape_name(path)
    return (b"\\" if escaped else b"") + hexdigest.encode("ascii") + b"  " + name + b"\n"


HASHDEEP_ESCAPED = b"## fkit-escaped-filename"
"""Comment line fkit writes before a HASHDEEP-1.0 line whose file name held a newline, carriage
return or backslash: that name is escaped like coreutils (``\\n``, ``\\r``, ``\\\\``). hashdeep
itself ignores ``##`` lines (it has no way to write such a name on one line)."""


def hashdeep_algos(algos: Sequence[str]) -> tuple[str, ...]:
    """The requested algorithms hashdeep can check, in hashdeep's column order."""
    chosen = tuple(a for a in HASHDEEP_ALGOS if a in algos)
    if not chosen:
        raise UsageError("hashdeep format needs md5, sha1 or sha256 among the algorithms (--algo)")
    return chosen


def hashdeep_header(algos: Sequence[str], invoked_from: str, command: str) -> bytes:
    """The HASHDEEP-1.0 header for the given columns."""
    cols = ",".join(["size", *algos, "filename"])
    return (
        f"%%%% HASHDEEP-1.0\n%%%% {cols}\n## Invoked from: {invoked_from}\n## $ {command}\n##\n"
    ).encode("utf-8")


def hashdeep_line(size: int, digests: dict[str, str], algos: Sequence[str], path: bytes) -> bytes:
    """One HASHDEEP-1.0 data line: ``size,hash...,filename`` (after a :data:`HASHDEEP_ESCAPED`
    comment line, escaped, when the name holds a newline or carriage return)."""
    marker = b""
    if b"\n" in path or b"\r" in path:
        path, _ = _escape_name(path)
        marker = HASHDEEP_ESCAPED + b"\n"
    return marker + b",".join([str(size).encode(), *(digests[a].encode() for a in algos), path]) + b"\n"


def _lines(data: bytes) -> list[bytes]:
    """Lines split at ``\\n`` only: a carriage return may be part of a name. A list whose every
    line ends in CR LF (written on Windows) loses those CRs."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if lines and all(ln.endswith(b"\r") for ln in lines):
        lines = [ln[:-1] for ln in lines]
    return lines


# ---------------------------------------------------------------- reading


@dataclass
class KnownEntry:
    """One file in a known list: its path (bytes) and the digests listed for it."""

    path: bytes
    hashes: dict[str, str]
    size: int | None = None
    line: int = 0


@dataclass
class KnownList:
    """A parsed known list. ``candidates`` lists the algorithms a bare 64-hex column may be."""

    format: str
    entries: list[KnownEntry]
    algos: tuple[str, ...]
    candidates: tuple[str, ...] = ()
    base: bytes = b""  # folder the list's relative paths are relative to (BagIt: the bag)
    notes: list[str] = field(default_factory=list)


_SUM_RE = re.compile(rb"^(\\?)([0-9a-fA-F]{32,128}) [ *](.*)$")
_TAG_RE = re.compile(rb"^(\\?)([A-Z0-9-]+) \((.*)\) = ([0-9a-fA-F]+)$")
_BAG_LINE = re.compile(rb"^([0-9a-fA-F]{32,128})  (.+)$", re.S)
_BAGIT_NAME = re.compile(r"^(?:tag)?manifest-([a-z0-9-]+)\.txt$")


def _unescape(name: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(name):
        c = name[i : i + 1]
        if c == b"\\" and i + 1 < len(name):
            nxt = name[i + 1 : i + 2]
            out += {b"\\": b"\\", b"n": b"\n", b"r": b"\r"}.get(nxt, b"\\" + nxt)
            i += 2
            continue
        out += c
        i += 1
    return bytes(out)


def _algos_for_hex(length: int) -> tuple[str, ...]:
    return tuple(a for a, n in HEX_LENGTHS.items() if n == length and a != "sha3-256")


def read_known(path: str | bytes, algo_hint: str | None = None) -> KnownList:
    """Read a known list, detecting its format from its name and first line."""
    p = Path(os.fsdecode(path))
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read known list {p}: {exc.strerror or exc}") from None
    lines = _lines(data)
    first = next((ln for ln in lines if ln.strip()), b"")
    bag = _BAGIT_NAME.match(p.name)
    if first.startswith(b"%%%% HASHDEEP-1.0"):
        return _read_hashdeep(lines, p)
    if jsonl.is_record_line(first):
        return _read_jsonl(lines, p)
    if bag:
        return _read_bagit(lines, p, bag.group(1))
    return _read_sums(lines, p, algo_hint)


def _read_hashdeep(lines: list[bytes], p: Path) -> KnownList:
    cols: list[str] | None = None
    entries: list[KnownEntry] = []
    escaped = False
    for n, line in enumerate(lines, 1):
        if line == HASHDEEP_ESCAPED:
            escaped = True
            continue
        if line.startswith(b"%%%% size,"):
            cols = line[5:].decode("ascii").strip().split(",")
            continue
        if not line.strip() or line.startswith(b"#") or line.startswith(b"%%%%"):
            continue
        if cols is None:
            raise FormatError(f"{p}:{n}: HASHDEEP-1.0 file without a column header")
        parts = line.split(b",", len(cols) - 1)
        if len(parts) != len(cols):
            raise FormatError(f"{p}:{n}: expected {len(cols)} fields")
        rec = dict(zip(cols, parts))
        hashes = {c: rec[c].decode("ascii").lower() for c in cols if c not in ("size", "filename")}
        entries.append(KnownEntry(_unescape(rec["filename"]) if escaped else rec["filename"], hashes,
                                  int(rec["size"]), n))
        escaped = False
    algos = tuple(c for c in (cols or []) if c not in ("size", "filename"))
    return KnownList("hashdeep", entries, algos)


def _read_jsonl(lines: list[bytes], p: Path) -> KnownList:
    entries: list[KnownEntry] = []
    seen_algos: list[str] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        rec = jsonl.loads(line, str(p), n)
        hashes = rec.get("hashes")
        if not isinstance(hashes, dict) or not hashes or "path" not in rec:
            continue
        for a in hashes:
            if a not in seen_algos:
                seen_algos.append(a)
        size = rec.get("size")
        entries.append(KnownEntry(names.raw_path(rec), {k: str(v).lower() for k, v in hashes.items()},
                                  size if isinstance(size, int) else None, n))
    return KnownList("fkit-jsonl", entries, tuple(seen_algos))


def _read_bagit(lines: list[bytes], p: Path, algo: str) -> KnownList:
    algo = {"sha3_256": "sha3-256"}.get(algo, algo)
    if algo not in HEX_LENGTHS:
        raise FormatError(f"{p}: BagIt manifest for unsupported algorithm {algo!r}")
    entries: list[KnownEntry] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        m = _BAG_LINE.match(line)  # fkit (and bagit.py) write "HEX  path": the path may hold blanks
        parts = [m.group(1), m.group(2)] if m else line.split(None, 1)
        if len(parts) != 2:
            raise FormatError(f"{p}:{n}: not a BagIt manifest line")
        name = parts[1].replace(b"%0D", b"\r").replace(b"%0A", b"\n").replace(b"%25", b"%")
        entries.append(KnownEntry(name, {algo: parts[0].decode("ascii").lower()}, None, n))
    return KnownList("bagit", entries, (algo,), base=os.fsencode(str(p.parent)))


def _read_sums(lines: list[bytes], p: Path, algo_hint: str | None) -> KnownList:
    entries: list[KnownEntry] = []
    lengths: set[int] = set()
    tagged: set[str] = set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        m = _TAG_RE.match(line)
        if m and m.group(2).decode() in _TAGS:
            algo = _TAGS[m.group(2).decode()]
            name = _unescape(m.group(3)) if m.group(1) else m.group(3)
            entries.append(KnownEntry(name, {algo: m.group(4).decode().lower()}, None, n))
            tagged.add(algo)
            continue
        m = _SUM_RE.match(line)
        if not m:
            raise FormatError(f"{p}:{n}: not a checksum line (expected 'HEX  NAME')")
        name = _unescape(m.group(3)) if m.group(1) else m.group(3)
        hexd = m.group(2).decode().lower()
        lengths.add(len(hexd))
        entries.append(KnownEntry(name, {"?": hexd}, None, n))
    if not entries:
        raise FormatError(f"{p}: empty known list")
    if len(lengths) > 1:
        raise FormatError(f"{p}: mixed digest lengths {sorted(lengths)}: not one algorithm")
    if lengths:
        length = lengths.pop()
        if algo_hint:
            cands: tuple[str, ...] = (algo_hint,)
        else:
            cands = _algos_for_hex(length)
        if not cands:
            raise FormatError(f"{p}: digests of {length} hex digits match no supported algorithm")
        known = KnownList("checksum", entries, (), candidates=cands)
        if len(cands) == 1:
            resolve_candidates(known, cands[0])
        return known
    return KnownList("bsd-tagged", entries, tuple(sorted(tagged)))


def resolve_candidates(known: KnownList, algo: str) -> None:
    """Fix the algorithm of a list whose bare digests could be several (sha256 or BLAKE3)."""
    for entry in known.entries:
        if "?" in entry.hashes:
            entry.hashes = {algo: entry.hashes["?"]}
    known.algos = (algo,)
    known.candidates = ()
    if algo == "blake3":
        known.format = "b3sum"
    else:
        known.format = f"{algo}sum"
