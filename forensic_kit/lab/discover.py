"""Finding fkit packages under folders a laboratory keeps them in."""

from __future__ import annotations

import os
from pathlib import Path


def is_package(path: Path) -> bool:
    """A folder holding ``bagit.txt`` and an ``fkit/`` folder (a case package or a received one)."""
    return (path / "bagit.txt").is_file() and (path / "fkit").is_dir()


def find_packages(roots: list[Path]) -> list[Path]:
    """Every package under ``roots``, in byte order of paths, each once.

    A package is not searched inside (its payload may hold anything); symbolic links are not
    followed (a link cannot make a package be checked twice or lead outside the roots); a root
    that is itself a package is returned as it is.
    """
    found: set[str] = set()
    for root in roots:
        if is_package(root):
            found.add(os.path.abspath(root))
            continue
        for folder, dirs, _files in os.walk(root, followlinks=False):
            here = Path(folder)
            keep = []
            for d in sorted(dirs):
                sub = here / d
                if sub.is_symlink():
                    continue
                if is_package(sub):
                    found.add(os.path.abspath(sub))
                else:
                    keep.append(d)
            dirs[:] = keep
    return [Path(p) for p in sorted(found, key=os.fsencode)]
