"""Android Binary XML (ABX, Android 12+ ``BinaryXmlSerializer``) → an ElementTree element.

Layout: magic ``ABX\\0``, then tokens. Each token byte is ``(type << 4) | event``. Strings are a
big-endian unsigned short length + UTF-8; *interned* strings are a short index into a pool, or
``0xFFFF`` followed by a new string that joins the pool. Attribute values are rendered as text XML
would write them (``int`` decimal, ``*_hex`` lower-case hex, booleans ``true``/``false``), so the
text-XML parsers read both forms. Anything unexpected raises :class:`ValueError`.
"""

from __future__ import annotations

import base64
import struct
from xml.etree import ElementTree

MAGIC = b"ABX\x00"

START_DOCUMENT, END_DOCUMENT, START_TAG, END_TAG, TEXT = 0, 1, 2, 3, 4
CDSECT, ENTITY_REF, IGNORABLE_WHITESPACE, PROCESSING_INSTRUCTION, COMMENT, DOCDECL = 5, 6, 7, 8, 9, 10
ATTRIBUTE = 15

TYPE_NULL, TYPE_STRING, TYPE_STRING_INTERNED = 1, 2, 3
TYPE_BYTES_HEX, TYPE_BYTES_BASE64 = 4, 5
TYPE_INT, TYPE_INT_HEX, TYPE_LONG, TYPE_LONG_HEX = 6, 7, 8, 9
TYPE_FLOAT, TYPE_DOUBLE, TYPE_BOOLEAN_TRUE, TYPE_BOOLEAN_FALSE = 10, 11, 12, 13


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = len(MAGIC)
        self.pool: list[str] = []

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ValueError("ABX: truncated")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def u16(self) -> int:
        return int(struct.unpack(">H", self.take(2))[0])

    def utf(self) -> str:
        return self.take(self.u16()).decode("utf-8")

    def interned(self) -> str:
        idx = self.u16()
        if idx == 0xFFFF:
            text = self.utf()
            self.pool.append(text)
            return text
        if idx >= len(self.pool):
            raise ValueError(f"ABX: interned string {idx} not in pool")
        return self.pool[idx]

    def value(self, typ: int) -> str | None:
        if typ == TYPE_NULL:
            return None
        if typ == TYPE_STRING:
            return self.utf()
        if typ == TYPE_STRING_INTERNED:
            return self.interned()
        if typ in (TYPE_BYTES_HEX, TYPE_BYTES_BASE64):
            raw = self.take(self.u16())
            return raw.hex().upper() if typ == TYPE_BYTES_HEX else base64.b64encode(raw).decode("ascii")
        if typ in (TYPE_INT, TYPE_INT_HEX):
            v = int(struct.unpack(">i", self.take(4))[0])
            return str(v) if typ == TYPE_INT else format(v & 0xFFFFFFFF, "x")
        if typ in (TYPE_LONG, TYPE_LONG_HEX):
            v = int(struct.unpack(">q", self.take(8))[0])
            return str(v) if typ == TYPE_LONG else format(v & 0xFFFFFFFFFFFFFFFF, "x")
        if typ == TYPE_FLOAT:
            return repr(struct.unpack(">f", self.take(4))[0])
        if typ == TYPE_DOUBLE:
            return repr(struct.unpack(">d", self.take(8))[0])
        if typ == TYPE_BOOLEAN_TRUE:
            return "true"
        if typ == TYPE_BOOLEAN_FALSE:
            return "false"
        raise ValueError(f"ABX: unknown value type {typ}")


def parse(data: bytes) -> ElementTree.Element:
    """The root element of an ABX document."""
    if data[:4] != MAGIC:
        raise ValueError("not Android Binary XML")
    r = _Reader(data)
    stack: list[ElementTree.Element] = []
    root: ElementTree.Element | None = None
    while r.pos < len(data):
        token = r.take(1)[0]
        event, typ = token & 0x0F, token >> 4
        if event == START_DOCUMENT:
            continue
        if event == END_DOCUMENT:
            break
        if event == START_TAG:
            el = ElementTree.Element(r.interned())
            if stack:
                stack[-1].append(el)
            elif root is None:
                root = el
            else:
                raise ValueError("ABX: second root element")
            stack.append(el)
        elif event == ATTRIBUTE:
            if not stack:
                raise ValueError("ABX: attribute outside an element")
            name = r.interned()
            value = r.value(typ)
            if value is not None:
                stack[-1].set(name, value)
        elif event == END_TAG:
            name = r.interned()
            if not stack or stack[-1].tag != name:
                raise ValueError(f"ABX: unbalanced end tag {name}")
            stack.pop()
        elif event in (TEXT, CDSECT, ENTITY_REF, IGNORABLE_WHITESPACE, PROCESSING_INSTRUCTION, COMMENT, DOCDECL):
            text = r.value(typ)
            if event in (TEXT, CDSECT, ENTITY_REF) and stack and text is not None:
                el = stack[-1]
                if len(el):
                    el[-1].tail = (el[-1].tail or "") + text
                else:
                    el.text = (el.text or "") + text
        else:
            raise ValueError(f"ABX: unknown event {event}")
    if root is None or stack:
        raise ValueError("ABX: no complete root element")
    return root
