"""Sections of ``dumpsys`` output inside bug reports (``dumpstate.txt``, ``bugreport-*.txt``), androidqf
``dumpsys.txt``, or a single service's ``dumpsys <service>`` output. Streamed line by line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from forensic_kit.phone.base import open_evidence

SERVICE_HEADER = "DUMP OF SERVICE "
BUGREPORT_NAMES = ("dumpstate.txt", "dumpsys.txt")


def is_bugreport_text(logical: str) -> bool:
    """A bug report / dumpsys text file by its name (``bugreport-<device>-<date>.txt`` included)."""
    name = logical.lower().rsplit("/", 1)[-1]
    return name in BUGREPORT_NAMES or (name.startswith("bugreport-") and name.endswith(".txt"))


def section(path: Path, service: str, whole: bool = False) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of the ``DUMP OF SERVICE <service>:`` section; with ``whole`` (a file
    holding one service's ``dumpsys <service>`` output) every line until another section starts."""
    want = f"{SERVICE_HEADER}{service}:"
    inside = whole
    with open_evidence(path, text=True) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if line.startswith(SERVICE_HEADER):
                if inside and line != want:
                    return
                inside = line == want
                continue
            if inside and line.startswith("--------- ") and "was the duration of dumpsys" in line:
                return
            if inside:
                yield n, line
