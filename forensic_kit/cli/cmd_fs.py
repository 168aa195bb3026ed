"""``fkit fs ls`` / ``fkit fs cat``: file systems inside disk images, through The Sleuth Kit."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import IO, Any, Iterable, Optional

import typer

from forensic_kit import jsonl, progress
from forensic_kit.cli import console, progress_view
from forensic_kit.errors import FkitError
from forensic_kit.exitcodes import ExitCode, worst
from forensic_kit.names import display, path_fields
from forensic_kit.records import error_record, new_record

fs_app = typer.Typer(help="File systems inside disk images (raw, split raw, E01) via The Sleuth Kit.",
                     no_args_is_help=True)


class FsFormat(str, Enum):
    """Output formats of ``fkit fs ls``."""

    jsonl = "jsonl"
    bodyfile = "bodyfile"
    table = "table"


OFFSET_OPTION = typer.Option(None, "--offset", "-o", min=0,
                             help="Sector offset of the file system (512-byte sectors, like fls -o); default: every partition.")


FSTYPE_OPTION = typer.Option(None, "--fstype", "-t", metavar="TYPE",
                             help="Force the file system type (like fls -f): ext4, ntfs, fat32, fat, exfat, hfs, iso9660, ...")


def _open(image: Path, offset: Optional[int], src: Any = None,
          fstype: Optional[str] = None) -> tuple[Any, Any, Any, list[Any], list[str]]:
    from forensic_kit.evidence import disk

    if fstype:
        disk.fs_type_code(fstype)  # a usage error before anything is read
    src = src or disk.open_source(image)
    img = disk.TskImg(src)
    vols = disk.volumes(img)
    if offset is not None:
        return src, img, vols, [disk.open_fs(img, offset * 512, fstype)], []
    found, problems = disk.filesystems(img, vols, fstype)
    if not found:
        from forensic_kit.errors import FormatError

        detail = "; ".join(problems) if problems else "no partition holds one"
        raise FormatError(f"{image}: no file system TSK can read ({detail})")
    return src, img, vols, found, problems


@fs_app.command("ls")
@progress_view.shows_progress("listing")
def fs_ls(
    image: Path = typer.Argument(..., metavar="IMAGE", help="Raw (.dd/.raw), split raw (.000/.001), E01/Ex01 image or block device."),
    only_deleted: bool = typer.Option(False, "--only-deleted", help="Only deleted entries."),
    deleted_alias: bool = typer.Option(False, "--deleted", hidden=True,
                                       help="Old name of --only-deleted (kept working; note that acquire --deleted means 'also deleted')."),
    fmt: Optional[FsFormat] = typer.Option(None, "--format", "-f", help="jsonl (default in a pipe), bodyfile (as fls -r -m / -p), table (default on a terminal)."),
    offset: Optional[int] = OFFSET_OPTION,
    fstype: Optional[str] = FSTYPE_OPTION,
    verify_ewf: bool = typer.Option(True, "--verify/--no-verify", help="For E01: check the stored media hash against the data (like ewfverify)."),
) -> None:
    """List every file, including deleted ones, of every file system in a disk image.

    Prints the partition table (like mmls) and, per entry: path, inode, type, allocation state,
    size and MACB times in UTC (null when absent). For E01 images the stored media hash is
    checked; a mismatch exits 1.
    """
    from forensic_kit.evidence import disk

    deleted = only_deleted or deleted_alias
    out_fmt = fmt or (FsFormat.table if console.stdout_is_tty() else FsFormat.jsonl)
    out = console.stdout_bytes()
    code = ExitCode.OK
    try:
        src = disk.open_source(image)
    except FkitError as exc:
        if out_fmt is FsFormat.jsonl:
            out.write(jsonl.dump_bytes(error_record("fs", "open", exc.message, image=str(image))))
        raise
    try:
        image_rec = new_record("fs.image", "fs", "1", image=str(image), image_type=src.kind,
                               size=src.size, segments=[str(s) for s in src.segments])
        check = _check_ewf(image, src, verify_ewf)
        if check is not None:
            image_rec["ewf_verify"] = check.as_record()
            if not check.ok:
                code = ExitCode.CHECK_FAILED
        if _apfs_at(src, offset, fstype) is not None:
            count = _ls_apfs(out, out_fmt, image, src, _apfs_at(src, offset, fstype) or 0, deleted, image_rec)
            console.say(f"fkit fs: {count} entries in the APFS container of {image}")
            raise typer.Exit(int(code))
        try:
            src, _img, vols, found, problems = _open(image, offset, src, fstype)
        except FkitError as exc:
            if out_fmt is FsFormat.jsonl:
                out.write(jsonl.dump_bytes(image_rec))
                out.write(jsonl.dump_bytes(error_record("fs", "open", exc.message, image=str(image))))
            if code == ExitCode.CHECK_FAILED:
                console.error(exc.message)
                raise typer.Exit(int(code)) from exc
            raise
        image_rec.update(volume_system=vols.vstype, block_size=vols.block_size)
        if out_fmt is FsFormat.jsonl:
            out.write(jsonl.dump_bytes(image_rec))
            for part in vols.partitions:
                out.write(jsonl.dump_bytes(new_record(
                    "fs.partition", "fs", "1", image=str(image), slot=part.slot, start=part.start,
                    end=part.end, length=part.length, description=part.description,
                    allocated=part.allocated, sector_size=vols.block_size)))
        elif out_fmt is FsFormat.table and vols.partitions:
            console.say(f"{vols.vstype} partition table, units are {vols.block_size}-byte sectors")
            console.say("      Slot    Start        End          Length       Description")
            for i, part in enumerate(vols.partitions):
                console.say(f"{i:03d}:  {part.slot:<6d}  {part.start:010d}   {part.end:010d}   {part.length:010d}   {part.description}")
        for problem in problems:
            console.warn(problem)
            if out_fmt is FsFormat.jsonl:
                out.write(jsonl.dump_bytes(error_record("fs", "open", problem, image=str(image))))
            code = ExitCode.PARTIAL if code == ExitCode.OK else code
        count = 0
        for fsys in found:
            if fsys.truncated:
                console.warn(f"{image}: {fsys.truncated}")
                if out_fmt is FsFormat.jsonl:
                    out.write(jsonl.dump_bytes(new_record("fs.warning", "fs", "1", image=str(image),
                                                          partition_offset=fsys.offset, warning=fsys.truncated)))
            if out_fmt is FsFormat.bodyfile and not deleted and not fsys.ftype.startswith("ntfs"):
                def emit(data: bytes, n: int) -> None:
                    out.write(data)
                    progress.add(items=n)

                count += disk.write_body(fsys, emit)
            elif out_fmt is FsFormat.bodyfile:
                count += _write_bodyfile(out, disk.walk(fsys), fsys.ftype, deleted)
            elif out_fmt is FsFormat.jsonl:
                head, tail = _entry_frame(image, fsys.offset, fsys.ftype, disk.assumed_zone(fsys.ftype))
                count += _write_jsonl(out, disk.walk(fsys), head, tail, deleted, fsys.ftype.startswith("ntfs"))
            else:
                out.write(f"  {'type/mode':<12} {'inode':>8} {'size':>12} {'modified (UTC)':<30} path\n".encode())
                for entry in disk.walk(fsys):
                    if (deleted and not entry.deleted) or entry.name in (b".", b".."):
                        continue
                    count += 1
                    f = disk.entry_fields(entry)
                    flag = "*" if entry.deleted else " "
                    out.write(f"{flag} {f['name_type']}/{f['mode'] or '----------'} {entry.meta_addr:>8} "
                              f"{f['size'] if f['size'] is not None else '-':>12} {f['times']['modified'] or '-':<30} "
                              f"/{display(entry.path)}\n".encode("utf-8", "replace"))
            for problem in fsys.problems:
                console.error(f"{image}: {problem}")
                if out_fmt is FsFormat.jsonl:
                    out.write(jsonl.dump_bytes(error_record("fs", "read", problem, image=str(image),
                                                            partition_offset=fsys.offset)))
                code = worst(code, ExitCode.PARTIAL)
        console.say(f"fkit fs: {count} entries in {len(found)} file system(s) of {image}")
    finally:
        src.close()
    raise typer.Exit(int(code))


def _check_ewf(image: Path, src: Any, wanted: bool) -> Any:
    """For an E01: read it whole and judge it like ``ewfverify`` (stored MD5/SHA-1, chunk checksums).

    Says the verdict on stderr (each finding, with its sectors); returns the :class:`EwfCheck`,
    or None for other images or when not ``wanted``.
    """
    from forensic_kit.evidence import ewf

    if not wanted or not isinstance(src, ewf.EwfSource):
        return None
    check = ewf.verify(src)
    if not check.ok:
        for problem in check.problems():
            console.error(f"{image}: E01 integrity: {problem}")
    elif check.stored:
        console.say(f"fkit fs: {image}: stored media hash verified ({', '.join(f'{k} {v}' for k, v in check.stored.items())})"
                    + ("" if check.checksums_checked else "; chunk checksums not checked (libewf C library not installed)"))
    else:
        console.warn(f"{image}: no media hash stored in the E01; computed {check.computed}")
    return check


def _apfs_at(src: Any, offset: Optional[int], fstype: Optional[str]) -> Optional[int]:
    """The byte offset of an APFS container to read with libfsapfs, or None (TSK reads the image)."""
    from forensic_kit.evidence import apfs

    if fstype and fstype.lower() != "apfs":
        return None
    at = (offset or 0) * 512
    return at if apfs.is_apfs(src, at) else None


def _ls_apfs(out: IO[bytes], out_fmt: "FsFormat", image: Path, src: Any, at: int, deleted: bool,
             image_rec: dict[str, Any]) -> int:
    """List every volume of an APFS container (APFS keeps no deleted entries to list)."""
    from forensic_kit.evidence import apfs

    container = apfs.Apfs(src, at)
    count = 0
    try:
        if out_fmt is FsFormat.jsonl:
            image_rec.update(volume_system="apfs", block_size=4096)
            out.write(jsonl.dump_bytes(image_rec))
        for i, volume in enumerate(container.volumes):
            if container.locked(volume):
                console.warn(f"{image}: APFS volume {i} ({volume.name}) is encrypted and locked: not listed")
                if out_fmt is FsFormat.jsonl:
                    out.write(jsonl.dump_bytes(error_record("fs", "open", f"APFS volume {i} is locked",
                                                            image=str(image), volume=volume.name)))
                continue
            if deleted:
                continue
            for e in container.walk(volume):
                count += 1
                if out_fmt is FsFormat.bodyfile:
                    out.write(apfs.body_line(e))
                elif out_fmt is FsFormat.jsonl:
                    rec = new_record("fs.entry", "fs", "1", image=str(image), partition_offset=at, fs="apfs",
                                     volume=volume.name, **path_fields(b"/" + e.path), **apfs.entry_fields(e))
                    out.write(jsonl.dump_bytes(rec))
                else:
                    f = apfs.entry_fields(e)
                    out.write(f"  {f['name_type']}/{f['mode']} {e.inode:>8} {e.size:>12} "
                              f"{f['times']['modified'] or '-':<30} /{display(e.path)}\n".encode("utf-8", "replace"))
    finally:
        container.close()
    return count


# Listing output goes out in chunks of this many lines: one write per chunk, not per entry.
_CHUNK = 4096


def _write_bodyfile(out: IO[bytes], entries: Iterable[Any], ftype: str, deleted: bool) -> int:
    """Body-file lines of ``entries`` (all, or only deleted ones); returns how many entries."""
    from forensic_kit.evidence.disk import body_writer

    lines_of = body_writer(ftype)
    count = 0
    buf: list[bytes] = []
    try:
        for entry in entries:
            if deleted and not entry.deleted:
                continue
            buf += lines_of(entry)
            count += 1
            if len(buf) >= _CHUNK:
                out.write(b"".join(buf))
                buf.clear()
                progress.add(items=_CHUNK)
    finally:  # what was listed before an error still goes out
        out.write(b"".join(buf))
    return count


def _entry_frame(image: Path, offset: int, ftype: str, zone: str | None) -> tuple[str, str]:
    """The JSON text of an ``fs.entry`` record before and after its per-entry members.

    Built from a real record (``new_record`` + ``jsonl.dumps``) with a placeholder member, so the
    common fields, their order and their encoding stay those of every other record.
    """
    slot = "\x00"
    rec = new_record("fs.entry", "fs", "1", image=str(image), partition_offset=offset, fs=ftype, **{slot: 0})
    if zone:
        rec["times_zone_assumed"] = zone
    head, mark, tail = jsonl.dumps(rec).rpartition(jsonl.dumps({slot: 0})[1:-1])
    if not mark:
        raise RuntimeError("fs.entry record template without its placeholder")
    return head, tail + "\n"


def _write_jsonl(out: IO[bytes], entries: Iterable[Any], head: str, tail: str, deleted: bool,
                 streams: bool = False) -> int:
    """One ``fs.entry`` JSON line per entry (``.`` and ``..`` left out); returns how many.

    With ``streams`` (NTFS) each record lists its ``$DATA`` streams, alternate ones included."""
    from forensic_kit.evidence.disk import entry_json_members, entry_streams

    count = 0
    buf: list[str] = []
    try:
        for entry in entries:
            if (deleted and not entry.deleted) or entry.name in (b".", b".."):
                continue
            members = entry_json_members(entry)
            if streams:
                members += ',"streams":' + json.dumps(entry_streams(entry), ensure_ascii=False, separators=(",", ":"))
            buf.append(head + members + tail)
            count += 1
            if len(buf) >= _CHUNK:
                out.write("".join(buf).encode("utf-8"))
                buf.clear()
                progress.add(items=_CHUNK)
    finally:  # what was listed before an error still goes out
        out.write("".join(buf).encode("utf-8"))
    return count


@fs_app.command("cat")
def fs_cat(
    image: Path = typer.Argument(..., metavar="IMAGE", help="Disk image."),
    target: str = typer.Argument(..., metavar="ADDRESS|PATH", help="As icat: INODE, INODE-TYPE or INODE-TYPE-ID (as fls prints it), or a path, with :stream for an NTFS alternate data stream."),
    offset: Optional[int] = OFFSET_OPTION,
    fstype: Optional[str] = FSTYPE_OPTION,
    verify_ewf: bool = typer.Option(True, "--verify/--no-verify", help="For E01: check the whole image against its stored hashes and chunk checksums first (exit 1 on a finding)."),
) -> None:
    """Stream a file's content from a disk image to stdout (like icat).

    For an E01 the whole image is checked first, like ewfverify: the content is still written,
    and any finding (bad chunk checksum with its sectors, stored MD5/SHA-1 mismatch) exits 1.
    """
    from forensic_kit.errors import InputError
    from forensic_kit.evidence import disk

    src = disk.open_source(image)
    check = _check_ewf(image, src, verify_ewf)
    at = _apfs_at(src, offset, fstype)
    if at is not None:
        from forensic_kit.evidence import apfs

        container = apfs.Apfs(src, at)
        try:
            out = console.stdout_bytes()
            for chunk in apfs.read(apfs.find(container, target)):
                out.write(chunk)
            out.flush()
        except OSError as exc:
            raise InputError(f"{image}: {target}: {exc.strerror or exc}") from exc
        finally:
            container.close()
            src.close()
        if check is not None and not check.ok:
            raise typer.Exit(int(ExitCode.CHECK_FAILED))
        return
    src, _img, _vols, found, _problems = _open(image, offset, src, fstype)
    out = console.stdout_bytes()
    try:
        last: InputError | None = None
        for fsys in found:
            try:
                t = disk.open_target(fsys, target)
            except InputError as exc:
                last = exc
                continue
            for chunk in disk.read_target(t):
                out.write(chunk)
            out.flush()
            if check is not None and not check.ok:
                raise typer.Exit(int(ExitCode.CHECK_FAILED))
            return
        raise last or InputError(f"{target}: not found")
    except OSError as exc:
        raise InputError(f"{image}: {target}: {exc.strerror or exc}") from exc
    finally:
        src.close()


def register(app: typer.Typer) -> None:
    """Add ``fkit fs`` to the application."""
    app.add_typer(fs_app, name="fs")
