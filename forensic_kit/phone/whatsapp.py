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



def media_list(path: Any, mime: Any, size: Any, caption: Any) -> list[dict[str, Any]]:
    """The message's attachment (``message_media`` / ``ZWAMEDIAITEM``) as a list (empty: none)."""
    if path is None and mime is None:
        return []
    return [{"path": path, "mime": mime, "size": size, "caption": caption}]


def location(lat: Any, lon: Any, name: Any, address: Any) -> dict[str, Any] | None:
    """A shared location (``message_location`` / location ``ZWAMEDIAITEM``), else ``None``."""
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)) or (lat == 0 and lon == 0):
        return None
    return {"lat": lat, "lon": lon, "place_name": name, "place_address": address}
