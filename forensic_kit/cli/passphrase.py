"""Passphrase prompting for the CLI (hidden input; never echoed, never logged)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import typer

from forensic_kit.display import safe_text
from forensic_kit.errors import SigningKeyError
from forensic_kit.signing.keys import PASSPHRASE_ENV, resolve_passphrase


def _prompter(confirm: bool, label: str) -> Callable[[], str] | None:
    if not sys.stdin.isatty():
        return None

    def ask() -> str:
        value: str = typer.prompt(label, hide_input=True, confirmation_prompt=confirm, err=True)
        return value

    return ask


def get_passphrase(passphrase_file: Path | None, confirm: bool = False, required: bool = True,
                   env_name: str = PASSPHRASE_ENV, flag: str = "--passphrase-file",
                   whose: str | None = None) -> bytes | None:
    """``flag`` (a file's first line), then ``$env_name``, then a hidden prompt on a terminal.

    ``whose`` names the key the prompt asks for (``"K. Trabelsi's key (keys/trabelsi_ed25519)"``),
    so that two people signing one event each know which passphrase is wanted.
    """
    label = f"Passphrase for {safe_text(whose)}" if whose else "Key passphrase"
    value = resolve_passphrase(passphrase_file, _prompter(confirm, label), env_name)
    if value is None and required:
        raise SigningKeyError(f"no passphrase{' for ' + safe_text(whose) if whose else ''}: give {flag} FILE or set "
                              f"{env_name} (no terminal to prompt on)")
    return value


def key_owner(path: Path) -> str:
    """``"A. Ben Salah's key (keys/a_ed25519)"`` from the key's public sidecar (no passphrase needed)."""
    import json

    info = path.with_name(path.name + ".fkit.json")
    try:
        name = json.loads(info.read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError, AttributeError):
        name = None
    return f"{name}'s key ({path})" if isinstance(name, str) and name else f"the key {path}"
