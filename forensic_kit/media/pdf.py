"""A Photoshop PDF's own image resources: Photoshop saves the image's EXIF (resource 0x0422) and
IPTC (0x0404) in each page's ``/PieceInfo /AdobePhotoshop /Private /ImageResources`` stream.

Those describe the image the PDF *is* (Photoshop wrote it from that photo), unlike a photo placed
in a document, whose EXIF fkit never reports as the document's. The PDF is opened with pikepdf
(qpdf: cross-reference tables and streams, object streams, every standard filter, repair of damaged
files); nothing else of it is read. Only PDFs that name Photoshop in their first bytes are opened.
"""

from __future__ import annotations

import io
from typing import Any

from forensic_kit.media import irb

MAX_STREAM = 4 * 1024 * 1024
MAX_PAGES = 64


def worth_opening(head: bytes) -> bool:
    """True when the first bytes name Photoshop (its Creator/Producer, its PieceInfo key)."""
    return b"Photoshop" in head


def photoshop_resources(data: bytes) -> tuple[bytes, str] | None:
    """(the image resources, where they are) of a Photoshop PDF; None for any other PDF."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages[:MAX_PAGES], 1):
                piece = page.obj.get("/PieceInfo")
                photoshop = piece.get("/AdobePhotoshop") if isinstance(piece, pikepdf.Dictionary) else None
                private = photoshop.get("/Private") if isinstance(photoshop, pikepdf.Dictionary) else None
                stream = private.get("/ImageResources") if isinstance(private, pikepdf.Dictionary) else None
                if isinstance(stream, pikepdf.Stream) and int(stream.get("/Length", 0)) <= MAX_STREAM:
                    num, gen = stream.objgen
                    return bytes(stream.read_bytes()), f"PDF page {number}, object {num} {gen} (/PieceInfo /AdobePhotoshop /ImageResources)"
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - pikepdf/qpdf errors on a damaged or hostile PDF: nothing read, not a crash
        return None
    return None


def photoshop_metadata(data: bytes) -> dict[str, Any]:
    """``media`` fields from a Photoshop PDF's image resources: EXIF fields and the IPTC capture
    time, with ``exif_in`` naming the object and resource. Empty for any other PDF."""
    from forensic_kit.media import exif, iptc

    found = photoshop_resources(data)
    if found is None:
        return {}
    resources, where = found
    out: dict[str, Any] = {}
    tiff = irb.resource(resources, irb.EXIF)
    fields = exif.tiff_block_fields(tiff) if tiff and tiff[:4] in (b"II*\0", b"MM\0*") else None
    if fields:
        out = fields
        out.pop("thumbnail", None)
        out["exif_present"] = True
        out["exif_in"] = f"{where}, resource 0x0422"
    iim = irb.resource(resources, irb.IPTC)
    created = iptc.iptc_time(iim) if iim else None
    if created is not None:
        out["times"] = dict(out.get("times") or {}, iptc_created=created)
    if out.get("times"):
        out["capture_time"] = exif.best_capture(out["times"])
    if out:
        out["parsers"] = {"pdf": f"pikepdf {_pikepdf_version()} (PieceInfo /AdobePhotoshop)", **({"exif": exif.PARSER_NAMES["exifread"]} if out.get("exif_present") else {})}
    return out


def _pikepdf_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pikepdf")
    except metadata.PackageNotFoundError:
        return "unknown"
