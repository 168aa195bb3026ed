"""forensic_kit.derived: run identity and the replace-on-rerun rewrite of records.jsonl, edge cases."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from forensic_kit.derived import RunIdentity, SealedRecordsError, run_identity, source_name, store_run
from forensic_kit.package import Case


def _case(tmp_path: Path, records: bytes = b"") -> Case:
    case = Case.init(tmp_path / "case", "C-1", "Agency", "Officer")
    case.write_exhibit("EX-01", {"id": "EX-01"})
    if records:
        case.records_path.write_bytes(records)
    case.update_bag()
    return case


RUN = RunIdentity("meta", "EX-01", ("photos",), "folder")


def _line(n: int, run: RunIdentity | None = RUN) -> bytes:
    rec: dict[str, object] = {"kind": "file", "n": n}
    if run is not None:
        rec["run"] = run.value()
    return json.dumps(rec, separators=(",", ":")).encode() + b"\n"


def _spool(*lines: bytes) -> "tempfile._TemporaryFileWrapper[bytes]":
    f = tempfile.NamedTemporaryFile()
    f.write(b"".join(lines))
    f.flush()
    return f


def test_source_name_does_not_depend_on_the_working_folder(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    case_root = tmp_path / "case"
    (case_root / "data" / "EX-01").mkdir(parents=True)
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        assert source_name(Path("photos"), case_root) == "photos"
        assert source_name(Path("./photos/"), case_root) == "photos"
        assert source_name(Path("case/data/EX-01"), case_root) == "data/EX-01"
        os.chdir(tmp_path / "photos")
        assert source_name(Path("."), case_root) == "photos"
    finally:
        os.chdir(cwd)
    ident = run_identity("meta", "EX-01", [tmp_path / "photos", case_root / "data/EX-01"], case_root)
    assert ident.value() == {"command": "meta", "exhibit": "EX-01", "sources": ["data/EX-01", "photos"],
                             "source_kind": "folder"}


def test_scattered_earlier_lines_are_gathered_where_the_first_stood(tmp_path: Path) -> None:
    other = _line(9, None)
    case = _case(tmp_path, _line(1) + other + _line(2))
    result = store_run(case, RUN, _spool(_line(1), _line(2)))  # same lines, but not where a rerun puts them
    assert (result.outcome, result.previous, result.records) == ("replaced", 2, 2)
    assert case.records_path.read_bytes() == _line(1) + _line(2) + other
    result = store_run(case, RUN, _spool(_line(1), _line(2)))
    assert result.outcome == "unchanged"


def test_a_last_line_cut_short_stays_a_line_of_its_own(tmp_path: Path) -> None:
    case = _case(tmp_path, b'{"kind":"file","torn":')
    assert store_run(case, RUN, _spool(_line(1))).outcome == "added"
    assert case.records_path.read_bytes() == b'{"kind":"file","torn":\n' + _line(1)


def test_an_empty_run_with_nothing_earlier_writes_nothing(tmp_path: Path) -> None:
    case = _case(tmp_path)
    result = store_run(case, RUN, _spool())
    assert result.outcome == "unchanged"
    assert result.line(RUN, Path("R")) == "fkit meta: no records of EX-01 from 'photos'; nothing written to R"
    assert not case.records_path.exists()


def test_an_empty_rerun_removes_the_earlier_records(tmp_path: Path) -> None:
    case = _case(tmp_path, _line(1, None) + _line(2))
    result = store_run(case, RUN, _spool())
    assert (result.outcome, result.previous, result.records) == ("replaced", 1, 0)
    assert case.records_path.read_bytes() == _line(1, None)


@pytest.mark.parametrize("manifest,sealed", [
    ({"records": {"bytes": 5}}, 5),
    ({"records": {"count": 1}}, None),  # a seal from before revisions: its first line
    (b"not json", -1),                   # unreadable: all of it
])
def test_sealed_records_are_never_removed(tmp_path: Path, manifest: object, sealed: int | None) -> None:
    first = _line(1)
    case = _case(tmp_path, first + _line(2, None))
    data = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
    (case.fkit_dir / "manifest.json").write_bytes(data)
    whole = case.records_path.stat().st_size
    want = {None: len(first), -1: whole}.get(sealed, sealed)
    assert case.sealed_records_bytes() == want
    before = case.records_path.read_bytes()
    with pytest.raises(SealedRecordsError, match="are sealed in revision 1 and are never removed"):
        store_run(case, RUN, _spool(_line(3)))
    assert case.records_path.read_bytes() == before
    assert store_run(case, RUN, _spool(_line(1))).outcome == "unchanged"
    other = RunIdentity("meta", "EX-01", ("other",), "folder")
    assert store_run(case, other, _spool(_line(4, other))).outcome == "added"
    assert case.records_path.read_bytes() == before + _line(4, other)


def test_a_temporary_copy_left_by_a_killed_writer_is_removed(tmp_path: Path) -> None:
    case = _case(tmp_path)
    dead = 2 ** 22 + 12345  # above the default pid_max: no such process
    stale = case.fkit_dir / f".records.jsonl.{dead}.fkit-tmp"
    stale.write_bytes(b"half")
    live = case.fkit_dir / f".records.jsonl.{os.getppid()}.fkit-tmp"
    live.write_bytes(b"someone else's")
    store_run(case, RUN, _spool(_line(1)))
    assert not stale.exists() and live.exists()


def test_records_from_before_runs_were_named_are_kept_and_said(tmp_path: Path) -> None:
    legacy = b'{"schema":"fkit.record/1","kind":"phone.call","exhibit":"EX-01","producer":{"parser":"android_calls"}}\n'
    other_exhibit = legacy.replace(b"EX-01", b"EX-02")
    case = _case(tmp_path, legacy + other_exhibit)
    run = RunIdentity("phone", "EX-01", ("android",), "folder")
    result = store_run(case, run, _spool(_line(1, run)))
    assert (result.outcome, result.unmarked) == ("added", 1)
    assert result.line(run, Path("R")) == (
        "fkit phone: 1 records of EX-01 from 'android' added to R; 1 phone records of EX-01 written by an earlier "
        "fkit name no run and were left as they are (they may repeat these)")
    assert case.records_path.read_bytes() == legacy + other_exhibit + _line(1, run)
    assert store_run(case, RUN, _spool(_line(2))).unmarked == 0  # meta: the phone records are not its own
