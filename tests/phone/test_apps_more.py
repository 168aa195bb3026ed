"""More of the region's messaging apps (issue 15): Messenger ``threads_db2``, iOS TikTok, iOS Telegram
Postbox, iOS Viber calls. Each database is generated with the tables and columns the app creates
(as ALEAPP/iLEAPP read them); hostile variants go through the same isolation machinery."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

from forensic_kit import jsonl
from forensic_kit.phone.identifiers import identifiers
from tests.conftest import fkit
from tests.phone.helpers import make_db, of, triage
from tests.phone.test_apps import VIBER_IOS

THREADS_DB2 = """
CREATE TABLE threads (thread_key TEXT PRIMARY KEY, thread_fbid TEXT, action_id INTEGER, refetch_action_id INTEGER,
  last_visible_action_id INTEGER, sequence_id INTEGER, name TEXT, participants TEXT, former_participants TEXT,
  bot_participants TEXT, snippet TEXT, snippet_sender TEXT, admin_snippet TEXT, timestamp_ms INTEGER,
  last_read_timestamp_ms INTEGER, approx_total_message_count INTEGER, unread_message_count INTEGER,
  folder TEXT, is_subscribed INTEGER);
CREATE TABLE thread_users (user_key TEXT PRIMARY KEY, first_name TEXT, last_name TEXT, username TEXT,
  name TEXT, is_messenger_user INTEGER, is_friend INTEGER, profile_pic_square TEXT);
CREATE TABLE messages (msg_id TEXT PRIMARY KEY, thread_key TEXT, legacy_thread_id TEXT, action_id INTEGER,
  subject TEXT, text TEXT, sender TEXT, is_not_forwardable INTEGER, timestamp_ms INTEGER, timestamp_sent_ms INTEGER,
  attachments TEXT, shares TEXT, sticker_id TEXT, msg_type INTEGER, affected_users TEXT, coordinates TEXT,
  offline_threading_id TEXT, source TEXT, send_error TEXT, generic_admin_message_extensible_data TEXT, snippet TEXT);
CREATE TABLE message_reactions (msg_id TEXT, user_key TEXT, reaction TEXT, reaction_timestamp INTEGER);
"""

OWNER = {"user_key": "FACEBOOK:100012345", "name": "Owner", "email": "100012345@facebook.com"}
HAMZA = {"user_key": "FACEBOOK:100099999", "name": "Hamza", "email": "100099999@facebook.com",
         "phone": "0661234567"}


def _msg(mid: str, text: Any, sender: Any, ts: int, attachments: Any = None, admin: Any = None) -> tuple[Any, ...]:
    return (mid, "ONE_TO_ONE:100099999:100012345", None, ts * 1000, None, text, sender, 0, ts, ts + 1,
            attachments, None, None, 0, None, None, None, "source:chat", None, admin, None)


def _threads_db2(path: Path) -> None:
    make_db(path, THREADS_DB2, {
        "threads": [("ONE_TO_ONE:100099999:100012345", "100099999", 1, 1, 1, 1, None, json.dumps([OWNER, HAMZA]),
                     "[]", "[]", None, None, None, 1700000100000, 0, 3, 0, "inbox", 1)],
        "messages": [
            _msg("mid.$a1", "on part de Nador à 3h", json.dumps(HAMZA), 1700000000000),
            _msg("mid.$a2", None, json.dumps(OWNER), 1700000050000,
                 json.dumps([{"id": "1", "fbid": "55", "mime_type": "image/jpeg", "filename": "image-55.jpg",
                              "file_size": 48213}])),
            _msg("mid.$a3", "Hamza called you.", json.dumps(HAMZA), 1700000100000, None,
                 json.dumps({"call_duration": 62, "caller_id": "100099999", "video": False}))]})


def test_messenger_threads_db2(tmp_path: Path) -> None:
    _threads_db2(tmp_path / "data" / "data" / "com.facebook.orca" / "databases" / "threads_db2")
    recs = triage(tmp_path, region="MA")
    msgs = of(recs, "phone.message", "android_fb_messenger_threads")
    assert [(m["sender"]["raw"], m["sender"]["name"], [r["raw"] for r in m["recipients"]], m["time"]["utc"],
             m["body"], m["admin_message"]) for m in msgs] == [
        ("100099999", "Hamza", ["100012345"], "2023-11-14T22:13:20Z", "on part de Nador à 3h", 0),
        ("100012345", "Owner", ["100099999"], "2023-11-14T22:14:10Z", None, 0),
        ("100099999", "Hamza", ["100012345"], "2023-11-14T22:15:00Z", "Hamza called you.", 1)]
    assert msgs[1]["attachments"] == [{"name": "image-55.jpg", "mime": "image/jpeg", "size": 48213}]
    assert msgs[0]["sender"]["number"]["e164"] == "+212661234567" and msgs[1]["recipients"][0]["number"]["e164"] == \
        "+212661234567" and "number" not in msgs[0]["recipients"][0]
    found = set(identifiers(msgs[0]))
    assert {("phone", "+212661234567", "sender"), ("facebook_id", "100099999", "sender")} <= found
    assert json.loads(msgs[2]["admin_data"])["call_duration"] == 62
    assert msgs[0]["thread_id"] == "ONE_TO_ONE:100099999:100012345" and msgs[0]["message_id"] == "mid.$a1"
    assert of(recs, "phone.unparsed") == [] and of(recs, "warning") == []


def test_messenger_threads_db2_found_by_schema_under_another_name(tmp_path: Path) -> None:
    _threads_db2(tmp_path / "copy_of_messenger.bin")
    msgs = of(triage(tmp_path), "phone.message", "android_fb_messenger_threads")
    assert len(msgs) == 3 and msgs[0]["locator"]["detected_by"] == "schema"


TIM = """
CREATE TABLE TIMMessageORM (identifier TEXT PRIMARY KEY, belongingConversationIdentifier TEXT, sender INTEGER,
  content TEXT, type INTEGER, localcreatedat REAL, servercreatedat INTEGER, serverIdentifier INTEGER,
  orderIndex INTEGER, status INTEGER, deleted INTEGER);
"""
AWEME = """
CREATE TABLE AwemeContactsV5 (uid TEXT PRIMARY KEY, customID TEXT, nickname TEXT, url1 TEXT,
  latestChatTimestamp INTEGER, followStatus INTEGER);
CREATE TABLE AwemeContactsV3 (uid TEXT PRIMARY KEY, customID TEXT, nickname TEXT, url1 TEXT, latestChatTimestamp INTEGER);
"""
IOS_APP = Path("private/var/mobile/Containers/Data/Application/0B1C2D3E-4F50-6172-8394-A5B6C7D8E9F0")


def _tiktok(root: Path, content2: Any = "not json", sender1: Any = 7000000000000000001) -> None:
    chat = root / IOS_APP / "Library" / "Application Support" / "ChatFiles" / "6912345678901234567" / "db.sqlite"
    make_db(chat, TIM, {"TIMMessageORM": [
        ("m1", "0:1:6912345678901234567:7000000000000000001", sender1,
         json.dumps({"text": "le bateau part ce soir", "aweType": 700}), 7, 1700000000.25, 1700000001, 1, 1, 0, 0),
        ("m2", "0:1:6912345678901234567:7000000000000000001", 6912345678901234567, content2, 7, 1700000030.0,
         1700000031, 2, 2, 0, 0),
        ("m3", "0:1:6912345678901234567:7000000000000000001", 6912345678901234567,
         json.dumps({"display_name": "gif", "url": {"url_list": ["https://example.org/a.gif"]}}), 5, 1700000040.0,
         None, 3, 3, 0, 0)]})
    make_db(root / IOS_APP / "Documents" / "AwemeIM.db", AWEME, {
        "AwemeContactsV5": [("7000000000000000001", "yassine.k", "Yassine", "https://p16/a.jpeg", 1700000030, 2)],
        "AwemeContactsV3": [("7000000000000000002", "old.friend", "Old", None, None)]})


def test_tiktok_ios_messages_and_contacts(tmp_path: Path) -> None:
    _tiktok(tmp_path)
    recs = triage(tmp_path)
    msgs = of(recs, "phone.message", "ios_tiktok_messages")
    assert [(m["sender"]["raw"], m["type_label"], m["body"], m["content"], m["time"]["utc"]) for m in msgs] == [
        (7000000000000000001, "received", "le bateau part ce soir", None, "2023-11-14T22:13:20.250000Z"),
        (6912345678901234567, "sent", None, "not json", "2023-11-14T22:13:50Z"),
        (6912345678901234567, "sent", None, None, "2023-11-14T22:14:00Z")]
    assert msgs[0]["server_time"]["utc"] == "2023-11-14T22:13:21Z" and msgs[0]["account_uid"] == "6912345678901234567"
    assert msgs[2]["link"] == {"url": "https://example.org/a.gif", "name": "gif"}
    assert ("tiktok_uid", "7000000000000000001", "sender") in set(identifiers(msgs[0]))
    contacts = of(recs, "phone.contact", "ios_tiktok_contacts")
    assert [(c["tiktok_uid"], c["unique_id"], c["name"], (c["last_chat"] or {}).get("utc"), c["locator"]["table"])
            for c in contacts] == [
        ("7000000000000000002", "old.friend", "Old", None, "AwemeContactsV3"),
        ("7000000000000000001", "yassine.k", "Yassine", "2023-11-14T22:13:50Z", "AwemeContactsV5")]
    assert ("tiktok_uid", "7000000000000000001", "tiktok_uid") in set(identifiers(contacts[1]))


def _postbox_value(text: str, incoming: bool, author: int | None, media: int = 0) -> bytes:
    body = text.encode()
    out = bytes([0]) + struct.pack("<II", 77, 1) + bytes([0x01]) + struct.pack("<q", 123456789)
    out += struct.pack("<II", 4 if incoming else 0, 0) + bytes([0])
    out += (bytes([1]) + struct.pack("<q", author)) if author is not None else bytes([0])
    out += struct.pack("<i", len(body)) + body + struct.pack("<i", 0) + struct.pack("<i", media)
    for _ in range(media):
        out += struct.pack("<i", 3) + b"\x00\x01\x02"
    return out + struct.pack("<i", 0)


USER = 5551234            # a user peer: namespace 0
GROUP = (1 << 32) | 4242  # a group peer: namespace 1
POSTBOX = """
CREATE TABLE t0 (key INTEGER PRIMARY KEY, value BLOB);
CREATE TABLE t2 (key INTEGER PRIMARY KEY, value BLOB);
CREATE TABLE t7 (key BLOB PRIMARY KEY, value BLOB) WITHOUT ROWID;
"""


def k(peer: int, ts: int, mid: int) -> bytes:
    """A Postbox message key: peer, namespace 0, timestamp, id (big-endian)."""
    return struct.pack(">qiii", peer, 0, ts, mid)


def _field(key: str, kind: int, payload: bytes) -> bytes:
    """One PostboxEncoder field: key length, key, value type, value."""
    return bytes([len(key)]) + key.encode() + bytes([kind]) + payload


def _pstr(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<i", len(data)) + data


def _root(fields: bytes) -> bytes:
    """``encodeRootObject``: the object under key ``_`` (type hash, length, fields)."""
    return _field("_", 5, struct.pack("<ii", 0x1234, len(fields)) + fields)


USER_PEER = _root(_field("i", 1, struct.pack("<q", 5551234)) + _field("fn", 4, _pstr("Youssef")) +
                  _field("ln", 4, _pstr("Amrani")) + _field("un", 4, _pstr("yamrani")) +
                  _field("p", 4, _pstr("212612345678")) + _field("ph", 11, b"") + _field("f", 0, b"\0\0\0\0"))
GROUP_PEER = _root(_field("i", 1, struct.pack("<q", (1 << 32) | 4242)) + _field("t", 4, _pstr("Traversée nuit")) +
                   _field("m", 6, struct.pack("<iii", 2, 7, 8)) + _field("v", 3, struct.pack("<d", 1.5)))


def _postbox(path: Path, value2: Any = None) -> None:
    make_db(path, POSTBOX, {
        "t0": [(1, b"\x01\x00\x00\x00")],
        "t2": [(USER, USER_PEER), (GROUP, GROUP_PEER), (99, USER_PEER), (100, b"\x01_\x05...")],
        "t7": [(k(USER, 1700000000, 10), _postbox_value("rendez-vous au port", True, USER)),
               (k(USER, 1700000060, 11), _postbox_value("ok", False, 999, media=1)),
               (k(GROUP, 1700000120, 3), value2 if value2 is not None else b"\x01garbage")]})


def test_telegram_ios_postbox_messages_and_the_rest_unparsed(tmp_path: Path) -> None:
    _postbox(tmp_path / Path("private/var/mobile/Containers/Shared") / "AppGroup" / "A1B2C3D4-0000-1111-2222-333344445555" /
             "telegram-data" / "account-123" / "postbox" / "db" / "db_sqlite")
    recs = triage(tmp_path)
    msgs = of(recs, "phone.message", "ios_telegram_messages")
    assert [(m["chat"]["peer_type"], m["chat"]["telegram_id"], m["message_id"], m["type_label"], m["time"]["utc"],
             m["body"], m["media_objects"]) for m in msgs] == [
        ("user", USER, 10, "received", "2023-11-14T22:13:20Z", "rendez-vous au port", 0),
        ("user", USER, 11, "sent", "2023-11-14T22:14:20Z", "ok", 1),
        ("group", 4242, 3, None, "2023-11-14T22:15:20Z", None, None)]
    assert msgs[2]["body_note"] == "message value not decoded: entry type is not 0 (message)"
    assert msgs[0]["sender"]["telegram_id"] == USER and msgs[1]["sender"]["raw"] == 999
    assert ("telegram_id", str(USER), "chat") in set(identifiers(msgs[0]))
    peers = of(recs, "phone.contact", "ios_telegram_peers")
    assert [(p["telegram_id"], p["peer_type"], p["name"], p["username"], [n["e164"] for n in p["numbers"]])
            for p in peers] == [(USER, "user", "Youssef Amrani", "yamrani", ["+212612345678"]),
                                (4242, "group", "Traversée nuit", None, [])]
    bad = sorted((w["locator"]["rowid"], w["warning"]["reason"]) for w in of(recs, "warning"))
    assert bad == [(99, "PostboxError: object id 5551234 is not the key 99"),
                   (100, "PostboxError: value ends at byte 6, 4 more bytes expected at 3")]
    unparsed = of(recs, "phone.unparsed")
    assert sorted(u["table"] for u in unparsed) == ["t0"]
    assert all("Postbox" in u["reason"] and u["app_id"] == "A1B2C3D4-0000-1111-2222-333344445555" for u in unparsed)


def test_telegram_ios_encrypted_store_is_named_not_guessed(tmp_path: Path) -> None:
    db = tmp_path / "telegram-data" / "account-1" / "postbox" / "db" / "db_sqlite"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"SQLite format 3\x00" + bytes(range(16, 32)) + bytes((i * 37) % 256 for i in range(4064)))
    recs = triage(tmp_path)
    unparsed = of(recs, "phone.unparsed", "ios_telegram_encrypted")
    assert len(unparsed) == 1 and ".tempkeyEncrypted" in unparsed[0]["reason"]
    assert "encrypted" in unparsed[0]["reason"] and of(recs, "phone.message") == []
    assert [e["error"]["stage"] for e in of(recs, "error")] == ["open"]


VIBER_RECENT = VIBER_IOS + """
CREATE TABLE ZRECENTSLINE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZDATE TIMESTAMP,
  ZCALLTYPE VARCHAR, ZPHONENUMBER VARCHAR);
CREATE TABLE ZRECENT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCALLLOGMESSAGE INTEGER,
  ZRECENTSLINE INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZCALLTYPE VARCHAR);
"""


def _viber(path: Path, line_phone: Any = "+216 98 765 432") -> None:
    make_db(path, VIBER_RECENT, {
        "ZCONVERSATION": [(1, 1, 1, 0, 0, 1, 0, "Nour")],
        "ZVIBERMESSAGE": [(1, 6, 1, 0, 0, 0, None, 1, None, 1, 721692810.0, 721692800.0, None, None, "received",
                           "call", None)],
        "ZRECENTSLINE": [(1, 9, 1, 721692800.0, "incoming", line_phone), (2, 9, 1, 721693000.0, "outgoing_viber",
                                                                          "22345678")],
        "ZRECENT": [(1, 10, 1, 1, 1, 721692800.0, 125.0, "incoming"),
                    (2, 10, 1, None, 2, 721693000.0, 0.0, "outgoing_viber_with_video"),
                    (3, 10, 1, None, None, 721693100.0, 0.0, "missed"),
                    (4, 10, 1, None, None, 721693200.0, 5.0, "conference_call")]})


def test_viber_ios_calls(tmp_path: Path) -> None:
    _viber(tmp_path / "com.viber" / "database" / "Contacts.data")
    calls = of(triage(tmp_path, region="TN"), "phone.call", "ios_viber_calls")
    assert [((c["number"] or {}).get("e164"), c["type"], c["type_label"], c["media_label"], c["time"]["utc"],
             c["end_utc"], c["chat_name"], c["chat_message_missing"]) for c in calls] == [
        ("+21698765432", "incoming", "incoming", "audio", "2023-11-14T22:13:20Z", "2023-11-14T22:15:25Z", "Nour", 0),
        ("+21622345678", "outgoing_viber_with_video", "outgoing", "video", "2023-11-14T22:16:40Z",
         "2023-11-14T22:16:40Z", None, 0),
        (None, "missed", "missed", "audio", "2023-11-14T22:18:20Z", "2023-11-14T22:18:20Z", None, 1),
        (None, "conference_call", None, None, "2023-11-14T22:20:00Z", "2023-11-14T22:20:05Z", None, 1)]


# --- hostile inputs: BLOBs in text columns, a missing column: records or warnings, the run goes on ------


def test_blobs_in_text_columns_of_the_new_parsers_are_kept(tmp_path: Path) -> None:
    base = tmp_path / "data" / "data" / "com.facebook.orca" / "databases" / "threads_db2"
    make_db(base, THREADS_DB2, {"messages": [
        _msg("mid.1", b"\xff\xfetext", b"\x00{sender", 1700000000000, b"[{broken"),
        _msg("mid.2", "fine", json.dumps(HAMZA), 1700000000001, "not json")]})
    _tiktok(tmp_path / "ios", content2=b"\x80\x81", sender1=b"\x01\x02")
    _postbox(tmp_path / "tg" / "postbox" / "db" / "db_sqlite", value2="text where bytes are expected")
    _viber(tmp_path / "vb" / "Contacts.data", line_phone=b"\xff+2169876")
    recs = triage(tmp_path, region="TN")
    for r in recs:
        jsonl.dumps(r)
    fb = of(recs, "phone.message", "android_fb_messenger_threads")
    assert [m["body"] for m in fb] == [{"encoding": "base64", "value": "//50ZXh0", "bytes": 6}, "fine"]
    assert fb[0]["sender"] is None and fb[0]["sender_raw"]["bytes"] == 8 and fb[0]["attachments_raw"] == \
        {"encoding": "base64", "value": "W3ticm9rZW4=", "bytes": 8, "text": "[{broken"}
    assert fb[1]["attachments_raw"] == "not json"
    tt = of(recs, "phone.message", "ios_tiktok_messages")
    assert tt[0]["sender"]["raw"] == {"encoding": "base64", "value": "AQI=", "bytes": 2}
    assert tt[1]["content"] == {"encoding": "base64", "value": "gIE=", "bytes": 2}
    tg = of(recs, "phone.message", "ios_telegram_messages")
    assert tg[2]["body"] is None and tg[2]["body_note"] == "message value not decoded: value is str, not bytes"
    vb = of(recs, "phone.call", "ios_viber_calls")
    assert vb[0]["number"]["raw"] == {"encoding": "base64", "value": "/ysyMTY5ODc2", "bytes": 9}
    assert len(tg) == 3 and len(tt) == 3 and len(vb) == 4


def test_missing_columns_are_warnings_and_the_run_goes_on_exit_3(tmp_path: Path) -> None:
    make_db(tmp_path / "data" / "data" / "com.facebook.orca" / "databases" / "threads_db2",
            "CREATE TABLE messages (msg_id TEXT, thread_key TEXT, text TEXT, timestamp_ms INTEGER);", {})
    make_db(tmp_path / "ChatFiles" / "42" / "db.sqlite",
            "CREATE TABLE TIMMessageORM (sender INTEGER, content TEXT);", {})
    make_db(tmp_path / "Documents" / "AwemeIM.db", "CREATE TABLE AwemeContactsV9 (uid TEXT);", {})
    make_db(tmp_path / "vb" / "Contacts.data", "CREATE TABLE ZRECENT (Z_PK INTEGER PRIMARY KEY, ZDATE TIMESTAMP);", {})
    make_db(tmp_path / "old" / "Contacts.data", "CREATE TABLE ZRECENT (Z_PK INTEGER PRIMARY KEY, ZDATE TIMESTAMP, "
            "ZCALLTYPE VARCHAR, ZDURATION FLOAT);", {"ZRECENT": [(1, 721692800.0, "missed", 0.0)]})
    _viber(tmp_path / "ok" / "com.viber" / "database" / "Contacts.data")
    res = fkit("phone", tmp_path, "--region", "TN")
    assert res.returncode == 3, res.stderr
    recs = [json.loads(line) for line in res.stdout.splitlines()]
    why = sorted(w["warning"]["reason"] for w in of(recs, "warning") if w["warning"]["stage"] == "schema")
    assert len(why) == 4
    for expected in ("android_fb_messenger_threads: messages.sender)",
                     "ios_tiktok_messages: TIMMessageORM.localcreatedat, TIMMessageORM.belongingConversationIdentifier)",
                     "ios_tiktok_contacts: AwemeContacts*.uid/nickname)",
                     "ios_viber_calls: ZRECENT.ZCALLTYPE, ZRECENT.ZDURATION)"):
        assert sum(expected in w for w in why) == 1, expected
    calls = of(recs, "phone.call", "ios_viber_calls")
    assert len(calls) == 5
    old = [c for c in calls if c["locator"]["path"].startswith("old/")]
    assert [(c["type_label"], c["chat_message_missing"]) for c in old] == [("missed", None)]  # no link columns
