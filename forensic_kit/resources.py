"""Where fkit's data folders are: ``profiles/`` and ``templates/``.

In a wheel they are installed as ``forensic_kit/_data/{profiles,templates}`` (see ``setup.py``);
in a source checkout or editable install they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

from forensic_kit.errors import InputError

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder of data ``name`` (``profiles`` or ``templates``)."""
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise InputError(f"fkit data folder {name!r} not found (broken installation?)")


def profiles_dir() -> Path:
    """The folder holding ``*.toml`` jurisdiction profiles."""
    return data_dir("profiles")


def templates_dir() -> Path:
    """The folder holding report layouts and translated strings."""
    return data_dir("templates")
