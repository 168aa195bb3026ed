"""Hints that an image is not a camera original: messenger or editor traces.

A hint is never a verdict: a camera original renamed like a WhatsApp file, or an original that
passed through an editor without a change to its pixels, look the same from here. The record
states the hint and every reason behind it, so the reader weighs them.
"""

from __future__ import annotations

import os
import re
from typing import Any

# EXIF Software values that name an editor or a messenger rather than camera firmware
_EDITORS = re.compile(
    r"photoshop|lightroom|gimp|paint\.net|snapseed|picsart|instagram|facetune|pixelmator|affinity|"
    r"acdsee|irfanview|corel|paintshop|luminar|capture one|darktable|rawtherapee|faststone|"
    r"xnview|microsoft photo|windows photo|photos \d|picasa|whatsapp|telegram|facebook|meitu|vsco",
    re.IGNORECASE)
# Messenger file names: WhatsApp (IMG-20200101-WA0001.jpg), Telegram, Signal, Viber, Facebook
_MESSENGER_NAMES = re.compile(
    r"^(IMG|VID|AUD|PTT|STK)-\d{8}-WA\d{4}|^photo_\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d|^signal-\d{4}-\d\d-\d\d|"
    r"^viber_image_\d{4}|^received_\d{10,}|^FB_IMG_\d{10,}", re.IGNORECASE)
# Longest sides messengers resize photos to (WhatsApp 1600/2560, Telegram 1280/2560, Signal 1600...)
MESSENGER_SIDES = frozenset({800, 1024, 1280, 1600, 2048, 2560})
HINT = "possibly recompressed or edited (a hint from the reasons given, not a finding)"


def recompressed_hint(media: dict[str, Any], name: bytes | str, jpeg: bytes = b"") -> dict[str, Any] | None:
    """``{"hint", "reasons"}`` when the file carries messenger or editor traces, else None."""
    reasons: list[str] = []
    software = media.get("software")
    if isinstance(software, str) and _EDITORS.search(software):
        reasons.append(f"EXIF Software is {software!r}, an editor or messenger, not camera firmware")
    base = os.path.basename(os.fsdecode(name) if isinstance(name, bytes) else name)
    no_exif = not media.get("exif_present")
    if no_exif and _MESSENGER_NAMES.search(base):
        reasons.append(f"no EXIF and a messenger-style file name ({base})")
    image = media.get("image") or {}
    longest = max(int(image.get("width") or 0), int(image.get("height") or 0))
    if no_exif and media.get("mime") == "image/jpeg" and longest in MESSENGER_SIDES:
        reasons.append(f"no EXIF and a longest side of {longest} px, a size messengers resize photos to")
    for other in media.get("other_cameras") or ():
        reasons.append(f"the EXIF names the camera {_camera(media)} but a {other['source']} block names "
                       f"{_camera(other)}: metadata from two cameras in one file")
    if jpeg and not reasons and jpeg.find(b"Photoshop 3.0\0", 0, 65536) >= 0:
        reasons.append("a Photoshop/IPTC (APP13) segment, which editors and photo-desk tools write and cameras rarely do")
    if not reasons:
        return None
    return {"hint": HINT, "reasons": reasons}


def _camera(block: dict[str, Any]) -> str:
    """"Make Model", without the make twice when the model repeats it ("Canon Canon PowerShot")."""
    make, model = str(block.get("make") or ""), str(block.get("model") or "")
    return model if make and model.lower().startswith(make.lower()) else f"{make} {model}".strip()
