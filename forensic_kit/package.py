"""The case package: a BagIt 1.0 bag (RFC 8493) laid out as in DESIGN.md section 5.

::

    CASE/bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt
    CASE/data/EX-01/...          payload, never edited
    CASE/fkit/case.json          case header
    CASE/fkit/exhibits/EX-01.json, CASE/fkit/records.jsonl, ...

Every tag file is written atomically (temporary name in the same folder, fsync, rename, fsync of
the folder), so a crash leaves either the old or the new version. ``update_bag`` keeps
``manifest-sha256.txt``, ``bag-info.txt`` (Payload-Oxum, Bagging-Date) and
``tagmanifest-sha256.txt`` correct after every change.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import socket
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from forensic_kit import __version__
from forensic_kit.errors import CaseExistsError, InputError, NotACaseError
from forensic_kit.timeutil import datetime_to_iso, now_utc

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
BAG_INFO = "bag-info.txt"
WORK_DIR = "fkit/work"
"""Staging area for acquisitions in progress (same file system as ``data/``; never listed)."""

TMP_SUFFIX = ".fkit-tmp"
_EXHIBIT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def encode_bag_path(path: str) -> str:
    """Percent-encode a manifest path as BagIt 1.0 (RFC 8493 §2.1.3) readers decode it.

    CR and LF are always encoded. A ``%`` is encoded (``%25``) only where a reader would
    otherwise decode it: before ``0D``, ``0A`` or ``25``. A lone ``%`` (``100%.txt``) is left as
    is, because the reference validator (LoC ``bagit.py``) and ``sha256sum -c`` do not decode
    ``%25``; strict RFC readers decode only those three sequences, so every reader gets the same
    name back.
    """
    path = re.sub(r"%(?=0[DdAa]|25)", "%25", path)
    return path.replace("\r", "%0D").replace("\n", "%0A")


def decode_bag_path(path: str) -> str:
    """Inverse of :func:`encode_bag_path`."""
    return re.sub(r"%(0[DdAa]|25)", lambda m: {"0D": "\r", "0A": "\n", "25": "%"}[m.group(1).upper()], path)


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (renames, new files) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (short writes retried)."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _write_all_and_sync(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (short writes retried), then fsync it."""
    _write_all(fd, data)
    os.fsync(fd)


def atomic_write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` to ``path`` atomically and durably (temporary name, fsync, rename).

    ``data`` may be an iterable of byte strings, written as they come (a file of any length in
    bounded memory); the temporary file is removed if it fails.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        if isinstance(data, (bytes, bytearray, memoryview)):
            _write_all_and_sync(fd, bytes(data))
        else:
            buf: list[bytes] = []
            held = 0
            for chunk in data:
                buf.append(chunk)
                held += len(chunk)
                if held >= 1 << 20:
                    _write_all(fd, b"".join(buf))
                    buf, held = [], 0
            _write_all_and_sync(fd, b"".join(buf))
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def validate_exhibit_id(exhibit_id: str) -> str:
    """Check an exhibit id is a safe single path component (``EX-01``); return it."""
    from forensic_kit.errors import UsageError

    if not _EXHIBIT_ID.match(exhibit_id) or exhibit_id in (".", ".."):
        raise UsageError(f"invalid exhibit id {exhibit_id!r}: use letters, digits, '.', '_' or '-' (e.g. EX-01)")
    return exhibit_id



def append_chained(case: "Case", relpath: str, line: bytes, current: "Callable[[], list[bytes]]",
                   seq: object, prev: object, what: str) -> None:
    """Append ``line`` to the hash-chained ledger ``relpath`` (custody events, case facts).

    Appenders are serialised with an exclusive ``flock`` on the ``fkit/`` folder (no lock file is
    left in the package). ``current()`` reads the ledger's lines under the lock; a record prepared
    against an older ledger (``seq``/``prev`` no longer the next ones) is refused, never re-chained.
    """
    from forensic_kit.errors import FormatError

    with case.lock():
        lines = current()
        expected = hashlib.sha256(lines[-1]).hexdigest() if lines else None
        if prev != expected or seq != len(lines) + 1:
            raise FormatError(f"{relpath} changed while the {what} was being prepared; try again")
        case.write_tag_file(relpath, b"".join(lines) + line)
        case.update_tags()


def kill_point(name: str) -> None:
    """Test hook: ``FKIT_KILL_AT=<name>`` kills the process (SIGKILL) at that point."""
    if os.environ.get("FKIT_KILL_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


class Case:
    """An fkit case package on disk."""

    def __init__(self, root: Path, info: dict[str, Any]) -> None:
        self.root = Path(root)
        self.fkit_dir = self.root / "fkit"
        self.data_dir = self.root / "data"
        self.records_path = self.fkit_dir / "records.jsonl"
        self.exhibits_dir = self.fkit_dir / "exhibits"
        self.info = info

    # ------------------------------------------------------------------ creation / opening
    @classmethod
    def init(cls, root: Path | str, case_id: str, agency: str, officer: str, profile: str = "eu",
             **extra: Any) -> "Case":
        """Create a new, empty case package. Refuses to touch an existing non-empty folder."""
        root = Path(root)
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise CaseExistsError(f"{root} already exists and is not empty; refusing to overwrite it")
        if not case_id.strip():
            from forensic_kit.errors import UsageError

            raise UsageError("--case-id must not be empty")
        created = now_utc()
        training = bool(extra.pop("training", profile == "training"))
        info: dict[str, Any] = {
            "case_id": case_id,
            "agency": agency,
            "officer": officer,
            "profile": profile,
            "training": training,
            "created": datetime_to_iso(created),
            "fkit_version": __version__,
        }
        info.update(extra)
        root.mkdir(parents=True, exist_ok=True)
        (root / "data").mkdir(exist_ok=True)
        (root / "fkit" / "exhibits").mkdir(parents=True, exist_ok=True)
        case = cls(root, info)
        atomic_write(root / "bagit.txt", BAGIT_TXT)
        case.write_tag_file("fkit/case.json", _json_bytes(info))
        case.update_bag()
        return case

    @classmethod
    def open(cls, root: Path | str) -> "Case":
        """Open an existing case package (``NotACaseError`` when it is not one)."""
        root = Path(root)
        case_json = root / "fkit" / "case.json"
        if not (root / "bagit.txt").is_file() or not case_json.is_file():
            raise NotACaseError(f"{root} is not an fkit case (no bagit.txt or fkit/case.json); create one with 'fkit case init'")
        try:
            info = json.loads(case_json.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise NotACaseError(f"{case_json}: unreadable case header ({exc})") from exc
        if not isinstance(info, dict):
            raise NotACaseError(f"{case_json}: case header is not a JSON object")
        return cls(root, info)

    # ------------------------------------------------------------------ seal and revisions
    def sealed_revision(self) -> int:
        """The revision number of the current seal (0: the case was never sealed; 1 for a seal made
        before revisions existed or a manifest that cannot be read)."""
        path = self.fkit_dir / "manifest.json"
        if not os.path.lexists(path):
            return 0
        try:
            value = json.loads(path.read_bytes()) if path.is_file() and not path.is_symlink() else None
            number = value["revision"]["number"] if isinstance(value, dict) else 1
            return number if isinstance(number, int) and number >= 1 else 1
        except (OSError, ValueError, TypeError, KeyError):
            return 1

    def sealed_records_bytes(self) -> int:
        """How many leading bytes of ``fkit/records.jsonl`` the current seal covers (0: not sealed).

        A seal from before revisions gives a line count instead; a manifest that cannot be read
        counts as covering the whole file (nothing sealed may be removed)."""
        if not self.sealed_revision():
            return 0
        path = self.fkit_dir / "manifest.json"
        whole = self.records_path.stat().st_size if self.records_path.is_file() else 0
        try:
            value = json.loads(path.read_bytes()) if path.is_file() and not path.is_symlink() else None
            recs = value.get("records") if isinstance(value, dict) else None
            nbytes = recs.get("bytes") if isinstance(recs, dict) else None
            if isinstance(nbytes, int) and nbytes >= 0:
                return nbytes
            count = recs.get("count") if isinstance(recs, dict) else None
            if isinstance(count, int) and count >= 0 and self.records_path.is_file():
                total = 0
                with open(self.records_path, "rb") as fh:
                    for _n, line in zip(range(count), fh):
                        total += len(line)
                return total
        except (OSError, ValueError):
            pass
        return whole

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the case's exclusive lock (an ``flock`` on the ``fkit/`` folder: no lock file is
        left in the package) for a read-modify-write of a ledger or of ``records.jsonl``."""
        import fcntl

        self.fkit_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.fkit_dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def require_unsealed(self, action: str, new_revision: bool = False) -> None:
        """Refuse (``SealedError``, exit 2) to change a sealed case unless ``new_revision``: a sealed
        package changes only by a new revision, sealed again with ``fkit manifest build --reason``.

        ``action`` says what would change it (``"acquire EX-02"``).
        """
        from forensic_kit.errors import SealedError

        number = self.sealed_revision()
        if number and not new_revision:
            raise SealedError(f"{self.root} is sealed (revision {number}): {action} would change it; add "
                              f"--new-revision to start revision {number + 1}, then seal it with "
                              f"fkit manifest build --reason TEXT")

    # ------------------------------------------------------------------ exhibits
    def exhibit_path(self, exhibit_id: str) -> Path:
        """Path of ``fkit/exhibits/<id>.json``."""
        return self.exhibits_dir / f"{validate_exhibit_id(exhibit_id)}.json"

    def exhibits(self) -> list[dict[str, Any]]:
        """Every exhibit description (``fkit/exhibits/*.json``), sorted by id."""
        out: list[dict[str, Any]] = []
        if not self.exhibits_dir.is_dir():
            return out
        for path in sorted(self.exhibits_dir.glob("*.json")):
            if path.is_symlink() or not path.is_file():  # never open a link, FIFO or device
                continue
            try:
                data = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict):
                data.setdefault("id", path.stem)
                out.append(data)
        out.sort(key=lambda e: str(e.get("id")))
        return out

    def exhibit(self, exhibit_id: str) -> dict[str, Any]:
        """One exhibit's description (``InputError`` when unknown)."""
        path = self.exhibits_dir / f"{exhibit_id}.json"
        if not path.is_file():
            raise InputError(f"no exhibit {exhibit_id!r} in case {self.root}")
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return data

    def write_exhibit(self, exhibit_id: str, data: Mapping[str, Any]) -> None:
        """Atomically write ``fkit/exhibits/<id>.json``."""
        self.write_tag_file(f"fkit/exhibits/{validate_exhibit_id(exhibit_id)}.json", _json_bytes(dict(data)))

    def append_records(self, lines: bytes) -> None:
        """Append JSON Lines to ``fkit/records.jsonl`` durably (under :meth:`lock`)."""
        with self.lock():
            fd = os.open(self.records_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                _write_all_and_sync(fd, lines)
            finally:
                os.close(fd)

    # ------------------------------------------------------------------ tag files
    def write_tag_file(self, relpath: str, data: bytes) -> None:
        """Atomically write a tag file (a file outside ``data/``); call :meth:`update_bag` after."""
        rel = Path(relpath)
        if rel.is_absolute() or ".." in rel.parts or (rel.parts and rel.parts[0] == "data"):
            raise InputError(f"{relpath}: not a tag file path inside the case")
        atomic_write(self.root / rel, data)

    def _payload_files(self) -> list[tuple[str, str, int]]:
        """(bag-relative path, path, size) of every regular payload file (symlinks are not payload),
        sorted by path bytes. One ``scandir`` per folder and one ``lstat`` per file."""
        out: list[tuple[bytes, str, str, int]] = []
        stack = [(os.fspath(self.data_dir), "data")]
        while stack:
            folder, rel_folder = stack.pop()
            try:
                entries = os.scandir(folder)
            except (FileNotFoundError, NotADirectoryError):
                continue
            with entries:
                for entry in entries:
                    rel = f"{rel_folder}/{entry.name}"
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, rel))
                    elif entry.is_file(follow_symlinks=False):
                        out.append((os.fsencode(rel), rel, entry.path, entry.stat(follow_symlinks=False).st_size))
        out.sort()
        return [(rel, path, size) for _, rel, path, size in out]

    def read_manifest(self, name: str = MANIFEST) -> dict[str, str]:
        """Parse a manifest (``{bag path: sha256}``); empty when the file is absent."""
        entries: dict[str, str] = {}
        path = self.root / name
        if not path.is_file():
            return entries
        for line in path.read_text("utf-8", errors="surrogateescape").splitlines():
            if not line.strip():
                continue
            digest, _, rel = line.partition(" ")
            entries[decode_bag_path(rel.lstrip(" *"))] = digest.lower()
        return entries

    def update_bag(self, hashes: Mapping[str, str] | None = None, rehash: bool = False) -> None:
        """Rewrite ``manifest-sha256.txt``, ``bag-info.txt`` and ``tagmanifest-sha256.txt``.

        ``hashes`` gives SHA-256 values already known for new payload files (bag-relative
        paths), so that fkit never reads a big image twice. Payload files already listed keep
        their entry (payload is never edited) unless ``rehash``; any other payload file is hashed.
        Entries for files no longer present are dropped.
        """
        known = {} if rehash else self.read_manifest()
        if hashes:
            known.update(hashes)
        lines: list[str] = []
        total = 0
        count = 0
        for rel, full, size in self._payload_files():
            digest = known.get(rel)
            if digest is None:
                digest = sha256_file(Path(full))
            total += size
            count += 1
            lines.append(f"{digest}  {encode_bag_path(rel)}\n")
        atomic_write(self.root / MANIFEST, "".join(lines).encode("utf-8", "surrogateescape"))
        info = self._bag_info(total, count)
        if not self._same_bag_info(info):
            atomic_write(self.root / BAG_INFO, info)
        self.update_tags()

    def _same_bag_info(self, new: bytes) -> bool:
        """True when ``bag-info.txt`` already says ``new`` but for its Bagging-Date (kept, so that a
        custody event or a re-listing does not change a sealed tag file)."""
        try:
            old = (self.root / BAG_INFO).read_bytes()
        except OSError:
            return False

        def strip(data: bytes) -> list[bytes]:
            return [ln for ln in data.splitlines() if not ln.lower().startswith(b"bagging-date:")]

        return strip(old) == strip(new)

    def _bag_info(self, octets: int, files: int) -> bytes:
        info = self.info
        fields: list[tuple[str, str]] = [
            ("Source-Organization", str(info.get("agency", ""))),
            ("Contact-Name", str(info.get("officer", ""))),
            ("External-Identifier", str(info.get("case_id", ""))),
            ("Bagging-Date", now_utc().strftime("%Y-%m-%d")),
            ("Payload-Oxum", f"{octets}.{files}"),
            ("Bag-Software-Agent", f"fkit {__version__}"),
            ("Bag-Group-Identifier", str(info.get("case_id", ""))),
        ]
        if info.get("training"):
            fields.append(("Internal-Sender-Description", "TRAINING CASE - not evidence"))
        text = "".join(f"{k}: {_one_line(v)}\n" for k, v in fields if v != "")
        return text.encode("utf-8")

    def _tag_files(self) -> list[str]:
        out: list[tuple[bytes, str]] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            if rel_dir == ".":
                dirnames[:] = sorted(d for d in dirnames if d != "data")
            elif rel_dir == WORK_DIR or rel_dir.startswith(WORK_DIR + "/"):
                dirnames[:] = []
                continue
            else:
                dirnames.sort()
            for name in filenames:
                if name.endswith(TMP_SUFFIX):
                    continue
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                if rel.startswith("tagmanifest-"):
                    continue
                full = self.root / rel
                if full.is_symlink() or not full.is_file():
                    continue
                out.append((os.fsencode(rel), rel))
        out.sort()
        return [rel for _, rel in out]

    def update_tags(self) -> None:
        """Rewrite ``tagmanifest-sha256.txt`` from the tag files as they are now (the payload manifest
        and ``bag-info.txt`` are left alone: use :meth:`update_bag` after a payload change)."""
        lines = [f"{sha256_file(self.root / rel)}  {encode_bag_path(rel)}\n" for rel in self._tag_files()]
        atomic_write(self.root / TAGMANIFEST, "".join(lines).encode("utf-8", "surrogateescape"))


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _json_bytes(data: Mapping[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def host_name() -> str:
    """This machine's host name."""
    return socket.gethostname()
