"""fkit agrees with the peers' recorded outputs field by field (the table in docs/phone-peers.md is
``python -m tests.phone.peer_oracles``); where a peer is wrong, a test pins who is right."""

from __future__ import annotations

import json

from tests.conftest import fkit, testdata
from tests.phone import peer_oracles
from tests.phone.helpers import of, triage


def _check(rows: list[peer_oracles.Row]) -> None:
    bad = [(r.case, r.what, r.peer_count, r.fkit_count, r.agreeing) for r in rows if not r.full]
    assert bad == []


def test_mvt_oracles_agree() -> None:
    testdata("phone", "peers", "mvt", "oracle")
    rows = peer_oracles.mvt_rows()
    assert len(rows) == 13
    _check(rows)


def test_mvt_test_assertions_agree() -> None:
    testdata("phone", "peers", "mvt", "artifacts", "android_data")
    _check(peer_oracles.mvt_test_rows())


def test_ileapp_recorded_results_agree() -> None:
    testdata("phone", "peers", "ileapp", "CASES.tsv")
    rows = peer_oracles.ileapp_rows()
    assert sum(r.peer_count for r in rows) == 37 + 5 + 32 + 2 + 4 + 4 + 9
    _check(rows)


def test_mvt_mms_date_is_seconds_not_milliseconds() -> None:
    """MVT's check-backup prints 1970-01-19 06:45:31.789 for the MMS of backup.ab: it reads the ``date``
    column (Unix seconds, as in the telephony provider's ``pdu`` table) as milliseconds. The same MMS
    was sent at ``date_sent`` 1579531786 s, three seconds before: 2020-01-20 is right."""
    ab = testdata("phone", "peers", "mvt", "artifacts", "android_backup", "backup.ab")
    mvt = json.loads(testdata("phone", "peers", "mvt", "oracle", "check-backup.backup.ab", "sms.json").read_text())
    mvt_mms = [m for m in mvt if "address" not in m][0]
    assert (mvt_mms["date"], mvt_mms["isodate"]) == ("1579531789", "1970-01-19 06:45:31.789000")
    mms = [m for m in of(triage(ab, region=None), "phone.message") if m["app"] == "mms"][0]
    assert mms["time"] == {"utc": "2020-01-20T14:49:49Z", "raw": 1579531789, "format": "unix_seconds"}
    assert mms["sent_time"]["utc"] == "2020-01-20T14:49:46Z"


def test_ab_wrong_or_missing_password(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ab = testdata("phone", "peers", "mvt", "artifacts", "android_backup", "backup2.ab")
    res = fkit("phone", ab)
    assert res.returncode == 4 and b"give its password with --backup-password" in res.stderr
    res = fkit("phone", ab, "--backup-password", "wrong")
    assert res.returncode == 4 and b"wrong backup password" in res.stderr
    res = fkit("phone", ab, env={"FKIT_BACKUP_PASSWORD": "123456"})
    assert res.returncode == 0 and b"1 message" in res.stderr


def test_bugreport_zip_reads_like_the_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """MVT has no bug-report zip: the folder zipped as Android writes it (main_entry.txt, dumpstate,
    FS/...) gives the same dumpsys package and appops records."""
    import zipfile

    folder = testdata("phone", "peers", "mvt", "artifacts", "android_data", "bugreport")
    z = tmp_path / "bugreport-a50-2022-03-29.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(folder).as_posix())
    recs = triage(z, region=None)
    assert of(recs, "phone.source")[0]["platform"] == "android"
    assert [a["package"] for a in of(recs, "phone.app", "android_dumpsys_package")] == [
        "com.samsung.android.provider.filterprovider", "com.instagram.android"]
    assert len(of(recs, "phone.app_ops")) == 12
