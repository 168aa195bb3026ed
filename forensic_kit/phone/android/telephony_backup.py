"""Android backup SMS/MMS (``apps/com.android.providers.telephony/d_f/*_sms_backup``, ``*_mms_backup``).

The telephony provider's key/value backup writes each chunk as a zlib-compressed JSON array of
the ``sms`` / ``pdu`` columns (all values as text). SMS ``date`` is Java milliseconds; MMS
``date`` is Unix **seconds**, as in the ``pdu`` table (MVT reads it as milliseconds and prints
1970-01-19 for 2020-01-20: the test pins the right value).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forensic_kit.phone.base import Context, FileParser, java_ms, read_evidence, unix_s
from forensic_kit.records import Record

MAX_JSON_BYTES = 512 << 20
_PDU_FROM = 137


def _int(value: Any) -> Any:
    """Text digits as an int (the backup stores every column as text); anything else unchanged."""
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value


class TelephonyBackup(FileParser):
    """Each JSON object → ``phone.message`` (``app: sms`` or ``mms``) with its position in the chunk."""

    NAME = "android_backup_telephony"
    VERSION = "1"
    KIND = "phone.message"
    PLATFORM = "android"
    LABELS = "android"
    APP_IDS = ("com.android.providers.telephony",)

    def matches(self, logical: str) -> bool:
        low = logical.lower()
        return "com.android.providers.telephony/" in low and low.endswith(("_sms_backup", "_mms_backup"))

    def parse(self, path: Path, logical: str, ctx: Context) -> Iterator[Record]:
        raw = read_evidence(path)
        inflate = zlib.decompressobj()
        data = inflate.decompress(raw, MAX_JSON_BYTES)
        if inflate.unconsumed_tail:
            raise ValueError(f"backup chunk inflates to more than {MAX_JSON_BYTES} bytes")
        items = json.loads(data)
        if not isinstance(items, list):
            raise ValueError("backup chunk is not a JSON array")
        mms = logical.lower().endswith("_mms_backup")
        for n, item in enumerate(items):
            loc = {"path": logical, "index": n}
            if not isinstance(item, dict):
                continue
            yield self._mms(item, ctx, loc) if mms else self._sms(item, ctx, loc)

    def _sms(self, d: dict[str, Any], ctx: Context, loc: dict[str, Any]) -> Record:
        typ = _int(d.get("type"))
        return self.record(
            ctx, loc, app="sms", address=ctx.number(d.get("address")), type=typ,
            type_label=self.label("sms_type", typ), time=java_ms(_int(d.get("date"))),
            sent_time=java_ms(_int(d.get("date_sent"))), body=d.get("body"), read=_int(d.get("read")),
            status=_int(d.get("status")), recipients=[ctx.number(r) for r in d.get("recipients") or []])

    def _mms(self, d: dict[str, Any], ctx: Context, loc: dict[str, Any]) -> Record:
        box = _int(d.get("msg_box"))
        senders: list[Any] = []
        recipients: list[Any] = []
        for a in d.get("mms_addresses") or []:
            if isinstance(a, dict):
                (senders if _int(a.get("type")) == _PDU_FROM else recipients).append(ctx.number(a.get("address")))
        return self.record(
            ctx, loc, app="mms", msg_box=box, type_label=self.label("mms_msg_box", box),
            time=unix_s(_int(d.get("date"))), sent_time=unix_s(_int(d.get("date_sent"))), senders=senders,
            recipients=recipients, body=d.get("mms_body"), read=_int(d.get("read")), m_type=_int(d.get("m_type")),
            transaction_id=d.get("tr_id"))
