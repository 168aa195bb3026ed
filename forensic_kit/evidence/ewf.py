"""E01/Ex01 (EWF) images: reading, and the integrity check ``ewfverify`` makes.

Two ways to the same format. The C library ``libewf`` (``libewf.so.2``, Debian ``libewf2``, the
one ``ewfverify`` links) is used through :mod:`ctypes` when it is installed, because only it tells
which chunks failed their checksum (``libewf_handle_get_checksum_error``) and whether a segment
file is damaged (``libewf_handle_segment_files_corrupted``); the Python binding ``pyewf`` exposes
neither. Without the C library, ``pyewf`` reads the image and the check says that per-chunk
checksums could not be checked.

A verdict (:class:`EwfCheck`) is a failure, like ``ewfverify``'s, when a chunk fails its checksum,
a segment file is damaged, the image cannot be read to its end, or a stored MD5/SHA-1 differs from
the one computed over the data read.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forensic_kit.errors import CheckFailed, FormatError
from forensic_kit.fileopen import NOATIME, open_readonly

_VP = ctypes.c_void_p
_ERR = ctypes.c_void_p  # libcerror_error_t ** (left unset by these callbacks)
_CB_OPEN = ctypes.CFUNCTYPE(ctypes.c_int, _VP, ctypes.c_int, _ERR)
_CB_HANDLE = ctypes.CFUNCTYPE(ctypes.c_int, _VP, _ERR)
_CB_READ = ctypes.CFUNCTYPE(ctypes.c_ssize_t, _VP, ctypes.c_void_p, ctypes.c_size_t, _ERR)
_CB_WRITE = ctypes.CFUNCTYPE(ctypes.c_ssize_t, _VP, ctypes.c_void_p, ctypes.c_size_t, _ERR)
_CB_SEEK = ctypes.CFUNCTYPE(ctypes.c_int64, _VP, ctypes.c_int64, ctypes.c_int, _ERR)
_CB_SIZE = ctypes.CFUNCTYPE(ctypes.c_int, _VP, ctypes.POINTER(ctypes.c_uint64), _ERR)



_LIB: Any = None
_LIB_TRIED = False
_NATIVE_FILES = False  # the libbfio file-handle symbols are there (see _CHandle)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200]


def c_library() -> Any:
    """``libewf.so.2`` loaded through ctypes, or None when it is not installed."""
    global _LIB, _LIB_TRIED, _NATIVE_FILES
    if _LIB_TRIED:
        return _LIB
    _LIB_TRIED = True
    if os.environ.get("FKIT_NO_LIBEWF_C"):  # tests: behave as on a machine without the C library
        return None
    for name in ("libewf.so.2", ctypes.util.find_library("ewf")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            lib.libewf_handle_get_checksum_error  # noqa: B018 - the symbol this module needs
            lib.libewf_handle_segment_files_corrupted  # noqa: B018
        except (OSError, AttributeError):
            continue
        vp = ctypes.c_void_p
        ref = ctypes.POINTER(vp)
        lib.libewf_handle_initialize.argtypes = [ref, ref]
        lib.libewf_handle_open.argtypes = [vp, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int, ref]
        lib.libewf_handle_close.argtypes = [vp, ref]
        lib.libewf_handle_free.argtypes = [ref, ref]
        lib.libewf_handle_get_media_size.argtypes = [vp, ctypes.POINTER(ctypes.c_uint64), ref]
        lib.libewf_handle_get_bytes_per_sector.argtypes = [vp, ctypes.POINTER(ctypes.c_uint32), ref]
        lib.libewf_handle_read_random.argtypes = [vp, vp, ctypes.c_size_t, ctypes.c_int64, ref]
        lib.libewf_handle_read_random.restype = ctypes.c_ssize_t
        lib.libewf_handle_get_number_of_checksum_errors.argtypes = [vp, ctypes.POINTER(ctypes.c_uint32), ref]
        lib.libewf_handle_get_checksum_error.argtypes = [vp, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint64),
                                                         ctypes.POINTER(ctypes.c_uint64), ref]
        lib.libewf_handle_segment_files_corrupted.argtypes = [vp, ref]
        lib.libewf_handle_get_utf8_hash_value.argtypes = [vp, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                                          ctypes.c_size_t, ref]
        lib.libewf_error_free.argtypes = [ref]
        lib.libbfio_pool_initialize.argtypes = [ref, ctypes.c_int, ctypes.c_int, ref]
        lib.libbfio_handle_initialize.argtypes = [ref, vp, vp, vp, _CB_OPEN, _CB_HANDLE, _CB_READ, _CB_WRITE,
                                                  _CB_SEEK, _CB_HANDLE, _CB_HANDLE, _CB_SIZE, ctypes.c_uint8, ref]
        lib.libbfio_pool_append_handle.argtypes = [vp, ctypes.POINTER(ctypes.c_int), vp, ctypes.c_int, ref]
        lib.libewf_handle_open_file_io_pool.argtypes = [vp, vp, ctypes.c_int, ref]
        try:  # libbfio's own file handles (the fast path, see _CHandle._native_handle)
            lib.libbfio_file_initialize.argtypes = [ref, ref]
            lib.libbfio_file_set_name.argtypes = [vp, ctypes.c_char_p, ctypes.c_size_t, ref]
            lib.libbfio_handle_open.argtypes = [vp, ctypes.c_int, ref]
            lib.libbfio_handle_close.argtypes = [vp, ref]
            lib.libbfio_handle_free.argtypes = [ref, ref]
            lib.libbfio_pool_close_all.argtypes = [vp, ref]
            lib.libbfio_pool_free.argtypes = [ref, ref]
            native = True
        except AttributeError:
            native = False
        _LIB = lib
        _NATIVE_FILES = native
        break
    return _LIB


class _FdIo:
    """A libbfio handle whose reads are ``os.preadv`` on a descriptor fkit opened read-only with
    ``O_NOATIME``: libewf never opens the evidence itself (its own ``open()`` would set atime)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pos = 0
        self.size = os.lseek(fd, 0, os.SEEK_END)
        # the callbacks must live as long as the handle: kept on the object
        self.callbacks = (
            _CB_OPEN(lambda _h, _flags, _e: 1),
            _CB_HANDLE(lambda _h, _e: 0),            # close: the descriptor stays fkit's
            _CB_READ(self._read),
            _CB_WRITE(lambda _h, _b, _n, _e: -1),  # never written
            _CB_SEEK(self._seek),
            _CB_HANDLE(lambda _h, _e: 1),            # exists
            _CB_HANDLE(lambda _h, _e: 1),            # is open
            _CB_SIZE(self._size),
        )

    def _read(self, _h: Any, buf: Any, size: int, _e: Any) -> int:
        try:
            view = memoryview((ctypes.c_char * size).from_address(buf)).cast("B")
            n = os.preadv(self.fd, [view], self.pos)
        except OSError:
            return -1
        self.pos += n
        return n

    def _seek(self, _h: Any, offset: int, whence: int, _e: Any) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self.pos, os.SEEK_END: self.size}.get(whence)
        if base is None or base + offset < 0:
            return -1
        self.pos = base + offset
        return self.pos

    def _size(self, _h: Any, out: Any, _e: Any) -> int:
        out[0] = self.size
        return 1


def _fds_on(st: os.stat_result) -> set[int]:
    """This process's descriptors open on the file ``st`` describes."""
    out = set()
    for n in os.listdir("/proc/self/fd"):
        try:
            fst = os.fstat(int(n))
        except (OSError, ValueError):
            continue  # the listing's own descriptor, closed by now
        if (fst.st_dev, fst.st_ino) == (st.st_dev, st.st_ino):
            out.add(int(n))
    return out


class _CHandle:
    """A ``libewf_handle_t`` reading every segment without changing its access time.

    Fast path: libbfio opens each segment itself (its reads then run in C, without a call back
    into Python per chunk and without the GIL), and ``O_NOATIME`` is set on the descriptor it
    opened before anything is read from it (opening does not touch atime; ``fcntl(F_SETFL)`` can
    add ``O_NOATIME`` where ``open`` could). Where that cannot be done and proved (no
    ``/proc/self/fd``, the kernel refuses ``O_NOATIME`` for a file the user does not own, a
    libewf without those symbols), libewf reads through callbacks on fkit's own ``O_NOATIME``
    descriptors instead (:class:`_FdIo`). ``FKIT_EWF_CALLBACK_IO=1`` forces the second path.
    """

    def __init__(self, lib: Any, segments: list[Path]) -> None:
        self._lib = lib
        self._err = ctypes.c_void_p()
        self._h = ctypes.c_void_p()
        self._pool = ctypes.c_void_p()
        self._ios: list[_FdIo] = []
        self._fds: list[int] = []
        self.native = False
        ok = lib.libbfio_pool_initialize(ctypes.byref(self._pool), 0, 0, ctypes.byref(self._err)) == 1
        if ok and _NATIVE_FILES and not os.environ.get("FKIT_EWF_CALLBACK_IO"):
            handles = []
            for seg in segments:
                bh = self._native_handle(seg)
                if bh is None:
                    break
                handles.append(bh)
            if len(handles) == len(segments):
                for bh in handles:
                    entry = ctypes.c_int()
                    ok = ok and lib.libbfio_pool_append_handle(self._pool, ctypes.byref(entry), bh, 1,
                                                               ctypes.byref(self._err)) == 1
                self.native = True
            else:
                for bh in handles:
                    lib.libbfio_handle_close(bh, None)
                    lib.libbfio_handle_free(ctypes.byref(bh), None)
        if not self.native:
            try:
                for seg in segments:
                    self._fds.append(open_readonly(os.fsencode(seg), follow=True))
            except OSError as exc:
                self._close_fds()
                raise FormatError(f"{seg}: cannot open E01 segment: {exc.strerror}") from exc
        for fd in self._fds:
            io = _FdIo(fd)
            self._ios.append(io)
            bh = ctypes.c_void_p()
            ok = ok and lib.libbfio_handle_initialize(ctypes.byref(bh), ctypes.c_void_p(fd + 1), None, None, *io.callbacks, 0,
                                                      ctypes.byref(self._err)) == 1
            entry = ctypes.c_int()
            ok = ok and lib.libbfio_pool_append_handle(self._pool, ctypes.byref(entry), bh, 1,
                                                       ctypes.byref(self._err)) == 1
        if not ok or lib.libewf_handle_initialize(ctypes.byref(self._h), ctypes.byref(self._err)) != 1:
            self._free_error()
            self._free_pool()
            self._close_fds()
            raise FormatError(f"{segments[0]}: libewf: cannot set up reading")
        if lib.libewf_handle_open_file_io_pool(self._h, self._pool, 1, ctypes.byref(self._err)) != 1:
            self._free_error()
            lib.libewf_handle_free(ctypes.byref(self._h), None)
            self._h = ctypes.c_void_p()
            self._free_pool()
            self._close_fds()
            raise FormatError(f"{segments[0]}: cannot open E01 image (damaged or missing segment)")
        size = ctypes.c_uint64()
        lib.libewf_handle_get_media_size(self._h, ctypes.byref(size), ctypes.byref(self._err))
        self.size = int(size.value)
        bps = ctypes.c_uint32()
        lib.libewf_handle_get_bytes_per_sector(self._h, ctypes.byref(bps), ctypes.byref(self._err))
        self.bytes_per_sector = int(bps.value) or 512
        self._free_error()

    def _native_handle(self, seg: Path) -> Any:
        """A libbfio file handle open on ``seg`` whose descriptor carries ``O_NOATIME``, or None."""
        lib = self._lib
        if not NOATIME:
            return None
        try:
            want = os.stat(seg)
            before = _fds_on(want)
        except OSError:
            return None
        bh = ctypes.c_void_p()
        name = os.fsencode(seg)
        if lib.libbfio_file_initialize(ctypes.byref(bh), ctypes.byref(self._err)) != 1:
            self._free_error()
            return None
        if (lib.libbfio_file_set_name(bh, name, len(name), ctypes.byref(self._err)) != 1
                or lib.libbfio_handle_open(bh, 1, ctypes.byref(self._err)) != 1):
            self._free_error()
            lib.libbfio_handle_free(ctypes.byref(bh), None)
            return None
        fd = None
        try:
            new = sorted(_fds_on(want) - before)
            if len(new) == 1:
                fd = new[0]
                flags = fcntl.fcntl(fd, fcntl.F_GETFL)
                fcntl.fcntl(fd, fcntl.F_SETFL, flags | NOATIME)
                if not fcntl.fcntl(fd, fcntl.F_GETFL) & NOATIME:
                    fd = None
        except OSError:
            fd = None
        if fd is None:  # not proved: nothing was read yet, close it and use the other path
            lib.libbfio_handle_close(bh, None)
            lib.libbfio_handle_free(ctypes.byref(bh), None)
            return None
        return bh

    def _free_error(self) -> None:
        if self._err:
            self._lib.libewf_error_free(ctypes.byref(self._err))
            self._err = ctypes.c_void_p()

    def into(self, offset: int, view: memoryview) -> int:
        """Read into a writable buffer; the number of bytes read (raises ``OSError`` on a read error)."""
        n = len(view)
        if n == 0:
            return 0
        buf = (ctypes.c_char * n).from_buffer(view)
        got = int(self._lib.libewf_handle_read_random(self._h, buf, n, offset, ctypes.byref(self._err)))
        self._free_error()
        if got < 0:
            raise OSError(5, f"E01 read error at offset {offset}")
        return got

    def pread(self, offset: int, length: int) -> bytes:
        """Read ``length`` bytes at ``offset``."""
        buf = bytearray(length)
        got = self.into(offset, memoryview(buf))
        return bytes(buf[:got])

    def checksum_errors(self) -> list[tuple[int, int]]:
        """``(first sector, number of sectors)`` of every chunk that failed its checksum so far."""
        count = ctypes.c_uint32()
        self._lib.libewf_handle_get_number_of_checksum_errors(self._h, ctypes.byref(count), ctypes.byref(self._err))
        out = []
        for i in range(int(count.value)):
            start, number = ctypes.c_uint64(), ctypes.c_uint64()
            if self._lib.libewf_handle_get_checksum_error(self._h, i, ctypes.byref(start), ctypes.byref(number),
                                                          ctypes.byref(self._err)) == 1:
                out.append((int(start.value), int(number.value)))
        self._free_error()
        return out

    def corrupted(self) -> bool:
        """libewf found a damaged segment file (a section it could not read)."""
        result = int(self._lib.libewf_handle_segment_files_corrupted(self._h, ctypes.byref(self._err)))
        self._free_error()
        return result != 0

    def stored_hashes(self) -> dict[str, str]:
        """The stored media hashes (``md5``, ``sha1``), lower-case hex."""
        out: dict[str, str] = {}
        for name in ("MD5", "SHA1"):
            value = ctypes.create_string_buffer(129)
            ok = self._lib.libewf_handle_get_utf8_hash_value(self._h, name.encode(), len(name), value, 129,
                                                             ctypes.byref(self._err))
            self._free_error()
            if ok == 1 and value.value:
                out[name.lower()] = value.value.decode("ascii", "replace").lower()
        return out

    def _close_fds(self) -> None:
        for fd in self._fds:
            os.close(fd)
        self._fds = []

    def close(self) -> None:
        """Close and free the handle, then the segments' descriptors."""
        if self._h:
            self._lib.libewf_handle_close(self._h, None)
            self._lib.libewf_handle_free(ctypes.byref(self._h), None)
            self._h = ctypes.c_void_p()
        self._free_pool()
        self._close_fds()

    def _free_pool(self) -> None:
        """Close the segments libbfio opened itself (the fast path) and free the pool."""
        if self.native and self._pool:
            self._lib.libbfio_pool_close_all(self._pool, None)
            self._lib.libbfio_pool_free(ctypes.byref(self._pool), None)
            self._pool = ctypes.c_void_p()


class EwfSource:
    """An E01/Ex01 image (all segments): ``pread``/``into``, stored hashes, checksum errors."""

    kind = "ewf"

    def __init__(self, path: Path) -> None:
        import pyewf  # only E01 images need libewf: not loaded to list a raw image

        self.path = path
        try:
            names = pyewf.glob(os.fsdecode(path))
        except (OSError, IOError, RuntimeError) as exc:
            raise FormatError(f"{path}: cannot find the E01 segments: {_short(exc)}") from exc
        self.segments = [Path(n) for n in names]
        self._handle = pyewf.handle()
        # pyewf reads through file objects fkit opened itself: read-only and O_NOATIME
        self._files = []
        try:
            for n in names:
                self._files.append(os.fdopen(open_readonly(os.fsencode(n), follow=True), "rb", buffering=0))
            self._handle.open_file_objects(self._files)
            self.size = int(self._handle.get_media_size())
        except (OSError, IOError, RuntimeError) as exc:
            raise FormatError(f"{path}: cannot open E01 image (missing or damaged segment?): {_short(exc)}") from exc
        self._c: _CHandle | None = None
        lib = c_library()
        if lib is not None:
            self._c = _CHandle(lib, self.segments)
            if self._c.size != self.size:
                self.close()
                raise FormatError(f"{path}: libewf and pyewf disagree on the media size")
        if self.size <= 0:
            self.close()
            raise CheckFailed(f"{path}: E01 image has no media data (damaged header or volume section)")
        self.bytes_per_sector = self._c.bytes_per_sector if self._c else int(self._handle.get_bytes_per_sector() or 512)
        self._check_segments()

    @property
    def checksums_checked(self) -> bool:
        """Whether per-chunk checksum errors are known (the C library is there)."""
        return self._c is not None

    def _check_segments(self) -> None:
        """libewf opens an incomplete set; read the last chunk to prove every segment is there."""
        n = min(4096, self.size)
        try:  # pyewf raises here; the C library would return the missing chunk as a checksum error
            self._handle.read_buffer_at_offset(n, self.size - n)
        except (OSError, IOError, RuntimeError) as exc:
            self.close()
            raise FormatError(f"{self.path}: E01 image is incomplete (missing segment?): {_short(exc)}") from exc

    def into(self, offset: int, view: memoryview) -> int:
        """Fill ``view`` from ``offset`` (short only at the end)."""
        length = min(len(view), max(0, self.size - offset))
        if length <= 0:
            return 0
        if self._c is not None:
            return self._c.into(offset, view[:length])
        data = self.pread(offset, length)
        view[:len(data)] = data
        return len(data)

    def __call__(self, offset: int, length: int) -> bytes:
        return self.pread(offset, length)

    def pread(self, offset: int, length: int) -> bytes:
        """Read up to ``length`` bytes at ``offset``."""
        if offset >= self.size or length <= 0:
            return b""
        length = min(length, self.size - offset)
        if self._c is not None:
            return self._c.pread(offset, length)
        try:
            data: bytes = self._handle.read_buffer_at_offset(length, offset)
        except (OSError, IOError, RuntimeError) as exc:
            raise OSError(5, f"E01 read error at offset {offset}: {_short(exc)}") from exc
        return data

    def stored_hashes(self) -> dict[str, str]:
        """The media hashes stored in the image (``md5``, ``sha1``), lower-case hex."""
        if self._c is not None:
            return self._c.stored_hashes()
        out: dict[str, str] = {}
        for name in ("MD5", "SHA1"):
            try:
                value = self._handle.get_hash_value(name)
            except (OSError, IOError, RuntimeError):
                value = None
            if value:
                out[name.lower()] = str(value).lower()
        return out

    def checksum_errors(self) -> list[tuple[int, int]]:
        """Chunks that failed their checksum among those read so far: (first sector, sectors)."""
        return self._c.checksum_errors() if self._c is not None else []

    def corrupted(self) -> bool:
        """A segment file is damaged (libewf could not read one of its sections)."""
        return self._c.corrupted() if self._c is not None else False

    def header_values(self) -> dict[str, str]:
        """Acquisition header values (case number, examiner, ...)."""
        try:
            values = self._handle.get_header_values()
        except (OSError, IOError, RuntimeError):
            return {}
        return {str(k): str(v) for k, v in dict(values).items()}

    def close(self) -> None:
        """Close the handles."""
        if self._c is not None:
            self._c.close()
            self._c = None
        try:
            self._handle.close()
        except (OSError, IOError, RuntimeError):
            pass
        for fh in self._files:
            fh.close()
        self._files = []


@dataclass
class EwfCheck:
    """The outcome of reading a whole E01 and comparing it with what it stores (``ewfverify``)."""

    stored: dict[str, str]
    computed: dict[str, str] = field(default_factory=dict)
    checksum_errors: list[tuple[int, int]] = field(default_factory=list)
    corrupted: bool = False
    read_error: str | None = None
    checksums_checked: bool = True
    bytes_read: int = 0

    @property
    def hashes_match(self) -> bool | None:
        """Stored and computed MD5/SHA-1 agree (None: nothing stored, or nothing computed)."""
        common = [a for a in self.stored if a in self.computed]
        if not common:
            return None
        return all(self.computed[a] == self.stored[a] for a in common)

    @property
    def ok(self) -> bool:
        """ewfverify's SUCCESS: no bad chunk, no damaged segment, read to the end, hashes agree."""
        return (not self.checksum_errors and not self.corrupted and self.read_error is None
                and self.hashes_match is not False)

    def problems(self) -> list[str]:
        """One line per finding (empty when :attr:`ok`)."""
        out = [f"chunk checksum error at sectors {a}-{a + n - 1} ({n} sectors)" for a, n in self.checksum_errors]
        if self.corrupted:
            out.append("a segment file is damaged (libewf could not read one of its sections)")
        if self.read_error:
            out.append(self.read_error)
        if self.hashes_match is False:
            for a in self.stored:
                if a in self.computed and self.computed[a] != self.stored[a]:
                    out.append(f"stored {a.upper()} {self.stored[a]} differs from the {a.upper()} of the data read "
                               f"{self.computed[a]}")
        return out

    def as_record(self) -> dict[str, Any]:
        """The JSON form kept in exhibit sheets and listing records."""
        return {
            "verdict": "ok" if self.ok else "failed",
            "stored": self.stored,
            "computed": self.computed,
            "hashes_match": self.hashes_match,
            "checksum_errors": [{"start_sector": a, "sectors": n, "sector_range": f"{a}-{a + n - 1}"}
                                for a, n in self.checksum_errors],
            "checksums_checked": self.checksums_checked,
            "segment_files_corrupted": self.corrupted,
            "read_error": self.read_error,
            "bytes_read": self.bytes_read,
            "problems": self.problems(),
        }


def check_result(src: EwfSource, computed: dict[str, str], bytes_read: int, read_error: str | None = None) -> EwfCheck:
    """The verdict after ``computed`` hashes were made over ``bytes_read`` bytes read from ``src``."""
    if read_error is None and bytes_read != src.size:
        read_error = f"read {bytes_read} of {src.size} bytes"
    return EwfCheck(stored=src.stored_hashes(), computed=computed, checksum_errors=src.checksum_errors(),
                    corrupted=src.corrupted(), read_error=read_error, checksums_checked=src.checksums_checked,
                    bytes_read=bytes_read)


def verify(src: EwfSource, chunk: int = 1 << 22) -> EwfCheck:
    """Read the whole image, hash it with the stored algorithms (MD5 at least) and judge it."""
    stored = src.stored_hashes()
    algos = sorted(set(stored) | {"md5"})
    hashers = {a: hashlib.new(a) for a in algos}
    off = 0
    error = None
    buf = bytearray(chunk)
    view = memoryview(buf)
    while off < src.size:
        want = min(chunk, src.size - off)
        try:
            n = src.into(off, view[:want])
        except OSError as exc:
            error = f"read error at offset {off} (sector {off // src.bytes_per_sector}): {exc.strerror or exc}"
            break
        if n <= 0:
            error = f"image ends early at offset {off} of {src.size}"
            break
        for h in hashers.values():
            h.update(view[:n])
        off += n
    return check_result(src, {a: h.hexdigest() for a, h in hashers.items()}, off, error)
