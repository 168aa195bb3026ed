"""Known-file hash sets (NSRL RDS, hashdeep, sha256sum-style, fkit lists) as sorted on-disk indexes.

A set is read once into one index per algorithm it lists: ``[header][N sorted digests][N 8-byte
prefixes]``, built with a 256-way bucket sort in a temporary folder (memory stays small whatever
the set's size). Opening an index maps it (``numpy.memmap``): nothing is read until looked up;
lookups are vectorised binary searches on the prefixes, confirmed on the full digest.
Records are marked ``"known": "ignorable"`` (``--known``) or ``"known": "bad"`` (``--known-bad``,
which wins) with the names of the sets that matched in ``known_sets``.

Indexes are cached in ``$FKIT_CACHE`` (default ``~/.cache/fkit/known``), keyed by the set file's
path, size and modification time; an index file (``.fkidx``) may also be given directly.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sqlite3
import struct
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from forensic_kit.errors import FormatError, InputError

MAGIC = b"FKITIDX1"
HEADER = struct.Struct("<8s16sQQ32s")  # magic, algorithm, count, width, set-file sha256-of-key
WIDTHS = {"md5": 16, "sha1": 20, "sha256": 32, "blake3": 32, "sha512": 64}
_HEXLEN = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
_BLOCK = 32 * 1024 * 1024
_BATCH = 1_000_000
_HEX = re.compile(rb"^[0-9a-fA-F]+$")

IGNORABLE = "ignorable"
BAD = "bad"


# ---------------------------------------------------------------- reading sets

def _sniff(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(b"SQLite format 3\x00"):
        return "nsrl-rds3"
    first = next((ln.strip() for ln in head.splitlines() if ln.strip()), b"")
    if first.startswith(b"%%%% HASHDEEP"):
        return "hashdeep"
    if first.startswith(b'"SHA-1"') or first.startswith(b'"SHA1"'):
        return "nsrl-rds2"
    if first.startswith(b"{"):
        return "fkit"
    return "sums"


def _digest_columns(path: Path, fmt: str, algo_hint: str | None) -> Iterator[tuple[str, bytes]]:
    """(algorithm, hex digest) pairs from a set file, streamed in blocks (fast paths for fixed layouts)."""
    if fmt == "nsrl-rds3":
        uri = f"file:{path}?mode=ro&immutable=1"
        con = sqlite3.connect(uri, uri=True)
        try:
            cols = {r[1].lower() for r in con.execute("PRAGMA table_info(FILE)")}
            if not cols:
                raise FormatError(f"{path}: an SQLite file without the NSRL RDS v3 FILE table")
            for algo in ("sha256", "sha1", "md5"):
                if algo in cols:
                    for (h,) in con.execute(f"SELECT {algo} FROM FILE"):  # noqa: S608 - fixed names
                        if h:
                            yield algo, str(h).encode("ascii", "replace")
        finally:
            con.close()
        return
    with open(path, "rb", buffering=1 << 20) as f:
        if fmt == "hashdeep":
            yield from _hashdeep(f, path)
        elif fmt == "nsrl-rds2":
            next(f)
            for line in f:
                parts = line.split(b",", 2)
                if len(parts) >= 2:
                    yield "sha1", parts[0].strip(b'"')
                    yield "md5", parts[1].strip(b'"')
        elif fmt == "fkit":
            for line in f:
                if line.strip():
                    try:
                        rec = json.loads(line)
                    except ValueError:
                        raise FormatError(f"{path}: a line that is not JSON in an fkit list") from None
                    for algo, h in (rec.get("hashes") or {}).items() if isinstance(rec, dict) else ():
                        if algo in WIDTHS and isinstance(h, str):
                            yield algo, h.encode("ascii", "replace")
        else:
            for line in f:
                yield from _sum_line(line, algo_hint)


def _hashdeep(f: IO[bytes], path: Path) -> Iterator[tuple[str, bytes]]:
    cols: list[str] = []
    for line in f:
        if line.startswith(b"%%%%"):
            text = line[4:].strip().decode("ascii", "replace")
            if "," in text:
                cols = text.split(",")
            continue
        if line.startswith(b"#") or not line.strip():
            continue
        if not cols:
            raise FormatError(f"{path}: HASHDEEP file without its column line")
        parts = line.rstrip(b"\r\n").split(b",", len(cols) - 1)
        for name, val in zip(cols, parts):
            if name in WIDTHS:
                yield name, val


# ---------------------------------------------------------------- building

@dataclass
class BuildStats:
    """Digests read per algorithm, lines refused (not hex of the right width), unique kept."""

    read: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    unique: dict[str, int] = field(default_factory=dict)


class _Buckets:
    def __init__(self, folder: str, algo: str) -> None:
        self.algo = algo
        self.width = WIDTHS[algo]
        self.folder = folder
        self.files = [open(os.path.join(folder, f"{algo}-{i:02x}"), "wb", buffering=256 * 1024) for i in range(256)]
        self.pending: list[bytes] = []

    def add(self, hexes: list[bytes] | np.ndarray) -> None:
        if isinstance(hexes, np.ndarray):
            arr = hexes
        else:
            raw = bytes.fromhex(b"".join(hexes).decode("ascii"))
            arr = np.frombuffer(raw, dtype=np.uint8).reshape(-1, self.width)
        order = np.argsort(arr[:, 0], kind="stable")
        arr = arr[order]
        bounds = np.searchsorted(arr[:, 0], np.arange(257))
        for b in range(256):
            lo, hi = bounds[b], bounds[b + 1]
            if hi > lo:
                self.files[b].write(arr[lo:hi].tobytes())

    def finish(self, out: IO[bytes], prefixes: IO[bytes]) -> int:
        total = 0
        for i, f in enumerate(self.files):
            f.close()
            data = Path(f.name).read_bytes()
            os.unlink(f.name)
            if not data:
                continue
            arr = np.sort(np.frombuffer(data, dtype=f"V{self.width}").view(f"S{self.width}"))
            if len(arr) > 1:
                keep = np.ones(len(arr), dtype=bool)
                keep[1:] = arr[1:] != arr[:-1]
                arr = arr[keep]
            # numpy 'S' drops trailing NUL bytes when it hands items back, but tobytes() keeps the width
            blob = arr.tobytes()
            out.write(blob)
            rows = np.frombuffer(blob, dtype=np.uint8).reshape(-1, self.width)
            prefixes.write(np.ascontiguousarray(rows[:, :8]).view(">u8").astype("<u8").tobytes())
            total += len(arr)
            del i
        return total


_HEXVAL = np.full(256, 255, dtype=np.uint8)
_HEXVAL[np.frombuffer(b"0123456789", dtype=np.uint8)] = np.arange(10, dtype=np.uint8)
_HEXVAL[np.frombuffer(b"abcdef", dtype=np.uint8)] = np.arange(10, 16, dtype=np.uint8)
_HEXVAL[np.frombuffer(b"ABCDEF", dtype=np.uint8)] = np.arange(10, 16, dtype=np.uint8)


def _decode_fixed(block: bytes, width: int) -> np.ndarray | None:
    """Digests of a block of lines that are exactly ``HEX\\n`` (``width`` hex digits), decoded in
    numpy; None if the block has any other shape or a non-hex character."""
    stride = width + 1
    if len(block) % stride:
        return None
    arr = np.frombuffer(block, dtype=np.uint8).reshape(-1, stride)
    if not bool(np.all(arr[:, width] == 10)):
        return None
    hi = _HEXVAL[arr[:, 0:width:2]]
    lo = _HEXVAL[arr[:, 1:width:2]]
    if int(hi.max(initial=0)) > 15 or int(lo.max(initial=0)) > 15:
        return None
    return (hi << 4) | lo


def _fast_sums(path: Path, algo_hint: str | None) -> Iterator[tuple[str, Any]]:
    """Digests of a sums list in blocks: a block of bare ``HEX`` lines is decoded in numpy, a block
    whose lines all start with a digest of one width (``HEX  name``) with one hex decode; any other
    block (comments, BSD tags, escaped names, mixed widths) is read line by line."""
    with open(path, "rb") as f:
        head = f.readline().split(None, 1)
    width = len(head[0]) if head else 0
    algo = algo_hint or _HEXLEN.get(width)
    with open(path, "rb", buffering=0) as f:
        rest = b""
        while True:
            block = f.read(_BLOCK)
            if not block:
                break
            block = rest + block
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                rest = block
                continue
            block, rest = block[:cut], block[cut:]
            if algo is not None:
                arr = _decode_fixed(block, width)
                if arr is not None:
                    yield algo, arr
                    continue
            lines = block.split(b"\n")
            lines.pop()
            hexes = [ln[:width] for ln in lines]
            ok = algo is not None and all(len(ln) == width or ln[width:width + 1] in (b" ", b"\t", b"\r") for ln in lines)
            if ok:
                try:
                    raw = bytes.fromhex(b"".join(hexes).decode("ascii"))
                    yield str(algo), np.frombuffer(raw, dtype=np.uint8).reshape(-1, width // 2)
                    continue
                except (ValueError, UnicodeDecodeError):
                    pass
            for ln in lines:
                yield from _sum_line(ln, algo_hint)
        if rest.strip():
            yield from _sum_line(rest, algo_hint)


def _sum_line(line: bytes, algo_hint: str | None) -> Iterator[tuple[str, bytes]]:
    s = line.strip()
    if not s or s.startswith(b"#"):
        return
    if s.startswith(b"\\"):
        s = s[1:]
    m = re.match(rb"^([A-Z0-9-]+) \(.*\) = ([0-9a-fA-F]+)$", s)
    if m:  # BSD tagged
        yield m.group(1).decode().lower().replace("-", ""), m.group(2)
        return
    h = s.split(None, 1)[0]
    yield algo_hint or _HEXLEN.get(len(h), "?"), h


def _bucket(buckets: dict[str, _Buckets], tmp: str, algo: str) -> _Buckets:
    # not dict.setdefault: building a second _Buckets would truncate the first one's files
    if algo not in buckets:
        buckets[algo] = _Buckets(tmp, algo)
    return buckets[algo]


def build(set_path: Path, out_dir: Path, algo_hint: str | None = None) -> tuple[dict[str, Path], BuildStats]:
    """Index every algorithm of a set file into ``out_dir``; returns {algorithm: index path}."""
    fmt = _sniff(set_path)
    stats = BuildStats()
    out_dir.mkdir(parents=True, exist_ok=True)
    key = _key(set_path)
    with tempfile.TemporaryDirectory(prefix="fkit-known-", dir=out_dir) as tmp:
        buckets: dict[str, _Buckets] = {}
        batches: dict[str, list[bytes]] = {}
        source: Iterable[Any] = (_fast_sums(set_path, algo_hint) if fmt == "sums"
                                 else _digest_columns(set_path, fmt, algo_hint))
        for algo, h in source:
            if isinstance(h, np.ndarray):  # a whole block already checked and decoded
                _bucket(buckets, tmp, algo).add(h)
                stats.read[algo] = stats.read.get(algo, 0) + len(h)
                continue
            width = WIDTHS.get(algo)
            if width is None or len(h) != 2 * width or not _HEX.match(h):
                stats.refused += 1
                continue
            batch = batches.setdefault(algo, [])
            batch.append(h)
            if len(batch) >= _BATCH:
                _bucket(buckets, tmp, algo).add(batch)
                stats.read[algo] = stats.read.get(algo, 0) + len(batch)
                batch.clear()
        for algo, batch in batches.items():
            if batch:
                _bucket(buckets, tmp, algo).add(batch)
                stats.read[algo] = stats.read.get(algo, 0) + len(batch)
        if not buckets:
            raise FormatError(f"{set_path}: no hash of a known width in this {fmt} set")
        made: dict[str, Path] = {}
        for algo, b in buckets.items():
            final = out_dir / f"{key}-{algo}.fkidx"
            part = Path(tmp) / f"{algo}.digests"
            pfx = Path(tmp) / f"{algo}.prefixes"
            with open(part, "wb") as out, open(pfx, "wb") as pf:
                out.write(b"\0" * HEADER.size)
                n = b.finish(out, pf)
            with open(part, "r+b") as out, open(pfx, "rb") as pf:
                out.seek(0)
                out.write(HEADER.pack(MAGIC, algo.encode().ljust(16, b"\0"), n, b.width, bytes.fromhex(key)))
                out.seek(0, io.SEEK_END)
                while chunk := pf.read(1 << 24):
                    out.write(chunk)
            os.replace(part, final)
            made[algo] = final
            stats.unique[algo] = n
    return made, stats


def _key(set_path: Path) -> str:
    st = set_path.stat()
    return hashlib.sha256(f"{set_path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}".encode()).hexdigest()


# ---------------------------------------------------------------- lookups

class Index:
    """One sorted digest index, memory-mapped."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            head = f.read(HEADER.size)
        if len(head) < HEADER.size:
            raise FormatError(f"{path}: not an fkit hash index (too short)")
        magic, algo, count, width, _ = HEADER.unpack(head)
        if magic != MAGIC or width not in WIDTHS.values():
            raise FormatError(f"{path}: not an fkit hash index")
        size = path.stat().st_size
        if size != HEADER.size + count * (width + 8):
            raise FormatError(f"{path}: truncated fkit hash index ({size} bytes for {count} digests)")
        self.path = path
        self.algo = algo.rstrip(b"\0").decode()
        self.count = int(count)
        self.width = int(width)
        if self.count:
            self.digests = np.memmap(path, dtype=np.uint8, mode="r", offset=HEADER.size, shape=(self.count, self.width))
            self.prefixes = np.memmap(path, dtype="<u8", mode="r", offset=HEADER.size + self.count * self.width,
                                      shape=(self.count,))

    def contains_many(self, digests: np.ndarray) -> np.ndarray:
        """For an (n, width) uint8 array of digests: a bool array, True where the digest is in the set.

        Queries are sorted first, so the binary searches and the reads of the index move forwards
        through it (cache- and page-friendly); the answer is given back in the queries' order.
        """
        n = digests.shape[0]
        if not self.count or n == 0:
            return np.zeros(n, dtype=bool)
        digests = np.ascontiguousarray(digests, dtype=np.uint8)
        q = digests[:, :8].copy().view(">u8").astype("<u8").reshape(n)
        order = np.argsort(q)
        qs = q[order]
        pos = np.minimum(np.searchsorted(self.prefixes, qs), self.count - 1)
        cand = np.nonzero(self.prefixes[pos] == qs)[0]
        found_sorted = np.zeros(n, dtype=bool)
        if len(cand):
            word = np.uint64 if self.width % 8 == 0 else np.uint32
            listed = np.ascontiguousarray(self.digests[pos[cand]]).view(word)
            asked = digests[order[cand]].view(word)
            full = np.all(listed == asked, axis=1)
            found_sorted[cand[full]] = True
            # a 64-bit prefix shared by two digests: walk the run (practically never happens)
            for k in cand[~full]:
                j = int(pos[k]) + 1
                want = digests[order[k]]
                while j < self.count and self.prefixes[j] == qs[k]:
                    if bool(np.all(self.digests[j] == want)):
                        found_sorted[k] = True
                        break
                    j += 1
        found = np.empty(n, dtype=bool)
        found[order] = found_sorted
        return found

    def contains(self, hexdigest: str) -> bool:
        """True if one hex digest is in the set."""
        if len(hexdigest) != 2 * self.width:
            return False
        arr = np.frombuffer(bytes.fromhex(hexdigest), dtype=np.uint8).reshape(1, self.width)
        return bool(self.contains_many(arr)[0])


def cache_dir() -> Path:
    """Where built indexes are kept."""
    return Path(os.environ.get("FKIT_CACHE") or Path.home() / ".cache" / "fkit") / "known"


def open_set(path: Path, algo_hint: str | None = None) -> dict[str, Index]:
    """The indexes of a set file (built into the cache the first time) or of one ``.fkidx`` file."""
    if not path.is_file():
        raise InputError(f"{path}: no such hash set")
    with open(path, "rb") as f:
        if f.read(8) == MAGIC:
            idx = Index(path)
            return {idx.algo: idx}
    folder = cache_dir()
    key = _key(path)
    found = {p.name[len(key) + 1:-len(".fkidx")]: p for p in folder.glob(f"{key}-*.fkidx")} if folder.is_dir() else {}
    if not found:
        found, _ = build(path, folder, algo_hint)
    return {algo: Index(p) for algo, p in found.items()}


@dataclass
class KnownSet:
    """A named set and its verdict (``ignorable`` or ``bad``)."""

    name: str
    verdict: str
    indexes: dict[str, Index]


class Marker:
    """Marks records against known sets; ``bad`` wins over ``ignorable``."""

    def __init__(self, sets: list[KnownSet]) -> None:
        self.sets = sets
        self.counts = {IGNORABLE: 0, BAD: 0, "not_comparable": 0}
        self.bad_names: list[str] = []  # the first few known-bad items, for a line on stderr

    @property
    def algos(self) -> list[str]:
        """The digest algorithms the sets list (what a record must carry to be compared)."""
        return sorted({a for s in self.sets for a in s.indexes})

    def describe(self) -> list[dict[str, Any]]:
        """The sets as an exhibit sheet records them: name, verdict, algorithms and digest counts."""
        return [{"name": s.name, "verdict": s.verdict,
                 "digests": {a: idx.count for a, idx in sorted(s.indexes.items())}} for s in self.sets]

    def _verdict(self, hashes: dict[str, Any]) -> tuple[str | None, list[str], bool]:
        verdict = None
        names = []
        comparable = False
        for s in self.sets:
            for algo, idx in s.indexes.items():
                h = hashes.get(algo)
                if not isinstance(h, str):
                    continue
                comparable = True
                if idx.contains(h.lower()):
                    names.append(s.name)
                    verdict = BAD if (s.verdict == BAD or verdict == BAD) else IGNORABLE
                    break
        return verdict, names, comparable

    def _count(self, verdict: str | None, comparable: bool, name: Any) -> None:
        if verdict:
            self.counts[verdict] += 1
            if verdict == BAD and len(self.bad_names) < 5:
                self.bad_names.append(str(name))
        elif not comparable:
            self.counts["not_comparable"] += 1

    @classmethod
    def open(cls, known: Iterable[Path] = (), bad: Iterable[Path] = ()) -> Marker:
        """Open (building if needed) every ``--known`` and ``--known-bad`` set."""
        sets = [KnownSet(p.name, IGNORABLE, open_set(p)) for p in known]
        sets += [KnownSet(p.name, BAD, open_set(p)) for p in bad]
        return cls(sets)

    def mark(self, rec: dict[str, Any]) -> dict[str, Any]:
        """Add ``known`` and ``known_sets`` to a file record whose digest is in a set (in place)."""
        hashes = rec.get("hashes")
        if not isinstance(hashes, dict) or not hashes:
            return rec
        verdict, names, comparable = self._verdict(hashes)
        if verdict:
            rec["known"] = verdict
            rec["known_sets"] = names
        self._count(verdict, comparable, rec.get("bag_path") or rec.get("path") or rec.get("phone_path"))
        return rec

    def mark_files(self, rec: dict[str, Any]) -> dict[str, Any]:
        """Mark the entries of a record's ``files`` list that carry digests as flat keys (``sha256``,
        ``md5``: an app's APK files); the record itself gets the worst verdict and every set named."""
        files = rec.get("files")
        if not isinstance(files, list):
            return rec
        worst: str | None = None
        names: list[str] = []
        for entry in files:
            if not isinstance(entry, dict):
                continue
            hashes = {a: entry[a] for a in WIDTHS if isinstance(entry.get(a), str)}
            if not hashes:
                continue
            verdict, sets, comparable = self._verdict(hashes)
            self._count(verdict, comparable, f"{rec.get('package') or ''} {entry.get('path') or ''}".strip())
            if verdict:
                entry["known"] = verdict
                entry["known_sets"] = sets
                worst = BAD if (verdict == BAD or worst == BAD) else IGNORABLE
                names += [n for n in sets if n not in names]
        if worst:
            rec["known"] = worst
            rec["known_sets"] = names
        return rec

    def mark_all(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """:meth:`mark` over a stream."""
        for rec in records:
            yield self.mark(rec)

    def summary(self) -> str:
        """One line for stderr."""
        algos = sorted({a for s in self.sets for a in s.indexes})
        line = f"known sets: {self.counts[IGNORABLE]} ignorable, {self.counts[BAD]} bad"
        if self.counts["not_comparable"]:
            line += (f"; {self.counts['not_comparable']} records had no digest the sets list ({', '.join(algos)}):"
                     " hash with -a " + ",".join(algos))
        return line
