"""DjVu document metadata: the ``(metadata ...)`` annotation (BZZ-compressed in ``ANTz`` chunks,
often shared through ``INCL``), read with djvu-rs (pure Rust, MIT; decodes BZZ, nothing to render).
Its ``CreationDate``/``ModDate`` are ISO 8601 with their own offset; ExifTool reports the same
values as DjVu:CreateDate/ModifyDate (and, where the file carries an XMP copy, XMP:CreateDate)."""

from __future__ import annotations

from typing import Any

from forensic_kit.media.times import capture_time

MAX_BYTES = 16 * 1024 * 1024
# DjVu metadata key → (times key, source)
_TIMES = {"CreationDate": ("djvu_created", "DjVu:CreateDate"), "ModDate": ("djvu_modified", "DjVu:ModifyDate")}


def parser_name() -> str:
    from importlib import metadata

    try:
        return f"djvu-rs {metadata.version('djvu-rs')}"
    except metadata.PackageNotFoundError:
        return "djvu-rs (not installed)"


def djvu_metadata(data: bytes) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """(``times``, ``capture_time``, ``djvu_metadata`` fields; warnings) of a DjVu file's bytes."""
    try:
        import djvu_rs
    except ImportError:
        return {}, [{"parser": "djvu-rs", "stage": "parse", "reason": "djvu-rs is not installed: DjVu annotations not read"}]
    try:
        meta = djvu_rs.Document.from_bytes(data).metadata()
    except MemoryError:
        raise
    except BaseException as exc:  # noqa: BLE001 - a Rust panic on hostile input arrives as PanicException(BaseException)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)) or type(exc).__name__ == "FileTimeout":
            raise
        return {}, [{"parser": parser_name(), "stage": "parse", "reason": f"{type(exc).__name__}: {str(exc)[:200]}"}]
    if not meta:
        return {}, []
    out: dict[str, Any] = {}
    text = {k: v for k in ("title", "author", "subject", "keywords") if isinstance(v := meta.get(k), str) and v}
    extra = meta.get("extra") or []
    times: dict[str, Any] = {}
    for key, value in extra:
        if key in _TIMES and isinstance(value, str) and _TIMES[key][0] not in times:
            block = capture_time(value, None, None, _TIMES[key][1])
            if block is not None:
                times[_TIMES[key][0]] = block
    if text:
        out["djvu_metadata"] = text
    if times:
        out["times"] = times
        out["capture_time"] = times.get("djvu_created") or times.get("djvu_modified")
    if out:
        out["parsers"] = {"djvu": parser_name()}
    return out, []
