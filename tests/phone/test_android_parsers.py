"""One test per Android parser: a small real (plaso test data) or generated database + expected values."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import testdata
from tests.phone.helpers import CONTACTS2, MMSSMS, extraction_folder, make_db, of, triage



def test_android_sms_plaso_oracle(tmp_path: Path) -> None:
    recs = triage(extraction_folder(tmp_path, testdata("phone", "android", "mmssms.db")))
    sms = of(recs, "phone.message", "android_sms")
    assert len(sms) == 9
    assert sum(1 for r in sms if r["type"] == 2) == 5 and sum(1 for r in sms if r["type"] == 1) == 4
    first = sms[0]
    expected = {"address": {"raw": "1 555-521-5554", "e164": "+15555215554", "valid": False, "country": None},
                "body": "Yo Fred this is my new number.", "type": 2, "type_label": "sent", "read": 1,
                "time": {"utc": "2013-10-29T16:56:28.038000Z", "raw": 1383065788038, "format": "java_millis"}}
    for key, value in expected.items():
        assert first[key] == value, key
    assert first["locator"]["path"] == "mmssms.db" and first["locator"]["table"] == "sms"
    assert first["producer"]["parser"] == "android_sms" and first["producer"]["parser_version"] == "1"
    assert of(recs, "warning") == [] and of(recs, "error") == []


def test_android_calls_plaso_oracle(tmp_path: Path) -> None:
    recs = triage(extraction_folder(tmp_path, testdata("phone", "android", "contacts2.db")))
    calls = of(recs, "phone.call", "android_calls")
    assert len(calls) == 3
    first = calls[0]
    assert first["number"]["raw"] == "5404561685" and first["number"]["e164"] == "+15404561685"
    assert (first["type"], first["type_label"], first["duration_s"]) == (3, "missed", 0)
    assert first["time"]["utc"] == "2013-11-06T21:17:16.690000Z"
    assert first["locator"]["rowid"] == 714
    db = first["locator"]["db"]
    assert db["sha256_before"] == db["sha256_after"] == db["sha256_copy"]
    assert of(recs, "phone.contact") == []  # the plaso contacts2.db has no contacts


def test_android_viber_calls_plaso_oracle(tmp_path: Path) -> None:
    recs = triage(extraction_folder(tmp_path, testdata("phone", "android", "viber_data")))
    calls = of(recs, "phone.call", "android_viber_calls")
    assert len(calls) == 4
    fourth = calls[3]
    assert fourth["number"]["raw"] == "+19198887386" and fourth["number"]["e164"] == "+19198887386"
    assert (fourth["type"], fourth["duration_s"], fourth["app"]) == (2, 105, "viber")
    assert fourth["time"]["utc"] == "2022-11-25T20:43:08.267000Z"
    assert fourth["end_utc"] == "2022-11-25T20:44:53.267000Z"
    # calls.type 1 = incoming, 2 = outgoing (plaso's formatter and ALEAPP; fkit had them reversed)
    assert [(c["type"], c["type_label"]) for c in calls] == [
        (1, "incoming"), (2, "outgoing"), (1, "incoming"), (2, "outgoing")]
    assert [(c["viber_call_type"], c["media_label"]) for c in calls] == [
        (1, "audio"), (1, "audio"), (4, "video"), (4, "video")]


def test_android_contacts_generated(tmp_path: Path) -> None:
    db = make_db(tmp_path / "x" / "contacts2.db", CONTACTS2, {
        "raw_contacts": [(1, 1, None, 1, 0, 0, 1, 0, None, 0, 4, 1700000000000, 1, 0, "Youssef El Amrani", None, 40),
                         (2, 1, None, 1, 0, 1, 2, 0, None, 0, 0, None, 0, 0, "Amina", None, 40)],
        "data": [(1, None, 5, 1, 0, 1, 0, 0, "0612345678", "2", None, None),
                 (2, None, 1, 1, 0, 0, 0, 0, "y.amrani@example.ma", "1", None, None),
                 (3, None, 5, 1, 0, 0, 0, 0, "+216 20 123 456", "1", None, None),
                 (4, None, 7, 2, 0, 0, 0, 0, "Amina", None, None, None)],
    })
    recs = triage(db.parent, region="MA")
    contacts = of(recs, "phone.contact", "android_contacts")
    assert [c["name"] for c in contacts] == ["Youssef El Amrani", "Amina"]
    y = contacts[0]
    assert [n["e164"] for n in y["numbers"]] == ["+212612345678", "+21620123456"]
    assert y["numbers"][0]["raw"] == "0612345678"
    assert y["emails"] == ["y.amrani@example.ma"]
    assert y["last_contacted"]["utc"] == "2023-11-14T22:13:20Z" and y["times_contacted"] == 4
    assert contacts[1]["deleted"] == 1 and contacts[1]["numbers"] == []
    assert y["locator"]["table"] == "raw_contacts" and y["locator"]["rowid"] == 1


def test_android_mms_generated(tmp_path: Path) -> None:
    db = make_db(tmp_path / "x" / "mmssms.db", MMSSMS, {
        "pdu": [(1, 3, 1700000000, 0, 1, 1, "m1", "photo", 106, "application/vnd.wap.multipart.related", None, None,
                 "personal", 132, 18, 1200)],
        "addr": [(1, 1, None, "+213551234567", 137, 106), (2, 1, None, "insert-address-token", 151, 106)],
        "part": [(1, 1, 0, "application/smil", None, None, None, None, None, None, None, None, None, "<smil/>"),
                 (2, 1, 1, "text/plain", None, 106, None, None, None, None, None, None, None, "look at this"),
                 (3, 1, 2, "image/jpeg", "IMG.jpg", None, None, None, None, None, None, None, "/data/x", None)],
    })
    recs = triage(db.parent, region="DZ")
    mms = of(recs, "phone.message", "android_mms")
    assert len(mms) == 1
    m = mms[0]
    assert m["senders"][0]["e164"] == "+213551234567" and m["recipients"][0]["e164"] is None
    assert (m["body"], m["media_types"], m["msg_box"], m["type_label"]) == ("look at this", ["image/jpeg"], 1, "received")
    assert m["time"] == {"utc": "2023-11-14T22:13:20Z", "raw": 1700000000, "format": "unix_seconds"}


def test_android_accounts_generated(tmp_path: Path) -> None:
    db = make_db(tmp_path / "system_ce" / "0" / "accounts_ce.db",
                 "CREATE TABLE accounts (_id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, "
                 "password TEXT, previous_name TEXT, last_password_entry_time_millis_epoch INTEGER DEFAULT 0);",
                 {"accounts": [(1, "suspect@gmail.com", "com.google", None, None, 0),
                               (2, "+212600000001", "com.whatsapp", None, None, 1600000000000)]})
    recs = of(triage(db.parents[1]), "phone.account")
    assert [(r["account"], r["account_type"]) for r in recs] == [("suspect@gmail.com", "com.google"),
                                                                  ("+212600000001", "com.whatsapp")]
    assert recs[0]["last_password_entry"] is None
    assert recs[1]["last_password_entry"]["utc"] == "2020-09-13T12:26:40Z"


def test_android_siminfo_generated(tmp_path: Path) -> None:
    db = make_db(tmp_path / "x" / "telephony.db",
                 "CREATE TABLE siminfo (_id INTEGER PRIMARY KEY AUTOINCREMENT, icc_id TEXT NOT NULL, sim_id INTEGER, "
                 "display_name TEXT, carrier_name TEXT, number TEXT, mcc INTEGER, mnc INTEGER, card_id TEXT);",
                 {"siminfo": [(1, "89216010000000000017", 0, "Ooredoo", "Ooredoo TN", "20123456", 605, 3, "x")]})
    dev = of(triage(db.parent, region="TN"), "phone.device", "android_siminfo")
    assert len(dev) == 1
    assert dev[0]["iccid"] == "89216010000000000017" and dev[0]["phone_number"]["e164"] == "+21620123456"
    assert (dev[0]["mcc"], dev[0]["mnc"], dev[0]["carrier"]) == (605, 3, "Ooredoo TN")


def test_android_build_prop_and_settings(tmp_path: Path) -> None:
    sysdir = tmp_path / "system"
    sysdir.mkdir()
    (sysdir / "build.prop").write_text(
        "# begin build properties\nro.build.id=QP1A.190711.020\nro.build.display.id=QP1A.190711.020.G973FXXU3\n"
        "ro.build.version.release=10\nro.build.version.sdk=29\nro.product.model=SM-G973F\n"
        "ro.product.manufacturer=samsung\npersist.sys.timezone=Africa/Casablanca\nro.unrelated=1\n")
    settings = tmp_path / "data" / "system" / "users" / "0"
    settings.mkdir(parents=True)
    (settings / "settings_global.xml").write_text(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<settings version=\"-1\">\n"
        "  <setting id=\"1\" name=\"device_name\" value=\"Galaxy S10\" package=\"android\" />\n"
        "  <setting id=\"2\" name=\"auto_time_zone\" value=\"1\" package=\"android\" />\n</settings>\n")
    recs = triage(tmp_path)
    bp = of(recs, "phone.device", "android_build_prop")[0]
    assert (bp["manufacturer"], bp["model"], bp["os_version"], bp["build"], bp["timezone"]) == (
        "samsung", "SM-G973F", "10", "QP1A.190711.020.G973FXXU3", "Africa/Casablanca")
    assert "ro.unrelated" not in bp["properties"]
    st = of(recs, "phone.device", "android_settings_xml")[0]
    assert (st["device_name"], st["auto_time_zone"]) == ("Galaxy S10", "1")
    assert recs[0]["platform"] == "android"


def test_android_whatsapp_current_schema(tmp_path: Path) -> None:
    db = make_db(tmp_path / "com.whatsapp" / "databases" / "msgstore.db", """
        CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT NOT NULL,
          agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT);
        CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER UNIQUE, hidden INTEGER,
          subject TEXT, created_timestamp INTEGER);
        CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT NULL, from_me INTEGER NOT NULL,
          key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER, broadcast INTEGER, recipient_count INTEGER,
          participant_hash TEXT, origination_flags INTEGER, origin INTEGER, timestamp INTEGER, received_timestamp INTEGER,
          receipt_server_timestamp INTEGER, message_type INTEGER, text_data TEXT, starred INTEGER, lookup_tables INTEGER);
        CREATE TABLE group_participant_user (_id INTEGER PRIMARY KEY AUTOINCREMENT, group_jid_row_id INTEGER NOT NULL,
          user_jid_row_id INTEGER NOT NULL, rank INTEGER, pending INTEGER);
        """, {
        "jid": [(1, "212612345678", "s.whatsapp.net", 0, 0, 0, "212612345678@s.whatsapp.net"),
                (2, "120363023356659014", "g.us", 0, 0, 1, "120363023356659014@g.us"),
                (3, "21698765432", "s.whatsapp.net", 0, 0, 0, "21698765432@s.whatsapp.net")],
        "chat": [(1, 1, 0, None, 1690000000000), (2, 2, 0, "Transport", 1690000000000)],
        "message": [(1, 1, 1, "K1", None, 13, 0, 0, None, 0, 0, 1690000001000, 1690000001500, None, 0, "salam", 0, 0),
                    (2, 2, 0, "K2", 3, 0, 0, 0, None, 0, 0, 1690000002000, 1690000002100, None, 0, "demain 6h", 0, 0)],
        "group_participant_user": [(1, 2, 3, 0, 0), (2, 2, 1, 2, 0)],
    })
    recs = triage(db.parents[2], region="MA")
    msgs = of(recs, "phone.message", "android_whatsapp_messages")
    assert [m["body"] for m in msgs] == ["salam", "demain 6h"]
    assert msgs[0]["chat"]["number"]["e164"] == "+212612345678" and msgs[0]["from_me"] == 1
    assert msgs[1]["chat"]["type"] == "group" and msgs[1]["group_subject"] == "Transport"
    assert msgs[1]["sender"]["number"]["e164"] == "+21698765432"
    assert msgs[1]["time"]["utc"] == "2023-07-22T04:26:42Z"
    members = of(recs, "phone.contact", "android_whatsapp_group_participant_user")
    assert [m["jid"]["raw"] for m in members] == ["21698765432@s.whatsapp.net", "212612345678@s.whatsapp.net"]
    # the legacy parser finds no ``messages`` table: skipped silently because another variant matched
    assert of(recs, "warning") == []


def test_android_whatsapp_legacy_schema_and_wa_db(tmp_path: Path) -> None:
    base = tmp_path / "com.whatsapp" / "databases"
    make_db(base / "msgstore.db", """
        CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL,
          key_from_me INTEGER, key_id TEXT NOT NULL, status INTEGER, needs_push INTEGER, data TEXT, timestamp INTEGER,
          media_url TEXT, media_mime_type TEXT, media_wa_type TEXT, media_size INTEGER, media_name TEXT,
          media_caption TEXT, media_hash TEXT, media_duration INTEGER, origin INTEGER, latitude REAL, longitude REAL,
          thumb_image TEXT, remote_resource TEXT, received_timestamp INTEGER);
        CREATE TABLE group_participants (_id INTEGER PRIMARY KEY AUTOINCREMENT, gjid TEXT NOT NULL, jid TEXT NOT NULL,
          admin INTEGER, pending INTEGER, sent_sender_key INTEGER);
        """, {
        "messages": [(1, "-1", 0, "-1", -1, 0, None, 0, None, None, "0", 0, None, None, None, 0, 0, 0.0, 0.0, None, None, 0),
                     (2, "213661234567@s.whatsapp.net", 0, "A1", 0, 0, "rendez-vous au port", 1500000000000, None, None,
                      "0", 0, None, None, None, 0, 0, 35.7, -0.6, None, None, 1500000000500)],
        "group_participants": [(1, "120363000000000001@g.us", "213661234567@s.whatsapp.net", 1, 0, 0)],
    })
    make_db(base / "wa.db", """
        CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL, is_whatsapp_user BOOLEAN NOT NULL,
          status TEXT, status_timestamp INTEGER, number TEXT, raw_contact_id INTEGER, display_name TEXT,
          phone_type INTEGER, phone_label TEXT, unseen_msg_count INTEGER, photo_ts INTEGER, given_name TEXT,
          family_name TEXT, wa_name TEXT, sort_name TEXT);
        """, {"wa_contacts": [(1, "213661234567@s.whatsapp.net", 1, "Hey there!", 0, "0661234567", 4, "Karim", 2,
                               None, 0, 0, "Karim", None, "K", "Karim"),
                              (2, "120363000000000001@g.us", 0, None, 0, None, None, "Port group", None, None, 0, 0,
                               None, None, None, None)]})
    recs = triage(tmp_path, region="DZ")
    msgs = of(recs, "phone.message", "android_whatsapp_messages_legacy")
    assert len(msgs) == 1  # the -1 system row is not a message
    assert msgs[0]["chat"]["number"]["e164"] == "+213661234567" and msgs[0]["body"] == "rendez-vous au port"
    assert msgs[0]["location"] == {"lat": 35.7, "lon": -0.6}
    contacts = of(recs, "phone.contact", "android_whatsapp_contacts")
    assert [(c["contact_type"], c["name"]) for c in contacts] == [("user", "Karim"), ("group", "Port group")]
    assert contacts[0]["numbers"][0]["e164"] == "+213661234567"
    members = of(recs, "phone.contact", "android_whatsapp_group_participants")
    assert members[0]["group"]["raw"] == "120363000000000001@g.us" and members[0]["admin"] == 1


def test_android_packages_xml_and_abx(tmp_path: Path) -> None:
    system = tmp_path / "data" / "system"
    system.mkdir(parents=True)
    (system / "packages.xml").write_text(
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<packages>\n"
        "<package name=\"com.whatsapp\" codePath=\"/data/app/com.whatsapp-1\" ft=\"18b8f0c1a10\" it=\"18b8f0c1a10\" "
        "ut=\"18b8f0c1a10\" version=\"231112\" userId=\"10180\" installer=\"com.android.vending\" />\n"
        "<package name=\"org.telegram.messenger\" codePath=\"/data/app/org.telegram\" it=\"zz\" version=\"1\" />\n"
        "</packages>\n")
    recs = triage(tmp_path)
    apps = of(recs, "phone.app", "android_packages_xml")
    assert [a["package"] for a in apps] == ["com.whatsapp", "org.telegram.messenger"]
    assert apps[0]["first_install"] == {"utc": "2023-11-02T08:00:16.912000Z", "raw": 1698912016912,
                                        "format": "java_millis"}
    assert apps[0]["installer"] == "com.android.vending" and apps[0]["version_code"] == "231112"
    assert apps[1]["first_install"]["invalid"] is True
    # Android 12+ binary XML: a warning naming the format, never a crash or a guess
    (system / "packages.xml").write_bytes(b"ABX\x00" + bytes(64))
    recs = triage(tmp_path)
    assert of(recs, "phone.app") == []
    warn = of(recs, "warning")
    assert len(warn) == 1 and "Android Binary XML (ABX) packages.xml: could not be decoded" in warn[0]["warning"]["reason"]
    assert warn[0]["locator"]["path"] == "data/system/packages.xml"


def test_android_wifi_config_store(tmp_path: Path) -> None:
    d = tmp_path / "misc" / "wifi"
    d.mkdir(parents=True)
    (d / "WifiConfigStore.xml").write_text(
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<WifiConfigStoreData>\n<int name=\"Version\" value=\"3\" />\n"
        "<NetworkList>\n<Network>\n<WifiConfiguration>\n"
        "<string name=\"ConfigKey\">&quot;Safe House&quot;WPA_PSK</string>\n"
        "<string name=\"SSID\">&quot;Safe House&quot;</string>\n<null name=\"BSSID\" />\n"
        "<string name=\"PreSharedKey\">&quot;s3cret&quot;</string>\n<boolean name=\"HiddenSSID\" value=\"false\" />\n"
        "<byte-array name=\"AllowedKeyMgmt\" num=\"1\">02</byte-array>\n"
        "<string name=\"CreatorName\">android.uid.system:1000</string>\n"
        "<string name=\"CreationTime\">time=11-14 22:13:20.000</string>\n"
        "</WifiConfiguration>\n<NetworkStatus>\n<string name=\"SelectionStatus\">NETWORK_SELECTION_ENABLED</string>\n"
        "</NetworkStatus>\n</Network>\n</NetworkList>\n</WifiConfigStoreData>\n")
    wifi = of(triage(tmp_path), "phone.wifi")
    assert len(wifi) == 1
    w = wifi[0]
    assert (w["ssid"], w["ssid_raw"], w["bssid"], w["pre_shared_key"], w["key_mgmt"]) == (
        "Safe House", '"Safe House"', None, '"s3cret"', "02")
    assert w["selection_status"] == "NETWORK_SELECTION_ENABLED" and w["hidden"] == "false"
    assert w["locator"]["element"] == "WifiConfigStoreData/NetworkList/Network[1]" and len(w["locator"]["sha256"]) == 64
