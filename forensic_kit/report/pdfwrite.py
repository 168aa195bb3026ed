"""A PDF written one part at a time: the pages of each laid-out file are copied to the output as
they come, so the memory a long custody record needs does not grow with its page count.

qpdf (through pikepdf) merges in memory: it keeps every page's objects of the merged document, and
every source file open, until it writes (about 30 kB a page, docs/papers.md). Here pikepdf only
*reads*: each source is opened, its objects reachable from its pages are serialised with new object
numbers (stream data copied raw, as it was compressed; streams without a filter are compressed),
and the source is closed before the next. What stays in memory is one offset per object and one
number per page. At the end come the page tree (one ``/Pages`` node with every page), the catalog
and document information (from a *cover*: an empty ``pikepdf.Pdf`` made PDF/A by
:func:`forensic_kit.report.pdfa.apply_pdfa`, whose objects are serialised the same way), the
classic cross-reference table (PDF/A-1 allows no cross-reference streams) and a trailer whose
``/ID`` is the MD5 of everything written before it, so one input gives one output, byte for byte.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import deque
from decimal import Decimal
from typing import Any, BinaryIO

import pikepdf

_HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"  # the comment's four bytes above 127 mark the file as binary (PDF/A)
_SKIP_ROOT = ("/Pages", "/Type")


class PdfStreamWriter:
    """Write a PDF to ``out`` (a binary file opened for writing) page set by page set:
    :meth:`add_pages` for each source in order, then :meth:`finish` once."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._pos = 0
        self._offsets: list[int] = [0, 0, 0, 0]  # 1: page tree, 2: catalog, 3: information (written at the end)
        self._kids: list[int] = []
        self._info: dict[str, bytes] = {}  # the first source's document information, unless a cover gives its own
        self._root_extra: dict[str, bytes] = {}  # the first source's own catalog entries (e.g. /PageMode), serialised
        self._write(_HEADER)

    @property
    def pages(self) -> int:
        """Pages written so far."""
        return len(self._kids)

    def add_pages(self, pdf: pikepdf.Pdf) -> None:
        """Copy every page of ``pdf`` (and every object its pages reach) to the output; ``pdf`` may
        be closed as soon as this returns. The first source's catalog entries other than the page
        tree are kept for the catalog (a cover's entries override them)."""
        copy = _Copier(self, pdf)
        if not self._kids:
            self._root_extra = copy.pairs(pdf.Root, skip=_SKIP_ROOT)
            if "/Info" in pdf.trailer:
                self._info = copy.pairs(pdf.docinfo, skip=())
        for page in pdf.pages:
            self._kids.append(copy.number(page.obj))
        copy.drain()

    def finish(self, cover: pikepdf.Pdf | None = None) -> None:
        """Write the page tree, the catalog (the first source's entries, then ``cover``'s catalog
        entries), the document information (``cover``'s when given, else the first source's), the
        cross-reference table and the trailer. ``cover`` must have no pages."""
        if not self._kids:
            raise ValueError("a PDF needs at least one page")
        kids = b" ".join(b"%d 0 R" % k for k in self._kids)
        self._object(1, b"<</Type/Pages/Count %d/Kids[%s]>>" % (len(self._kids), kids))
        catalog, info = dict(self._root_extra), self._info
        if cover is not None:
            if len(cover.pages):
                raise ValueError("the cover of a streamed PDF must have no pages")
            copy = _Copier(self, cover)
            catalog.update(copy.pairs(cover.Root, skip=_SKIP_ROOT))
            info = copy.pairs(cover.docinfo, skip=())
            copy.drain()
        self._object(2, b"<</Type/Catalog/Pages 1 0 R" + _joined(catalog) + b">>")
        self._object(3, b"<<" + _joined(info) + b">>")
        digest = self._md5.hexdigest().encode()
        xref_at = self._pos
        table = [b"xref\n0 %d\n0000000000 65535 f\r\n" % len(self._offsets)]
        table += [b"%010d 00000 n\r\n" % off for off in self._offsets[1:]]
        self._write(b"".join(table))
        self._write(b"trailer\n<</Size %d/Root 2 0 R/Info 3 0 R/ID[<%s><%s>]>>\nstartxref\n%d\n%%%%EOF\n"
                    % (len(self._offsets), digest, digest, xref_at))

    # -- low level --------------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._md5.update(data)
        self._pos += len(data)

    def _reserve(self) -> int:
        self._offsets.append(-1)
        return len(self._offsets) - 1

    def _object(self, num: int, body: bytes, stream: bytes | None = None) -> None:
        self._offsets[num] = self._pos
        if stream is None:
            self._write(b"%d 0 obj\n%s\nendobj\n" % (num, body))
        else:
            self._write(b"%d 0 obj\n%s\nstream\n" % (num, body))
            self._write(stream)
            self._write(b"\nendstream\nendobj\n")


class _Copier:
    """Serialises the objects of one source with the writer's numbers: an indirect object gets a
    new number the first time it is referred to and is written when :meth:`drain` reaches it."""

    def __init__(self, writer: PdfStreamWriter, pdf: pikepdf.Pdf) -> None:
        self.w = writer
        self.numbers: dict[tuple[int, int], int] = {}
        self.todo: deque[tuple[int, Any]] = deque()
        # a page's /Parent, and anything else naming the source's page tree or catalog, is the output's
        for special, num in ((pdf.Root.get("/Pages"), 1), (pdf.Root, 2)):
            if isinstance(special, pikepdf.Object) and special.is_indirect:
                self.numbers[special.objgen] = num

    def number(self, obj: Any) -> int:
        """The output number of the indirect object ``obj`` (queued for writing the first time)."""
        key = obj.objgen
        num = self.numbers.get(key)
        if num is None:
            num = self.numbers[key] = self.w._reserve()
            self.todo.append((num, obj))
        return num

    def drain(self) -> None:
        """Write every queued object (and those they refer to)."""
        while self.todo:
            num, obj = self.todo.popleft()
            if isinstance(obj, pikepdf.Stream):
                raw = obj.read_raw_bytes()
                skip: tuple[str, ...] = ("/Length",)
                extra = b""
                if "/Filter" not in obj and raw and obj.get("/Type") != "/Metadata":  # PDF/A: XMP unfiltered
                    raw = zlib.compress(raw, 6)
                    skip = ("/Length", "/DecodeParms")
                    extra = b"/Filter/FlateDecode"
                body = b"<<" + self.entries(obj, skip) + extra + b"/Length %d>>" % len(raw)
                self.w._object(num, body, raw)
            else:
                self.w._object(num, self.value(obj, top=True))

    def pairs(self, obj: Any, skip: tuple[str, ...]) -> dict[str, bytes]:
        """The entries of a dictionary (or a stream's dictionary) without ``skip``, each value in PDF syntax."""
        return {key: self.value(value) for key, value in obj.items() if key not in skip}

    def entries(self, obj: Any, skip: tuple[str, ...]) -> bytes:
        """The ``/Key value`` pairs of a dictionary (or a stream's dictionary), without ``skip``."""
        return _joined(self.pairs(obj, skip))

    def value(self, obj: Any, top: bool = False) -> bytes:
        """``obj`` in PDF syntax; an indirect object (other than the one being written) as a reference."""
        if isinstance(obj, bool):
            return b"true" if obj else b"false"
        if isinstance(obj, int):
            return b"%d" % obj
        if isinstance(obj, (Decimal, float)):
            text = format(Decimal(str(obj)) if isinstance(obj, float) else obj, "f")
            return text.encode("ascii")
        if obj is None:
            return b"null"
        if not top and obj.is_indirect:
            return b"%d 0 R" % self.number(obj)
        if isinstance(obj, pikepdf.Dictionary):
            return b"<<" + self.entries(obj, ()) + b">>"
        if isinstance(obj, pikepdf.Array):
            return b"[" + b" ".join(self.value(v) for v in obj) + b"]"
        if isinstance(obj, pikepdf.Stream):
            raise ValueError("a stream can only be an indirect object")
        data: bytes = obj.unparse()
        return data


def _joined(pairs: dict[str, bytes]) -> bytes:
    return b"".join(pikepdf.Name(key).unparse() + b" " + value for key, value in pairs.items())
