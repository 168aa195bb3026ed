"""A POSIX (pax) tar archive as a stream: written by pulling, read by pushing.

:class:`TarReader` is what pyrage's encryptor pulls from: it yields tar headers (encoded by
:mod:`tarfile`), then each member's bytes read from disk in 1 MiB blocks and SHA-256-hashed as they
pass (hash at read; a file whose bytes differ from the expected hash stops the stream), then the
end-of-archive blocks. Nothing is staged: memory is a few MiB whatever the archive size.

:class:`TarSink` is what pyrage's decryptor pushes into: it parses headers with :mod:`tarfile`
(``TarInfo.frombuf``, pax ``x`` records for long and non-ASCII names) and hands each member's data
to a callback as it arrives. Only regular files and folders are accepted; a name that is absolute,
has ``..``, or is a link, device or FIFO stops the stream with :class:`UnsafeArchive`.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from forensic_kit.errors import CheckFailed

BLOCK = 512
RECORD = 20 * BLOCK
CHUNK = 1 << 20
_REG = (tarfile.REGTYPE, tarfile.AREGTYPE)


class UnsafeArchive(CheckFailed):
    """A tar member that must not be extracted (traversal, link, device) or a malformed archive."""


class ContentChanged(CheckFailed):
    """A file read for the archive does not have the hash it was sealed with."""


@dataclass
class Member:
    """One archive member: bytes in memory, or a file on disk with its expected SHA-256."""

    name: str
    data: bytes | None = None
    path: Path | None = None
    size: int = 0
    sha256: str | None = None
    mtime: int = 0


def _header(name: str, size: int, mtime: int, kind: bytes = tarfile.REGTYPE) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = mtime
    info.mode = 0o644 if kind == tarfile.REGTYPE else 0o755
    info.type = kind
    info.uname = info.gname = ""
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


class TarReader:
    """File-like ``read(n)`` over the tar stream of ``members`` (see the module docstring)."""

    def __init__(self, members: list[Member]) -> None:
        self._gen = self._blocks(members)
        self._buf = memoryview(b"")
        self.bytes_out = 0
        self.hashes: dict[str, str] = {}
        self.error: BaseException | None = None

    def _blocks(self, members: list[Member]) -> Iterator[bytes]:
        folders: set[str] = set()
        for m in members:
            parts = PurePosixPath(m.name).parts
            for i in range(1, len(parts)):
                folder = "/".join(parts[:i]) + "/"
                if folder not in folders:
                    folders.add(folder)
                    yield _header(folder, 0, m.mtime, tarfile.DIRTYPE)
            if m.data is not None:
                yield _header(m.name, len(m.data), m.mtime)
                yield m.data
                self.hashes[m.name] = hashlib.sha256(m.data).hexdigest()
                pad = -len(m.data) % BLOCK
            else:
                assert m.path is not None
                yield from self._file(m)
                pad = -m.size % BLOCK
            if pad:
                yield bytes(pad)
        yield bytes(2 * BLOCK)
        tail = -self.bytes_out % RECORD  # every block yielded so far has been read
        if tail:
            yield bytes(tail)

    def _file(self, m: Member) -> Iterator[bytes]:
        from forensic_kit.fileopen import open_readonly

        assert m.path is not None
        try:
            fd = open_readonly(os.fspath(m.path))
        except OSError as exc:
            raise ContentChanged(f"{m.name}: cannot read it ({exc.strerror}); nothing was written") from None
        try:
            st = os.fstat(fd)
            if st.st_size != m.size:
                raise ContentChanged(f"{m.name} is {st.st_size} bytes, sealed as {m.size}: it changed since sealing; "
                                     "refusing to disclose it")
            yield _header(m.name, m.size, m.mtime)
            h = hashlib.sha256()
            left = m.size
            while left:
                block = os.read(fd, min(CHUNK, left))
                if not block:
                    raise ContentChanged(f"{m.name} became shorter while it was read; refusing to disclose it")
                h.update(block)
                left -= len(block)
                yield block
        finally:
            os.close(fd)
        digest = h.hexdigest()
        if m.sha256 is not None and digest != m.sha256:
            raise ContentChanged(f"{m.name} no longer matches its sealed SHA-256; refusing to disclose it")
        self.hashes[m.name] = digest

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes of the archive (``b""`` at the end)."""
        while not self._buf:
            try:
                block = next(self._gen, None)
            except BaseException as exc:  # kept: pyrage turns it into a generic EncryptError
                self.error = exc
                raise
            if block is None:
                return b""
            self._buf = memoryview(block)
        if n < 0 or n >= len(self._buf):
            out, self._buf = self._buf, memoryview(b"")
        else:
            out, self._buf = self._buf[:n], self._buf[n:]
        self.bytes_out += len(out)
        whole = out.obj
        if isinstance(whole, bytes) and out.nbytes == len(whole):
            return whole  # a block read whole (the usual case): handed on without a copy
        return bytes(out)

    def readable(self) -> bool:
        """File-like protocol."""
        return True


def _pax_records(data: bytes) -> dict[str, str]:
    """``"%d key=value\\n"`` records of a pax extended header (POSIX.1-2001)."""
    out: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos)
        if space < 0:
            raise UnsafeArchive("malformed pax header in the archive")
        try:
            length = int(data[pos:space])
        except ValueError:
            raise UnsafeArchive("malformed pax header in the archive") from None
        record = data[space + 1:pos + length]
        if length <= 0 or not record.endswith(b"\n") or b"=" not in record:
            raise UnsafeArchive("malformed pax header in the archive")
        key, _, value = record[:-1].partition(b"=")
        out[key.decode("utf-8", "replace")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return out


def safe_name(name: str) -> str:
    """A member name as a relative POSIX path, or :class:`UnsafeArchive` (absolute, ``..``, NUL, empty)."""
    if not name or "\x00" in name or name.startswith("/") or "\\" in name:
        raise UnsafeArchive(f"unsafe name in the archive: {name!r}; refusing it")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        raise UnsafeArchive(f"unsafe name in the archive: {name!r}; refusing it")
    return "/".join(parts)


class TarSink:
    """``write(data)`` target that parses a tar stream and calls back per member.

    ``on_start(name, size)`` returns a ``write(bytes)`` function for a regular file's data (or
    raises to refuse it); ``on_end(name)`` is called after the file's last byte; folders only go
    to ``on_dir(name)``. Errors are raised from ``write`` and remembered in :attr:`error` (pyrage
    may swallow an exception raised while it flushes its last buffer).
    """

    def __init__(self, on_start: Callable[[str, int], Callable[[memoryview], object]], on_end: Callable[[str], None],
                 on_dir: Callable[[str], None], max_meta: int = 1 << 20) -> None:
        self.on_start, self.on_end, self.on_dir = on_start, on_end, on_dir
        self.max_meta = max_meta
        self._buf = bytearray()
        self._need = BLOCK
        self._state = "header"  # header | data | pad | pax | end
        self._left = 0
        self._pad = 0
        self._name = ""
        self._pax: dict[str, str] = {}
        self._sink: Callable[[memoryview], object] | None = None
        self.ended = False
        self.error: BaseException | None = None
        self.received = 0

    def write(self, data: bytes | bytearray) -> int:
        """Take the next bytes of the archive (member data is passed on as memoryview slices of ``data``)."""
        if self.error is not None:
            raise self.error
        try:
            self._feed(data)
        except BaseException as exc:
            self.error = exc
            raise
        self.received += len(data)
        return len(data)

    def _feed(self, data: bytes | bytearray) -> None:
        view = memoryview(data)
        while view:
            if self._state == "data":
                take = view[:self._left]
                view = view[len(take):]
                self._left -= len(take)
                assert self._sink is not None
                self._sink(take)
                if self._left == 0:
                    self.on_end(self._name)
                    self._state = "pad" if self._pad else "header"
                    self._need = self._pad or BLOCK
                continue
            if self._state == "end":
                if any(view):
                    raise UnsafeArchive("data after the end of the archive; refusing it")
                return
            take = view[:self._need - len(self._buf)]
            self._buf += take
            view = view[len(take):]
            if len(self._buf) < self._need:
                continue
            chunk = bytes(self._buf)
            self._buf.clear()
            self._block(chunk)

    def _block(self, chunk: bytes) -> None:
        if self._state == "pad":
            self._state, self._need = "header", BLOCK
            return
        if self._state == "pax":
            self._pax = _pax_records(chunk[:self._left])
            self._state, self._need = "header", BLOCK
            return
        if chunk == bytes(BLOCK):
            self._state = "end"
            self.ended = True
            return
        try:
            info = tarfile.TarInfo.frombuf(chunk, "utf-8", "surrogateescape")
        except tarfile.HeaderError as exc:
            raise UnsafeArchive(f"malformed tar header in the archive ({exc})") from None
        if info.type == tarfile.XHDTYPE:
            if info.size > self.max_meta:
                raise UnsafeArchive("oversized pax header in the archive; refusing it")
            self._left = info.size
            self._state, self._need = "pax", info.size + (-info.size % BLOCK)
            if self._need == 0:
                self._state, self._need = "header", BLOCK
            return
        pax, self._pax = self._pax, {}
        name = pax.get("path", info.name)
        size = int(pax["size"]) if "size" in pax else info.size
        if info.type == tarfile.DIRTYPE:
            self.on_dir(safe_name(name))
            return
        if info.type not in _REG:
            what = {tarfile.SYMTYPE: "a symbolic link", tarfile.LNKTYPE: "a hard link", tarfile.CHRTYPE: "a device",
                    tarfile.BLKTYPE: "a device", tarfile.FIFOTYPE: "a FIFO"}.get(info.type, f"of type {info.type!r}")
            raise UnsafeArchive(f"archive member {name!r} is {what}; only regular files are accepted")
        self._name = safe_name(name)
        self._sink = self.on_start(self._name, size)
        self._left, self._pad = size, -size % BLOCK
        if size == 0:
            self.on_end(self._name)
            self._state, self._need = "header", BLOCK
        else:
            self._state = "data"

    def close_check(self) -> None:
        """After the last byte: the archive must have ended cleanly."""
        if self.error is not None:
            raise self.error
        if not self.ended:
            raise UnsafeArchive("the archive is incomplete (no end-of-archive marker)")


__all__ = ["ContentChanged", "Member", "TarReader", "TarSink", "UnsafeArchive", "safe_name"]
