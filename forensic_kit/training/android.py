"""A synthetic Android logical extraction (the folder layout of a file-system dump).

::

    system/build.prop
    data/system_ce/0/accounts_ce.db
    data/data/com.android.providers.contacts/databases/contacts2.db     raw_contacts, data, mimetypes, calls
    data/data/com.android.providers.telephony/databases/mmssms.db       sms, threads
    data/data/com.whatsapp/databases/msgstore.db                        jid, chat, message
    data/data/com.whatsapp/databases/wa.db                              wa_contacts

Schemas follow AOSP / WhatsApp column names (a subset of the columns; the ones forensic tools read).
Databases are written with ``journal_mode=DELETE`` (no WAL) so the bytes depend only on the content.
"""

from __future__ import annotations

import os
import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from forensic_kit.training.people import Person

_MSGS = {
    "ar": ["وصلت إلى سبها، كل شيء تمام", "السيارة جاهزة غدا الساعة الخامسة", "لا تتصل بهذا الرقم مرة أخرى",
           "المبلغ وصل، شكرا", "الطريق إلى طرابلس مفتوح", "انتظرني عند المحطة"],
    "fr": ["Je suis arrivé à Agadez, on part demain", "Le camion est prêt, 5h du matin",
           "Envoie l'argent par le même canal", "Appelle-moi quand tu es à Sabha",
           "Il y a un contrôle sur la route, attends", "Le bateau part jeudi de Zuwara"],
    "en": ["Payment received, thanks", "Meet at the station at 6", "Do not use this number again",
           "The boat is ready for Thursday", "Call me when you reach Tripoli", "Passengers count is 40"],
}


@dataclass(frozen=True)
class PhoneSpec:
    """What one phone holds."""

    owner: Person
    model: tuple[str, str, str]  # manufacturer, model, device codename
    serial: str
    imei: str
    contacts: tuple[Person, ...]
    start_ms: int  # first activity (Java milliseconds UTC)
    google_account: str


def _exec(db: Path, script: str, rows: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> None:
    if db.exists():
        db.unlink()
    db.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA journal_mode=DELETE")
        con.executescript(script)
        for sql, values in rows:
            con.executemany(sql, values)
        con.commit()
    finally:
        con.close()


_CONTACTS_SCHEMA = """
CREATE TABLE mimetypes (_id INTEGER PRIMARY KEY AUTOINCREMENT, mimetype TEXT NOT NULL, UNIQUE(mimetype));
CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER, sourceid TEXT,
  version INTEGER NOT NULL DEFAULT 1, dirty INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0,
  contact_id INTEGER REFERENCES contacts(_id), display_name TEXT, display_name_alt TEXT,
  times_contacted INTEGER NOT NULL DEFAULT 0, last_time_contacted INTEGER, starred INTEGER NOT NULL DEFAULT 0,
  account_name TEXT, account_type TEXT);
CREATE TABLE contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, name_raw_contact_id INTEGER, photo_id INTEGER,
  times_contacted INTEGER NOT NULL DEFAULT 0, last_time_contacted INTEGER, starred INTEGER NOT NULL DEFAULT 0,
  has_phone_number INTEGER NOT NULL DEFAULT 0, lookup TEXT, contact_last_updated_timestamp INTEGER);
CREATE TABLE data (_id INTEGER PRIMARY KEY AUTOINCREMENT, package_id INTEGER, mimetype_id INTEGER NOT NULL,
  raw_contact_id INTEGER NOT NULL, is_primary INTEGER NOT NULL DEFAULT 0, is_super_primary INTEGER NOT NULL DEFAULT 0,
  data_version INTEGER NOT NULL DEFAULT 0, data1 TEXT, data2 TEXT, data3 TEXT, data4 TEXT);
CREATE TABLE phone_lookup (data_id INTEGER REFERENCES data(_id) NOT NULL,
  raw_contact_id INTEGER REFERENCES raw_contacts(_id) NOT NULL, normalized_number TEXT NOT NULL,
  min_match TEXT NOT NULL);
CREATE TABLE calls (_id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT, presentation INTEGER NOT NULL DEFAULT 1,
  post_dial_digits TEXT NOT NULL DEFAULT '', date INTEGER, duration INTEGER, data_usage INTEGER, type INTEGER,
  features INTEGER NOT NULL DEFAULT 0, subscription_component_name TEXT, subscription_id TEXT,
  phone_account_address TEXT, new INTEGER, name TEXT, numbertype INTEGER, numberlabel TEXT, countryiso TEXT,
  voicemail_uri TEXT, is_read INTEGER, geocoded_location TEXT, lookup_uri TEXT, matched_number TEXT,
  normalized_number TEXT, photo_id INTEGER NOT NULL DEFAULT 0, photo_uri TEXT, formatted_number TEXT,
  via_number TEXT NOT NULL DEFAULT '', last_modified INTEGER DEFAULT 0);
"""

_SMS_SCHEMA = """
CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT, date INTEGER DEFAULT 0, message_count INTEGER DEFAULT 0,
  recipient_ids TEXT, snippet TEXT, snippet_cs INTEGER DEFAULT 0, read INTEGER DEFAULT 1, archived INTEGER DEFAULT 0,
  type INTEGER DEFAULT 0, error INTEGER DEFAULT 0, has_attachment INTEGER DEFAULT 0);
CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT);
CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, person INTEGER, date INTEGER,
  date_sent INTEGER DEFAULT 0, protocol INTEGER, read INTEGER DEFAULT 0, status INTEGER DEFAULT -1, type INTEGER,
  reply_path_present INTEGER, subject TEXT, body TEXT, service_center TEXT, locked INTEGER DEFAULT 0,
  sub_id INTEGER DEFAULT -1, error_code INTEGER DEFAULT 0, creator TEXT, seen INTEGER DEFAULT 0);
"""

_MSGSTORE_SCHEMA = """
CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT NOT NULL,
  agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT);
CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER UNIQUE, hidden INTEGER,
  subject TEXT, created_timestamp INTEGER, display_message_row_id INTEGER, last_message_row_id INTEGER,
  archived INTEGER, sort_timestamp INTEGER);
CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT NULL, from_me INTEGER NOT NULL,
  key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER, broadcast INTEGER, recipient_count INTEGER,
  participant_hash TEXT, origination_flags INTEGER, origin INTEGER, timestamp INTEGER, received_timestamp INTEGER,
  receipt_server_timestamp INTEGER, message_type INTEGER, text_data TEXT, starred INTEGER, lookup_tables INTEGER,
  sort_id INTEGER NOT NULL DEFAULT 0);
"""

_WA_SCHEMA = """
CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL, is_whatsapp_user BOOLEAN NOT NULL,
  status TEXT, status_timestamp INTEGER, number TEXT, raw_contact_id INTEGER, display_name TEXT,
  phone_type INTEGER, phone_label TEXT, unseen_msg_count INTEGER, photo_ts INTEGER, thumb_ts INTEGER,
  photo_id_timestamp INTEGER, given_name TEXT, family_name TEXT, wa_name TEXT, sort_name TEXT, nickname TEXT,
  company TEXT, title TEXT, status_emoji TEXT);
"""

_ACCOUNTS_SCHEMA = """
CREATE TABLE accounts (_id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, password TEXT,
  previous_name TEXT, last_password_entry_time_millis_epoch INTEGER DEFAULT 0, UNIQUE(name,type));
"""

_PHONE_MT = "vnd.android.cursor.item/phone_v2"
_NAME_MT = "vnd.android.cursor.item/name"


def _touch_tree(root: Path, mtime: int) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            os.utime(Path(dirpath) / name, (mtime, mtime))


def write_extraction(root: Path, spec: PhoneSpec, rng: random.Random) -> dict[str, int]:
    """Write the extraction folder for ``spec`` under ``root``; returns row counts per artefact."""
    m, model, device = spec.model
    (root / "system").mkdir(parents=True, exist_ok=True)
    prop = (
        "# begin build properties\n"
        f"ro.build.id=TP1A.220624.014\nro.build.display.id=TP1A.220624.014\nro.build.version.release=13\n"
        f"ro.build.version.sdk=33\nro.build.version.security_patch=2024-11-01\nro.build.date.utc=1730419200\n"
        f"ro.product.manufacturer={m}\nro.product.model={model}\nro.product.brand={m.lower()}\n"
        f"ro.product.device={device}\nro.product.name={device}\nro.serialno={spec.serial}\n"
        f"ro.boot.serialno={spec.serial}\npersist.radio.imei={spec.imei}\nro.product.locale=ar-LY\n"
        "persist.sys.timezone=Africa/Tripoli\n# end build properties\n"
    )
    (root / "system" / "build.prop").write_bytes(prop.encode("utf-8"))

    # contacts2.db: raw_contacts + data + calls
    contacts = list(spec.contacts)
    raw, data, lookup, cts = [], [], [], []
    did = 0
    for i, p in enumerate(contacts, 1):
        raw.append((i, 1, i, p.name, p.name, rng.randrange(0, 30), spec.start_ms + rng.randrange(0, 9) * 86_400_000,
                    int(i == 1), spec.google_account, "com.google"))
        cts.append((i, i, 1, f"0r{i}"))
        did += 1
        data.append((did, 2, i, p.name, p.name.split()[0], None))
        did += 1
        data.append((did, 1, i, p.number, "2", None))
        lookup.append((did, i, p.number.lstrip("+")[::-1], p.number[-7:][::-1]))
    calls = []
    t = spec.start_ms
    for n in range(1, 13):
        p = contacts[rng.randrange(len(contacts))]
        t += rng.randrange(2, 14) * 3_600_000 + rng.randrange(0, 3_600) * 1000
        ctype = rng.choice((1, 2, 2, 3))
        dur = 0 if ctype == 3 else rng.randrange(12, 600)
        calls.append((n, p.number, t, dur, ctype, p.name, p.number, "LY", 1, "", spec.imei[:14]))
    _exec(root / "data/data/com.android.providers.contacts/databases/contacts2.db", _CONTACTS_SCHEMA, [
        ("INSERT INTO mimetypes(_id, mimetype) VALUES (?, ?)", [(1, _PHONE_MT), (2, _NAME_MT)]),
        ("INSERT INTO raw_contacts(_id, account_id, contact_id, display_name, display_name_alt, times_contacted, "
         "last_time_contacted, starred, account_name, account_type) VALUES (?,?,?,?,?,?,?,?,?,?)", raw),
        ("INSERT INTO contacts(_id, name_raw_contact_id, has_phone_number, lookup) VALUES (?,?,?,?)", cts),
        ("INSERT INTO data(_id, mimetype_id, raw_contact_id, data1, data2, data3) VALUES (?,?,?,?,?,?)", data),
        ("INSERT INTO phone_lookup(data_id, raw_contact_id, normalized_number, min_match) VALUES (?,?,?,?)", lookup),
        ("INSERT INTO calls(_id, number, date, duration, type, name, normalized_number, countryiso, is_read, "
         "subscription_component_name, subscription_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)", calls),
    ])

    # mmssms.db: SMS in each contact's language
    sms: list[tuple[Any, ...]] = []
    threads: dict[str, int] = {}
    addrs: list[tuple[int, str]] = []
    t = spec.start_ms + 1_800_000
    for n in range(1, 16):
        p = contacts[rng.randrange(len(contacts))]
        if p.number not in threads:
            threads[p.number] = len(threads) + 1
            addrs.append((threads[p.number], p.number))
        t += rng.randrange(1, 10) * 3_600_000 + rng.randrange(0, 3_600) * 1000
        stype = rng.choice((1, 2))
        body = rng.choice(_MSGS[p.lang])
        sms.append((n, threads[p.number], p.number, t, t - rng.randrange(1, 30) * 1000 if stype == 1 else 0,
                    0, 1, -1, stype, body, 1, 1))
    thread_rows = [(tid, 0, sum(1 for s in sms if s[1] == tid), str(tid)) for tid in sorted(threads.values())]
    _exec(root / "data/data/com.android.providers.telephony/databases/mmssms.db", _SMS_SCHEMA, [
        ("INSERT INTO canonical_addresses(_id, address) VALUES (?,?)", addrs),
        ("INSERT INTO threads(_id, date, message_count, recipient_ids) VALUES (?,?,?,?)", thread_rows),
        ("INSERT INTO sms(_id, thread_id, address, date, date_sent, protocol, read, status, type, body, seen, "
         "reply_path_present) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", sms),
    ])

    # WhatsApp: jid, chat, message (+ wa.db contacts)
    jids, chats, msgs, wac = [], [], [], []
    wa_people = contacts[: max(3, len(contacts) - 2)]
    for i, p in enumerate(wa_people, 1):
        user = p.number.lstrip("+")
        jids.append((i, user, "s.whatsapp.net", 0, 0, 0, f"{user}@s.whatsapp.net"))
        chats.append((i, i, 0, None, spec.start_ms))
        wac.append((i, f"{user}@s.whatsapp.net", 1, rng.choice(["Hey there! I am using WhatsApp.", "متاح", "Occupé"]),
                    p.number, p.name, p.name.split()[0], p.name))
    t = spec.start_ms + 3_600_000
    for n in range(1, 19):
        ci = rng.randrange(len(wa_people))
        p = wa_people[ci]
        t += rng.randrange(1, 8) * 3_600_000 + rng.randrange(0, 3_600) * 1000
        from_me = rng.choice((0, 1))
        key = "".join(rng.choice("0123456789ABCDEF") for _ in range(32))
        msgs.append((n, ci + 1, from_me, key, None if from_me else ci + 1, 13 if from_me else 0, t,
                     t + rng.randrange(1, 20) * 1000, 0, rng.choice(_MSGS[p.lang]), 0, n))
    _exec(root / "data/data/com.whatsapp/databases/msgstore.db", _MSGSTORE_SCHEMA, [
        ("INSERT INTO jid(_id, user, server, agent, device, type, raw_string) VALUES (?,?,?,?,?,?,?)", jids),
        ("INSERT INTO chat(_id, jid_row_id, hidden, subject, created_timestamp) VALUES (?,?,?,?,?)", chats),
        ("INSERT INTO message(_id, chat_row_id, from_me, key_id, sender_jid_row_id, status, timestamp, "
         "received_timestamp, message_type, text_data, starred, sort_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", msgs),
    ])
    _exec(root / "data/data/com.whatsapp/databases/wa.db", _WA_SCHEMA, [
        ("INSERT INTO wa_contacts(_id, jid, is_whatsapp_user, status, number, display_name, given_name, wa_name) "
         "VALUES (?,?,?,?,?,?,?,?)", wac),
    ])
    _exec(root / "data/system_ce/0/accounts_ce.db", _ACCOUNTS_SCHEMA, [
        ("INSERT INTO accounts(_id, name, type, last_password_entry_time_millis_epoch) VALUES (?,?,?,?)",
         [(1, spec.google_account, "com.google", spec.start_ms - 86_400_000 * 40),
          (2, spec.owner.number, "com.whatsapp", spec.start_ms - 86_400_000 * 30)]),
    ])
    _touch_tree(root, spec.start_ms // 1000 + 14 * 86_400)
    return {"contacts": len(raw), "calls": len(calls), "sms": len(sms), "whatsapp_messages": len(msgs),
            "whatsapp_contacts": len(wac)}
