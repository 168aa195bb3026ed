"""Detection by content (issue 15): iTunes/Finder backups without Manifest.plist, encrypted ones
told by their content, SQLite found by schema, and nothing left unread without a record."""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime
from pathlib import Path

from tests.conftest import fkit, testdata
from tests.phone.helpers import make_db, of, triage, write_plist

CHATSTORAGE = """CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZCONTACTJID VARCHAR, ZPARTNERNAME VARCHAR, ZLASTMESSAGEDATE TIMESTAMP);
CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZISFROMME INTEGER,
  ZMESSAGESTATUS INTEGER, ZMESSAGETYPE INTEGER, ZSTARRED INTEGER, ZCHATSESSION INTEGER, ZMESSAGEDATE TIMESTAMP,
  ZSENTDATE TIMESTAMP, ZFROMJID VARCHAR, ZSTANZAID VARCHAR, ZTEXT VARCHAR, ZTOJID VARCHAR);"""
CONTACTSV2 = """CREATE TABLE ZWAADDRESSBOOKCONTACT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZABOUTTIMESTAMP TIMESTAMP, ZABOUTTEXT VARCHAR, ZFULLNAME VARCHAR, ZGIVENNAME VARCHAR, ZIDENTIFIER VARCHAR,
  ZPHONENUMBER VARCHAR, ZPHONENUMBERLABEL VARCHAR, ZWHATSAPPID VARCHAR);"""
WA_GROUP = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"


def _file_id(domain: str, rel: str) -> str:
    return hashlib.sha1(f"{domain}-{rel}".encode()).hexdigest()


def mvt_like_backup(tmp_path: Path) -> Path:
    """A backup laid out like MVT's test backup: Info.plist, Status.plist, Manifest.db and hashed
    files, and no Manifest.plist. SMS, 3 WhatsApp messages, 2 WhatsApp contacts."""
    root = tmp_path / "backup" / "00008030-001A"
    root.mkdir(parents=True)
    staged = tmp_path / "staged"
    make_db(staged / "ChatStorage.sqlite", CHATSTORAGE, {
        "ZWACHATSESSION": [(1, 4, 1, "33612345678@s.whatsapp.net", "Nadia", 588813210)],
        "ZWAMESSAGE": [(1, 9, 1, 0, 8, 0, 0, 1, 588813210, None, "33612345678@s.whatsapp.net", "A1", "Salut", None),
                       (2, 9, 1, 1, 13, 0, 0, 1, 588813260, 588813260, None, "A2", "https://example.org/x", "33612345678@s.whatsapp.net"),
                       (3, 9, 1, 0, 8, 0, 0, 1, 588813300, None, "33612345678@s.whatsapp.net", "A3", "ok", None)]})
    make_db(staged / "ContactsV2.sqlite", CONTACTSV2, {"ZWAADDRESSBOOKCONTACT": [
        (1, 2, 1, None, None, "Nadia", "Nadia", None, "+33 6 12 34 56 78", "mobile", "33612345678@s.whatsapp.net"),
        (2, 2, 1, None, None, "Omar", "Omar", None, "+212 6 00 00 00 01", "mobile", "212600000001@s.whatsapp.net")]})
    files = [("HomeDomain", "Library/SMS/sms.db", testdata("phone", "ios", "sms.db")),
             (WA_GROUP, "ChatStorage.sqlite", staged / "ChatStorage.sqlite"),
             (WA_GROUP, "ContactsV2.sqlite", staged / "ContactsV2.sqlite")]
    rows = []
    for domain, rel, src in files:
        fid = _file_id(domain, rel)
        (root / fid[:2]).mkdir(exist_ok=True)
        shutil.copy(src, root / fid[:2] / fid)
        rows.append((fid, domain, rel, 1, b""))
    rows.append((_file_id("AppDomain-net.whatsapp.WhatsApp", "Library"), "AppDomain-net.whatsapp.WhatsApp",
                 "Library", 2, b""))
    make_db(root / "Manifest.db",
            "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB);"
            "CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);", {"Files": rows})
    write_plist(root / "Info.plist", {"Device Name": "Test iPhone", "Product Type": "iPhone12,3",
                                      "Product Version": "13.6", "Serial Number": "C39ZXXXXN70X",
                                      "Last Backup Date": datetime(2020, 8, 1, 10, 0, 0)}, binary=False)
    write_plist(root / "Status.plist", {"IsFullBackup": False, "Version": "3.3", "BackupState": "new",
                                        "Date": datetime(2020, 8, 1, 10, 0, 0)})
    return tmp_path / "backup"


def test_backup_without_manifest_plist_is_a_backup(tmp_path: Path) -> None:
    recs = triage(mvt_like_backup(tmp_path), region="FR")
    src = of(recs, "phone.source")[0]
    assert (src["source_kind"], src["platform"]) == ("ios_backup", "ios")
    assert len(of(recs, "phone.message", "ios_sms")) == 10
    wa = of(recs, "phone.message", "ios_whatsapp_messages")
    assert [m["body"] for m in wa] == ["Salut", "https://example.org/x", "ok"]
    assert wa[0]["time"]["utc"] == "2019-08-29T23:13:30Z"
    assert wa[0]["locator"]["path"] == f"{WA_GROUP}/ChatStorage.sqlite"
    contacts = of(recs, "phone.contact", "ios_whatsapp_contacts")
    assert [(c["name"], c["numbers"][0]["e164"]) for c in contacts] == [("Nadia", "+33612345678"),
                                                                        ("Omar", "+212600000001")]
    dev = of(recs, "phone.device", "ios_backup_info")
    assert dev[0]["serial"] == "C39ZXXXXN70X"
    assert of(recs, "warning") == [] and of(recs, "error") == []


def test_backup_inside_its_udid_folder_through_the_cli(tmp_path: Path) -> None:
    res = fkit("phone", mvt_like_backup(tmp_path), "--region", "FR")
    assert res.returncode == 0, res.stderr
    assert b"ios ios_backup" in res.stderr and b"13 message" in res.stderr and b"2 contact" in res.stderr


def test_encrypted_backup_without_manifest_plist_is_said(tmp_path: Path) -> None:
    root = mvt_like_backup(tmp_path) / "00008030-001A"
    (root / "Manifest.db").write_bytes(bytes(range(256)) * 64)  # encrypted: not an SQLite header
    recs = triage(root)
    warn = of(recs, "warning")
    assert len(warn) == 1 and "encrypted backup" in warn[0]["warning"]["reason"]
    assert "--backup-password" in warn[0]["warning"]["reason"]
    assert of(recs, "phone.source")[0]["encrypted_backup"] is True
    assert of(recs, "phone.message") == []


def test_encrypted_backup_with_a_password_but_no_keybag_is_a_warning(tmp_path: Path) -> None:
    root = mvt_like_backup(tmp_path) / "00008030-001A"
    (root / "Manifest.db").write_bytes(bytes(range(256)) * 64)
    write_plist(root / "Manifest.plist", {"IsEncrypted": True, "BackupKeyBag": b"\x00" * 40, "ManifestKey": b"x" * 44})
    recs = triage(root, backup_password="123456")
    warn = of(recs, "warning")
    assert len(warn) == 1 and warn[0]["warning"]["stage"] == "decrypt"
    assert "encrypted backup not opened" in warn[0]["warning"]["reason"]


def test_unparsed_databases_plists_and_app_folders_are_listed(tmp_path: Path) -> None:
    ex = tmp_path / "ex"
    make_db(ex / "data" / "data" / "com.unknown.chat" / "databases" / "store.db",
            "CREATE TABLE secrets (id INTEGER, body TEXT);", {"secrets": [(1, "x")]})
    (ex / "data" / "data" / "com.unknown.chat" / "files").mkdir(parents=True)
    (ex / "data" / "data" / "com.unknown.chat" / "files" / "blob.bin").write_bytes(b"\x00" * 10)
    write_plist(ex / "data" / "data" / "com.other.app" / "prefs.plist", {"k": "v"})
    (ex / "data" / "system").mkdir(parents=True)
    (ex / "data" / "system" / "packages.xml").write_text(
        "<packages><package name='com.unknown.chat' codePath='/x' ft='1' it='1' ut='1' version='1' userId='10001'/>"
        "<package name='com.viber.voip' codePath='/y' ft='1' it='1' ut='1' version='1' userId='10002'/></packages>")
    recs = triage(ex)
    un = of(recs, "phone.unparsed")
    got = sorted((u["what"], u.get("app_id"), u.get("path"), u.get("size")) for u in un)
    db_size = (ex / "data/data/com.unknown.chat/databases/store.db").stat().st_size
    plist_size = (ex / "data/data/com.other.app/prefs.plist").stat().st_size
    assert got == [
        ("app_folder", "com.other.app", "data/data/com.other.app", plist_size),
        ("app_folder", "com.unknown.chat", "data/data/com.unknown.chat", db_size + 10),
        ("database", "com.unknown.chat", "data/data/com.unknown.chat/databases/store.db", db_size),
        ("plist", "com.other.app", "data/data/com.other.app/prefs.plist", plist_size)]
    db = [u for u in un if u["what"] == "database"][0]
    assert db["tables"] == ["secrets"]
    # com.viber.voip has a parser; com.unknown.chat is covered by its app_folder record already
    assert not [u for u in un if u["what"] == "installed_app"]
    res = fkit("phone", ex)
    assert b"not parsed: 2 app folders, 1 databases, 1 plists" in res.stderr


def test_installed_apps_without_a_parser_are_listed(tmp_path: Path) -> None:
    (tmp_path / "packages.xml").write_text(
        "<packages><package name='com.snapchat.android' codePath='/x' version='1' userId='1'/>"
        "<package name='com.whatsapp' codePath='/y' version='1' userId='2'/></packages>")
    un = of(triage(tmp_path), "phone.unparsed")
    assert [(u["what"], u["app_id"]) for u in un] == [("installed_app", "com.snapchat.android")]


def test_ios_container_named_by_its_metadata(tmp_path: Path) -> None:
    box = tmp_path / "private" / "var" / "mobile" / "Containers" / "Data" / "Application" / \
        "0A1B2C3D-1111-2222-3333-444455556666"
    write_plist(box / ".com.apple.mobile_container_manager.metadata.plist",
                {"MCMMetadataIdentifier": "com.burbn.instagram"})
    make_db(box / "Library" / "cache.sqlite", "CREATE TABLE t (a);")
    un = of(triage(tmp_path), "phone.unparsed")
    assert sorted((u["what"], u["app_id"]) for u in un) == [("app_folder", "com.burbn.instagram"),
                                                           ("database", "com.burbn.instagram")]


def test_encrypted_backup_opened_with_its_password(tmp_path: Path) -> None:
    from tests.phone.ios_encrypted_backup import make_encrypted_backup

    root = make_encrypted_backup(
        tmp_path / "enc", "123456",
        [("HomeDomain", "Library/SMS/sms.db", testdata("phone", "ios", "sms.db").read_bytes())],
        {"Device Name": "Enc", "Product Type": "iPhone12,3", "Serial Number": "ENC0001"})
    recs = triage(root, backup_password="123456")
    assert of(recs, "phone.source")[0]["encrypted_backup"] is True
    msgs = of(recs, "phone.message", "ios_sms")
    assert len(msgs) == 10 and msgs[0]["locator"]["path"] == "HomeDomain/Library/SMS/sms.db"
    assert msgs[7]["time"]["utc"] == "2015-11-30T10:48:40Z"
    assert of(recs, "warning") == [] and of(recs, "error") == []
    wrong = triage(root, backup_password="000000")
    warn = of(wrong, "warning")
    assert len(warn) == 1 and warn[0]["warning"]["stage"] == "decrypt"
    assert "IncorrectPassphraseError" in warn[0]["warning"]["reason"]
    assert of(wrong, "phone.message") == []
    res = fkit("phone", root, env={"FKIT_BACKUP_PASSWORD": "123456"})
    assert res.returncode == 0 and b"10 message" in res.stderr and res.stdout.startswith(b"{")


def test_evidence_access_times_unchanged(tmp_path: Path) -> None:
    """Sniffing, hashing, copying and plist reading use O_NOATIME: the extraction's atimes stay."""
    import os

    ex = tmp_path / "ex"
    make_db(ex / "data" / "data" / "com.x" / "databases" / "x.db", "CREATE TABLE t (a);")
    shutil.copy(testdata("phone", "android", "mmssms.db"), ex / "mmssms.db")
    write_plist(ex / "com.apple.iPod.plist", {"Devices": {}})
    write_plist(ex / "other.plist", {"a": 1})
    before = {}
    for p in ex.rglob("*"):
        if p.is_file():
            st = p.stat()
            os.utime(p, ns=(st.st_mtime_ns - 10**12, st.st_mtime_ns))  # atime older than mtime: relatime would update
            before[p] = p.stat().st_atime_ns
    triage(ex)
    assert {p: p.stat().st_atime_ns for p in before} == before


def test_archive_and_backup_access_times_unchanged(tmp_path: Path) -> None:
    import os
    import zipfile

    z = tmp_path / "ex.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("system/build.prop", "ro.product.model=X\n")
    ab = testdata("phone", "peers", "mvt", "artifacts", "android_backup", "backup.ab")
    (tmp_path / "ab").mkdir()
    shutil.copy(ab, tmp_path / "ab" / "backup.ab")
    root = mvt_like_backup(tmp_path / "b") / "00008030-001A"
    files = [z, tmp_path / "ab" / "backup.ab", *[p for p in root.rglob("*") if p.is_file()]]
    before = {}
    for p in files:
        st = p.stat()
        os.utime(p, ns=(st.st_mtime_ns - 10**12, st.st_mtime_ns))
        before[p] = p.stat().st_atime_ns
    triage(z)
    triage(tmp_path / "ab")
    triage(root)
    assert {p: p.stat().st_atime_ns for p in before} == before
