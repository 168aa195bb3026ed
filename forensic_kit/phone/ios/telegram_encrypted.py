"""Telegram's iOS Postbox store when it is encrypted (SQLCipher): reported, with what would open it.

The store keeps the first 32 bytes of the SQLite header in clear (``cipher_plaintext_header_size``),
so it starts like SQLite but nothing after byte 32 is a valid header. A plain store is read by
:mod:`.telegram_messages`; this parser emits nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from forensic_kit.phone.base import Context, FileParser, open_evidence
from forensic_kit.records import Record, new_record

KEY = ("SQLCipher key derived from '.tempkeyEncrypted' in the Telegram app group container (with the local "
       "passcode when one is set): needs that file from a full-file-system extraction")


def plain_sqlite(head: bytes) -> bool:
    """True when the 100-byte header is a plain SQLite header (schema format 1–4, encoding 1–3)."""
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
        return False
    schema = int.from_bytes(head[44:48], "big")
    encoding = int.from_bytes(head[56:60], "big")
    return 1 <= schema <= 4 and 1 <= encoding <= 3


class TelegramEncrypted(FileParser):
    """An encrypted ``postbox/db/db_sqlite`` → one ``phone.unparsed`` record naming the key that opens it."""

    NAME = "ios_telegram_encrypted"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "ios"
    APP_IDS = ("ph.telegra.Telegraph", "org.telegram.Telegram-iOS")
    FILENAMES = ("db_sqlite",)
    PATH_CONTAINS = ("postbox",)

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        with open_evidence(path) as f:
            head = f.read(100)
        if plain_sqlite(head):
            return
        yield new_record("phone.unparsed", self.NAME, self.VERSION, exhibit=ctx.exhibit, what="database",
                         path=logical, size=path.stat().st_size, app_id="ph.telegra.Telegraph",
                         reason=f"Telegram Postbox store, encrypted (not a plain SQLite header); {KEY}",
                         locator={"path": logical, **ctx.extra_locator})
