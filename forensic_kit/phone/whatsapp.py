"""WhatsApp identifiers (JIDs) shared by the Android and iOS parsers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from forensic_kit.phone.base import Context


def jid_fields(jid: Any, ctx: "Context") -> dict[str, Any] | None:
    """``{"raw", "type", "number"}`` for a JID: ``<digits>@s.whatsapp.net`` is a user (its number
    in E.164 is the digits with a ``+``), ``...@g.us`` a group, ``status@broadcast`` a status."""
    if jid is None or str(jid) == "":
        return None
    text = str(jid)
    user, _, server = text.partition("@")
    kind = {"s.whatsapp.net": "user", "c.us": "user", "g.us": "group", "broadcast": "broadcast",
            "lid": "lid"}.get(server, "other")
    out: dict[str, Any] = {"raw": jid, "type": kind}
    if kind == "user" and user.split(":")[0].isdigit():
        out["number"] = ctx.number("+" + user.split(":")[0])
    return out
