"""TikTok direct messages on iOS (``Library/Application Support/ChatFiles/<account uid>/db.sqlite``:
``TIMMessageORM``), the table and columns iLEAPP's TikTok artefact reads.

``localcreatedat``/``servercreatedat`` are Unix seconds; ``content`` is JSON whose ``text`` is the
message (``tips`` a local notice, ``display_name``/``url.url_list`` a shared link or GIF). The folder
name is the account's uid: a message whose ``sender`` equals it is outgoing (iLEAPP's rule). Content
that is not JSON is kept raw. Nicknames live in ``AwemeIM.db`` (see :mod:`.tiktok_contacts`).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from forensic_kit.phone.base import Context, SqliteParser, unix_s
from forensic_kit.records import Record


def _content(text: Any) -> dict[str, Any]:
    if not isinstance(text, str) or not text.lstrip().startswith("{"):
        return {}
    try:
        d = json.loads(text)
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


def _link(content: dict[str, Any]) -> dict[str, Any] | None:
    url = content.get("url")
    urls = url.get("url_list") if isinstance(url, dict) else None
    first = urls[0] if isinstance(urls, list) and urls and isinstance(urls[0], str) else None
    name = content.get("display_name")
    if first is None and not isinstance(name, str):
        return None
    return {"url": first, "name": name if isinstance(name, str) else None}


class TikTokMessages(SqliteParser):
    """``TIMMessageORM`` → ``phone.message`` (``app: tiktok``): conversation, sender uid, direction, text, times."""

    NAME = "ios_tiktok_messages"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "ios"
    APP_IDS = ("com.zhiliaoapp.musically",)
    FILENAMES = ("db.sqlite",)
    PATH_CONTAINS = ("chatfiles/",)
    TABLE = "TIMMessageORM"
    REQUIRED = {"TIMMessageORM": ("localcreatedat", "sender", "content", "belongingConversationIdentifier")}
    OPTIONAL = {"TIMMessageORM": ("servercreatedat",)}
    QUERY = ("SELECT TIMMessageORM.rowid AS rowid, TIMMessageORM.localcreatedat AS local_created, "
             "TIMMessageORM.sender AS sender, TIMMessageORM.content AS content, "
             "TIMMessageORM.belongingConversationIdentifier AS conversation{opt} "
             "FROM TIMMessageORM ORDER BY TIMMessageORM.localcreatedat, TIMMessageORM.rowid")

    def row(self, row: sqlite3.Row, ctx: Context, locator: dict[str, Any]) -> Record | None:
        parts = str(locator.get("path", "")).split("/")
        account = parts[-2] if len(parts) >= 2 and parts[-2].isdigit() else None
        sender = row["sender"]
        outgoing = None if account is None or sender is None else str(sender) == account
        content = _content(row["content"])
        text, tips = content.get("text"), content.get("tips")
        return self.record(
            ctx, locator, app="tiktok", thread_id=row["conversation"], sender={"raw": sender, "type": "tiktok_uid"},
            account_uid=account, from_me=None if outgoing is None else int(outgoing),
            type_label=None if outgoing is None else ("sent" if outgoing else "received"),
            time=unix_s(row["local_created"]), server_time=unix_s(row["servercreatedat"]),
            body=text if isinstance(text, str) else None, notice=tips if isinstance(tips, str) else None,
            link=_link(content), content=row["content"] if not content else None)
