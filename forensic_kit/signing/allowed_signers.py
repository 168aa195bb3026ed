"""OpenSSH ``allowed_signers`` files (``ssh-keygen(1)`` ALLOWED SIGNERS): parse, match, append.

A line is ``principals [options] keytype base64-key [comment]``; fkit writes
``officer@agency namespaces="fkit-manifest,fkit-custody" ssh-ed25519 AAAA...``. Matching follows
OpenSSH: principals and namespaces are comma-separated patterns (``*``, ``?``, ``!`` negation),
``valid-after``/``valid-before`` are honoured against the current time. ``cert-authority`` lines
are parsed but never match (fkit keys are plain keys).
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from forensic_kit.signing.keys import SigningKey

DEFAULT_NAMESPACES = ("fkit-manifest", "fkit-custody")
ALLOWED_SIGNERS = "allowed_signers"


@dataclass
class Entry:
    """One parsed line."""

    principals: list[str]
    key_type: str
    key_blob: bytes
    options: dict[str, str | None] = field(default_factory=dict)
    comment: str = ""
    line: int = 0

    @property
    def namespaces(self) -> list[str] | None:
        """Namespace patterns, or None when the line allows every namespace."""
        value = self.options.get("namespaces")
        return None if value is None else [p for p in value.split(",") if p]


def _split_options(text: str) -> tuple[str, str]:
    """Split a leading options field (may contain quoted commas/spaces) from the rest."""
    i, quoted = 0, False
    while i < len(text):
        c = text[i]
        if c == '"':
            quoted = not quoted
        elif c.isspace() and not quoted:
            break
        i += 1
    return text[:i], text[i:].lstrip()


def _parse_options(text: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    cur, quoted, parts = "", False, []
    for c in text:
        if c == '"':
            quoted = not quoted
            cur += c
        elif c == "," and not quoted:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    for part in parts:
        if not part:
            continue
        name, eq, value = part.partition("=")
        out[name.strip().lower()] = value.strip().strip('"') if eq else None
    return out


def parse(text: str) -> list[Entry]:
    """Every usable line of an allowed_signers text (blank, comment and malformed lines skipped)."""
    entries: list[Entry] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        principals, rest = _split_options(line)
        options: dict[str, str | None] = {}
        first = rest.split(None, 1)[0] if rest else ""
        if first and not (first.startswith("ssh-") or first.startswith("ecdsa-") or first.startswith("sk-")):
            opts, rest = _split_options(rest)
            options = _parse_options(opts)
        fields = rest.split(None, 2)
        if len(fields) < 2:
            continue
        try:
            blob = base64.b64decode(fields[1], validate=True)
        except (binascii.Error, ValueError):
            continue
        entries.append(Entry(principals=[p for p in principals.strip('"').split(",") if p],
                             key_type=fields[0], key_blob=blob, options=options,
                             comment=fields[2] if len(fields) > 2 else "", line=n))
    return entries


def _match_list(value: str, patterns: list[str]) -> bool:
    """OpenSSH match_pattern_list: any positive match and no negated match."""
    matched = False
    for pat in patterns:
        if pat.startswith("!"):
            if fnmatch.fnmatchcase(value, pat[1:]):
                return False
        elif fnmatch.fnmatchcase(value, pat):
            matched = True
    return matched


def _parse_time(value: str) -> datetime | None:
    v = value.rstrip("Zz")
    for fmt in ("%Y%m%d%H%M%S", "%Y%m%d%H%M", "%Y%m%d"):
        try:
            return datetime.strptime(v, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def _valid_now(entry: Entry, now: datetime) -> bool:
    after = entry.options.get("valid-after")
    before = entry.options.get("valid-before")
    if after:
        t = _parse_time(after)
        if t is None or now < t:
            return False
    if before:
        t = _parse_time(before)
        if t is None or now >= t:
            return False
    return True


def principals_for(text: str, key_blob: bytes, namespace: str, now: datetime | None = None) -> list[str]:
    """Principals under which ``key_blob`` may sign in ``namespace`` (empty: not trusted)."""
    now = now or datetime.now(timezone.utc)
    out: list[str] = []
    for entry in parse(text):
        if entry.key_blob != key_blob or "cert-authority" in entry.options:
            continue
        ns = entry.namespaces
        if ns is not None and not _match_list(namespace, ns):
            continue
        if not _valid_now(entry, now):
            continue
        out.extend(p for p in entry.principals if p not in out)
    return out


def line_for(key: SigningKey, namespaces: tuple[str, ...] = DEFAULT_NAMESPACES) -> str:
    """The allowed_signers line fkit writes for ``key``."""
    kt, b64 = key.public_line.split()[:2]
    return f'{key.key_id} namespaces="{",".join(namespaces)}" {kt} {b64}'


class _HasTagFiles(Protocol):
    @property
    def fkit_dir(self) -> "object": ...

    def write_tag_file(self, relpath: str, data: bytes) -> None: ...


def add(case: _HasTagFiles, key: SigningKey, namespaces: tuple[str, ...] = DEFAULT_NAMESPACES) -> bool:
    """Append ``key`` to the case's ``fkit/allowed_signers`` unless an equal line is there, with
    the ``# fkit-person:`` line that names its holder (from the key's own description).

    Returns True when the file changed.
    """
    from pathlib import Path

    from forensic_kit.signing.people import person_comment

    path = Path(str(case.fkit_dir)) / ALLOWED_SIGNERS
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    line = line_for(key, namespaces)
    if line in (ln.strip() for ln in text.splitlines()):
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    block = person_comment(key.key_id, key.name, key.person_id, key.org) + "\n" + line + "\n"
    case.write_tag_file(f"fkit/{ALLOWED_SIGNERS}", (text + block).encode("utf-8"))
    update_tags = getattr(case, "update_tags", None)
    if callable(update_tags):  # keep tagmanifest-sha256.txt true to the files
        update_tags()
    return True
