"""Virtual disks (VHD, VHDX, VMDK, QCOW) through the libyal bindings, as one read-only stream.

``pyvhdi`` (VHD and VHDX), ``pyvmdk`` and ``pyqcow`` read through file objects that fkit opened
itself (read-only, ``O_NOATIME``), so the libraries never open the evidence on their own. The
stream is the virtual disk's contents (what ``qemu-img convert -O raw`` gives), which TSK then
reads like any raw image. A differencing disk whose parent (or a QCOW image whose backing file)
is not beside it cannot be read: that is said, never guessed around.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from forensic_kit.errors import FormatError
from forensic_kit.fileopen import open_readonly

KINDS = ("vhd", "vhdx", "vmdk", "qcow")


def virtual_kind(path: Path) -> str | None:
    """``vhd``, ``vhdx``, ``vmdk``, ``qcow`` by signature, or None."""
    try:
        fd = open_readonly(os.fsencode(path), follow=True)
    except OSError:
        return None
    try:
        head = os.pread(fd, 512, 0)
        size = os.lseek(fd, 0, os.SEEK_END)
        tail = os.pread(fd, 512, size - 512) if size >= 512 else b""
    except OSError:
        return None
    finally:
        os.close(fd)
    if head.startswith(b"vhdxfile"):
        return "vhdx"
    if tail.startswith(b"conectix") or head.startswith(b"conectix"):
        return "vhd"
    if head.startswith(b"KDMV") or head.startswith(b"# Disk DescriptorFile"):
        return "vmdk"
    if head.startswith(b"QFI\xfb"):
        return "qcow"
    return None


def _open_file(path: Path) -> Any:
    return os.fdopen(open_readonly(os.fsencode(path), follow=True), "rb", buffering=0)


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


class VirtualSource:
    """A VHD/VHDX/VMDK/QCOW image as ``pread``/``size`` (the contents of the virtual disk)."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path = path
        self.kind = kind
        self.segments = [path]
        self._files: list[Any] = []
        try:
            self._handle = self._open(path, kind)
            self.size = int(self._handle.get_media_size())
        except (OSError, IOError, RuntimeError) as exc:
            self.close()
            raise FormatError(f"{path}: cannot open the {kind.upper()} image: {_short(exc)}") from exc
        if self.size <= 0:
            self.close()
            raise FormatError(f"{path}: {kind.upper()} image without data")

    def _open(self, path: Path, kind: str) -> Any:
        fh = _open_file(path)
        self._files.append(fh)
        if kind in ("vhd", "vhdx"):
            import pyvhdi

            handle = pyvhdi.file()
            handle.open_file_object(fh)
            parent = handle.get_parent_filename() if hasattr(handle, "get_parent_filename") else None
            if parent:
                raise FormatError(f"{path}: a differencing disk; its parent {parent!r} is needed and not opened "
                                  "(fkit does not follow parent links)")
            return handle
        if kind == "vmdk":
            import pyvmdk

            handle = pyvmdk.handle()
            handle.open_file_object(fh)
            extents = []
            for desc in handle.extent_descriptors:
                name = getattr(desc, "filename", None)
                if not name:
                    continue
                extent = path.parent / Path(str(name)).name
                if not extent.is_file():
                    raise FormatError(f"{path}: VMDK extent {name!r} is not beside the descriptor")
                extents.append(_open_file(extent))
            self._files += extents
            handle.open_extent_data_files_as_file_objects(extents)
            if handle.get_parent_filename():
                raise FormatError(f"{path}: a differencing VMDK; its parent {handle.get_parent_filename()!r} "
                                  "is needed and not opened")
            return handle
        import pyqcow

        handle = pyqcow.file()
        handle.open_file_object(fh)
        if handle.get_backing_filename():
            raise FormatError(f"{path}: a QCOW overlay; its backing file {handle.get_backing_filename()!r} "
                              "is needed and not opened")
        return handle

    def pread(self, offset: int, length: int) -> bytes:
        """Read up to ``length`` bytes at ``offset``."""
        if offset >= self.size or length <= 0:
            return b""
        length = min(length, self.size - offset)
        try:
            data: bytes = self._handle.read_buffer_at_offset(length, offset)
        except (OSError, IOError, RuntimeError) as exc:
            raise OSError(5, f"{self.kind.upper()} read error at offset {offset}: {_short(exc)}") from exc
        return data

    def close(self) -> None:
        """Close the handle and fkit's file objects."""
        handle = getattr(self, "_handle", None)
        if handle is not None:
            try:
                handle.close()
            except (OSError, IOError, RuntimeError):
                pass
            self._handle = None
        for fh in self._files:
            fh.close()
        self._files = []
