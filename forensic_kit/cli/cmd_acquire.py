"""``fkit acquire``: a file, folder, block device or disk image into a case package."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path
from typing import List, Optional

import typer

from forensic_kit import jsonl
from forensic_kit.cli import console, progress_view
from forensic_kit.cli.options import ALGO_OPTION, KNOWN_BAD_OPTION, KNOWN_OPTION, open_known, say_known
from forensic_kit.exitcodes import ExitCode, worst
from forensic_kit.records import error_record


def acquire_command(
    source: Path = typer.Argument(..., metavar="SOURCE", help="File, folder, block device or disk image (raw, split raw, E01)."),
    into: Path = typer.Option(..., "--into", help="The case package (made with 'fkit case init')."),
    exhibit: str = typer.Option(..., "--exhibit", help="Exhibit id, e.g. EX-01 (copies go under data/EX-01/)."),
    description: Optional[str] = typer.Option(None, "--description", help="What the exhibit is (make, model, where found)."),
    seal: Optional[str] = typer.Option(None, "--seal", help="Seal / bag number of the exhibit."),
    physical: bool = typer.Option(False, "--physical", help="Image a file byte for byte (block devices always are)."),
    split: Optional[str] = typer.Option(None, "--split", help="Physical: write image.000, image.001, ... segments of this size (e.g. 2G)."),
    reread: bool = typer.Option(False, "--reread", help="Physical: hash the source again afterwards to prove it was stable."),
    extract: bool = typer.Option(False, "--extract", help="SOURCE is a disk image: copy files out of every file system in it."),
    include: List[str] = typer.Option([], "--include", help="With --extract: only paths or names matching this glob (repeatable)."),
    deleted: bool = typer.Option(False, "--deleted", help="With --extract: also recover deleted files."),
    fstype: Optional[str] = typer.Option(None, "--fstype", metavar="TYPE", help="With --extract: force the file system type (like fls -f), e.g. ext4, ntfs, fat32."),
    algo: Optional[str] = ALGO_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display on stderr (the summary line stays)."),
    new_revision: bool = typer.Option(False, "--new-revision", help="The case is sealed: add to it anyway, as the next revision (seal it again with fkit manifest build --reason)."),
    known: Optional[List[Path]] = KNOWN_OPTION,
    known_bad: Optional[List[Path]] = KNOWN_BAD_OPTION,
) -> None:
    """Acquire evidence into a case: copy while hashing, durable, verified by reading back.

    Writes fkit/exhibits/EX.json (who, where, when, source identity, errors), appends the item
    records to fkit/records.jsonl, keeps the BagIt manifests correct and prints one JSON record
    per item on stdout. An interrupted acquisition resumes (or is cleanly redone) when the same
    command is run again. Exit 3 when any item or sector could not be read.
    With --known/--known-bad, item records whose digest is in a set get known: ignorable|bad
    (the sets' algorithms are added to the hashing; the sets used are named in the exhibit sheet).
    """
    from forensic_kit.acquire.core import Acquisition, WriteFailed
    from forensic_kit.errors import FkitError, InputError, UsageError
    from forensic_kit.hashing import parse_algos
    from forensic_kit.package import Case

    algos = parse_algos(algo)
    if "sha256" not in algos:
        algos = ("sha256", *algos)  # the BagIt manifest needs SHA-256
    case = Case.open(into)
    case.require_unsealed(f"acquiring {exhibit}", new_revision)
    marker = open_known(known, known_bad)  # a bad set stops here, before the source is touched
    if marker is not None:
        algos = (*algos, *(a for a in marker.algos if a not in algos))  # what the sets can be compared on
    try:
        st = os.stat(source)
    except OSError as exc:
        raise InputError(f"{source}: cannot read the source: {exc.strerror}") from exc
    is_block = stat.S_ISBLK(st.st_mode)
    if extract and (is_block or source.is_dir()):
        raise UsageError("--extract needs a disk image file as SOURCE")
    kind = "extract" if extract else ("physical" if (physical or is_block) else "logical")
    if (split or reread) and kind != "physical":
        raise UsageError("--split and --reread apply to physical acquisition (a block device, or --physical)")
    split_bytes = None
    if split:
        from forensic_kit.acquire.physical import parse_size

        split_bytes = parse_size(split)
    acq = Acquisition(case, exhibit, kind, source, description, seal, algos, records_prefix=os.fspath(into),
                      marker=marker)
    out = console.stdout_bytes()
    code = ExitCode.OK
    extra: dict[str, object] = {}
    pread_close = None
    totals: dict[str, int | None] = {"total_items": None, "total_bytes": None}
    if kind == "physical" and not is_block:
        totals = {"total_items": 1, "total_bytes": st.st_size}
    elif kind == "logical" and not source.is_dir():
        totals = {"total_items": 1, "total_bytes": st.st_size}
    scan = [os.fsencode(source)] if kind == "logical" and source.is_dir() else None
    with progress_view.job(f"{exhibit} {kind}", quiet=quiet, scan=scan, **totals) as meter:
        try:
            if kind == "physical":
                from forensic_kit.acquire.physical import acquire_image, ewf_verdict, open_physical

                pread, size, ident, pread_close = open_physical(source)
                meter.total_items, meter.total_bytes = 1, size
                for stored_algo in sorted(ident.get("ewf_stored_hashes") or {}):
                    if stored_algo not in acq.algos:  # hash what the E01 stores, to compare in the same pass
                        acq.algos = (*acq.algos, stored_algo)
                acq.begin(ident)
                _stop_if_repaired(acq)
                if not acq.resumed or not acq.final_dir.exists():
                    _records, extra = acquire_image(acq, pread, size, split_bytes, reread)
                    ewf_check = ewf_verdict(pread, extra["image"]["hashes"], extra["image"]["size"])  # type: ignore[index]
                    if ewf_check is not None:
                        extra["ewf"] = ewf_check
                        for problem in ewf_check["problems"]:
                            console.error(f"{source}: E01 integrity: {problem}")
                        if ewf_check["verdict"] != "ok":
                            code = ExitCode.CHECK_FAILED
                    bad_value = extra.get("bad_ranges")
                    bad = bad_value if isinstance(bad_value, list) else []
                    if bad:
                        console.warn(f"{len(bad)} unreadable range(s) zero-filled; see fkit/exhibits/{exhibit}.json")
                        code = worst(code, ExitCode.PARTIAL)
                    if extra.get("reread") and not extra["reread"]["stable"]:  # type: ignore[index]
                        console.error("the source hashed differently on the second read: it is not stable")
                        code = ExitCode.CHECK_FAILED
                    if not extra["image"]["readback"]["ok"]:  # type: ignore[index]
                        console.error("the image read back differs from what was read from the source")
                        code = ExitCode.CHECK_FAILED
            elif kind == "extract":
                from forensic_kit.acquire.logical import extract_files

                acq.begin({"path": os.fsdecode(os.path.abspath(source)), "type": "image", "size": st.st_size})
                _stop_if_repaired(acq)
                if not acq.final_dir.exists():
                    outcome, extra = extract_files(acq, source, include, deleted, fstype=fstype)
                    if outcome.errors:
                        code = worst(code, ExitCode.PARTIAL)
                    ewf_info = extra.get("ewf")
                    if isinstance(ewf_info, dict):
                        for problem in ewf_info["problems"]:
                            console.error(f"{source}: E01 integrity: {problem}")
                        if ewf_info["verdict"] != "ok":
                            code = ExitCode.CHECK_FAILED
            else:
                from forensic_kit.acquire.logical import acquire_files

                acq.begin({"path": os.fsdecode(os.path.abspath(source)),
                           "type": "folder" if source.is_dir() else "file", "size": None if source.is_dir() else st.st_size})
                _stop_if_repaired(acq)
                if not acq.final_dir.exists():
                    outcome = acquire_files(acq, source)
                    if outcome.errors or outcome.changed:
                        code = ExitCode.PARTIAL
            if acq.errors:
                code = ExitCode.PARTIAL if code == ExitCode.OK else code
            status = "complete" if code == ExitCode.OK else "incomplete"
            final = acq.finish(status, extra)
        except _Repaired:
            status = str(acq.info.get("status"))
            console.say(f"fkit acquire: {exhibit} was {status} but its bag bookkeeping was cut short; "
                        f"repaired from the journal ({acq.totals.items} items, {acq.totals.bytes:,} bytes)")
            raise typer.Exit(int(ExitCode.OK if status == "complete" else ExitCode.PARTIAL))
        except KeyboardInterrupt:
            acq.abort("interrupted", "interrupted by the user (Ctrl-C); run the same command again to resume")
            console.error(f"acquisition of {exhibit} interrupted; run the same command again to resume")
            raise typer.Exit(int(ExitCode.INTERRUPTED))
        except WriteFailed as exc:
            reason = f"destination: {exc.strerror}"
            recorded = acq.abort("failed", reason) if acq.info else False
            out.write(jsonl.dump_bytes(error_record("acquire", "write", reason, exhibit=exhibit,
                                                    exhibit_sheet_updated=recorded)))
            raise FkitError(f"acquisition of {exhibit} stopped: {exc.strerror}; nothing partial was recorded; "
                            "free space and run the same command again") from exc
        except FkitError as exc:
            if acq.info:
                acq.abort("failed", exc.message)
            out.write(jsonl.dump_bytes(error_record("acquire", "open", exc.message, exhibit=exhibit)))
            raise
        except OSError as exc:
            reason = f"{source}: {exc.strerror or exc}"
            if acq.info:
                acq.abort("failed", reason)
            out.write(jsonl.dump_bytes(error_record("acquire", "read", reason, exhibit=exhibit)))
            raise FkitError(f"acquisition of {exhibit} stopped: {reason}") from exc
        finally:
            if pread_close is not None:
                pread_close()
    # the exhibit's records (items, then errors) as the case now holds them
    with open(acq.case.records_path, "rb") as fh:
        fh.seek(final.records_from)
        shutil.copyfileobj(fh, out, 1 << 20)
    verdict = "durable and verified" if code != ExitCode.CHECK_FAILED else "durable, but a check FAILED (see above)"
    console.say(f"fkit acquire: {exhibit} {status}: {final.items} items, {final.bytes:,} bytes, {verdict} "
                f"{progress_view.summary(meter, final.bytes)}; {len(acq.errors)} errors")
    if marker is not None:
        say_known("acquire", marker)
    raise typer.Exit(int(code))


class _Repaired(Exception):
    """The exhibit was already finished; a rerun only completed its bookkeeping."""


def _stop_if_repaired(acq: object) -> None:
    if getattr(acq, "repaired", False):
        raise _Repaired()


def register(app: typer.Typer) -> None:
    """Add ``fkit acquire`` to the application."""
    app.command("acquire")(acquire_command)
