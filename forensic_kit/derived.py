"""Records a command derives from a source and keeps in a case (``phone --into``, ``meta --into``).

Each such record carries a ``run`` field that names the run which made it::

    "run": {"command": "phone", "exhibit": "EX-01", "sources": ["android"], "source_kind": "folder"}

``sources`` name the sources without the folder they were reached from: the path inside the case
(``data/EX-01/photos``) for a source inside the case, else the last component of its real path (so
``./android/``, ``android`` and ``/mnt/x/android`` are the same source). Running the same command
again for the same exhibit and sources replaces that run's records, where the first of them stood;
other sources of the same exhibit are kept beside them. A rerun whose records are the same bytes
writes nothing, so ``fkit/records.jsonl`` stays byte-identical.

The replacement is one atomic rewrite of ``records.jsonl`` (temporary file, fsync, rename) under
the case lock (:meth:`forensic_kit.package.Case.lock`, the lock of every other append), followed by
``tagmanifest-sha256.txt``: a crash at any point leaves either the old set of records or the new
one, never both or neither. Records that a revision of the seal covers are never removed: a rerun
that would change them is refused (:class:`SealedRecordsError`, exit 2) and the case is left as it
was.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from forensic_kit.errors import SealedError, UsageError
from forensic_kit.package import (TAGMANIFEST, TMP_SUFFIX, Case, atomic_write, kill_point, sha256_file,
                                  validate_exhibit_id)

RUN_FIELD = "run"
_RUN_MARK = b'"run":'
_CHUNK = 1 << 20


class SealedRecordsError(SealedError):
    """A rerun would remove records that a revision of the seal covers."""


@dataclass(frozen=True)
class RunIdentity:
    """Which run made a set of derived records: command, exhibit and source names."""

    command: str
    exhibit: str
    sources: tuple[str, ...]
    source_kind: str

    def value(self) -> dict[str, Any]:
        """The ``run`` field written into every record of the run."""
        return {"command": self.command, "exhibit": self.exhibit, "sources": list(self.sources),
                "source_kind": self.source_kind}

    def describe(self) -> str:
        """``EX-01 from 'android'`` (names shown terminal-safe)."""
        from forensic_kit.display import safe_text

        names = ", ".join(repr(safe_text(s)) for s in self.sources)
        return f"{self.exhibit} from {names}"


def source_name(path: Path, case_root: Path) -> str:
    """A source's name that does not depend on the working folder (see the module docstring)."""
    real = Path(os.path.realpath(path))
    try:
        inside = real.relative_to(os.path.realpath(case_root))
    except ValueError:
        return real.name or real.as_posix()
    return inside.as_posix()


def run_identity(command: str, exhibit: str, sources: Sequence[Path], case_root: Path) -> RunIdentity:
    """The identity of ``command`` run on ``sources`` for ``exhibit`` of the case at ``case_root``."""
    if not sources:
        raise UsageError(f"{command} --into needs at least one source path")
    names = sorted({source_name(p, case_root) for p in sources})
    kinds = {"folder" if os.path.isdir(p) else "file" for p in sources}
    kind = kinds.pop() if len(kinds) == 1 else "mixed"
    return RunIdentity(command, validate_exhibit_id(exhibit), tuple(names), kind)


@dataclass
class StoreResult:
    """What :func:`store_run` did."""

    outcome: str
    """``added`` (no earlier run of this source), ``unchanged`` (same bytes: nothing written) or
    ``replaced``."""
    records: int
    previous: int = 0
    """Records of the earlier run of the same source (removed when ``replaced``)."""
    beside: list[list[str]] = field(default_factory=list)
    """Sources of other runs of the same command and exhibit, kept."""
    unmarked: int = 0
    """Records of the same command and exhibit without a ``run`` field (written by an fkit from
    before runs were named): never replaced, and said so."""

    def line(self, run: RunIdentity, records_path: Path) -> str:
        """The one line that says what happened, for stderr."""
        from forensic_kit.display import safe_text

        where = safe_text(str(records_path))
        if self.outcome == "unchanged" and not self.previous:
            text = f"fkit {run.command}: no records of {run.describe()}; nothing written to {where}"
        elif self.outcome == "unchanged":
            text = (f"fkit {run.command}: {run.describe()} is already in {where} with the same {self.records} "
                    f"records; nothing written")
        elif self.outcome == "replaced":
            text = (f"fkit {run.command}: the records of {run.describe()} differ from its earlier run: its "
                    f"{self.previous} earlier records in {where} were replaced by these {self.records}")
        else:
            text = f"fkit {run.command}: {self.records} records of {run.describe()} added to {where}"
        if self.beside:
            n = len(self.beside)
            text += f"; {n} other source{'s' if n > 1 else ''} of {run.exhibit} kept beside {'them' if n > 1 else 'it'}"
        if self.unmarked:
            text += (f"; {self.unmarked} {run.command} records of {run.exhibit} written by an earlier fkit name no "
                     f"run and were left as they are (they may repeat these)")
        return text


@dataclass
class _Scan:
    ranges: list[tuple[int, int]] = field(default_factory=list)
    digest: str = ""
    size: int = 0
    file_size: int = 0
    ends_with_newline: bool = True
    beside: list[list[str]] = field(default_factory=list)
    unmarked: int = 0


_UNMARKED = {"phone": b'"kind":"phone.', "meta": b'"parser":"meta"'}
"""What a record of each command holds in its bytes when it was written before runs were named."""


def _run_of(line: bytes) -> Any:
    if _RUN_MARK not in line:
        return None
    try:
        rec = json.loads(line)
    except ValueError:
        return None
    return rec.get(RUN_FIELD) if isinstance(rec, dict) else None


def _unmarked(line: bytes, run: RunIdentity) -> bool:
    """A record of ``run``'s command and exhibit written without a ``run`` field."""
    mark = _UNMARKED.get(run.command)
    if mark is None or mark not in line:
        return False
    try:
        rec = json.loads(line)
    except ValueError:
        return False
    return isinstance(rec, dict) and RUN_FIELD not in rec and rec.get("exhibit") == run.exhibit


def _scan(records: Path, run: RunIdentity) -> _Scan:
    """Where the earlier records of ``run`` are in ``records`` (byte ranges) and their SHA-256."""
    found = _Scan()
    if not records.is_file():
        return found
    mine = run.value()
    h = hashlib.sha256()
    offset = 0
    last = b"\n"
    with open(records, "rb") as fh:
        for line in fh:
            value = _run_of(line)
            if value == mine:
                found.ranges.append((offset, offset + len(line)))
                h.update(line)
                found.size += len(line)
            elif (isinstance(value, dict) and value.get("command") == run.command
                  and value.get("exhibit") == run.exhibit and value.get("sources") not in found.beside):
                found.beside.append(value.get("sources"))  # type: ignore[arg-type]
            elif value is None and _unmarked(line, run):
                found.unmarked += 1
            offset += len(line)
            last = line
    found.digest = h.hexdigest()
    found.file_size = offset
    found.ends_with_newline = last.endswith(b"\n")
    return found


def _spool_digest(spool: IO[bytes]) -> tuple[str, int, int]:
    """SHA-256, size and line count of the new records."""
    spool.seek(0)
    h = hashlib.sha256()
    size = lines = 0
    while chunk := spool.read(_CHUNK):
        h.update(chunk)
        size += len(chunk)
        lines += chunk.count(b"\n")
    return h.hexdigest(), size, lines


def _contiguous(ranges: list[tuple[int, int]]) -> bool:
    return all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))


def store_run(case: Case, run: RunIdentity, spool: IO[bytes]) -> StoreResult:
    """Put the records in ``spool`` (JSON Lines, each carrying ``run``) into ``fkit/records.jsonl``,
    replacing the earlier records of the same run; see the module docstring."""
    with case.lock():
        _drop_stale_temps(case.records_path)
        old = _scan(case.records_path, run)
        digest, size, count = _spool_digest(spool)
        previous = len(old.ranges)
        if (old.ranges and _contiguous(old.ranges) and old.size == size and old.digest == digest) \
                or (not old.ranges and size == 0):
            if case.records_path.is_file() and case.read_manifest(TAGMANIFEST).get("fkit/records.jsonl") \
                    != sha256_file(case.records_path):
                case.update_tags()  # a run killed after its rename: finish its bookkeeping
            return StoreResult("unchanged", count, previous, old.beside, old.unmarked)
        sealed = case.sealed_records_bytes()
        if old.ranges and old.ranges[0][0] < sealed:
            raise SealedRecordsError(
                f"{case.records_path}: the {previous} earlier {run.command} records of {run.describe()} are sealed "
                f"in revision {case.sealed_revision()} and are never removed; these {count} records differ from "
                f"them and were not added (a source under another name is kept beside them)")
        atomic_write(case.records_path, _new_content(case.records_path, old, spool))
        kill_point("derived.renamed")
        case.update_tags()
    return StoreResult("replaced" if old.ranges else "added", count, previous, old.beside, old.unmarked)


def _drop_stale_temps(records: Path) -> None:
    """Remove the temporary copies of ``records`` left by a writer that was killed (its process is
    gone); called under the case lock."""
    head, tail = f".{records.name}.", TMP_SUFFIX
    for tmp in records.parent.glob(f"{head}*{tail}"):
        pid = tmp.name[len(head):-len(tail)]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)
        except PermissionError:
            pass


def _new_content(records: Path, old: _Scan, spool: IO[bytes]) -> Iterator[bytes]:
    """The lines of ``records`` with the earlier run's lines swapped for the spool's (at the
    place of the first of them, or at the end)."""
    at = old.ranges[0][0] if old.ranges else old.file_size
    skip = {start for start, _ in old.ranges}

    def new_lines() -> Iterator[bytes]:
        spool.seek(0)
        while chunk := spool.read(_CHUNK):
            yield chunk
        kill_point("derived.write")

    if not records.is_file():
        yield from new_lines()
        return
    offset = 0
    with open(records, "rb") as fh:
        for line in fh:
            if offset == at:
                yield from new_lines()
            if offset not in skip:
                yield line
            offset += len(line)
    if at >= offset:
        if not old.ends_with_newline:
            yield b"\n"  # a last line cut short by a crash of an older fkit stays a line of its own
        yield from new_lines()


class DerivedRun:
    """One ``--into`` run of a command: checks the case, stamps the records, stores them at the end.

    ::

        keep = DerivedRun.start(case_root, "meta", "EX-01", [Path("photos")], new_revision=False)
        for rec in records: out.write(line := dump_bytes(keep.stamp(rec))); keep.add(line)
        result = keep.finish()
    """

    def __init__(self, case: Case, run: RunIdentity) -> None:
        self.case = case
        self.run = run
        self._spool: IO[bytes] | None = tempfile.TemporaryFile()

    @classmethod
    def start(cls, case_root: Path, command: str, exhibit: str | None, sources: Sequence[Path],
              new_revision: bool) -> "DerivedRun":
        """Open the case, check the exhibit and that the case may change (``--new-revision`` on a
        sealed case), and name the run."""
        case = Case.open(case_root)
        case.require_unsealed(f"{command} --into", new_revision)
        if not exhibit:
            raise UsageError(f"--into needs --exhibit (the exhibit the {command} records belong to)")
        case.exhibit(validate_exhibit_id(exhibit))
        return cls(case, run_identity(command, exhibit, sources, case.root))

    def stamp(self, rec: dict[str, Any]) -> dict[str, Any]:
        """The record as the case keeps it: its exhibit set (when absent) and the ``run`` field."""
        rec.setdefault("exhibit", self.run.exhibit)
        rec[RUN_FIELD] = self.run.value()
        return rec

    def add(self, line: bytes) -> None:
        """Keep one record line (already stamped) for :meth:`finish`."""
        assert self._spool is not None
        self._spool.write(line)

    def finish(self) -> StoreResult:
        """Store the run's records in the case (see :func:`store_run`)."""
        assert self._spool is not None
        try:
            self._spool.flush()
            return store_run(self.case, self.run, self._spool)
        finally:
            self.close()

    def close(self) -> None:
        """Drop the records kept so far (nothing is written to the case)."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None
