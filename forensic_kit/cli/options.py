"""Options shared by several commands, so every command spells them the same way."""

from __future__ import annotations

from enum import Enum

import typer

from forensic_kit.cli import console


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
