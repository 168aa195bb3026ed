"""Hostile inputs (issue 15): one bad value or artefact never ends the run, views never run,
every query has a budget, bombs and odd names are refused or reported, never silently skipped."""

from __future__ import annotations

import io
import shutil
import sqlite3
import struct
import tarfile
import time
import zipfile
from pathlib import Path

from forensic_kit import jsonl
from forensic_kit.phone.source import Limits, open_source
from tests.conftest import fkit, testdata
from tests.phone.helpers import MMSSMS, make_db, of, triage, write_plist

CONTACTSV2 = """CREATE TABLE ZWAADDRESSBOOKCONTACT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZABOUTTIMESTAMP TIMESTAMP, ZABOUTTEXT VARCHAR, ZFULLNAME VARCHAR, ZGIVENNAME VARCHAR, ZIDENTIFIER VARCHAR,
  ZPHONENUMBER VARCHAR, ZPHONENUMBERLABEL VARCHAR, ZWHATSAPPID VARCHAR);"""


def _all_json(recs: list[dict]) -> None:
    for r in recs:
        jsonl.dumps(r)  # raises TypeError on any value JSON cannot carry


def test_blob_text_columns_are_kept_and_the_run_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "ex"
    make_db(src / "ContactsV2.sqlite", CONTACTSV2, {"ZWAADDRESSBOOKCONTACT": [
        (1, 1, 1, None, None, "Amina".encode(), b"Amina", None, b"+212600000001", None, b"212600000001@s.whatsapp.net"),
        (2, 1, 1, None, None, "Karim", "Karim", None, "+212600000002", None, "212600000002@s.whatsapp.net"),
        (3, 1, 1, None, b"\xff\xfe\x00", b"\x80\x81", None, None, b"\xff", None, None)]})
    make_db(src / "mmssms.db", MMSSMS, {"sms": [
        (1, 1, b"+212600000003", None, 1_600_000_000_000, 0, 0, 1, -1, 1, 0, None, "salam".encode(), None, 0, 0, 1),
        (2, 1, "+212600000004", None, b"\x01\x02", 0, 0, 1, -1, 2, 0, None, b"\xde\xad\xbe\xef", None, 0, 0, 1)]})
    recs = triage(src, region="MA")
    _all_json(recs)
    contacts = of(recs, "phone.contact")
    assert len(contacts) == 3
    assert contacts[0]["name"] == {"encoding": "base64", "value": "QW1pbmE=", "bytes": 5, "text": "Amina"}
    assert contacts[0]["numbers"][0]["e164"] == "+212600000001"
    assert contacts[1]["name"] == "Karim"
    assert contacts[2]["name"] == {"encoding": "base64", "value": "gIE=", "bytes": 2}
    sms = of(recs, "phone.message")
    assert [m["locator"]["rowid"] for m in sms] == [1, 2]
    assert sms[0]["address"]["e164"] == "+212600000003" and sms[0]["body"]["text"] == "salam"
    assert sms[1]["body"] == {"encoding": "base64", "value": "3q2+7w==", "bytes": 4}
    assert sms[1]["time"] == {"utc": None, "raw": {"encoding": "base64", "value": "AQI=", "bytes": 2},
                              "format": "java_millis", "invalid": True}


def test_blob_values_through_the_cli_give_records_not_a_traceback(tmp_path: Path) -> None:
    make_db(tmp_path / "ex" / "ContactsV2.sqlite", CONTACTSV2, {"ZWAADDRESSBOOKCONTACT": [
        (1, 1, 1, None, None, b"\x00\x01", None, None, b"+212600000001", None, None)]})
    res = fkit("phone", tmp_path / "ex", "--region", "MA")
    assert res.returncode == 0, res.stderr
    assert b"internal error" not in res.stderr
    assert b'"name":{"encoding":"base64","value":"AAE=","bytes":2' in res.stdout


def _half_xml_plist(path: Path) -> None:
    data = io.BytesIO()
    import plistlib

    plistlib.dump({"Devices": {"abc": {"Serial Number": "X", "IMEI": "356938035643809"}}}, data, fmt=plistlib.FMT_XML)
    raw = data.getvalue()
    path.write_bytes(raw[: len(raw) // 2])


def test_half_cut_xml_plist_is_an_error_record_and_the_rest_is_read(tmp_path: Path) -> None:
    src = tmp_path / "ex"
    src.mkdir()
    _half_xml_plist(src / "com.apple.iPod.plist")
    shutil.copy(testdata("phone", "ios", "sms.db"), src / "sms.db")
    recs = triage(src)
    errs = of(recs, "error")
    assert len(errs) == 1 and errs[0]["locator"]["path"] == "com.apple.iPod.plist"
    assert "ExpatError" in errs[0]["error"]["reason"]
    assert len(of(recs, "phone.message")) == 10


def _bplist_huge_data(path: Path) -> None:
    """A binary plist whose one object is ``data`` declaring 2^62 bytes."""
    obj = bytes([0x4F, 0x13]) + struct.pack(">Q", 1 << 62)  # data, size follows as an 8-byte int
    body = b"bplist00" + obj
    offsets = struct.pack(">B", 8)
    trailer = struct.pack(">6xBBQQQ", 1, 1, 1, 0, len(body))
    path.write_bytes(body + offsets + trailer)


def test_binary_plist_declaring_2_62_bytes_is_an_error_not_memory(tmp_path: Path) -> None:
    src = tmp_path / "ex"
    src.mkdir()
    _bplist_huge_data(src / "com.apple.iPod.plist")
    _bplist_huge_data(src / "com.apple.wifi.known-networks.plist")
    write_plist(src / "Library" / "Preferences" / "other.plist", {"a": 1})
    recs = triage(src)
    errs = sorted(e["locator"]["path"] for e in of(recs, "error"))
    # the Wi-Fi plist is read by two parsers (networks, BSS): one error each, naming the parser
    assert errs == ["com.apple.iPod.plist", "com.apple.wifi.known-networks.plist", "com.apple.wifi.known-networks.plist"]
    assert all("not a readable plist" in e["error"]["reason"] for e in of(recs, "error"))
    assert [u["path"] for u in of(recs, "phone.unparsed")] == ["Library/Preferences/other.plist"]


def test_recursive_view_named_sms_is_never_run(tmp_path: Path) -> None:
    src = tmp_path / "ex"
    make_db(src / "mmssms.db", "CREATE TABLE t (x);"
            "CREATE VIEW sms AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) "
            "SELECT n AS _id, '+1555' AS address, n AS date, 1 AS type, 'x' AS body FROM c;")
    t0 = time.monotonic()
    recs = triage(src)
    assert time.monotonic() - t0 < 10
    assert of(recs, "phone.message") == []
    warn = of(recs, "warning")
    assert [w["warning"]["stage"] for w in warn] == ["view", "schema"]
    assert "android_sms: sms" in warn[1]["warning"]["reason"]


def test_five_million_row_view_is_not_streamed(tmp_path: Path) -> None:
    src = tmp_path / "ex"
    make_db(src / "mmssms.db", MMSSMS.replace("CREATE TABLE sms (", "CREATE TABLE sms_real (")
            + "CREATE VIEW sms AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c LIMIT 5000000) "
              "SELECT n AS _id, '+1555' AS address, n AS date, 1 AS type, 'x' AS body FROM c;")
    t0 = time.monotonic()
    recs = triage(src)
    assert time.monotonic() - t0 < 10
    assert of(recs, "phone.message") == []
    warn = of(recs, "warning")
    assert [w["warning"]["stage"] for w in warn] == ["view"] and warn[0]["warning"]["reason"].startswith("sms: a view")


def test_view_reached_through_a_subquery_is_denied(tmp_path: Path) -> None:
    """A real ``sms`` table but ``addr``/``part`` are views: the authorizer refuses, the MMS parser
    gives one error naming the table, and the SMS rows are still read."""
    script = MMSSMS.replace("CREATE TABLE addr (", "CREATE TABLE addr_x (").replace("CREATE TABLE part (",
                                                                                "CREATE TABLE part_x (")
    script += ("CREATE VIEW addr AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) "
               "SELECT n AS _id, n AS msg_id, 'x' AS address, 137 AS type FROM c;"
               "CREATE VIEW part AS SELECT * FROM part_x;")
    src = tmp_path / "ex"
    make_db(src / "mmssms.db", script, {
        "sms": [(1, 1, "+15555550100", None, 1_600_000_000_000, 0, 0, 1, -1, 1, 0, None, "hi", None, 0, 0, 1)]})
    recs = triage(src)
    assert len(of(recs, "phone.message")) == 1
    warn = of(recs, "warning")
    assert [w["warning"]["stage"] for w in warn] == ["view"]  # addr/part are not tables: MMS not run
    assert warn[0]["warning"]["reason"].startswith("addr, part: a view")


def test_query_time_and_row_budgets(tmp_path: Path) -> None:
    src = tmp_path / "ex"
    rows = [(i, 1, "+15555550100", None, 1_600_000_000_000 + i, 0, 0, 1, -1, 1, 0, None, "m", None, 0, 0, 1)
            for i in range(1, 20_001)]
    make_db(src / "mmssms.db", MMSSMS, {"sms": rows})
    recs = triage(src, limits=Limits(query_rows=5))
    assert len(of(recs, "phone.message")) == 5
    budget = [w for w in of(recs, "warning") if w["warning"]["stage"] == "budget"]
    assert len(budget) == 1 and "row budget reached: 5 rows" in budget[0]["warning"]["reason"]
    recs = triage(src, limits=Limits(query_seconds=0.0))
    budget = [w for w in of(recs, "warning") if w["warning"]["stage"] == "budget"]
    assert budget and "time budget of 0 s" in budget[0]["warning"]["reason"]
    assert len(of(recs, "phone.message")) < 20_000


def _wal_db(folder: Path, name: str, script: str, inserts: list[str]) -> None:
    """A database in WAL mode whose inserts live only in its -wal (copied while still open)."""
    folder.mkdir(parents=True, exist_ok=True)
    work = folder / "work"
    work.mkdir()
    conn = sqlite3.connect(work / name)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(script)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    for sql in inserts:
        conn.execute(sql)
    conn.commit()
    shutil.copy(work / name, folder / name)
    shutil.copy(work / (name + "-wal"), folder / (name + "-wal"))
    conn.close()
    shutil.rmtree(work)


def test_wal_from_another_database_is_left_out(tmp_path: Path) -> None:
    good = tmp_path / "ex"
    _wal_db(good, "mmssms.db", MMSSMS, [
        "INSERT INTO sms (_id, address, date, type, body) VALUES (1, '+15555550100', 1600000000000, 1, 'in wal')"])
    _wal_db(tmp_path / "other", "other.db", "CREATE TABLE unrelated (a, b, c);",
            ["INSERT INTO unrelated VALUES (1, 2, 3)"] * 50)
    # The mmssms.db main file alone has the schema (checkpointed) but not the row.
    recs = triage(good)
    assert [m["body"] for m in of(recs, "phone.message")] == ["in wal"]
    assert not of(recs, "warning")
    shutil.copy(tmp_path / "other" / "other.db-wal", good / "mmssms.db-wal")
    recs = triage(good)
    warn = of(recs, "warning")
    assert [w["warning"]["stage"] for w in warn] == ["wal"]
    assert "belongs to another database" in warn[0]["warning"]["reason"]
    assert of(recs, "phone.message") == []  # the checkpointed main file holds the schema, not the row


def test_tar_gz_bomb_is_refused_by_ratio(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.tar.gz"
    size = 256 << 20  # 256 MiB of zeros: the gzip is ~250 KiB (the issue's 2 MB → 2 GiB, scaled down)
    with tarfile.open(bomb, "w:gz", compresslevel=1) as tf:
        info = tarfile.TarInfo("data/data/com.x/zeros.bin")
        info.size = size

        class Zeros(io.RawIOBase):
            left = size

            def readable(self) -> bool:
                return True

            def readinto(self, b: bytearray) -> int:  # type: ignore[override]
                n = min(len(b), self.left)
                b[:n] = bytes(n)
                self.left -= n
                return n

        tf.addfile(info, io.BufferedReader(Zeros()))
        ok = b"ro.product.model=Pixel\n"
        info = tarfile.TarInfo("system/build.prop")
        info.size = len(ok)
        tf.addfile(info, io.BytesIO(ok))
    assert bomb.stat().st_size < 2 << 20
    src = open_source(bomb, tmp_path / "scratch")
    assert sorted(src.files) == ["system/build.prop"]
    assert len(src.issues) == 1 and "likely tar bomb" in src.issues[0].reason
    assert src.issues[0].member == "data/data/com.x/zeros.bin"


def test_member_names_with_nul_are_reported_and_kept(tmp_path: Path) -> None:
    # zip: written with a placeholder then patched to NUL in both headers (zipfile cannot write NUL)
    z = tmp_path / "x.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("system/build.propQhidden", "ro.product.model=Hidden\n")
        zf.writestr("system/build.prop", "ro.product.model=Shown\n")
    z.write_bytes(z.read_bytes().replace(b"build.propQhidden", b"build.prop\x00hidden"))
    src = open_source(z, tmp_path / "s1")
    assert sorted(src.files) == ["system/build.prop", "system/build.prop%00hidden"]
    assert len(src.issues) == 1 and "NUL" in src.issues[0].reason
    # tar (ustar): the name field holds bytes after a NUL
    t = tmp_path / "x.tar"
    with tarfile.open(t, "w", format=tarfile.USTAR_FORMAT) as tf:
        data = b"ro.product.model=Hidden\n"
        info = tarfile.TarInfo("system/build.propQhidden")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    raw = bytearray(t.read_bytes())
    raw[raw.index(b"build.propQ") + 10] = 0
    chk = sum(raw[:148]) + 8 * 32 + sum(raw[156:512])
    raw[148:156] = b"%06o\x00 " % chk
    t.write_bytes(bytes(raw))
    src = open_source(t, tmp_path / "s2")
    assert sorted(src.files) == ["system/build.prop%00hidden"]
    assert len(src.issues) == 1 and "NUL" in src.issues[0].reason
    recs = triage(t)
    assert [w["warning"]["stage"] for w in of(recs, "warning")][:1] == ["extract"]


def test_binary_build_prop_is_a_warning_not_silence(tmp_path: Path) -> None:
    (tmp_path / "build.prop").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    recs = triage(tmp_path)
    warn = of(recs, "warning")
    assert len(warn) == 1 and warn[0]["locator"]["path"] == "build.prop"
    assert "binary data (NUL bytes)" in warn[0]["warning"]["reason"]
    assert of(recs, "phone.device") == []



def test_android_backup_bomb_and_truncation(tmp_path: Path) -> None:
    import zlib

    bomb = tmp_path / "bomb.ab"
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(bytes(1 << 20)) for _ in range(64)) + comp.flush()
    bomb.write_bytes(b"ANDROID BACKUP\n5\n1\nnone\n" + body)
    src = open_source(bomb.parent, tmp_path / "s1")
    assert [i.member for i in src.issues] == ["bomb.ab"]
    assert "would unpack to more than" in src.issues[0].reason
    cut = tmp_path / "cut" / "backup.ab"
    cut.parent.mkdir()
    full = testdata("phone", "peers", "mvt", "artifacts", "android_backup", "backup.ab").read_bytes()
    cut.write_bytes(full[: len(full) // 2])
    recs = triage(cut.parent)
    warn = of(recs, "warning")
    assert len(warn) >= 1 and warn[0]["locator"]["member"].startswith("backup.ab")
    assert of(recs, "phone.source")[0]["files"] >= 1
