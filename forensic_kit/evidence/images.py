"""Image sources without pytsk3: raw and split raw files as one read-only random-access stream.

E01/Ex01 live in :mod:`forensic_kit.evidence.disk` (the only module importing pyewf/pytsk3).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from forensic_kit.errors import FormatError, InputError
from forensic_kit.fileopen import open_readonly

EWF_SIGNATURES = (b"EVF\x09\x0d\x0a\xff\x00", b"EVF2\x0d\x0a\x81\x00", b"LVF\x09\x0d\x0a\xff\x00")
_SEGMENT = re.compile(r"^(?P<stem>.*)\.(?P<num>\d{3})$")


def split_segments(path: Path) -> list[Path]:
    """The segments of a split raw image (``x.000, x.001`` or ``x.001, x.002``), or ``[path]``."""
    m = _SEGMENT.match(path.name)
    if not m:
        return [path]
    stem = m.group("stem")
    width = len(m.group("num"))
    first = 0 if path.with_name(f"{stem}.{0:0{width}d}").exists() else int(m.group("num"))
    segs: list[Path] = []
    n = first
    while True:
        seg = path.with_name(f"{stem}.{n:0{width}d}")
        if not seg.exists():
            break
        segs.append(seg)
        n += 1
    if path not in segs:
        return [path]
    return segs


def is_ewf(path: Path) -> bool:
    """True when the file starts with an EWF (E01/Ex01/L01) signature."""
    try:
        fd = open_readonly(os.fsencode(path), follow=True)
    except OSError:
        return False
    try:
        head = os.pread(fd, 8, 0)
    except OSError:
        return False
    finally:
        os.close(fd)
    return head in EWF_SIGNATURES


class RawSource:
    """A raw or split raw image (or block device) as one read-only stream with ``pread``."""

    kind = "raw"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.segments = split_segments(path)
        if len(self.segments) > 1:
            self.kind = "split-raw"
        self._fds: list[int] = []
        self._starts: list[int] = []
        self._sizes: list[int] = []
        pos = 0
        try:
            for seg in self.segments:
                fd = open_readonly(os.fsencode(seg), follow=True)
                self._fds.append(fd)
                size = os.lseek(fd, 0, os.SEEK_END)
                self._starts.append(pos)
                self._sizes.append(size)
                pos += size
        except OSError as exc:
            self.close()
            raise InputError(f"{path}: cannot open image: {exc.strerror}") from exc
        self.size = pos
        if self.size == 0:
            self.close()
            raise FormatError(f"{path}: empty image")

    def pread(self, offset: int, length: int) -> bytes:
        """Read up to ``length`` bytes at ``offset`` across segments (short at the end)."""
        if offset >= self.size or length <= 0:
            return b""
        length = min(length, self.size - offset)
        idx = 0
        while idx + 1 < len(self._starts) and self._starts[idx + 1] <= offset:
            idx += 1
        local = offset - self._starts[idx]
        if local + length <= self._sizes[idx]:
            # Inside one segment (nearly every read): one pread, no copy into a joining buffer.
            data = os.pread(self._fds[idx], length, local)
            if len(data) == length:
                return data
        out = bytearray()
        while length > 0 and idx < len(self._fds):
            local = offset - self._starts[idx]
            want = min(length, self._sizes[idx] - local)
            if want <= 0:  # an empty segment: the data goes on in the next one
                idx += 1
                continue
            data = os.pread(self._fds[idx], want, local)
            if not data:
                break
            out += data
            offset += len(data)
            length -= len(data)
            if len(data) < want:
                continue
            idx += 1
        return bytes(out)

    def close(self) -> None:
        """Close every segment."""
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds = []
