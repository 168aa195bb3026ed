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
