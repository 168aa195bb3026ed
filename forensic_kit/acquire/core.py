"""Acquisition bookkeeping shared by logical, physical and image-extract acquisitions.

Crash safety: everything is first written under ``fkit/work/<EX>/`` (the staging folder, on the
same file system as ``data/`` and never listed in a manifest). An item is appended to the journal
``fkit/work/<EX>.journal.jsonl`` only after its bytes are durable and verified by reading them
back. At the end the staging folder is renamed to ``data/<EX>`` in one step, the records are
written, and the bag manifests updated. A rerun after Ctrl-C or ``kill -9`` resumes from the
journal (logical, extract) or cleanly redoes the exhibit (physical).
"""

from __future__ import annotations

import getpass
import json
import os
import platform
import shutil
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from forensic_kit import __version__, jsonl
from forensic_kit.errors import CaseExistsError
from forensic_kit.names import path_fields
from forensic_kit.package import WORK_DIR, Case, atomic_write, fsync_dir, validate_exhibit_id
from forensic_kit.package import kill_point as _kill_point
from forensic_kit.records import Record
from forensic_kit.filehash import stat_times
from forensic_kit.timeutil import clamp_times, datetime_to_iso, local_offset, now_utc, source_date_epoch_ns

if TYPE_CHECKING:
    from forensic_kit.knownfiles import Marker

PARSER = "acquire"


class WriteFailed(OSError):
    """The destination refused bytes (disk full, I/O error): the exhibit cannot be completed."""


def observed_times(st: os.stat_result, clamp_ns: int | None) -> dict[str, str | None]:
    """A source file's MAC(B) times for its record, clamped to ``clamp_ns`` (training cases) and marked."""
    times = stat_times(st)
    return times if clamp_ns is None else clamp_times(times, clamp_ns)


def now_fields() -> dict[str, str | None]:
    """The current time as UTC text plus the machine's UTC offset."""
    now = now_utc()
    return {"utc": datetime_to_iso(now), "local_offset": local_offset(now)}


def os_user() -> str:
    """The OS user running fkit."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def block_identity(path: Path, sysfs: Path = Path("/sys")) -> dict[str, Any]:
    """Model, vendor, serial and size of a block device from ``/sys`` (what is available).

    For a partition (``sdb1``) the disk's ``device/`` attributes are used. ``sysfs`` is the sysfs
    mount point (a test points it at a fake tree).
    """
    out: dict[str, Any] = {}
    try:
        st = os.stat(path)
        major, minor = os.major(st.st_rdev), os.minor(st.st_rdev)
        sys_dir = (sysfs / "dev" / "block" / f"{major}:{minor}").resolve()
    except OSError:
        return out
    out["dev"] = f"{major}:{minor}"
    if not sys_dir.is_dir():
        return out
    dev_dir = sys_dir if (sys_dir / "device").exists() else sys_dir.parent
    for key in ("model", "vendor", "serial", "rev", "wwid"):
        for cand in (dev_dir / "device" / key, dev_dir / key):
            try:
                value = cand.read_text("utf-8", "replace").strip()
            except OSError:
                continue
            if value:
                out[key] = value
                break
    try:
        out["sectors"] = int((sys_dir / "size").read_text().strip())
    except (OSError, ValueError):
        pass
    for queue_dir in (sys_dir / "queue", dev_dir / "queue"):  # a disk has queue/, a partition's disk has it
        try:
            out["logical_block_size"] = int((queue_dir / "logical_block_size").read_text().strip())
            break
        except (OSError, ValueError):
            continue
    out["kernel_name"] = sys_dir.name
    return out


@dataclass
class Acquisition:
    """One exhibit's acquisition into a case: staging, journal, exhibit description, finish."""

    case: Case
    exhibit_id: str
    kind: str                     # logical | physical | extract
    source: Path
    description: str | None = None
    seal: str | None = None
    algos: tuple[str, ...] = ("sha256", "blake3")
    errors: list[Record] = field(default_factory=list)
    done: set[str] = field(default_factory=set)  # staged paths of the journaled items (their records: the journal)
    info: dict[str, Any] = field(default_factory=dict)
    resumed: bool = False
    repaired: bool = False  # a finished exhibit whose bookkeeping a rerun completed (see begin)
    records_prefix: str | None = None  # how records name the case in "path" (as typed); default: its path
    totals: "Finished" = field(default_factory=lambda: Finished())  # journaled items and bytes
    sha256: dict[str, str] = field(default_factory=dict)  # bag path -> SHA-256 of the journaled items
    marker: "Marker | None" = None  # --known/--known-bad: item records marked as they go to records.jsonl
    _clock: float | None = field(default=None, repr=False)  # monotonic time at begin(), for the run log

    def __post_init__(self) -> None:
        validate_exhibit_id(self.exhibit_id)
        self.staging = self.case.root / WORK_DIR / self.exhibit_id
        self.journal = self.case.root / WORK_DIR / f"{self.exhibit_id}.journal.jsonl"
        self.final_dir = self.case.data_dir / self.exhibit_id
        # A training case generated with SOURCE_DATE_EPOCH must come out byte-identical run after run:
        # there, file times later than it (the change time of freshly generated sources) are clamped.
        self.clamp_ns = source_date_epoch_ns() if self.case.info.get("training") else None

    @property
    def prefix(self) -> str:
        """The case folder as the records' ``path`` fields start (the ``--into`` argument as typed)."""
        return self.records_prefix if self.records_prefix is not None else os.fspath(self.case.root)

    def final_line(self, rec: Record) -> bytes:
        """An item record as the case keeps and prints it (see :func:`final_record_line`)."""
        return final_record_line({k: v for k, v in rec.items() if k != "_staged"}, self.exhibit_id,
                                 str(rec["_staged"]), self.prefix)

    def observed_times(self, st: os.stat_result) -> dict[str, str | None]:
        """The MAC(B) times of a source file for its record (clamped only in a training case, and marked)."""
        return observed_times(st, self.clamp_ns)

    # ------------------------------------------------------------------ start
    def _identity(self) -> dict[str, Any]:
        return {"exhibit": self.exhibit_id, "kind": self.kind, "source": os.fsdecode(os.path.abspath(self.source)),
                "algos": list(self.algos)}

    def begin(self, source_info: dict[str, Any]) -> None:
        """Refuse a finished exhibit; resume or cleanly restart an unfinished one; write the header."""
        ex_path = self.case.exhibit_path(self.exhibit_id)
        previous: dict[str, Any] | None = None
        if ex_path.is_file():
            previous = json.loads(ex_path.read_text("utf-8"))
            if (previous.get("status") in ("complete", "incomplete") and self.final_dir.exists()
                    and self.journal.is_file() and self._journal_matches()):
                self._repair_finished(previous)
                return
            if previous.get("status") in ("complete", "incomplete"):
                raise CaseExistsError(
                    f"exhibit {self.exhibit_id} is already acquired in {self.case.root} "
                    f"(status {previous.get('status')}); choose another exhibit id")
        if self.final_dir.exists():
            # A crash after the staging folder was renamed but before the records were written.
            if self.journal.is_file() and self._journal_matches():
                self._load_journal()
                self.resumed = True
                self.info = previous or {}
                return
            raise CaseExistsError(f"{self.final_dir} already exists; refusing to overwrite acquired data")
        if self.journal.is_file() and self._journal_matches() and self.kind != "physical":
            self._load_journal()
            self.resumed = True
            self._drop_partials()
        else:
            self._reset_staging()
        started = (previous or {}).get("started") if self.resumed else None
        self._clock = time.monotonic()
        self.info = {
            "id": self.exhibit_id,
            "description": self.description,
            "seal": self.seal,
            "kind": self.kind,
            "status": "in-progress",
            "fkit_version": __version__,
            "host": socket.gethostname(),
            "os": f"{platform.system()} {platform.release()}",
            "user": os_user(),
            "command": " ".join([os.path.basename(sys.argv[0] or "fkit")] + sys.argv[1:]),
            "started": started or now_fields(),
            "ended": None,
            "source": source_info,
            "hash_algorithms": list(self.algos),
            "resumed": self.resumed,
        }
        self.case.write_exhibit(self.exhibit_id, self.info)
        self.case.update_bag()

    def _journal_matches(self) -> bool:
        try:
            with open(self.journal, "rb") as fh:
                first = fh.readline()
            head = json.loads(first)
        except (OSError, ValueError):
            return False
        return bool(head.get("journal") == self._identity())

    def _header(self) -> bytes:
        return jsonl.dump_bytes({"journal": self._identity(), "records_prefix": self.prefix})

    def _load_journal(self) -> None:
        """Keep the journal's complete, unique entries whose copy is there; rewrite it without the rest.

        Entries are final record lines; when this run names the case differently (another
        working folder), their ``path`` fields are written again for this run.
        """
        with open(self.journal, "rb") as fh:
            prefix = json.loads(fh.readline()).get("records_prefix")

        def kept() -> Iterator[bytes]:
            yield self._header()
            with open(self.journal, "rb") as fh:
                fh.readline()
                for line in fh:
                    if not line.endswith(b"\n"):
                        return  # a line cut by a crash: that item is redone
                    try:
                        rec = json.loads(line)
                        staged = _staged_of(rec, self.exhibit_id)
                    except (ValueError, KeyError, TypeError):
                        return
                    if staged in self.done:
                        continue
                    if (self.staging / staged).is_file() or self.final_dir.exists():
                        if prefix != self.prefix:
                            line = final_record_line(rec, self.exhibit_id, staged, self.prefix)
                        self._count(staged, rec)
                        yield line

        atomic_write(self.journal, kept())  # a cut last line is gone

    def _count(self, staged: str, rec: Record) -> None:
        self.done.add(staged)
        self.totals.items += 1
        self.totals.bytes += int(rec.get("size") or 0)
        digest = (rec.get("hashes") or {}).get("sha256")
        if digest:
            self.sha256[f"data/{self.exhibit_id}/{staged}"] = digest

    def journaled(self) -> Iterator[Record]:
        """The journaled item records, in order, read back from the journal (not held in memory)."""
        with open(self.journal, "rb") as fh:
            fh.readline()
            for line in fh:
                yield json.loads(line)

    def _drop_partials(self) -> None:
        """Delete files in staging that the journal does not list (partial copies)."""
        listed = self.done
        for dirpath, _dirs, files in os.walk(self.staging):
            for name in files:
                full = Path(dirpath) / name
                rel = full.relative_to(self.staging).as_posix()
                if rel not in listed:
                    full.unlink()

    def _reset_staging(self) -> None:
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        atomic_write(self.journal, self._header())

    # ------------------------------------------------------------------ progress
    def commit(self, records: Iterable[Record]) -> None:
        """Append durable, verified items to the journal (fsync'd).

        A record carrying ``_line`` (its final JSON line, made where it was copied) is journaled
        as that line; any other is made final here (:meth:`final_line`).
        """
        lines: list[bytes] = []
        for r in records:
            staged = str(r["_staged"])
            line = r.get("_line")
            lines.append(line if isinstance(line, bytes) else self.final_line(r))
            self._count(staged, r)
        data = b"".join(lines)
        if not data:
            return
        fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    def error(self, rec: Record) -> None:
        """Remember an error record for the exhibit description."""
        self.errors.append(rec)

    # ------------------------------------------------------------------ finish
    def finish(self, status: str, extra: dict[str, Any] | None = None) -> Finished:
        """Move staging into ``data/``, write records, exhibit description and bag manifests.

        The journal already holds the final item records (in order, ``path`` and ``bag_path``
        set): they are copied, then the error records, to the end of ``fkit/records.jsonl``, in
        bounded memory. Returns their count, bytes and where they start there.
        """
        if extra and not self.final_dir.exists():
            # what the acquisition found (image hashes, E01 verdict, bad ranges) survives a crash
            # from here on: a resumed finish reads it back from the sheet
            self.info.update(extra)
            self.case.write_exhibit(self.exhibit_id, self.info)
        if not self.final_dir.exists():
            self.staging.mkdir(parents=True, exist_ok=True)
            self.case.data_dir.mkdir(exist_ok=True)
            os.rename(self.staging, self.final_dir)
            fsync_dir(self.case.data_dir)
            fsync_dir(self.staging.parent)
        done = Finished(self.totals.items, self.totals.bytes)

        def records_file() -> Iterator[bytes]:
            # records.jsonl: drop any earlier lines of this exhibit (a crash mid-append), add ours
            if self.case.records_path.is_file():
                with open(self.case.records_path, "rb") as fh:
                    for line in fh:
                        if not _is_exhibit_line(line, self.exhibit_id):
                            done.records_from += len(line)
                            yield line
            with open(self.journal, "rb") as fh:
                fh.readline()
                if self.marker is None:
                    while chunk := fh.read(1 << 20):
                        yield chunk
                else:
                    yield from (self._marked(line) for line in fh)
            yield from (jsonl.dump_bytes(e) for e in self.errors)

        with self.case.lock():  # the lock of phone/meta --into: no run's records are lost to a race
            atomic_write(self.case.records_path, records_file())
        _kill_point("records")
        # The payload manifest first, then the status: a crash in between leaves an exhibit that
        # is not yet "complete", and the journal (removed last) lets a rerun repair the rest.
        self.case.update_bag(hashes=self.sha256)
        _kill_point("manifest")
        self.info.update({
            "status": status,
            "ended": now_fields(),
            "items": done.items,
            "bytes": done.bytes,
            **self._run_log(done.bytes),
            "errors": [e.get("error", {}) | {k: e[k] for k in ("path", "path_hex", "inode") if k in e}
                       for e in self.errors],
        })
        if self.marker is not None:
            self.info["known_sets"] = self.marker.describe()
            self.info["known"] = {k: self.marker.counts[k] for k in ("ignorable", "bad")}
        if extra:
            self.info.update(extra)
        self.case.write_exhibit(self.exhibit_id, self.info)
        _kill_point("status")
        self.case.update_tags()
        _kill_point("tags")
        try:
            self.journal.unlink()
        except FileNotFoundError:
            pass
        return done

    def _marked(self, line: bytes) -> bytes:
        """A journaled item line with ``known``/``known_sets`` added when its digest is in a set
        (the line unchanged otherwise, byte for byte)."""
        assert self.marker is not None
        if b'"hashes"' not in line:
            return line
        rec = json.loads(line)
        self.marker.mark(rec)
        return jsonl.dump_bytes(_order(rec)) if "known" in rec else line

    def _run_log(self, nbytes: int) -> dict[str, Any]:
        """This run's duration and average throughput (the acquisition log, as Guymager keeps it).

        Measured on the monotonic clock from :meth:`begin` to the end, so a resumed exhibit logs
        the run that finished it. Null under ``SOURCE_DATE_EPOCH`` (reproducible training cases).
        """
        if os.environ.get("SOURCE_DATE_EPOCH") is not None or self._clock is None:
            return {"duration_s": None, "throughput_bytes_per_s": None}
        seconds = max(time.monotonic() - self._clock, 1e-6)
        return {"duration_s": round(seconds, 3), "throughput_bytes_per_s": int(nbytes / seconds)}

    def _repair_finished(self, previous: dict[str, Any]) -> None:
        """The exhibit sheet says finished but the journal is still there: the run was killed
        while finishing. Redo the bag bookkeeping from the journal (idempotent), then drop it."""
        self._load_journal()
        self.info = previous
        self.case.update_bag(hashes=self.sha256)
        self.journal.unlink()
        self.repaired = True

    def abort(self, status: str, reason: str) -> bool:
        """Record an unfinished exhibit (interrupted, failed); staging and journal stay for a rerun.

        A physical acquisition is always redone whole, so its partial image is deleted first
        (on a full destination that also makes room for the exhibit sheet). Returns False when
        the sheet could not be written either (the destination refuses even that): the exhibit
        then still says "in-progress", which a rerun resumes or redoes all the same.
        """
        if self.kind == "physical" and self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)
        self.info.update({"status": status, "ended": now_fields(), "reason": reason,
                          "items_durable": len(self.done) if self.kind != "physical" else 0,
                          "errors": [e.get("error", {}) for e in self.errors]})
        try:
            self.case.write_exhibit(self.exhibit_id, self.info)
            self.case.update_bag()
        except OSError:
            return False
        return True


@dataclass
class Finished:
    """What :meth:`Acquisition.finish` recorded: items, their bytes, and the byte offset in
    ``fkit/records.jsonl`` where this exhibit's records (items, then errors) begin."""

    items: int = 0
    bytes: int = 0
    records_from: int = 0


_FIELD_ORDER = ("schema", "kind", "exhibit", "path", "path_hex", "bag_path", "bag_path_hex", "type", "size",
                "hashes", "times")


def final_record_line(rec: Record, exhibit_id: str, staged: str, prefix: str) -> bytes:
    """The JSON line of an item record as the case keeps it: ``path`` (the case folder as the user
    named it, then ``data/<EX>/<staged>``) and ``bag_path`` set, fields in the record order.

    Pure, so that copy workers can make the line where they copy the file.
    """
    bag_rel = f"data/{exhibit_id}/{staged}"
    r = dict(rec)
    r.update(path_fields(os.fsencode(os.path.join(prefix, bag_rel)), "path"))
    r.update(path_fields(os.fsencode(bag_rel), "bag_path"))
    return jsonl.dump_bytes(_order(r))


def _staged_of(rec: Record, exhibit_id: str) -> str:
    """The staged name of a journaled item (its bag path inside ``data/<EX>/``)."""
    bag = rec["bag_path"]
    head = f"data/{exhibit_id}/"
    if not isinstance(bag, str) or not bag.startswith(head):
        raise ValueError(f"not an item of {exhibit_id}: {bag!r}")
    return bag[len(head):]


def _order(rec: Record) -> Record:
    out: Record = {k: rec[k] for k in _FIELD_ORDER if k in rec}
    for k, v in rec.items():
        if k not in out and k != "producer":
            out[k] = v
    if "producer" in rec:
        out["producer"] = rec["producer"]
    return out


def _is_exhibit_line(line: bytes, exhibit_id: str) -> bool:
    marker = f'"exhibit":"{exhibit_id}"'.encode()
    if marker not in line:
        return False
    try:
        return bool(json.loads(line).get("exhibit") == exhibit_id)
    except ValueError:
        return False
