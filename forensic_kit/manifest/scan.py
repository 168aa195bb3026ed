"""One walk over a whole package: what is in it, without following or opening anything.

``fkit verify`` must account for every entry of a package (DESIGN.md section 7: "everything in a
package is either covered by the seal or reported"). This walk ``lstat``s every entry once,
never follows a symbolic link and never opens a file, so a FIFO, a socket, a device node or a
link to a folder outside the package cannot make verification hang or read outside the package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from forensic_kit.manifest.payload import kind_of


@dataclass
class PackageScan:
    """What one walk of a package found."""

    specials: list[tuple[bytes, str]] = field(default_factory=list)
    """(bag-relative path, "a symbolic link" / "a FIFO (named pipe)" / ...) of every entry that is
    neither a regular file nor a folder, anywhere in the package."""
    tag_files: list[bytes] = field(default_factory=list)
    """Bag-relative paths of the regular files outside ``data/``, sorted."""
    unreadable: list[tuple[bytes, str]] = field(default_factory=list)
    """Folders that could not be listed, with the reason."""
    data_kind: str | None = None
    """What ``data`` is when it is not a folder (None: a folder, or absent)."""

    def blocked(self) -> set[bytes]:
        """The special entries' paths (a listed file below one of them is never reached)."""
        return {p for p, _k in self.specials}


def scan(root: "bytes | str | os.PathLike[str]") -> PackageScan:
    """Walk the package at ``root`` (``data/`` included) without following links."""
    base = os.fsencode(root)
    out = PackageScan()
    stack: list[tuple[bytes, bytes]] = [(base, b"")]
    while stack:
        folder, rel_folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            out.unreadable.append((rel_folder or b".", exc.strerror or str(exc)))
            continue
        for entry in entries:
            rel = entry.name if not rel_folder else rel_folder + b"/" + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):  # d_type: no stat for folders and files
                    stack.append((entry.path, rel))
                    continue
                if entry.is_file(follow_symlinks=False):
                    if rel == b"data":
                        out.data_kind = "a file"
                    elif not rel.startswith(b"data/"):
                        out.tag_files.append(rel)
                    continue
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError as exc:
                out.unreadable.append((rel, exc.strerror or str(exc)))
                continue
            out.specials.append((rel, kind_of(mode)))
            if rel == b"data":
                out.data_kind = kind_of(mode)
    out.tag_files.sort()
    out.specials.sort()
    return out
