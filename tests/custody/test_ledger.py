"""Custody ledger: chain, signatures, trust, time order, continuity, accounting — exact sentences."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from forensic_kit.custody import verify_custody, read_events, new_event, append_event, parse_party
from forensic_kit.errors import InputError, UsageError
from forensic_kit.package import Case
from tests.custody.casefactory import Sample, add_event, make_case, standard_chain


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    root = tmp_path_factory.mktemp("base") / "case"
    sample = make_case(root, seal=False)
    return sample


@pytest.fixture
def sample(base: Sample, tmp_path: Path) -> Sample:
    root = tmp_path / "case"
    shutil.copytree(base.case.root, root)
    return Sample(case=Case.open(root), keys=base.keys, key_paths=base.key_paths)


def trusted(sample: Sample) -> str:
    return (sample.case.fkit_dir / "allowed_signers").read_text()


def messages(sample: Sample, trust: str | None = None) -> list[str]:
    report = verify_custody(sample.case, trust if trust is not None else trusted(sample))
    return [f.message for f in report.findings]


def test_good_chain_verifies(sample: Sample) -> None:
    standard_chain(sample)
    report = verify_custody(sample.case, trusted(sample))
    assert report.ok and report.findings == []
    assert [e["seq"] for e in report.events] == [1, 2, 3, 4]


def test_prev_is_sha256_of_previous_line_bytes(sample: Sample) -> None:
    standard_chain(sample)
    lines = (sample.case.fkit_dir / "custody.jsonl").read_bytes().splitlines(keepends=True)
    events = [json.loads(x) for x in lines]
    assert events[0]["prev"] is None
    for i in range(1, len(lines)):
        assert events[i]["prev"] == hashlib.sha256(lines[i - 1]).hexdigest()
    # same check with coreutils, as a prosecutor would
    out = subprocess.run(f"sed -n 1p '{sample.case.fkit_dir / 'custody.jsonl'}' | sha256sum", shell=True,
                         capture_output=True, check=True).stdout.split()[0].decode()
    assert out == events[1]["prev"]


def test_event_fields_and_times(sample: Sample) -> None:
    standard_chain(sample)
    e = read_events(sample.case)[0]
    # the training profile's zone is Africa/Tunis (UTC+01:00): 10:42 local is 09:42Z
    assert e["time"] == "2025-03-14T09:42:00Z" and e["offset"] == "+01:00"
    assert e["released_by"] == {"name": "A. Ben Salah", "id": "4471", "org": "Mock Unit"}
    assert e["seal"] == {"number": "TN-S-000913", "state": "new"}
    assert [s["role"] for s in read_events(sample.case)[1]["signatures"]] == ["releaser", "receiver"]


def test_continuity_sentence_from_the_issue(sample: Sample) -> None:
    add_event(sample, "trabelsi@mock", "jaziri@mock", action="transferred", exhibits=["EX-01", "EX-02", "EX-03"],
              by="K. Trabelsi", to="R. Jaziri", at="2025-03-14T13:20Z")
    add_event(sample, "haddad@mock", action="examined", exhibits=["EX-02"], by="M. Haddad", at="2025-03-15T08:00Z")
    assert messages(sample) == [
        "EX-02 was received by R. Jaziri on 2025-03-14 13:20, but the next event has it released by M. Haddad."]


def test_tampered_event_breaks_signature_and_chain(sample: Sample) -> None:
    standard_chain(sample)
    path = sample.case.fkit_dir / "custody.jsonl"
    path.write_bytes(path.read_bytes().replace(b"Transport to unit HQ", b"Transport to unit HR"))
    assert messages(sample) == [
        "The releaser signature on event 2 (A. Ben Salah (4471)) does not match the event: it was forged or the event was changed.",
        "The receiver signature on event 2 (K. Trabelsi (3310)) does not match the event: it was forged or the event was changed.",
        "Event 3 does not chain to the previous event: the ledger was altered, reordered or cut.",
    ]


def test_deleted_event(sample: Sample) -> None:
    standard_chain(sample)
    path = sample.case.fkit_dir / "custody.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + lines[2] + lines[3])
    assert messages(sample) == [
        "Event 2 carries sequence number 3, so an event is missing or out of place.",
        "Event 2 does not chain to the previous event: the ledger was altered, reordered or cut.",
        "EX-01 was seized by A. Ben Salah (4471) on 2025-03-14 09:42, but the next event has it released by K. Trabelsi (3310).",
        "EX-02 was seized by A. Ben Salah (4471) on 2025-03-14 09:42, but the next event has it released by K. Trabelsi (3310).",
        "EX-03 was seized by A. Ben Salah (4471) on 2025-03-14 09:42, but the next event has it released by K. Trabelsi (3310).",
        "Event 3 carries sequence number 4, so an event is missing or out of place.",
    ]


def test_untrusted_key(sample: Sample) -> None:
    standard_chain(sample)
    only = "\n".join(l for l in trusted(sample).splitlines() if l.startswith(("ben.salah@", "trabelsi@", "jaziri@")))
    fp = sample.keys["haddad@mock"].fingerprint
    assert messages(sample, only) == [
        f"The receiver signature on event 4 (M. Haddad (5120)) is valid but made with key {fp}, which is not in the trusted signers list."]
    # no trust list at all: every signature is untrusted, none is valid-and-trusted
    assert len(verify_custody(sample.case, None).findings) == 7


def test_time_order(sample: Sample) -> None:
    standard_chain(sample)
    add_event(sample, "haddad@mock", "jaziri@mock", action="returned", exhibits=["EX-01", "EX-02"],
              by="M. Haddad,5120", to="R. Jaziri,2208", at="2025-03-16T10:00Z")
    assert messages(sample) == [
        "Event 5 is dated 2025-03-16 10:00, earlier than the event before it (2025-03-17 08:10)."]


def test_unaccounted_and_unknown_exhibits(sample: Sample) -> None:
    add_event(sample, "ben.salah@mock", action="seized", exhibits=["EX-01", "EX-02"], by="A. Ben Salah",
              at="2025-03-14T09:42Z")
    assert messages(sample) == ["EX-03 is an exhibit of this case but no custody event accounts for it."]
    (sample.case.fkit_dir / "exhibits" / "EX-02.json").unlink()
    assert messages(sample) == [
        "EX-03 is an exhibit of this case but no custody event accounts for it.",
        "EX-02 appears in the custody ledger but is not an exhibit of this case."]


def test_after_destruction(sample: Sample) -> None:
    add_event(sample, "ben.salah@mock", action="seized", exhibits=["EX-01", "EX-02", "EX-03"], by="A. Ben Salah",
              at="2025-03-14T09:42Z")
    add_event(sample, "ben.salah@mock", action="destroyed", exhibits=["EX-03"], by="A. Ben Salah",
              at="2025-04-01T09:00Z")
    add_event(sample, "ben.salah@mock", action="examined", exhibits=["EX-03"], by="A. Ben Salah",
              at="2025-04-02T09:00Z")
    assert messages(sample) == [
        "EX-03 was destroyed on 2025-04-01 09:00, but event 3 on 2025-04-02 09:00 still handles it."]


def test_unsigned_event(sample: Sample) -> None:
    add_event(sample, "ben.salah@mock", action="seized", exhibits=["EX-01", "EX-02", "EX-03"], by="A. Ben Salah",
              at="2025-03-14T09:42Z")
    event = new_event(sample.case, action="sealed", exhibits=["EX-01"], by="A. Ben Salah", at="2025-03-14T10:00Z")
    append_event(sample.case, event)
    assert messages(sample) == ["Event 2 is not signed by its releaser, A. Ben Salah."]


def test_empty_ledger_is_not_ok(sample: Sample) -> None:
    report = verify_custody(sample.case, None)
    assert not report.ok
    assert report.findings[0].message == "The custody ledger has no events, so no exhibit is accounted for."


def test_bad_input_is_refused(sample: Sample) -> None:
    with pytest.raises(UsageError):
        new_event(sample.case, action="lost", exhibits=["EX-01"], by="X")
    with pytest.raises(InputError):
        new_event(sample.case, action="seized", exhibits=["EX-09"], by="X")
    with pytest.raises(UsageError):
        new_event(sample.case, action="seized", exhibits=["EX-01"], by="X", at="yesterday")
    with pytest.raises(UsageError):
        parse_party(",12")


def test_stale_event_is_refused_not_rechained(sample: Sample) -> None:
    from forensic_kit.custody import sign_event
    from forensic_kit.errors import FormatError

    add_event(sample, "ben.salah@mock", action="seized", exhibits=["EX-01", "EX-02", "EX-03"], by="A. Ben Salah",
              at="2025-03-14T09:42Z")
    stale = sign_event(new_event(sample.case, action="sealed", exhibits=["EX-01"], by="A. Ben Salah",
                                 at="2025-03-14T10:00Z"), sample.keys["ben.salah@mock"])
    add_event(sample, "ben.salah@mock", action="sealed", exhibits=["EX-02"], by="A. Ben Salah", at="2025-03-14T10:01Z")
    with pytest.raises(FormatError, match="changed while the event was being prepared"):
        append_event(sample.case, stale)
    assert len(read_events(sample.case)) == 2
    assert "fkit/work/custody.lock" not in (sample.case.root / "tagmanifest-sha256.txt").read_text()


def test_seal_number_and_delay(sample: Sample) -> None:
    """A seal number that differs from the exhibit sheet, and a seal put on 2 h 18 min after seizure."""
    add_event(sample, "ben.salah@mock", action="seized", exhibits=["EX-01", "EX-02", "EX-03"],
              by="A. Ben Salah,4471,Mock Unit", at="2025-03-14T10:42", location="Sfax, 12 rue X")
    add_event(sample, "ben.salah@mock", action="sealed", exhibits=["EX-01"], by="A. Ben Salah,4471",
              at="2025-03-14T11:00", seal_number="TN-S-000913", seal_state="new")  # as the sheet says
    add_event(sample, "ben.salah@mock", action="sealed", exhibits=["EX-02"], by="A. Ben Salah,4471",
              at="2025-03-14T12:42", seal_number="TN-S-000915", seal_state="new")  # EX-03's seal, exactly 2 h
    add_event(sample, "ben.salah@mock", action="sealed", exhibits=["EX-03"], by="A. Ben Salah,4471",
              at="2025-03-14T13:00", seal_number="TN-S-000915", seal_state="new")
    report = verify_custody(sample.case, trusted(sample))
    assert [(f.code, f.exhibit, f.seq) for f in report.findings] == [("seal.mismatch", "EX-02", 3), ("seal.late", "EX-03", 4)]
    assert [f.message for f in report.findings] == [
        "EX-02 was sealed under TN-S-000915 (event 3), but its exhibit sheet gives seal TN-S-000914.",
        "EX-03 was sealed 2 h 18 min after it was seized (event 4); nothing protected it meanwhile.",
    ]
    assert not report.ok


def test_recheck_at_hand_over(sample: Sample) -> None:
    """--recheck re-hashes the exhibit's files against manifest-sha256.txt; a failed re-check is a finding."""
    from forensic_kit.custody import recheck_exhibits

    good = recheck_exhibits(sample.case, ["EX-01"])
    assert good == {"algorithm": "sha256", "against": "manifest-sha256.txt", "files": 3, "ok": 3, "result": "ok",
                    "changed": [], "missing": [], "unreadable": [], "added": []}
    (sample.case.data_dir / "EX-01" / "file_00001.bin").write_bytes(b"changed")
    (sample.case.data_dir / "EX-01" / "file_00002.bin").unlink()
    (sample.case.data_dir / "EX-01" / "extra.txt").write_bytes(b"x")
    bad = recheck_exhibits(sample.case, ["EX-01", "EX-02"])
    assert (bad["files"], bad["ok"], bad["result"]) == (6, 4, "failed")
    assert (bad["changed"], bad["missing"], bad["added"]) == (
        ["data/EX-01/file_00001.bin"], ["data/EX-01/file_00002.bin"], ["data/EX-01/extra.txt"])
    add_event(sample, "ben.salah@mock", action="seized", exhibits=["EX-01", "EX-02", "EX-03"],
              by="A. Ben Salah,4471,Mock Unit", at="2025-03-14T10:42", recheck=good)
    add_event(sample, "ben.salah@mock", "trabelsi@mock", action="transferred", exhibits=["EX-01", "EX-02", "EX-03"],
              by="A. Ben Salah,4471", to="K. Trabelsi,3310", at="2025-03-14T10:55", recheck=bad)
    assert messages(sample) == [
        "The hash re-check recorded at event 2 (EX-01, EX-02, EX-03, 2025-03-14 09:55) failed: "
        "1 changed, 1 missing, 1 added."]
