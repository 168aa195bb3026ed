"""Phone extraction sources: a folder, a ``.tar``/``.zip`` archive, an iOS backup folder.

Every source becomes an index of *logical paths* (extraction-relative, ``/``-separated) mapped
to readable files on this machine. Archives are unpacked into a scratch folder with sanitised
member names: leading ``/`` and drive letters are dropped, members with ``..`` components,
links and special files are refused (a warning each), and size limits stop zip bombs. iOS
backups are mapped through ``Manifest.db`` (``domain/relativePath`` → the hashed file).
"""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from forensic_kit.errors import InputError
from forensic_kit.fileopen import open_readonly
from forensic_kit.names import to_text

MAX_TOTAL_BYTES = 64 * 1024**3
"""Default limit on the bytes an archive may unpack to."""
MAX_MEMBERS = 2_000_000
MAX_RATIO = 200
"""A zip member whose size is more than this many times its compressed size is refused."""
_RATIO_MIN_SIZE = 1 << 20


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass
class Limits:
    """Bomb guards for archive sources and the budget of every SQL query."""

    max_total_bytes: int = MAX_TOTAL_BYTES
    max_members: int = MAX_MEMBERS
    max_ratio: int = MAX_RATIO
    query_seconds: float = field(default_factory=lambda: _env_number("FKIT_PHONE_QUERY_SECONDS", 600.0))
    """Time budget of one SQL query (the statement is interrupted past it)."""
    query_rows: int = field(default_factory=lambda: int(_env_number("FKIT_PHONE_QUERY_ROWS", 50_000_000)))
    """Row budget of one SQL query."""


@dataclass
class SourceIssue:
    """Something in the source that was refused or could not be read (becomes a warning record)."""

    stage: str
    reason: str
    member: str | None = None


@dataclass
class Source:
    """An opened source: logical path → real path, the kind, and issues met while opening."""

    origin: Path
    kind: str  # folder | tar | zip | ios_backup | image
    files: dict[str, Path] = field(default_factory=dict)
    issues: list[SourceIssue] = field(default_factory=list)
    root: Path | None = None
    encrypted_backup: bool = False

    def platform(self) -> str | None:
        """``android``, ``ios`` or ``None``: decided from which well-known files are present."""
        a = i = 0
        for logical in self.files:
            low = logical.lower()
            name = low.rsplit("/", 1)[-1]
            if name in ("build.prop", "mmssms.db", "contacts2.db", "calllog.db", "packages.xml",
                        "wificonfigstore.xml", "accounts.db", "msgstore.db", "getprop.txt", "dumpstate.txt",
                        "viber_data") or "com.android." in low \
                    or (name.startswith("bugreport-") and name.endswith(".txt")) or name.endswith(".ab"):
                a += 1
            if name in ("manifest.db", "manifest.plist", "sms.db", "addressbook.sqlitedb",
                        "callhistory.storedata", "com.apple.ipod.plist", "chatstorage.sqlite") \
                    or "com.apple." in low or "homedomain/" in low or "mobile/library/" in low \
                    or "mobile/containers/" in low or "private/var/" in low:
                i += 1
        if a == i == 0:
            return "android" if self.kind == "android_backup" else None
        return "android" if a > i else "ios"

    def __iter__(self) -> Iterator[tuple[str, Path]]:
        return iter(sorted(self.files.items()))


def _ro(path: Path) -> IO[bytes]:
    """The evidence file opened read-only without changing its access time (``O_NOATIME``)."""
    return os.fdopen(open_readonly(str(path)), "rb")


def _is(test: Any, path: Path) -> bool:
    """``zipfile.is_zipfile`` / ``tarfile.is_tarfile`` on a read-only, no-atime handle."""
    with _ro(path) as f:
        return bool(test(f))


def sanitise_member(name: str) -> str | None:
    """A safe relative posix path for an archive member name, or ``None`` when it must be refused.

    ``/abs/x`` → ``abs/x``; ``C:\\x`` → ``x``; any ``..`` component → refused; empty → refused.
    """
    text = name.replace("\\", "/")
    if len(text) >= 2 and text[1] == ":":
        text = text[2:]
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    if any("\x00" in p for p in parts):
        return None
    return "/".join(parts)


BACKUP_MARKERS = ("Manifest.plist", "Info.plist", "Status.plist")


def is_ios_backup(folder: Path) -> bool:
    """An iTunes/Finder backup folder: ``Manifest.db`` with ``Manifest.plist``, ``Info.plist`` or
    ``Status.plist`` beside it (real backups come without ``Manifest.plist`` too)."""
    return (folder / "Manifest.db").is_file() and any((folder / m).is_file() for m in BACKUP_MARKERS)


def find_ios_backup(folder: Path) -> Path | None:
    """``folder`` itself or its one sub-folder (a backup is often kept in its ``<UDID>`` folder)
    that is an iOS backup, else ``None``."""
    if is_ios_backup(folder):
        return folder
    try:
        found = [c for c in sorted(folder.iterdir()) if c.is_dir() and not c.is_symlink() and is_ios_backup(c)]
    except OSError:
        return None
    return found[0] if len(found) == 1 else None


def open_source(path: Path, scratch: Path, limits: Limits | None = None, password: str | None = None) -> Source:
    """Open ``path`` as a phone source; archives are unpacked under ``scratch``; ``password`` opens an
    encrypted iOS backup or Android ``.ab`` backup."""
    limits = limits or Limits()
    if path.is_dir():
        backup = find_ios_backup(path)
        if backup is not None:
            return _ios_backup(backup, scratch, password)
        from forensic_kit.phone import android_backup

        src = Source(path, "folder", root=path)
        _index_folder(src, path)
        android_backup.expand_in(src, scratch, limits, password)
        return src
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if _looks_like_image(path):
        return _disk_image(path, scratch, limits)
    from forensic_kit.phone import android_backup

    if android_backup.is_ab(path):
        return android_backup.open_ab(path, scratch, limits, password)
    if _is(zipfile.is_zipfile, path):
        src = _unzip(path, scratch, limits)
        android_backup.expand_in(src, scratch, limits, password)
        return src
    try:
        is_tar = _is(tarfile.is_tarfile, path)
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from exc
    if is_tar:
        src = _untar(path, scratch, limits)
        android_backup.expand_in(src, scratch, limits, password)
        return src
    raise InputError(f"{path}: not a folder, .tar or .zip extraction, or iOS backup "
                     "(disk images: acquire them first with 'fkit acquire', then point fkit phone at the extraction)")


def _index_folder(src: Source, root: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            full = Path(dirpath) / name
            try:
                st = full.lstat()
            except OSError as exc:
                src.issues.append(SourceIssue("stat", exc.strerror or str(exc), str(full)))
                continue
            if not stat.S_ISREG(st.st_mode):
                continue  # links and special files are not followed
            rel = full.relative_to(root).as_posix()
            src.files[to_text(os.fsencode(rel))[0]] = full


def _target(out: Path, safe: str) -> Path:
    target = out.joinpath(*PurePosixPath(safe).parts)
    # Belt and braces: the resolved parent must stay inside ``out`` (no symlinked folder escape).
    parent = target.parent.resolve()
    if parent != out.resolve() and out.resolve() not in parent.parents:
        raise ValueError("escapes the output folder")
    return target


def _extract_member(fin: IO[bytes], target: Path, most: int) -> int:
    """Copy one archive member into the new file ``target``, at most ``most`` bytes (its declared
    size, within what the archive may still unpack to); return the bytes written.

    ``FileExistsError`` when ``target`` exists (a duplicate member name: the first is kept). A member
    that yields more than ``most`` bytes (a zip bomb lying about its size) or fails mid-way raises, and
    its partial copy is removed, so nothing half-written is ever parsed.
    """
    with fin:
        fout = open(target, "xb")
        written = 0
        try:
            with fout:
                while chunk := fin.read(1 << 20):
                    written += len(chunk)
                    if written > most:
                        raise ValueError("member expands beyond its declared size (zip bomb)")
                    fout.write(chunk)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    return written


def _unzip(path: Path, scratch: Path, limits: Limits) -> Source:
    out = scratch / "extract"
    out.mkdir(parents=True, exist_ok=True)
    src = Source(path, "zip", root=out)
    total = 0
    try:
        fobj = _ro(path)
    except OSError as exc:
        raise InputError(f"{path}: unreadable zip ({exc.strerror or exc})") from exc
    try:
        zf = zipfile.ZipFile(fobj)
    except (zipfile.BadZipFile, OSError) as exc:
        fobj.close()
        raise InputError(f"{path}: unreadable zip ({exc})") from exc
    with fobj, zf:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise InputError(f"{path}: {len(infos)} members, more than the limit of {limits.max_members}")
        for info in infos:
            if info.is_dir():
                continue
            name = info.filename
            if "\x00" in info.orig_filename:
                name = info.orig_filename.replace("\x00", "%00")
                src.issues.append(SourceIssue("extract", f"member name contains NUL bytes (readers stop at the first "
                                              f"one and see {info.filename!r}); extracted as {name!r}", name))
            safe = sanitise_member(name)
            if safe is None:
                src.issues.append(SourceIssue("extract", "refused member name (path traversal)", info.filename))
                continue
            mode = (info.external_attr >> 16) & 0o170000
            if mode and not stat.S_ISREG(mode):
                src.issues.append(SourceIssue("extract", "refused link or special file", info.filename))
                continue
            if info.flag_bits & 0x1:
                src.issues.append(SourceIssue("extract", "encrypted member, not extracted", info.filename))
                continue
            if info.file_size > _RATIO_MIN_SIZE and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                src.issues.append(SourceIssue(
                    "extract", f"refused: expands {info.file_size // max(info.compress_size, 1)}x "
                    f"(limit {limits.max_ratio}x), a likely zip bomb", info.filename))
                continue
            if total + info.file_size > limits.max_total_bytes:
                src.issues.append(SourceIssue("extract", f"refused: archive would unpack to more than "
                                              f"{limits.max_total_bytes} bytes", info.filename))
                continue
            try:
                target = _target(out, safe)
                target.parent.mkdir(parents=True, exist_ok=True)
                written = _extract_member(zf.open(info), target,
                                          min(info.file_size, limits.max_total_bytes - total))
            except FileExistsError:
                src.issues.append(SourceIssue("extract", "duplicate member name, first kept", info.filename))
                continue
            except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
                src.issues.append(SourceIssue("extract", str(exc), info.filename))
                continue
            total += written
            src.files[safe] = target
    return src


class _NulAwareTarInfo(tarfile.TarInfo):
    """A tar header whose name field holds bytes after a NUL: ``raw_name`` keeps them (as ``%00``)."""

    raw_name: str | None = None

    @classmethod
    def frombuf(cls, buf: bytes | bytearray, encoding: str, errors: str) -> "_NulAwareTarInfo":
        obj = super().frombuf(buf, encoding, errors)
        name_field = buf[0:100]
        prefix_field = buf[345:500] if buf[257:263] == b"ustar\x00" else b""
        if any(f.rstrip(b"\0").find(b"\0") != -1 for f in (name_field, prefix_field)):
            parts = [f.rstrip(b"\0").replace(b"\0", b"%00").decode(encoding, errors)
                     for f in (prefix_field, name_field) if f.strip(b"\0")]
            obj.raw_name = "/".join(parts)
        return obj


def _untar(path: Path, scratch: Path, limits: Limits) -> Source:
    out = scratch / "extract"
    out.mkdir(parents=True, exist_ok=True)
    src = Source(path, "tar", root=out)
    total = 0
    count = 0
    try:
        fobj = _ro(path)
    except OSError as exc:
        raise InputError(f"{path}: unreadable tar ({exc.strerror or exc})") from exc
    try:
        tf = tarfile.open(fileobj=fobj, tarinfo=_NulAwareTarInfo)
        archive_size = path.stat().st_size
    except (tarfile.TarError, OSError) as exc:
        fobj.close()
        raise InputError(f"{path}: unreadable tar ({exc})") from exc
    ratio_cap = max(limits.max_ratio * archive_size, _RATIO_MIN_SIZE)
    with fobj, tf:
        try:
            for member in tf:
                count += 1
                if count > limits.max_members:
                    src.issues.append(SourceIssue("extract", f"more than {limits.max_members} members; rest skipped"))
                    break
                if member.isdir():
                    continue
                raw_name = getattr(member, "raw_name", None)
                if raw_name is None and "\x00" in member.name:
                    raw_name = member.name.replace("\x00", "%00")
                if raw_name is not None:
                    src.issues.append(SourceIssue("extract", f"member name contains NUL bytes (readers stop at the "
                                                  f"first one and see {member.name!r}); extracted as {raw_name!r}",
                                                  raw_name))
                    member.name = raw_name
                safe = sanitise_member(member.name)
                if safe is None:
                    src.issues.append(SourceIssue("extract", "refused member name (path traversal)", member.name))
                    continue
                if not member.isreg():
                    src.issues.append(SourceIssue("extract", "refused link or special file", member.name))
                    continue
                if total + member.size > limits.max_total_bytes:
                    src.issues.append(SourceIssue("extract", f"refused: archive would unpack to more than "
                                                  f"{limits.max_total_bytes} bytes", member.name))
                    continue
                if total + member.size > ratio_cap:
                    src.issues.append(SourceIssue(
                        "extract", f"refused: the {archive_size}-byte archive would unpack to more than "
                        f"{limits.max_ratio}x its size ({total + member.size} bytes), a likely tar bomb", member.name))
                    continue
                try:
                    target = _target(out, safe)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    fin = tf.extractfile(member)
                    if fin is None:
                        continue
                    _extract_member(fin, target, member.size)
                except FileExistsError:
                    src.issues.append(SourceIssue("extract", "duplicate member name, first kept", member.name))
                    continue
                except (ValueError, OSError, tarfile.TarError) as exc:
                    src.issues.append(SourceIssue("extract", str(exc), member.name))
                    continue
                total += member.size
                src.files[safe] = target
        except (tarfile.TarError, OSError, EOFError) as exc:
            src.issues.append(SourceIssue("extract", f"archive truncated or corrupt: {exc}"))
    return src


def _ios_backup(path: Path, scratch: Path, password: str | None = None) -> Source:
    """Map an iTunes/Finder backup's hashed files to ``Domain/relative/path``.

    Encryption is decided from the content: ``Manifest.plist``'s ``IsEncrypted`` when it is there,
    else whether ``Manifest.db`` is an SQLite database at all. An encrypted backup is decrypted
    with ``password`` (``iphone-backup-decrypt``) into ``scratch``; without it only the plists
    outside the encryption are read, and a warning says so.
    """
    import plistlib

    src = Source(path, "ios_backup", root=path)
    for extra in BACKUP_MARKERS:
        if (path / extra).is_file():
            src.files[extra] = path / extra
    manifest: Any = None
    if (path / "Manifest.plist").is_file():
        try:
            with os.fdopen(open_readonly(str(path / "Manifest.plist")), "rb") as f:
                manifest = plistlib.loads(f.read(64 << 20))
            src.encrypted_backup = bool(manifest.get("IsEncrypted")) if isinstance(manifest, dict) else False
        except Exception as exc:  # noqa: BLE001 - any plist error is an issue, not a crash
            src.issues.append(SourceIssue("open", f"Manifest.plist unreadable: {exc}", "Manifest.plist"))
    try:
        with os.fdopen(open_readonly(str(path / "Manifest.db")), "rb") as f:
            plain_db = f.read(16) == b"SQLite format 3\x00"
    except OSError as exc:
        src.issues.append(SourceIssue("open", f"Manifest.db unreadable: {exc.strerror or exc}", "Manifest.db"))
        return src
    if not plain_db:
        src.encrypted_backup = True
    if src.encrypted_backup:
        if password is None:
            src.issues.append(SourceIssue("open", "encrypted backup: Manifest.db and files are encrypted; only "
                                          "Info.plist/Status.plist/Manifest.plist are read (give --backup-password)",
                                          "Manifest.db"))
            return src
        _decrypt_ios_backup(src, path, scratch, password)
        return src
    src.files["Manifest.db"] = path / "Manifest.db"
    _map_backup(src, path, path / "Manifest.db", scratch, lambda file_id: path / file_id[:2] / file_id)
    return src


def _map_backup(src: Source, path: Path, manifest_db: Path, scratch: Path, real_of: Any) -> None:
    from forensic_kit.phone.sqlite_copy import copy_and_open

    try:
        db = copy_and_open(manifest_db, scratch / "manifest")
    except InputError as exc:
        src.issues.append(SourceIssue("open", exc.message, "Manifest.db"))
        return
    from forensic_kit.phone.sqlite_copy import Budget

    budget = Budget(Limits().query_seconds, Limits().query_rows)
    try:
        assert db.conn is not None
        db.conn.set_progress_handler(budget.handler, 10_000)
        budget.start()
        for n, (file_id, domain, rel) in enumerate(db.conn.execute(
                "SELECT fileID, domain, relativePath FROM Files WHERE flags = 1")):
            if n >= budget.rows:
                src.issues.append(SourceIssue("read", f"Manifest.db: row budget of {budget.rows} reached; "
                                              "the rest of the backup is not mapped", "Manifest.db"))
                break
            if not isinstance(file_id, str) or len(file_id) < 3 or "/" in file_id or not rel:
                continue
            real = real_of(file_id)
            if real.is_file():
                safe = sanitise_member(f"{domain}/{rel}")
                if safe:
                    src.files[safe] = real
    except Exception as exc:  # noqa: BLE001
        src.issues.append(SourceIssue("read", f"Manifest.db: {exc}", "Manifest.db"))
    finally:
        db.close()
        shutil.rmtree(db.copy.parent, ignore_errors=True)


def _decrypt_ios_backup(src: Source, path: Path, scratch: Path, password: str) -> None:
    """Decrypt every file of an encrypted backup into ``scratch`` (``iphone-backup-decrypt``)."""
    try:
        from iphone_backup_decrypt import EncryptedBackup
    except ImportError:
        src.issues.append(SourceIssue("open", "encrypted backup: the iphone-backup-decrypt package is not "
                                      "installed (pip install iphone-backup-decrypt)", "Manifest.db"))
        return
    out = scratch / "decrypted"
    out.mkdir(parents=True, exist_ok=True)
    try:
        backup = EncryptedBackup(backup_directory=str(path), passphrase=password)
        backup.test_decryption()
        backup.save_manifest_file(str(out / "Manifest.db"))
    except Exception as exc:  # noqa: BLE001 - wrong password, damaged keybag: one warning
        src.issues.append(SourceIssue("decrypt", f"encrypted backup not opened: {type(exc).__name__}: {exc}",
                                      "Manifest.db"))
        return
    src.files["Manifest.db"] = out / "Manifest.db"
    files = out / "files"

    def target(*, file_id: str, **_: Any) -> str:
        return str(files / file_id[:2] / file_id)

    import contextlib
    import io

    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the library prints size notes on stdout
            backup.extract_files(relative_paths_like="%", domain_like="%", output_folder=str(files),
                                 filter_callback=target)
    except Exception as exc:  # noqa: BLE001
        src.issues.append(SourceIssue("decrypt", f"some files not decrypted: {type(exc).__name__}: {exc}"))
    _map_backup(src, path, out / "Manifest.db", scratch, lambda file_id: files / file_id[:2] / file_id)


IMAGE_SUFFIXES = (".e01", ".ex01", ".dd", ".raw", ".img", ".001", ".000")


def _looks_like_image(path: Path) -> bool:
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return True
    try:
        with _ro(path) as f:
            return f.read(8) == b"EVF\x09\x0d\x0a\xff\x00"
    except OSError:
        return False


def _wanted_names() -> frozenset[str]:
    from forensic_kit.phone.registry import PARSERS

    names = {n for cls in PARSERS for n in cls.FILENAMES}
    return frozenset(names | {n + s for n in names for s in ("-wal", "-journal")})


def _disk_image(path: Path, scratch: Path, limits: Limits) -> Source:
    """Copy the files the parsers want (and their sidecars) out of a disk image via the fs layer.

    Only allocated regular files whose names a parser knows are copied; each logical path is
    ``p<n>/<path in that file system>``. Photos are not copied out of images (use ``fkit
    acquire`` / ``fkit fs`` and ``fkit meta`` for those).
    """
    from forensic_kit.errors import FkitError
    from forensic_kit.evidence import disk

    out = scratch / "extract"
    out.mkdir(parents=True, exist_ok=True)
    src = Source(path, "image", root=out)
    wanted = _wanted_names()
    try:
        image = disk.open_source(path)
    except FkitError as exc:
        raise InputError(f"{path}: {exc.message}") from exc
    total = 0
    try:
        img = disk.TskImg(image)
        found, problems = disk.filesystems(img, disk.volumes(img))
        for problem in problems:
            src.issues.append(SourceIssue("open", problem))
        for n, fsys in enumerate(found):
            for entry in disk.walk(fsys):
                if entry.deleted or entry.is_dir or entry.meta is None or int(entry.meta.type) != 1:
                    continue
                if entry.name.decode("utf-8", "replace").lower() not in wanted:
                    continue
                rel = to_text(entry.path)[0]
                safe = sanitise_member(f"p{n}/{rel}")
                if safe is None:
                    continue
                size = int(entry.meta.size)
                if total + size > limits.max_total_bytes:
                    src.issues.append(SourceIssue("extract", "size limit reached", safe))
                    continue
                target = _target(out, safe)
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    with open(target, "xb") as fout:
                        for chunk in disk.read_file(entry.file):
                            fout.write(chunk)
                except OSError as exc:
                    src.issues.append(SourceIssue("extract", exc.strerror or str(exc), safe))
                    continue
                total += size
                src.files[safe] = target
    except FkitError as exc:
        src.issues.append(SourceIssue("open", exc.message))
    finally:
        image.close()
    return src
