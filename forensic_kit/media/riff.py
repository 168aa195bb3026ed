"""AVI (RIFF) headers: frame size, codec, duration and the ``IDIT`` recording date, from the
``hdrl`` list at the start of the file (no frame is read).

Chunks are walked by their sizes inside the bytes already read; a size that runs past its parent
ends the walk. Dashcams and older phones and cameras still write AVI.
"""

from __future__ import annotations

import re
import struct
from datetime import datetime
from typing import Any

from forensic_kit.media.times import capture_time

PARSER_NAME = "fkit-riff 1"
MAX_CHUNKS = 4096
_NUMERIC = re.compile(r"^\s*(\d{4})[/:\-](\d{1,2})[/:\-](\d{1,2})[ T](\d{1,2}):(\d{2}):(\d{2})")


def _chunks(data: bytes, start: int, end: int, budget: list[int]) -> list[tuple[bytes, int, int]]:
    out = []
    pos = start
    end = min(end, len(data))
    while pos + 8 <= end:
        budget[0] += 1
        if budget[0] > MAX_CHUNKS:
            break
        cid, size = struct.unpack_from("<4sI", data, pos)
        body_end = pos + 8 + size
        if body_end > end:
            out.append((cid, pos + 8, end))  # truncated: what is there is still read
            break
        out.append((cid, pos + 8, body_end))
        pos = body_end + (size & 1)  # chunks are padded to an even size
    return out


def idit_time(raw: bytes) -> dict[str, Any] | None:
    """``IDIT`` text (``Mon Mar 10 15:04:43 2003`` or ``2009/10/27 12:14:34``) → a time block
    (camera local time: no zone)."""
    text = raw.split(b"\0", 1)[0].decode("latin-1", "replace").strip()
    m = _NUMERIC.match(text)
    if m:
        y, mo, d, h, mi, s = (int(g) for g in m.groups())
    else:
        try:
            dt = datetime.strptime(" ".join(text.split()), "%a %b %d %H:%M:%S %Y")
        except ValueError:
            return None
        y, mo, d, h, mi, s = dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second
    return capture_time(f"{y:04d}:{mo:02d}:{d:02d} {h:02d}:{mi:02d}:{s:02d}", None, None, "RIFF:DateTimeOriginal")


def avi_metadata(data: bytes) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """``media`` fields of an AVI whose first bytes are ``data``."""
    out: dict[str, Any] = {"kind": "video"}
    warnings: list[dict[str, str]] = []
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"AVI ":
        return out, [{"parser": PARSER_NAME, "stage": "parse", "reason": "not a RIFF AVI header"}]
    budget = [0]
    avih: tuple[int, ...] | None = None
    video: dict[str, Any] = {}
    when: dict[str, Any] | None = None

    def walk(start: int, end: int, depth: int) -> None:
        nonlocal avih, when
        for cid, s, e in _chunks(data, start, end, budget):
            if cid == b"LIST" and e - s >= 4 and depth < 4:
                kind = data[s:s + 4]
                if kind in (b"hdrl", b"strl", b"INFO"):
                    walk(s + 4, e, depth + 1)
            elif cid == b"avih" and e - s >= 40:
                avih = struct.unpack_from("<10I", data, s)
            elif cid == b"strh" and e - s >= 36 and not video:
                fcc, handler = data[s:s + 4], data[s + 4:s + 8]
                if fcc == b"vids":
                    scale, rate, _start, length = struct.unpack_from("<IIII", data, s + 20)
                    video["codec"] = handler.decode("latin-1").strip("\0 ") or None
                    if rate and scale:
                        video["duration"] = round(length * scale / rate, 6)
            elif cid == b"IDIT" and when is None:
                when = idit_time(data[s:e])

    walk(12, len(data), 0)
    if avih is not None:
        us_per_frame, total_frames, width, height = avih[0], avih[4], avih[8], avih[9]
        if width and height:
            out["video"] = {"width": width, "height": height, "display_width": width, "display_height": height,
                            "rotation": 0, "source": "avih"}
        if video.get("duration") is not None:
            out["duration"] = video["duration"]
        elif us_per_frame and total_frames:
            out["duration"] = round(us_per_frame * total_frames / 1e6, 6)
    else:
        warnings.append({"parser": PARSER_NAME, "stage": "parse", "reason": "no avih header in the first bytes"})
    if video.get("codec"):
        out.setdefault("video", {})["codec"] = video["codec"]
    if when is not None:
        out["times"] = {"original": when}
        out["capture_time"] = when
    out["parsers"] = {"riff": PARSER_NAME}
    return out, warnings
