"""Identifiers found in phone records: numbers, e-mails, account ids, IMEIs, ICCIDs, BSSIDs, JIDs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from forensic_kit.records import Record

NUMBER_FIELDS = ("number", "address", "phone_number")
NUMBER_LIST_FIELDS = ("numbers", "senders", "recipients")
JID_FIELDS = ("chat", "sender", "recipient", "jid", "group")
APP_ID_FIELDS = {"imo_id": "imo_id", "telegram_id": "telegram_id", "facebook_id": "facebook_id",
                 "tiktok_uid": "tiktok_uid"}
"""Fields holding an app's own user id (IMO ``buid``, Telegram ``uid``): linked across exhibits."""


def _number(value: Any) -> tuple[str, str] | None:
    if isinstance(value, dict):
        if value.get("e164"):
            return ("phone", str(value["e164"]))
        raw = value.get("raw")
        if isinstance(raw, str) and "@" in raw:
            return ("email", raw.strip().lower())
    return None


def identifiers(rec: Record) -> Iterator[tuple[str, str, str]]:
    """``(type, value, field)`` for every identifier in ``rec``; values are normalised for matching."""
    for key in NUMBER_FIELDS:
        got = _number(rec.get(key))
        if got:
            yield (*got, key)
    for key in NUMBER_LIST_FIELDS:
        for item in rec.get(key) or []:
            got = _number(item)
            if got:
                yield (*got, key)
    for key in JID_FIELDS:
        jid = rec.get(key)
        if isinstance(jid, dict) and jid.get("raw"):
            got = _number(jid.get("number")) or (_number(jid) if "e164" in jid else None)
            if got:
                yield (*got, key)
            if jid.get("type") == "group":
                yield ("whatsapp_group", str(jid["raw"]), key)
            elif jid.get("type") in ("imo_id", "facebook_id", "tiktok_uid", "telegram_id"):
                yield (str(jid["type"]), str(jid["raw"]), key)
    for key, typ in APP_ID_FIELDS.items():
        value = rec.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
            yield (typ, str(value), key)
    if rec.get("kind") == "phone.account" and rec.get("app") == "imo" and rec.get("account_id"):
        yield ("imo_id", str(rec["account_id"]), "account_id")
    for email in rec.get("emails") or []:
        if isinstance(email, str) and email.strip():
            yield ("email", email.strip().lower(), "emails")
    if rec.get("kind") == "phone.account" and rec.get("account"):
        acc = str(rec["account"]).strip()
        yield ("email" if "@" in acc else "account", acc.lower() if "@" in acc else acc, "account")
    for key in ("imei", "imei2"):
        imei = rec.get(key)
        if isinstance(imei, dict) and imei.get("imei"):
            yield ("imei", str(imei["imei"])[:14], key)
    if rec.get("iccid"):
        yield ("iccid", str(rec["iccid"]), "iccid")
    if rec.get("kind") == "phone.wifi":
        bssid = rec.get("bssid")
        if isinstance(bssid, str) and bssid:
            yield ("bssid", normalise_bssid(bssid), "bssid")


def normalise_bssid(text: str) -> str:
    """``44:1e:98:43:cd:c`` → ``44:1e:98:43:cd:0c`` (iOS drops leading zeros), lower-case."""
    parts = text.strip().lower().replace("-", ":").split(":")
    if len(parts) == 6 and all(1 <= len(p) <= 2 for p in parts):
        return ":".join(p.zfill(2) for p in parts)
    return text.strip().lower()
