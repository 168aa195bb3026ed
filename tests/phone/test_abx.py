"""Android Binary XML (ABX): decoding, and packages.xml written as ABX (Android 12+)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from forensic_kit.phone import abx
from tests.phone.helpers import of, triage


class AbxWriter:
    """A minimal writer following AOSP BinaryXmlSerializer's encoding (for test fixtures)."""

    def __init__(self) -> None:
        self.out = bytearray(abx.MAGIC)
        self.pool: dict[str, int] = {}
        self.out.append(abx.START_DOCUMENT | (abx.TYPE_NULL << 4))

    def _utf(self, text: str) -> None:
        raw = text.encode("utf-8")
        self.out += struct.pack(">H", len(raw)) + raw

    def _interned(self, text: str) -> None:
        if text in self.pool:
            self.out += struct.pack(">H", self.pool[text])
        else:
            self.pool[text] = len(self.pool)
            self.out += b"\xff\xff"
            self._utf(text)

    def start(self, tag: str) -> "AbxWriter":
        self.out.append(abx.START_TAG | (abx.TYPE_STRING_INTERNED << 4))
        self._interned(tag)
        return self

    def end(self, tag: str) -> "AbxWriter":
        self.out.append(abx.END_TAG | (abx.TYPE_STRING_INTERNED << 4))
        self._interned(tag)
        return self

    def attr(self, name: str, typ: int, value: object) -> "AbxWriter":
        self.out.append(abx.ATTRIBUTE | (typ << 4))
        self._interned(name)
        if typ == abx.TYPE_STRING:
            self._utf(str(value))
        elif typ == abx.TYPE_STRING_INTERNED:
            self._interned(str(value))
        elif typ in (abx.TYPE_INT, abx.TYPE_INT_HEX):
            self.out += struct.pack(">i", int(value))  # type: ignore[call-overload]
        elif typ in (abx.TYPE_LONG, abx.TYPE_LONG_HEX):
            self.out += struct.pack(">q", int(value))  # type: ignore[call-overload]
        elif typ == abx.TYPE_BYTES_HEX:
            raw = bytes(value)  # type: ignore[call-overload]
            self.out += struct.pack(">H", len(raw)) + raw
        return self

    def text(self, value: str) -> "AbxWriter":
        self.out.append(abx.TEXT | (abx.TYPE_STRING << 4))
        self._utf(value)
        return self

    def done(self) -> bytes:
        self.out.append(abx.END_DOCUMENT | (abx.TYPE_NULL << 4))
        return bytes(self.out)


def test_abx_decode_values() -> None:
    w = AbxWriter().start("root").attr("s", abx.TYPE_STRING, "é x").attr("i", abx.TYPE_INT, -5)
    w.attr("h", abx.TYPE_INT_HEX, 255).attr("l", abx.TYPE_LONG_HEX, 1698912016912)
    w.attr("t", abx.TYPE_BOOLEAN_TRUE, None).attr("b", abx.TYPE_BYTES_HEX, b"\x02\xab").attr("n", abx.TYPE_NULL, None)
    w.start("child").text("hello").end("child").start("child").end("child").end("root")
    root = abx.parse(w.done())
    assert root.tag == "root"
    assert root.attrib == {"s": "é x", "i": "-5", "h": "ff", "l": "18b8f0c1a10", "t": "true", "b": "02AB"}
    assert [c.tag for c in root] == ["child", "child"] and root[0].text == "hello"


@pytest.mark.parametrize("data,reason", [
    (b"ABX\x00\x32\xff\xff\x00\x09ab", "truncated"),
    (b"ABX\x00\x32\x00\x07", "not in pool"),
    (b"ABX\x00\x10\x11", "no complete root"),
])
def test_abx_bad_input(data: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        abx.parse(data)


def test_packages_xml_in_abx(tmp_path: Path) -> None:
    w = AbxWriter().start("packages")
    for name, it in (("com.whatsapp", 1698912016912), ("org.telegram.messenger", 1700000000000)):
        w.start("package").attr("name", abx.TYPE_STRING_INTERNED, name)
        w.attr("codePath", abx.TYPE_STRING, f"/data/app/{name}").attr("ft", abx.TYPE_LONG_HEX, it)
        w.attr("it", abx.TYPE_LONG_HEX, it).attr("ut", abx.TYPE_LONG_HEX, it).attr("version", abx.TYPE_LONG, 231112)
        w.attr("userId", abx.TYPE_INT, 10180).end("package")
    system = tmp_path / "data" / "system"
    system.mkdir(parents=True)
    (system / "packages.xml").write_bytes(w.end("packages").done())
    recs = triage(tmp_path)
    apps = of(recs, "phone.app", "android_packages_xml")
    assert [a["package"] for a in apps] == ["com.whatsapp", "org.telegram.messenger"]
    assert apps[0]["first_install"] == {"utc": "2023-11-02T08:00:16.912000Z", "raw": 1698912016912, "format": "java_millis"}
    assert (apps[0]["version_code"], apps[0]["user_id"]) == ("231112", "10180")
    assert of(recs, "warning") == []
