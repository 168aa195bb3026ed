"""Passphrase prompting for the CLI (hidden input; never echoed, never logged)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import typer

from forensic_kit.errors import SigningKeyError
from forensic_kit.signing.keys import PASSPHRASE_ENV, resolve_passphrase


def _prompter(confirm: bool) -> Callable[[], str] | None:
    if not sys.stdin.isatty():
        return None

    def ask() -> str:
        value: str = typer.prompt("Key passphrase", hide_input=True, confirmation_prompt=confirm,
                                  err=True)
        return value

    return ask


def get_passphrase(passphrase_file: Path | None, confirm: bool = False, required: bool = True) -> bytes | None:
    """``--passphrase-file``, then ``FKIT_PASSPHRASE``, then a hidden prompt on a terminal."""
    value = resolve_passphrase(passphrase_file, _prompter(confirm))
    if value is None and required:
        raise SigningKeyError(f"no passphrase: give --passphrase-file FILE or set {PASSPHRASE_ENV} (no terminal to prompt on)")
    return value
