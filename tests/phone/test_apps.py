"""The region's messaging apps and browsers (issue 15): one parser file each, generated databases
with the published schemas (ALEAPP/iLEAPP/plaso/app sources), plaso's IMO database as an oracle."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import fkit, testdata
from tests.phone.helpers import make_db, of, triage

VIBER_MESSAGES = """
CREATE TABLE participants_info (_id INTEGER PRIMARY KEY AUTOINCREMENT, participant_type INTEGER, member_id TEXT,
  number TEXT, encrypted_number TEXT, display_name TEXT, contact_name TEXT, contact_id LONG);
CREATE TABLE participants (_id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id LONG, participant_info_id LONG,
  group_role INTEGER, active INTEGER);
CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, msg_date LONG, msg_date_real LONG, unread INTEGER,
  deleted INTEGER, conversation_id LONG, participant_id LONG, token LONG, send_type INTEGER, body TEXT,
  extra_uri TEXT, extra_mime INTEGER, location_lat INTEGER, location_lng INTEGER);
"""


def test_viber_messages(tmp_path: Path) -> None:
    db = tmp_path / "data" / "data" / "com.viber.voip" / "databases" / "viber_messages"
    make_db(db, VIBER_MESSAGES, {
        "participants_info": [(1, 0, "me", "+212600000001", None, "Me", None, None),
                              (2, 1, "x", "+212600000002", None, "Rachid", "Rachid", 7),
                              (3, 1, "y", "+212600000003", None, "Samir", "Samir", 8)],
        "participants": [(1, 10, 1, 0, 1), (2, 10, 2, 0, 1), (3, 10, 3, 0, 1)],
        "messages": [(1, 1700000000000, 1700000000000, 0, 0, 10, 2, 1, 0, "Bateau demain 6h", None, None, 0, 0),
                     (2, 1700000060000, 1700000060000, 0, 0, 10, 1, 2, 1, "ok", "file:///x.jpg", 1,
                      35775530, -5803420)]})
    recs = triage(tmp_path, region="MA")
    msgs = of(recs, "phone.message", "android_viber_messages")
    assert [(m["sender"]["e164"], sorted(r["e164"] for r in m["recipients"]), m["type_label"], m["body"])
            for m in msgs] == [
        ("+212600000002", ["+212600000001", "+212600000003"], "incoming", "Bateau demain 6h"),
        ("+212600000001", ["+212600000002", "+212600000003"], "outgoing", "ok")]
    assert msgs[0]["time"]["utc"] == "2023-11-14T22:13:20Z" and msgs[0]["thread_id"] == 10
    assert msgs[1]["attachments"] == [{"uri": "file:///x.jpg", "mime": 1}]
    assert msgs[1]["location"] == {"lat": 35.77553, "lon": -5.80342, "raw": [35775530, -5803420],
                                   "unit": "microdegrees"}
    assert of(recs, "phone.unparsed") == []


def test_viber_contacts_from_plaso_viber_data_and_generated(tmp_path: Path) -> None:
    src = tmp_path / "a"
    src.mkdir()
    shutil.copy(testdata("phone", "android", "viber_data"), src / "viber_data")
    recs = triage(src)
    assert len(of(recs, "phone.call", "android_viber_calls")) == 4
    contacts = of(recs, "phone.contact", "android_viber_contacts")
    import sqlite3

    conn = sqlite3.connect(f"file:{src / 'viber_data'}?mode=ro", uri=True)
    n = conn.execute("SELECT count(*) FROM phonebookcontact").fetchone()[0]
    conn.close()
    assert len(contacts) == n
    make_db(tmp_path / "b" / "viber_data",
            "CREATE TABLE phonebookcontact (_id INTEGER PRIMARY KEY, native_id LONG, display_name TEXT, starred BOOLEAN,"
            " viber BOOLEAN);"
            "CREATE TABLE phonebookdata (_id INTEGER PRIMARY KEY, contact_id LONG, data1 TEXT, data2 TEXT, data3 TEXT,"
            " mime_type INTEGER);",
            {"phonebookcontact": [(1, 5, "Khalid", 0, 1)], "phonebookdata": [(1, 1, "0612345678", "+212612345678", None, 0)]})
    c = of(triage(tmp_path / "b", region="MA"), "phone.contact", "android_viber_contacts")
    assert [(x["name"], [n["e164"] for n in x["numbers"]]) for x in c] == [("Khalid", ["+212612345678"])]


def test_imo_ios_plaso_oracle(tmp_path: Path) -> None:
    """plaso's ios_imohdchat test: 16 messages; the first from 'This Is DFIR Two' at
    2023-04-26T18:11:40.927, 'Are you on imo?', status (ZISSENT) 0."""
    shutil.copy(testdata("corpus", "mobile", "ios", "plaso", "IMODb2.sqlite"), tmp_path / "IMODb2.sqlite")
    recs = triage(tmp_path)
    msgs = of(recs, "phone.message", "ios_imo_messages")
    assert len(msgs) == 16
    first = msgs[0]
    assert (first["chat_name"], first["time"]["utc"], first["body"], first["from_me"]) == (
        "This Is DFIR Two", "2023-04-26T18:11:40.927000Z", "Are you on imo?", 0)
    assert len(of(recs, "phone.contact", "ios_imo_contacts")) == 4


def test_imo_android(tmp_path: Path) -> None:
    base = tmp_path / "data" / "data" / "com.imo.android.imous" / "databases"
    make_db(base / "imofriends.db",
            "CREATE TABLE friends (buid TEXT PRIMARY KEY, name TEXT);"
            "CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, buid TEXT, last_message TEXT, "
            "timestamp INTEGER, message_type INTEGER, message_read INTEGER, imdata TEXT, author TEXT);",
            {"friends": [("2000810370507916", "Amine")],
             "messages": [(1, "2000810370507916", "salam", 1682532700927000000, 1, 1, None, None),
                          (2, "2000810370507916", None, 1682532800000000000, 2, 1,
                           json.dumps({"type": "photo", "local_path": "/sdcard/imo/p.jpg"}), None)]})
    make_db(base / "accountdb.db", "CREATE TABLE account (uid TEXT, name TEXT);", {"account": [("9001", "Me")]})
    recs = triage(tmp_path)
    msgs = of(recs, "phone.message", "android_imo_messages")
    assert [(m["chat"]["raw"], m["message_type"], m["time"]["utc"], m["body"]) for m in msgs] == [
        ("2000810370507916", 1, "2023-04-26T18:11:40.927000Z", "salam"),
        ("2000810370507916", 2, "2023-04-26T18:13:20Z", None)]
    assert msgs[1]["attachments"] == [{"path": "/sdcard/imo/p.jpg", "type": "photo"}]
    assert [(a["account_id"], a["name"]) for a in of(recs, "phone.account", "android_imo_account")] == [("9001", "Me")]


TELEGRAM = """
CREATE TABLE users(uid INTEGER PRIMARY KEY, name TEXT, status INTEGER, data BLOB);
CREATE TABLE messages_v2(mid INTEGER, uid INTEGER, read_state INTEGER, send_state INTEGER, date INTEGER, data BLOB,
  out INTEGER, ttl INTEGER, media INTEGER, replydata BLOB, imp INTEGER, mention INTEGER, forwards INTEGER,
  replies_data BLOB, thread_reply_id INTEGER, is_channel INTEGER, reply_to_message_id INTEGER, custom_params BLOB,
  group_id INTEGER, PRIMARY KEY(mid, uid));
"""


def test_telegram_android_metadata_and_users(tmp_path: Path) -> None:
    make_db(tmp_path / "data" / "data" / "org.telegram.messenger" / "files" / "cache4.db", TELEGRAM, {
        "users": [(5551234, "youssef amrani;;;yamrani", 1700000000, b"\x00")],
        "messages_v2": [(1, 5551234, 3, 0, 1700000000, b"\x11" * 40, 0, 0, 0, None, 0, 0, 0, None, 0, 0, 0, None, 0),
                        (2, -100777, 3, 0, 1700000100, b"\x22" * 20, 1, 0, 0, None, 0, 0, 0, None, 0, 1, 0, None, 0)]})
    recs = triage(tmp_path)
    msgs = of(recs, "phone.message", "android_telegram_messages")
    assert [(m["chat"], m["type_label"], m["time"]["utc"], m["data_bytes"], m["body"]) for m in msgs] == [
        ({"raw": -100777, "type": "group_or_channel"}, "sent", "2023-11-14T22:15:00Z", 20, None),
        ({"raw": 5551234, "type": "user"}, "received", "2023-11-14T22:13:20Z", 40, None)]
    assert "not decoded" in msgs[0]["body_note"]
    users = of(recs, "phone.contact", "android_telegram_users")
    assert [(u["name"], u["username"], u["telegram_id"]) for u in users] == [("youssef amrani", "yamrani", 5551234)]


def test_signal_is_detected_and_the_key_named(tmp_path: Path) -> None:
    d = tmp_path / "data" / "data" / "org.thoughtcrime.securesms" / "databases"
    d.mkdir(parents=True)
    (d / "signal.db").write_bytes(bytes(range(256)) * 16)
    recs = triage(tmp_path)
    warn = of(recs, "warning")
    assert len(warn) == 1 and warn[0]["producer"]["parser"] == "signal_db"
    assert "encrypted (SQLCipher)" in warn[0]["warning"]["reason"] and "Android Keystore" in warn[0]["warning"]["reason"]
    assert of(recs, "phone.unparsed") == []  # the app folder was looked at by a parser


CHROME = """
CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT, url LONGVARCHAR, title LONGVARCHAR,
  visit_count INTEGER DEFAULT 0 NOT NULL, typed_count INTEGER DEFAULT 0 NOT NULL, last_visit_time INTEGER NOT NULL,
  hidden INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT, url INTEGER NOT NULL, visit_time INTEGER NOT NULL,
  from_visit INTEGER, transition INTEGER DEFAULT 0 NOT NULL, segment_id INTEGER, visit_duration INTEGER DEFAULT 0 NOT NULL);
"""
SAFARI = """
CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, domain_expansion TEXT NULL,
  visit_count INTEGER NOT NULL);
CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT, history_item INTEGER NOT NULL, visit_time REAL NOT NULL,
  title TEXT NULL, load_successful BOOLEAN NOT NULL DEFAULT 1, http_non_get BOOLEAN NOT NULL DEFAULT 0,
  synthesized BOOLEAN NOT NULL DEFAULT 0, redirect_source INTEGER NULL, redirect_destination INTEGER NULL,
  origin INTEGER NOT NULL DEFAULT 0);
"""


def test_chrome_samsung_and_safari_history(tmp_path: Path) -> None:
    sb = tmp_path / "data" / "data" / "com.sec.android.app.sbrowser" / "app_sbrowser" / "Default" / "History"
    make_db(sb, CHROME, {"urls": [(1, "https://maps.example/route", "Route", 2, 1, 13345678901234567, 0)],
                         "visits": [(1, 1, 13345678901234567, 0, 0x30000001, 0, 5000000)]})
    make_db(tmp_path / "private" / "var" / "mobile" / "Library" / "Safari" / "History.db", SAFARI, {
        "history_items": [(1, "https://ferry.example/tickets", "ferry", 1)],
        "history_visits": [(1, 1, 721692800.5, "Tickets", 1, 0, 0, None, None, 0)]})
    recs = triage(tmp_path)
    v = of(recs, "phone.browser_visit")
    assert [(x["app"], x["url"], x["title"], x["time"]["utc"]) for x in v] == [
        ("samsung_internet", "https://maps.example/route", "Route", "2023-11-28T21:01:41.234567Z"),
        ("safari", "https://ferry.example/tickets", "Tickets", "2023-11-14T22:13:20.500000Z")]
    assert v[0]["transition_label"] == "typed"
    res = fkit("phone", tmp_path)
    assert b"2 browser_visit" in res.stderr


WA_MSGSTORE = """
CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT NOT NULL, agent INTEGER,
  device INTEGER, type INTEGER, raw_string TEXT);
CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER UNIQUE, hidden INTEGER, subject TEXT,
  created_timestamp INTEGER);
CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT NULL, from_me INTEGER NOT NULL,
  key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER, timestamp INTEGER, received_timestamp INTEGER,
  message_type INTEGER, text_data TEXT, starred INTEGER);
CREATE TABLE message_media (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER, autotransfer_retry_enabled INTEGER,
  multicast_id TEXT, media_job_uuid TEXT, transferred INTEGER, transcoded INTEGER, file_path TEXT, file_size INTEGER,
  suspicious_content INTEGER, trim_from INTEGER, trim_to INTEGER, face_x INTEGER, face_y INTEGER, media_key BLOB,
  media_key_timestamp INTEGER, width INTEGER, height INTEGER, has_streaming_sidecar INTEGER, gif_attribution INTEGER,
  thumbnail_height_width_ratio REAL, direct_path TEXT, first_scan_sidecar BLOB, first_scan_length INTEGER,
  message_url TEXT, mime_type TEXT, file_length INTEGER, media_name TEXT, file_hash TEXT, media_duration INTEGER,
  page_count INTEGER, enc_file_hash TEXT, partial_media_hash TEXT, partial_media_enc_hash TEXT, is_animated_sticker INTEGER,
  original_file_hash TEXT, mute_video INTEGER, media_caption TEXT);
CREATE TABLE message_location (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER, latitude REAL, longitude REAL,
  place_name TEXT, place_address TEXT, url TEXT, live_location_share_duration INTEGER,
  live_location_sequence_number INTEGER, live_location_final_latitude REAL, live_location_final_longitude REAL,
  live_location_final_timestamp INTEGER, map_download_status INTEGER);
"""


def test_whatsapp_android_attachments_and_shared_locations(tmp_path: Path) -> None:
    db = tmp_path / "data" / "data" / "com.whatsapp" / "databases" / "msgstore.db"
    media = [None] * 38
    media[0], media[1], media[7], media[8], media[25], media[37] = 2, 1, "Media/WhatsApp Images/IMG-1.jpg", 48213, \
        "image/jpeg", "le bateau"
    make_db(db, WA_MSGSTORE, {
        "jid": [(1, "212612345678", "s.whatsapp.net", 0, 0, 0, "212612345678@s.whatsapp.net")],
        "chat": [(1, 1, 0, None, 1690000000000)],
        "message": [(1, 1, 0, "K1", None, 0, 1690000001000, 1690000001500, 5, None, 0),
                    (2, 1, 1, "K2", None, 13, 1690000002000, 1690000002100, 1, "le bateau", 0),
                    (3, 1, 1, "K3", None, 13, 1690000003000, 1690000003100, 0, "salam", 0)],
        "message_media": [tuple(media)],
        "message_location": [(1, 1, 35.78912345678901, -5.81234567890123, "Port de Tanger", "Tanger", None,
                              None, None, None, None, None, None)]})
    msgs = of(triage(tmp_path, region="MA"), "phone.message", "android_whatsapp_messages")
    assert msgs[0]["location"] == {"lat": 35.78912345678901, "lon": -5.81234567890123, "place_name": "Port de Tanger",
                                   "place_address": "Tanger"}
    assert msgs[0]["attachments"] == [] and msgs[2]["attachments"] == [] and msgs[2]["location"] is None
    assert msgs[1]["attachments"] == [{"path": "Media/WhatsApp Images/IMG-1.jpg", "mime": "image/jpeg", "size": 48213,
                                       "caption": "le bateau"}]


def test_app_numbers_and_ids_feed_watchlist_and_links(tmp_path: Path) -> None:
    """A Viber sender's number hits the watchlist; an IMO id seen on two exhibits is a link."""
    from forensic_kit.phone.links import links
    from forensic_kit.phone.watchlist import Watchlist

    db = tmp_path / "a" / "data" / "data" / "com.viber.voip" / "databases" / "viber_messages"
    make_db(db, VIBER_MESSAGES, {
        "participants_info": [(1, 0, "me", "+212600000001", None, "Me", None, None),
                              (2, 1, "x", "+212600000002", None, "R", "R", 7)],
        "participants": [(1, 10, 1, 0, 1), (2, 10, 2, 0, 1)],
        "messages": [(1, 1700000000000, 1700000000000, 0, 0, 10, 2, 1, 0, "salam", None, None, 0, 0)]})
    (tmp_path / "wl.txt").write_text("phone,0600000002,passeur\n")
    wl = Watchlist.load(tmp_path / "wl.txt", "MA")
    hits = of(triage(tmp_path / "a", region="MA", watchlist=wl), "phone.watchlist_hit")
    assert [(h["matched"]["field"], h["matched"]["value"], h["entry"]["note"]) for h in hits] == [
        ("sender", "+212600000002", "passeur")]
    shutil.copy(testdata("corpus", "mobile", "ios", "plaso", "IMODb2.sqlite"), tmp_path / "IMODb2.sqlite")
    ios = tmp_path / "ios"
    ios.mkdir()
    shutil.move(str(tmp_path / "IMODb2.sqlite"), ios / "IMODb2.sqlite")
    base = tmp_path / "android" / "data" / "data" / "com.imo.android.imous" / "databases"
    make_db(base / "imofriends.db",
            "CREATE TABLE messages (_id INTEGER PRIMARY KEY, buid TEXT, last_message TEXT, timestamp INTEGER,"
            " message_type INTEGER);", {"messages": [(1, "2000810370507916", "hi", 1682532700927000000, 1)]})
    recs = triage(ios, exhibit="EX-1") + triage(tmp_path / "android", exhibit="EX-2")
    found = [r for r in links(recs) if r["identifier"]["type"] == "imo_id"]
    assert [(r["identifier"]["value"], r["exhibits"]) for r in found] == [("2000810370507916", ["EX-1", "EX-2"])]


MSYS = """
CREATE TABLE contacts (id INTEGER PRIMARY KEY, profile_picture_url TEXT, name TEXT, username TEXT,
  profile_picture_large_url TEXT, normalized_name_for_search TEXT, is_messenger_user INTEGER, email_address TEXT,
  phone_number TEXT, friendship_status INTEGER, birthday_timestamp INTEGER);
CREATE TABLE messages (thread_key INTEGER, timestamp_ms INTEGER, message_id TEXT PRIMARY KEY, offline_threading_id TEXT,
  sender_id INTEGER, text TEXT, is_admin_message INTEGER);
CREATE TABLE attachments (message_id TEXT, attachment_fbid TEXT, filename TEXT, playable_url TEXT,
  playable_url_mime_type TEXT, title_text TEXT, subtitle_text TEXT);
"""


def test_facebook_messenger_msys(tmp_path: Path) -> None:
    make_db(tmp_path / "data" / "data" / "com.facebook.orca" / "databases" / "msys_database_100012345", MSYS, {
        "contacts": [(100012345, None, "Owner", "owner", None, "owner", 1, None, None, 0, None),
                     (100099999, None, "Hamza", "hamza.x", None, "hamza", 1, "h@example.org", "+212600000009", 1, None)],
        "messages": [(100099999, 1700000000000, "mid.1", None, 100099999, "le départ est à 5h", 0),
                     (100099999, 1700000050000, "mid.2", None, 100012345, None, 0)],
        "attachments": [("mid.2", "77", "image-77.jpg", None, "image/jpeg", None, None)]})
    recs = triage(tmp_path, region="MA")
    msgs = of(recs, "phone.message", "android_fb_messenger_messages")
    assert [(m["sender"]["name"], m["body"], m["time"]["utc"], m["attachments"]) for m in msgs] == [
        ("Hamza", "le départ est à 5h", "2023-11-14T22:13:20Z", []),
        ("Owner", None, "2023-11-14T22:14:10Z", [{"name": "image-77.jpg", "mime": "image/jpeg"}])]
    contacts = of(recs, "phone.contact", "android_fb_messenger_contacts")
    assert [(c["name"], c["facebook_id"], [n["e164"] for n in c["numbers"]], c["emails"]) for c in contacts] == [
        ("Owner", 100012345, [], []), ("Hamza", 100099999, ["+212600000009"], ["h@example.org"])]
    assert of(recs, "phone.unparsed") == []


def test_tiktok_messages(tmp_path: Path) -> None:
    db = tmp_path / "data" / "data" / "com.zhiliaoapp.musically" / "databases" / "6912345678901234567_im.db"
    make_db(db, "CREATE TABLE msg (msg_uuid TEXT PRIMARY KEY, msg_server_id INTEGER, conversation_id TEXT, "
                "conversation_short_id INTEGER, conversation_type INTEGER, type INTEGER, created_time INTEGER, "
                "sender INTEGER, content TEXT, deleted INTEGER, read_status INTEGER, local_info TEXT);", {
        "msg": [("u1", 1, "0:1:6912345678901234567:7000000000000000001", 1, 1, 7, 1700000000000,
                 7000000000000000001, json.dumps({"text": "rendez-vous à la plage", "aweType": 700}), 0, 1, None),
                ("u2", 2, "0:1:6912345678901234567:7000000000000000001", 1, 1, 7, 1700000030000,
                 6912345678901234567, "not json", 0, 1, None)]})
    msgs = of(triage(tmp_path), "phone.message", "android_tiktok_messages")
    assert [(m["type_label"], m["body"], m["content"], m["time"]["utc"]) for m in msgs] == [
        ("received", "rendez-vous à la plage", None, "2023-11-14T22:13:20Z"),
        ("sent", None, "not json", "2023-11-14T22:13:50Z")]
    assert msgs[0]["sender"] == {"raw": 7000000000000000001, "type": "tiktok_uid"}


VIBER_IOS = """
CREATE TABLE ZCONVERSATION (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZBEINGDELETED INTEGER,
  ZFAVORITE INTEGER, ZINTERLOCUTOR INTEGER, ZTIMEBOMBDURATION INTEGER, ZNAME VARCHAR);
CREATE TABLE ZMEMBER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZDISPLAYFULLNAME VARCHAR,
  ZDISPLAYSHORTNAME VARCHAR, ZNAME VARCHAR);
CREATE TABLE ZPHONENUMBER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZMEMBER INTEGER,
  ZCANONIZEDPHONENUM VARCHAR, ZPHONE VARCHAR);
CREATE TABLE ZATTACHMENT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFILESIZE INTEGER, ZNAME VARCHAR,
  ZTYPE VARCHAR);
CREATE TABLE ZVIBERLOCATION (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZLATITUDE FLOAT,
  ZLONGITUDE FLOAT);
CREATE TABLE ZVIBERMESSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZBEINGDELETED INTEGER,
  ZLIKESCOUNT INTEGER, ZTIMEBOMBDURATION INTEGER, ZATTACHMENT INTEGER, ZCONVERSATION INTEGER, ZLOCATION INTEGER,
  ZPHONENUMINDEX INTEGER, ZDATE TIMESTAMP, ZSTATEDATE TIMESTAMP, ZTIMEBOMBTIMESTAMP TIMESTAMP, ZMETADATA VARCHAR,
  ZSTATE VARCHAR, ZSYSTEMTYPE VARCHAR, ZTEXT VARCHAR);
CREATE TABLE ZABCONTACT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCONTACTID INTEGER,
  ZMAINNAME VARCHAR, ZPREFIXNAME VARCHAR, ZSUFFIXNAME VARCHAR);
CREATE TABLE ZABCONTACTNUMBER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCONTACT INTEGER,
  ZCANONIZEDPHONENUM VARCHAR, ZPHONE VARCHAR);
"""


def test_viber_ios(tmp_path: Path) -> None:
    db = tmp_path / "private" / "var" / "mobile" / "Containers" / "Shared" / "AppGroup" / \
        "11111111-2222-3333-4444-555555555555" / "com.viber" / "database" / "Contacts.data"
    make_db(db, VIBER_IOS, {
        "ZCONVERSATION": [(1, 1, 1, 0, 0, 1, 0, "Nour")],
        "ZMEMBER": [(1, 2, 1, "Nour B.", "Nour", "Nour")],
        "ZPHONENUMBER": [(1, 3, 1, 1, "21698765432", "+216 98 765 432")],
        "ZATTACHMENT": [(1, 4, 1, 51234, "photo.jpg", "picture")],
        "ZVIBERLOCATION": [(1, 5, 1, 36.80651234567, 10.18151234567)],
        "ZVIBERMESSAGE": [(1, 6, 1, 0, 0, 0, None, 1, None, 1, 721692810.0, 721692800.0, None, None, "received", None,
                           "On part ce soir"),
                          (2, 6, 1, 0, 0, 0, 1, 1, 1, None, 721692900.0, 721692890.0, None, None, "delivered", None,
                           None)],
        "ZABCONTACT": [(1, 7, 1, 42, "Nour B.", None, None)],
        "ZABCONTACTNUMBER": [(1, 8, 1, 1, "21698765432", "+216 98 765 432")]})
    recs = triage(tmp_path, region="TN")
    msgs = of(recs, "phone.message", "ios_viber_messages")
    assert [(m["type_label"], m["sender_name"], (m["sender"] or {}).get("e164"), m["body"], m["time"]["utc"])
            for m in msgs] == [("received", "Nour B.", "+21698765432", "On part ce soir", "2023-11-14T22:13:20Z"),
                               ("sent", None, None, None, "2023-11-14T22:14:50Z")]
    assert msgs[1]["attachments"] == [{"name": "photo.jpg", "type": "picture", "size": 51234}]
    assert msgs[1]["location"] == {"lat": 36.80651234567, "lon": 10.18151234567}
    contacts = of(recs, "phone.contact", "ios_viber_contacts")
    assert [(c["name"], [n["e164"] for n in c["numbers"]]) for c in contacts] == [("Nour B.", ["+21698765432"])]
