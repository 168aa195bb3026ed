"""A small FAT12 image of a USB stick, made with ``mkfs.fat --invariant`` and mtools.

Documents are copied with ``mcopy -m`` (their modification times are fixed by the generator), and
one file is deleted with ``mdel`` so that its directory entry (first byte 0xE5) and data remain for
``fkit fs ls --deleted`` to find.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

from forensic_kit.errors import FkitError
from forensic_kit.exitcodes import ExitCode


class ToolMissing(FkitError):
    """A system tool the generator needs (mkfs.fat, mcopy, mdel) is not installed."""

    exit_code = ExitCode.CANNOT_RUN


def _run(args: list[str], env: dict[str, str]) -> None:
    if shutil.which(args[0]) is None:
        raise ToolMissing(f"{args[0]} is needed to build the USB stick image (apt-get install dosfstools mtools)")
    proc = subprocess.run(args, capture_output=True, env=env, check=False)
    if proc.returncode != 0:
        raise ToolMissing(f"{' '.join(args[:2])} failed: {proc.stderr.decode('utf-8', 'replace').strip()}")


def write_usb_image(image: Path, rng: random.Random, mtime: int, names: dict[str, str]) -> dict[str, str]:
    """Build the image; returns {file name: "present"|"deleted"}."""
    docs = {
        "LISTE.TXT": "Liste des passagers / قائمة الركاب\n" + "".join(
            f"{i:02d}; {rng.choice(['NE', 'ML', 'SD', 'NG', 'TD'])}; {rng.randrange(18, 45)} ans\n" for i in range(1, 13)),
        "ROUTE.TXT": "Agadez -> Sabha -> Tripoli -> Zuwara\n" + f"Contact: {names['driver']}\n",
        "PAIEMENT.CSV": "date;montant;devise;de\n" + "".join(
            f"2025-03-{d:02d};{rng.randrange(5, 40) * 100};EUR;{names['payer']}\n" for d in range(1, 6)),
    }
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MTOOLS_SKIP_CHECK": "1", "LC_ALL": "C",
           "TZ": "UTC", "SOURCE_DATE_EPOCH": str(mtime)}
    image.parent.mkdir(parents=True, exist_ok=True)
    if image.exists():
        image.unlink()
    _run(["mkfs.fat", "-C", "--invariant", "-F", "12", "-n", "USB-STICK", str(image), "512"], env)
    with tempfile.TemporaryDirectory(prefix="fkit-usb-") as tmp:
        for i, (name, text) in enumerate(docs.items()):
            src = Path(tmp) / name
            src.write_bytes(text.encode("utf-8"))
            os.utime(src, (mtime + i * 3600, mtime + i * 3600))
            _run(["mcopy", "-m", "-i", str(image), str(src), f"::{name}"], env)
    _run(["mdel", "-i", str(image), "::PAIEMENT.CSV"], env)
    os.utime(image, (mtime + 86400, mtime + 86400))
    return {"LISTE.TXT": "present", "ROUTE.TXT": "present", "PAIEMENT.CSV": "deleted"}
