"""Facebook Messenger messages (Android ``threads_db2``: ``messages`` + ``threads``), the tables and
columns ALEAPP's Messenger artefact reads (older Messenger / Facebook app versions, before
``msys_database``).

``sender`` is JSON (``{"user_key": "FACEBOOK:<id>", "name": ...}``); ``timestamp_ms`` is Java
milliseconds; ``attachments`` is a JSON list (``filename``, ``mime_type``, ``file_size``); the
thread's participants are the JSON list ``threads.participants`` (with ``phone`` when the
participant shared one: normalised to E.164). Admin messages (calls, group
changes: ``generic_admin_message_extensible_data``) are kept with that data raw. A value that is not
the JSON expected is kept raw beside an empty parsed field, never guessed.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, java_ms
from forensic_kit.records import Record

_THREADS: dict[str, tuple[str, ...]] = {"threads": ("thread_key", "participants")}


def _json(text: Any) -> Any:
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _fb_id(user_key: Any) -> Any:
    """``FACEBOOK:1000123`` → ``1000123`` (other prefixes kept as they are)."""
    if isinstance(user_key, str) and user_key.upper().startswith("FACEBOOK:"):
        return user_key[9:]
    return user_key


def _person(obj: Any, ctx: Context) -> dict[str, Any] | None:
    if not isinstance(obj, dict):
        return None
    key = obj.get("user_key")
    if key is None and obj.get("name") is None:
        return None
    out: dict[str, Any] = {"raw": _fb_id(key), "type": "facebook_id", "name": obj.get("name")}
    if isinstance(obj.get("email"), str):
        out["email"] = obj["email"]
    phone = obj.get("phone")
    if isinstance(phone, (str, int)) and not isinstance(phone, bool) and str(phone).strip():
        out["number"] = ctx.number(phone)
    return out


def _attachments(text: Any) -> tuple[list[dict[str, Any]], Any]:
    data = _json(text)
    if data is None:
        return [], (text if text not in (None, "", "[]") else None)
    if not isinstance(data, list):
        return [], text
    out = []
    for item in data:
        if isinstance(item, dict):
            out.append({"name": item.get("filename"), "mime": item.get("mime_type"), "size": item.get("file_size")})
    return out, None


class FbMessengerThreads(SqliteParser):
    """``threads_db2`` ``messages`` → ``phone.message`` (``app: messenger``): thread, participants,
    sender id and name, text, time, attachments."""

    NAME = "android_fb_messenger_threads"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "android"
    APP_IDS = ("com.facebook.orca", "com.facebook.katana", "com.facebook.mlite")
    FILENAMES = ("threads_db2",)
    TABLE = "messages"
    REQUIRED = {"messages": ("msg_id", "thread_key", "text", "sender", "timestamp_ms")}
    SIGNATURE = {"messages": ("msg_id", "thread_key", "text", "sender", "timestamp_ms", "attachments"),
                 "threads": ("thread_key",)}
    OPTIONAL = {"messages": ("attachments", "msg_type", "snippet", "timestamp_sent_ms",
                             "generic_admin_message_extensible_data")}
    LINKED = {
        "participants": (_THREADS, "SELECT t.participants FROM threads AS t WHERE t.thread_key = messages.thread_key"),
        "thread_name": ({"threads": ("thread_key", "name")},
                        "SELECT t.name FROM threads AS t WHERE t.thread_key = messages.thread_key"),
    }
    QUERY = ("SELECT messages.rowid AS rowid, messages.msg_id AS msg_id, messages.thread_key AS thread_key, "
             "messages.text AS text, messages.sender AS sender, messages.timestamp_ms AS ts{opt}{linked} "
             "FROM messages ORDER BY messages.timestamp_ms, messages.rowid")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        sender = _person(_json(row["sender"]), ctx)
        people = _json(row["participants"])
        recipients = [p for p in (_person(x, ctx) for x in people) if p is not None and p["raw"] != (sender or {}).get("raw")] \
            if isinstance(people, list) else []
        attachments, attachments_raw = _attachments(row["attachments"])
        admin = row["generic_admin_message_extensible_data"]
        return self.record(
            ctx, locator, app="messenger", thread_id=row["thread_key"], chat_name=row["thread_name"],
            message_id=row["msg_id"], sender=sender, sender_raw=row["sender"] if sender is None else None,
            recipients=recipients, time=java_ms(row["ts"]), sent_time=java_ms(row["timestamp_sent_ms"]),
            body=row["text"], snippet=row["snippet"], message_type=row["msg_type"], attachments=attachments,
            attachments_raw=attachments_raw, admin_message=1 if admin is not None else 0, admin_data=admin)
