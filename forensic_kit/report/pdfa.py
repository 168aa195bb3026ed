"""Turn reportlab's output into PDF/A-3b with ``fkit/manifest.json`` attached (pikepdf).

What is added: an sRGB output intent (ICC profile made by Pillow/LittleCMS, its creation date
pinned so the bytes are reproducible), XMP metadata with ``pdfaid:part=3``/``conformance=B`` and
the same title/author/subject/dates as the document information dictionary (entries without an XMP
value, such as reportlab's empty ``/Keywords``, are removed), and the manifest as an associated
file (``/AF``, ``AFRelationship /Source``). Saving uses a deterministic ``/ID``.

The XMP packet is written here in the conventional form (every namespace declared on the one
``rdf:Description``), which every XMP parser reads; Apache PDFBox's xmpbox does not find the
PDF/A identification when each property declares its own namespace.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name

_ICC_CACHE: list[bytes] = []
_ICC_V42_TAGS = {t.encode() for t in ("desc", "cprt", "wtpt", "chad", "rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC",
                                      "bTRC", "chrm", "lumi", "meas", "tech", "view", "dmnd", "dmdd")}


def srgb_icc() -> bytes:
    """An sRGB ICC profile whose header date is fixed (LittleCMS stamps the current time)."""
    if not _ICC_CACHE:
        from PIL import ImageCms

        data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
        data[24:36] = bytes([0x07, 0xE0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0])  # 2016-01-01 00:00:00
        data[84:100] = bytes(16)  # profile id: "not computed"
        # LittleCMS stamps the newest ICC version it knows (4.4, ICC.1:2022); PDF/A-3 rests on PDF 1.7,
        # whose colour profiles are ICC.1:2004-10 (version 4.2). The profile holds only tags that
        # 4.2 defines (desc cprt wtpt chad rXYZ gXYZ bXYZ rTRC gTRC bTRC chrm), so it is declared 4.2.
        tags = {bytes(data[132 + 12 * i:136 + 12 * i]) for i in range(int.from_bytes(data[128:132], "big"))}
        if tags <= _ICC_V42_TAGS:
            data[8:12] = bytes([4, 0x20, 0, 0])
        _ICC_CACHE.append(bytes(data))
    return _ICC_CACHE[0]


def _pdf_date(dt: datetime) -> str:
    off = dt.strftime("%z") or "+0000"
    return dt.strftime("D:%Y%m%d%H%M%S") + f"{off[:3]}'{off[3:]}'"


CREATOR = "fkit"
PRODUCER = "fkit (reportlab, pikepdf)"
_INFO_KEYS = {"/Title", "/Author", "/Subject", "/Creator", "/Producer", "/CreationDate", "/ModDate"}


def xmp_packet(*, title: str, author: str, subject: str, created: str) -> bytes:
    """The XMP metadata of a fkit PDF/A-3b: PDF/A identification and the document information
    dictionary's values (title, author, subject, creator tool, producer, dates)."""
    t, a, d, c = (escape(x) for x in (title, author, subject, created))
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/">\n'
        '<pdfaid:part>3</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{t}</rdf:li></rdf:Alt></dc:title>\n'
        f'<dc:creator><rdf:Seq><rdf:li>{a}</rdf:li></rdf:Seq></dc:creator>\n'
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{d}</rdf:li></rdf:Alt></dc:description>\n'
        f'<xmp:CreatorTool>{CREATOR}</xmp:CreatorTool>\n<pdf:Producer>{escape(PRODUCER)}</pdf:Producer>\n'
        f'<xmp:CreateDate>{c}</xmp:CreateDate>\n<xmp:ModifyDate>{c}</xmp:ModifyDate>\n'
        f'<xmp:MetadataDate>{c}</xmp:MetadataDate>\n'
        '</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="w"?>'
    ).encode("utf-8")


def make_pdfa(pdf_bytes: bytes, *, title: str, author: str, subject: str, lang: str, created: datetime,
              attachment: bytes | None, attachment_name: str = "manifest.json",
              attachment_description: str = "fkit signed manifest (RFC 8785)",
              attachment_mime: str = "application/json") -> bytes:
    """PDF/A-3b version of ``pdf_bytes``, with ``attachment`` embedded as an associated file."""
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    apply_pdfa(pdf, title=title, author=author, subject=subject, lang=lang, created=created,
               attachment=attachment, attachment_name=attachment_name,
               attachment_description=attachment_description, attachment_mime=attachment_mime)
    out = io.BytesIO()
    save_pdfa(pdf, out)
    return out.getvalue()


def save_pdfa(pdf: pikepdf.Pdf, target: Any) -> None:
    """Save a PDF made PDF/A by :func:`apply_pdfa` (a path or a binary file object; deterministic ``/ID``)."""
    pdf.save(target, deterministic_id=True, compress_streams=True, min_version="1.7",
             object_stream_mode=pikepdf.ObjectStreamMode.disable)


def apply_pdfa(pdf: pikepdf.Pdf, *, title: str, author: str, subject: str, lang: str, created: datetime,
               attachment: bytes | None, attachment_name: str = "manifest.json",
               attachment_description: str = "fkit signed manifest (RFC 8785)",
               attachment_mime: str = "application/json") -> None:
    """Make ``pdf`` PDF/A-3b in place, with ``attachment`` embedded as an associated file."""
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
    for key in list(pdf.docinfo.keys()):
        if key not in _INFO_KEYS:
            del pdf.docinfo[key]  # reportlab's /Keywords "" and /Trapped: no XMP counterpart written
    pdf.docinfo[Name.Title] = title
    pdf.docinfo[Name.Author] = author
    pdf.docinfo[Name.Subject] = subject
    pdf.docinfo[Name.Creator] = CREATOR
    pdf.docinfo[Name.Producer] = PRODUCER
    pdf.docinfo[Name.CreationDate] = stamp
    pdf.docinfo[Name.ModDate] = stamp
    xmp = pikepdf.Stream(pdf, xmp_packet(title=title, author=author, subject=subject, created=created.isoformat()))
    xmp.Type = Name.Metadata
    xmp.Subtype = Name.XML
    pdf.Root.Metadata = pdf.make_indirect(xmp)
