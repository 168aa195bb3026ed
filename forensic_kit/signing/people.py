"""People and keys: who a key belongs to, as the verifier's own trust list says.

A trust list is an OpenSSH ``allowed_signers`` file (``ssh-keygen -Y verify -f`` reads it as it
is). fkit binds each key to a person with one comment line placed directly above the key line::

    # fkit-person: {"principal":"amina@dgsn.ma","name":"Amina Benali","id":"DGSN-4471","org":"DGSN Rabat"}
    amina@dgsn.ma namespaces="fkit-manifest,fkit-custody" ssh-ed25519 AAAA...

``ssh-keygen`` ignores the comment; a prosecutor reads the binding with ``cat`` and checks that
the key below it is the one that signed (``ssh-keygen -Y verify`` prints the principal, which is
the ``principal`` of the comment). The comment binds only the key line that follows it and only
when the principals agree; anything else is a key without a bound person ("not bound").

The list is trusted as a whole because the verifier chose it (it is never the package's own copy).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from forensic_kit.errors import InputError
from forensic_kit.signing import allowed_signers
from forensic_kit.signing.keys import fingerprint_of_blob

PERSON_PREFIX = "# fkit-person:"


@dataclass(frozen=True)
class Person:
    """A named person (or unit) bound to one public key by a trust list."""

    principal: str
    name: str
    person_id: str | None
    org: str | None
    fingerprint: str
    key_blob: bytes
    valid_before: str | None = None
    valid_after: str | None = None

    def as_party(self) -> dict[str, str | None]:
        """The ``{"name", "id", "org"}`` form used in custody events."""
        return {"name": self.name, "id": self.person_id, "org": self.org}

    def as_dict(self) -> dict[str, Any]:
        """JSON form (public data only)."""
        return {"principal": self.principal, "name": self.name, "id": self.person_id, "org": self.org,
                "fingerprint": self.fingerprint}

    def label(self) -> str:
        """``Amina Benali (DGSN-4471, DGSN Rabat)``: how a signer is named on screen and on paper."""
        extra = ", ".join(x for x in (self.person_id, self.org) if x)
        return f"{self.name} ({extra})" if extra else self.name


def person_comment(principal: str, name: str, person_id: str | None, org: str | None) -> str:
    """The ``# fkit-person: {...}`` line that binds the next key line to a person."""
    body = {"principal": principal, "name": name, "id": person_id, "org": org}
    return PERSON_PREFIX + " " + json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def person_block(principal: str, name: str, person_id: str | None, org: str | None, key_line: str) -> str:
    """Comment line + allowed_signers key line, newline-terminated: what a unit appends to its list."""
    return person_comment(principal, name, person_id, org) + "\n" + key_line.rstrip("\n") + "\n"


def _norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def same_person(party: dict[str, Any] | None, person: Person | None) -> bool:
    """True when the ``party`` a record names is ``person``: same ID when both have one
    (case-insensitive), else the same name (NFC, case and spacing folded)."""
    if not party or person is None:
        return False
    pid = party.get("id")
    if pid and person.person_id:
        return _norm(str(pid)) == _norm(person.person_id) and (
            not party.get("name") or _norm(str(party["name"])) == _norm(person.name))
    return _norm(str(party.get("name") or "")) == _norm(person.name)


class TrustList:
    """A parsed trust list: key lines with the persons bound to them."""

    def __init__(self, text: str, source: str = "") -> None:
        self.text = text
        self.source = source
        self.persons: list[Person] = []
        self.entries = allowed_signers.parse(text)
        pending: dict[str, Any] | None = None
        by_line = {e.line: e for e in self.entries}
        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if line.startswith(PERSON_PREFIX):
                try:
                    value = json.loads(line[len(PERSON_PREFIX):])
                except ValueError:
                    value = None
                pending = value if isinstance(value, dict) and isinstance(value.get("name"), str) else None
                continue
            entry = by_line.get(n)
            if entry is not None and pending is not None and str(pending.get("principal")) in entry.principals:
                self.persons.append(Person(
                    principal=str(pending["principal"]), name=str(pending["name"]).strip(),
                    person_id=_opt(pending.get("id")), org=_opt(pending.get("org")),
                    fingerprint=fingerprint_of_blob(entry.key_blob), key_blob=entry.key_blob,
                    valid_before=_opt(entry.options.get("valid-before")),
                    valid_after=_opt(entry.options.get("valid-after"))))
            if line and not line.startswith("#"):
                pending = None

    @classmethod
    def load(cls, path: str | Path) -> "TrustList":
        """Read a trust list file (``InputError`` with one line when it cannot be read as text)."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read trust list {path}: {exc.strerror}") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"trust list {path} is not a text allowed_signers file") from None
        return cls(text, str(path))

    def person_for(self, key_blob: bytes) -> Person | None:
        """The person the list binds to ``key_blob`` (None: the key is absent or not bound)."""
        for p in self.persons:
            if p.key_blob == key_blob:
                return p
        return None

    def principals_for(self, key_blob: bytes, namespace: str, now: datetime | None = None) -> list[str]:
        """OpenSSH's answer: the principals under which the key may sign in ``namespace`` now."""
        return allowed_signers.principals_for(self.text, key_blob, namespace, now)

    def expired(self, key_blob: bytes, now: datetime | None = None) -> bool:
        """True when the key is listed but every line for it has a ``valid-before`` in the past."""
        now = now or datetime.now(timezone.utc)
        lines = [e for e in self.entries if e.key_blob == key_blob]
        if not lines:
            return False
        for e in lines:
            before = e.options.get("valid-before")
            t = allowed_signers._parse_time(before) if before else None
            if t is None or now < t:
                return False
        return True


def _opt(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
