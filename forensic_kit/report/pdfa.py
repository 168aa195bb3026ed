"""Turn reportlab's output into PDF/A-3b with ``fkit/manifest.json`` attached (pikepdf).

What is added: an sRGB output intent (ICC profile made by Pillow/LittleCMS, its creation date
pinned so the bytes are reproducible), XMP metadata with ``pdfaid:part=3``/``conformance=B`` and
the same title/author/dates as the document information dictionary, and the manifest as an
associated file (``/AF``, ``AFRelationship /Source``). Saving uses a deterministic ``/ID``.
"""

from __future__ import annotations

import io
from datetime import datetime

import pikepdf
from pikepdf import Array, Dictionary, Name

_ICC_CACHE: list[bytes] = []


def srgb_icc() -> bytes:
    """An sRGB ICC profile whose header date is fixed (LittleCMS stamps the current time)."""
    if not _ICC_CACHE:
        from PIL import ImageCms

        data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
        data[24:36] = bytes([0x07, 0xE0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0])  # 2016-01-01 00:00:00
        data[84:100] = bytes(16)  # profile id: "not computed"
        _ICC_CACHE.append(bytes(data))
    return _ICC_CACHE[0]


def _pdf_date(dt: datetime) -> str:
    off = dt.strftime("%z") or "+0000"
    return dt.strftime("D:%Y%m%d%H%M%S") + f"{off[:3]}'{off[3:]}'"


def make_pdfa(pdf_bytes: bytes, *, title: str, author: str, subject: str, lang: str, created: datetime,
              attachment: bytes | None, attachment_name: str = "manifest.json",
              attachment_description: str = "fkit signed manifest (RFC 8785)",
              attachment_mime: str = "application/json") -> bytes:
    """PDF/A-3b version of ``pdf_bytes``, with ``attachment`` embedded as an associated file."""
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    icc = pikepdf.Stream(pdf, srgb_icc())
    icc.N = 3
    intent = Dictionary(Type=Name.OutputIntent, S=Name.GTS_PDFA1, OutputConditionIdentifier="sRGB IEC61966-2.1",
                        Info="sRGB IEC61966-2.1", RegistryName="http://www.color.org", DestOutputProfile=icc)
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])
    pdf.Root.Lang = lang
    stamp = _pdf_date(created)
    if attachment is not None:
        spec = pikepdf.AttachedFileSpec(pdf, attachment, description=attachment_description,
                                        filename=attachment_name, mime_type=attachment_mime,
                                        creation_date=stamp, mod_date=stamp,
                                        relationship=Name.Source)
        pdf.attachments[attachment_name] = spec
        pdf.Root.AF = Array([spec.obj])
    pdf.docinfo[Name.Title] = title
    pdf.docinfo[Name.Author] = author
    pdf.docinfo[Name.Subject] = subject
    pdf.docinfo[Name.Creator] = "fkit"
    pdf.docinfo[Name.Producer] = "fkit (reportlab, pikepdf)"
    pdf.docinfo[Name.CreationDate] = stamp
    pdf.docinfo[Name.ModDate] = stamp
    iso = created.isoformat()
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["pdfaid:part"] = "3"
        meta["pdfaid:conformance"] = "B"
        meta["dc:title"] = title
        meta["dc:creator"] = [author]
        meta["dc:description"] = subject
        meta["xmp:CreatorTool"] = "fkit"
        meta["pdf:Producer"] = "fkit (reportlab, pikepdf)"
        meta["xmp:CreateDate"] = iso
        meta["xmp:ModifyDate"] = iso
        meta["xmp:MetadataDate"] = iso
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True, min_version="1.7",
             object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()
