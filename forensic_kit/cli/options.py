"""Options shared by several commands, so every command spells them the same way."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from forensic_kit.cli import console

if TYPE_CHECKING:
    from forensic_kit.knownfiles import Marker


class RecordFormat(str, Enum):
    """Output formats for commands that emit file records."""

    jsonl = "jsonl"
    sha256sum = "sha256sum"
    b3sum = "b3sum"
    hashdeep = "hashdeep"
    table = "table"


def default_format(fmt: RecordFormat | None) -> RecordFormat:
    """``jsonl`` when stdout is not a terminal, ``table`` when it is, unless given."""
    if fmt is not None:
        return fmt
    return RecordFormat.table if console.stdout_is_tty() else RecordFormat.jsonl


ALGO_OPTION = typer.Option(
    None, "--algo", "-a", metavar="LIST",
    help="Hash algorithms, comma-separated: sha256, blake3 (default both), md5, sha1, sha512, sha3-256.",
)

CLUSTER_OPTION = typer.Option(
    None, "--cluster", metavar="ADDRESS",
    help="Run on a Dask distributed scheduler (tcp://host:8786 or tls://...; else FKIT_CLUSTER). "
         "Workers must see the same paths.",
)
SPOT_CHECK_OPTION = typer.Option(
    3, "--spot-check", min=0, metavar="N",
    help="With --cluster: files per worker hashed again here to check the worker's answers.",
)
TLS_CA_OPTION = typer.Option(None, "--tls-ca", help="With a tls:// cluster: the CA certificate file.")
TLS_CERT_OPTION = typer.Option(None, "--tls-cert", help="With a tls:// cluster: this client's certificate.")
TLS_KEY_OPTION = typer.Option(None, "--tls-key", help="With a tls:// cluster: this client's private key.")

KNOWN_OPTION = typer.Option(
    None, "--known", metavar="SET",
    help="Mark files in this hash set (NSRL RDS, hashdeep, sha256sum, fkit list) known: ignorable (repeatable).",
)
KNOWN_BAD_OPTION = typer.Option(
    None, "--known-bad", metavar="SET", help="Mark files in this hash set known: bad (repeatable; wins over --known).",
)


def open_known(known: list[Path] | None, known_bad: list[Path] | None) -> "Marker | None":
    """The :class:`~forensic_kit.knownfiles.Marker` of ``--known``/``--known-bad`` (None when neither is given).

    Sets are opened (their index built the first time) before any evidence is read, so a bad set
    file stops the command early.
    """
    if not known and not known_bad:
        return None
    from forensic_kit.knownfiles import Marker

    return Marker.open(known or [], known_bad or [])


def say_known(command: str, marker: "Marker") -> None:
    """The known-set summary line on stderr, and one line naming the first known-bad files."""
    console.say(f"fkit {command}: {marker.summary()}")
    if marker.bad_names:
        more = marker.counts["bad"] - len(marker.bad_names)
        console.warn(f"known-bad: {', '.join(marker.bad_names)}" + (f" and {more} more" if more > 0 else ""))
