"""The chain-of-custody ledger: ``fkit/custody.jsonl``, append-only, hash-chained and signed.

Each line is one event in RFC 8785 canonical JSON (NFC strings), followed by ``\\n``.

- ``prev`` is the SHA-256 (hex) of the previous line's exact bytes *including* its ``\\n``, so
  ``sed -n 1p fkit/custody.jsonl | sha256sum`` gives the ``prev`` of event 2. The first event has
  ``prev: null``.
- ``signatures`` holds SSHSIG signatures (namespace ``fkit-custody``) over the canonical bytes of the
  event *without* its ``signatures`` member: one by the releaser (``role: "releaser"``) and, when
  the receiver's key was at hand, one by the receiver (``role: "receiver"``).

:func:`verify_custody` checks the chain, the signatures and their trust, time order, continuity
(whoever received an exhibit is the next to release it), that every exhibit is accounted for, and
the seals: the seal number a ``sealed`` event records must be the one on the exhibit's sheet
(``fkit/exhibits/EX.json``, written by ``fkit acquire --seal``), and an exhibit must be sealed within
:data:`SEAL_WITHIN` of its seizure (a profile may set ``seal_within_minutes``).
Every problem is one :class:`Finding` whose ``message`` is one sentence a clerk can read aloud.
"""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Iterable
from zoneinfo import ZoneInfo

from forensic_kit.errors import FkitError, FormatError, InputError, UsageError
from forensic_kit.manifest.canonical import canonical_bytes
from forensic_kit.timeutil import datetime_to_iso, now_utc, parse_iso

if TYPE_CHECKING:
    from forensic_kit.package import Case
    from forensic_kit.signing.keys import SigningKey
    from forensic_kit.signing.people import Person, TrustList

SCHEMA = "fkit.custody/1"
NAMESPACE = "fkit-custody"
LEDGER = "fkit/custody.jsonl"
ACTIONS = ("seized", "sealed", "transferred", "received", "acquired", "examined", "stored",
           "returned", "destroyed", "exported", "disclosed")
SEAL_STATES = ("intact", "broken", "new")
# Actions after which nobody in the chain holds the exhibit any more (unless --to names a receiver).
_DISPOSALS = ("destroyed", "returned")
SEAL_WITHIN = timedelta(hours=2)
"""Default longest delay between seizure and seal before a ``seal.late`` finding."""
CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future (by this computer's clock) an event time may be before it is refused."""
EMPTY_HEAD = "0:none"
"""The head of a ledger without events."""


@dataclass(frozen=True)
class Finding:
    """One gap or break in the ledger, as one sentence."""

    code: str  # chain.broken, chain.seq, line.unreadable, signature.missing, signature.invalid,
    #            signature.untrusted, time.order, continuity, exhibit.unaccounted, exhibit.unknown,
    #            exhibit.after_disposal, seal.mismatch, seal.late, recheck.failed
    exhibit: str | None
    seq: int | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"code": self.code, "exhibit": self.exhibit, "seq": self.seq, "message": self.message}


@dataclass(frozen=True)
class SignatureVerdict:
    """One signature of one event, as the verifier's trust list sees it.

    ``fingerprint`` is derived from the public key inside the SSHSIG itself, never from the
    event's claimed ``key_id``/``fingerprint`` fields; ``person`` is who the trust list binds to
    that key (None: not in the list, or listed without a person line).
    """

    seq: int
    role: str  # "releaser" | "receiver"
    valid: bool
    fingerprint: str | None = None
    person: "Person | None" = None
    principals: tuple[str, ...] = ()
    trusted: bool = False
    expired: bool = False
    names_match: bool | None = None  # the named party is the bound person (None: nobody bound)
    problem: str | None = None  # the finding code, when there is one

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"seq": self.seq, "role": self.role, "valid": self.valid, "fingerprint": self.fingerprint,
                "person": self.person.as_dict() if self.person else None, "principals": list(self.principals),
                "trusted": self.trusted, "expired": self.expired, "names_match": self.names_match,
                "problem": self.problem}


@dataclass
class CustodyReport:
    """What :func:`verify_custody` found."""

    ok: bool
    findings: list[Finding] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    signers: dict[str, str] = field(default_factory=dict)  # fingerprint -> principal ("" if untrusted)
    signatures: list[SignatureVerdict] = field(default_factory=list)
    head: str = ""
    """The ledger head as found (``SEQ:SHA256``, see :func:`head_of`)."""
    anchors: list[str] = field(default_factory=list)
    """The heads this ledger was checked against (and where each came from)."""
    notes: list[str] = field(default_factory=list)
    """Plain sentences that are not findings (e.g. events after the last anchor)."""

    def signatures_of(self, seq: int) -> list[SignatureVerdict]:
        """The signature verdicts of event ``seq``."""
        return [v for v in self.signatures if v.seq == seq]

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"ok": self.ok, "events": len(self.events), "head": self.head, "anchors": self.anchors,
                "findings": [f.as_dict() for f in self.findings], "notes": self.notes,
                "signatures": [v.as_dict() for v in self.signatures]}


# ----------------------------------------------------------------------------- parties and times
def parse_party(text: str) -> dict[str, str | None]:
    """``"NAME[,ID[,ORG]]"`` → ``{"name", "id", "org"}`` (``UsageError`` when the name is empty)."""
    parts = [p.strip() for p in text.split(",", 2)]
    if not parts[0]:
        raise UsageError(f"a person must have a name: {text!r} (NAME[,ID,ORG])")
    parts += [""] * (3 - len(parts))
    return {"name": parts[0], "id": parts[1] or None, "org": parts[2] or None}


def party_label(party: dict[str, Any] | None) -> str:
    """``"R. Jaziri"`` / ``"R. Jaziri (2208)"``: how a person is named in findings and reports."""
    if not party:
        return "nobody"
    if not isinstance(party, dict):
        return f"{str(party)[:80]} (not a person record)"
    name = str(party.get("name") or "?")
    return f"{name} ({party['id']})" if party.get("id") else name


def _same_person(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    if not a or not b:
        return False
    if a.get("id") and b.get("id"):
        return str(a["id"]).casefold() == str(b["id"]).casefold()
    def norm(p: dict[str, Any]) -> str:
        return " ".join(unicodedata.normalize("NFC", str(p.get("name") or "")).casefold().split())
    return norm(a) == norm(b)


def parse_time(text: str | None, zone: str) -> datetime:
    """``--at`` value → aware datetime. A time without offset is read in the profile's ``zone``."""
    if text is None:
        return now_utc().astimezone(ZoneInfo(zone))
    raw = text.strip().replace(" ", "T", 1)
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"--at {text!r}: not an ISO 8601 time (e.g. 2025-03-14T10:42 or 2025-03-14T09:42Z)") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZoneInfo(zone))
    return dt.replace(microsecond=0)


def _offset(dt: datetime) -> str:
    off = dt.utcoffset()
    total = int(off.total_seconds()) if off is not None else 0
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    return f"{sign}{total // 3600:02d}:{total % 3600 // 60:02d}"


def short_time(iso: str | None) -> str:
    """``2025-03-14T13:20:00Z`` → ``2025-03-14 13:20`` (UTC), as findings print times."""
    if not iso:
        return "an unknown time"
    return iso.replace("T", " ")[:16]


# ----------------------------------------------------------------------------- the ledger file
def event_body(event: dict[str, Any]) -> bytes:
    """The bytes that signatures cover: the canonical event without ``signatures``."""
    return canonical_bytes({k: v for k, v in event.items() if k != "signatures"})


def ledger_lines(case: "Case") -> list[bytes]:
    """The ledger's lines, each with its ``\\n`` (empty list when there is no ledger)."""
    path = case.root / LEDGER
    if not os.path.lexists(path):
        return []
    if path.is_symlink() or not path.is_file():
        raise InputError(f"{path} is not a regular file (a link, folder, FIFO or device): refusing to read it")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the custody ledger ({exc.strerror})") from None
    return data.splitlines(keepends=True)


def read_events(case: "Case") -> list[dict[str, Any]]:
    """Every event of the ledger, in file order (``FormatError`` for an unreadable line)."""
    out = []
    for n, line in enumerate(ledger_lines(case), 1):
        try:
            event = json.loads(line)
        except ValueError:
            raise FormatError(f"{LEDGER} line {n} is not JSON") from None
        if not isinstance(event, dict):
            raise FormatError(f"{LEDGER} line {n} is not a JSON object")
        out.append(event)
    return out


def head_of(lines: list[bytes]) -> str:
    """``SEQ:SHA256`` of a ledger given as its lines: the number of events and the hex SHA-256 of
    the last line's bytes including its ``\n`` (what the next event's ``prev`` holds)."""
    if not lines:
        return EMPTY_HEAD
    return f"{len(lines)}:{hashlib.sha256(lines[-1]).hexdigest()}"


def ledger_head(case: "Case") -> str:
    """The head of ``case``'s ledger (``EMPTY_HEAD`` when it has no events)."""
    return head_of(ledger_lines(case))


def parse_head(text: str, flag: str = "--expect-head") -> tuple[int, str | None]:
    """``"SEQ:SHA256"`` → ``(seq, sha256)`` (``(0, None)`` for the empty head); ``UsageError``
    naming ``flag`` when malformed."""
    raw = text.strip()
    seq_text, sep, digest = raw.partition(":")
    if raw == EMPTY_HEAD:
        return 0, None
    digest = digest.strip().lower()
    if not sep or not seq_text.isdigit() or int(seq_text) < 1 or len(digest) != 64 or \
            any(c not in "0123456789abcdef" for c in digest):
        raise UsageError(f"{flag} {text!r}: expected SEQ:SHA256 as custody add prints it "
                         f"(e.g. 4:{'0' * 8}...{'0' * 4}, 64 hex digits)")
    return int(seq_text), digest


def check_head(lines: list[bytes], head: str, source: str) -> Finding | None:
    """A finding when the ledger ``lines`` do not hold the anchor ``head`` (from ``source``, e.g.
    "the seal" or "--expect-head"); None when they do."""
    seq, digest = parse_head(head)
    if seq == 0:
        return None
    if len(lines) < seq:
        return Finding("ledger.truncated", None, seq,
                       f"The ledger holds {len(lines)} event(s), but {source} records {seq} "
                       f"(head {head[:16]}...): events were removed.")
    found = hashlib.sha256(lines[seq - 1]).hexdigest()
    if found != digest:
        return Finding("ledger.rewritten", None, seq,
                       f"Event {seq} is not the event {source} records (head {head[:16]}...): "
                       f"the ledger was rewritten, reordered or cut and regrown.")
    return None


def _same_fields(a: dict[str, Any], b: dict[str, Any]) -> bool:
    skip = ("seq", "prev", "signatures", "recheck")
    return {k: v for k, v in a.items() if k not in skip} == {k: v for k, v in b.items() if k not in skip}


def refuse_duplicate(case: "Case", event: dict[str, Any]) -> None:
    """``UsageError`` when the ledger already holds an event identical to ``event`` (all but its
    place in the chain and its signatures): a command run twice by mistake (``--again`` allows it)."""
    for n, line in enumerate(ledger_lines(case), 1):
        try:
            old = json.loads(line)
        except ValueError:
            continue
        if isinstance(old, dict) and _same_fields(old, event):
            raise UsageError(f"event {n} of the ledger is identical (same action, exhibits, people, time and "
                             f"fields): not added again; give --again if it really happened twice")


def new_event(case: "Case", *, action: str, exhibits: Iterable[str], by: str, to: str | None = None,
              at: str | None = None, location: str | None = None, purpose: str | None = None,
              seal_number: str | None = None, seal_state: str | None = None, note: str | None = None,
              recheck: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build (not yet sign or append) the next event of ``case``'s ledger, validating every field."""
    if action not in ACTIONS:
        raise UsageError(f"--action {action!r}: must be one of {', '.join(ACTIONS)}")
    if seal_state is not None and seal_state not in SEAL_STATES:
        raise UsageError(f"--seal-state {seal_state!r}: must be one of {', '.join(SEAL_STATES)}")
    ids = [e.strip() for e in exhibits if e.strip()]
    if not ids:
        raise UsageError("--exhibits: name at least one exhibit (EX-01,EX-02)")
    if len(set(ids)) != len(ids):
        raise UsageError("--exhibits: an exhibit is listed twice")
    for ex in ids:
        case.exhibit(ex)  # InputError when the case has no such exhibit
    zone = _case_zone(case)
    when = parse_time(at, zone)
    real_now = datetime.now(timezone.utc)
    if when.astimezone(timezone.utc) > real_now + CLOCK_SKEW:
        raise UsageError(f"--at {at}: that is in the future (this computer's clock says "
                         f"{datetime_to_iso(real_now.replace(microsecond=0))}); give the time the event happened")
    lines = ledger_lines(case)
    prev = hashlib.sha256(lines[-1]).hexdigest() if lines else None
    if lines and not lines[-1].endswith(b"\n"):
        raise FormatError(f"{LEDGER}: the last line is incomplete; refusing to append")
    seal = None
    if seal_number is not None or seal_state is not None:
        seal = {"number": seal_number, "state": seal_state}
    return {
        "schema": SCHEMA,
        "case_id": case.info.get("case_id"),
        "seq": len(lines) + 1,
        "prev": prev,
        "time": datetime_to_iso(when.astimezone(timezone.utc)),
        "offset": _offset(when),
        "action": action,
        "exhibits": ids,
        "released_by": parse_party(by),
        "received_by": parse_party(to) if to else None,
        "purpose": purpose,
        "location": location,
        "seal": seal,
        "recheck": recheck,
        "note": note,
    }


def _case_zone(case: "Case") -> str:
    from forensic_kit.profiles import load_profile

    try:
        return load_profile(str(case.info.get("profile") or "eu")).timezone
    except UsageError:
        return "UTC"


def sign_event(event: dict[str, Any], releaser: "SigningKey", receiver: "SigningKey | None" = None) -> dict[str, Any]:
    """Return ``event`` with its ``signatures`` (releaser, then receiver when given)."""
    from forensic_kit.signing import sshsig

    body = event_body(event)
    sigs = [{"role": "releaser", "key_id": releaser.key_id, "fingerprint": releaser.fingerprint,
             "sshsig": sshsig.sign(body, releaser, NAMESPACE).decode("ascii")}]
    if receiver is not None:
        sigs.append({"role": "receiver", "key_id": receiver.key_id, "fingerprint": receiver.fingerprint,
                     "sshsig": sshsig.sign(body, receiver, NAMESPACE).decode("ascii")})
    return {**event, "signatures": sigs}


def signer_person(case: "Case", key: "SigningKey", trust: "TrustList | None") -> tuple["Person | None", str]:
    """Who holds ``key``: the person the verifier's trust list binds to it; without a trust list,
    the case's own ``fkit/allowed_signers`` person line, else the key's own description. Returns
    (person or None, where that came from, as a phrase)."""
    from forensic_kit.signing.people import Person, TrustList

    blob = key.public_blob
    if trust is not None:
        return trust.person_for(blob), f"the trust list {trust.source}"
    own = case.root / "fkit" / "allowed_signers"
    if own.is_file():
        try:
            person = TrustList.load(own).person_for(blob)
        except InputError:
            person = None
        if person is not None:
            return person, "the case's own fkit/allowed_signers (no --trust given)"
    return Person(principal=key.key_id, name=key.name, person_id=key.person_id, org=key.org,
                  fingerprint=key.fingerprint, key_blob=blob), "the key's own description (no --trust given)"


def bind_signers(case: "Case", event: dict[str, Any], releaser: "SigningKey", receiver: "SigningKey | None",
                 trust: "TrustList | None") -> list[str]:
    """Refuse (``UsageError``, exit 2) an event whose named people are not the holders of the keys
    that sign for them: ``--by`` must be the holder of the ``--sign`` key and ``--to`` of the
    ``--cosign`` key, two different keys. Returns one line per signer saying who holds the key
    and by whose word (trust list, case list or key description)."""
    from forensic_kit.signing.people import same_person

    lines = []
    to = event.get("received_by")
    if to and receiver is None:
        raise UsageError(f"--to {party_label(to)}: a hand-over is signed by both people; the receiver "
                         f"countersigns with their own key (--cosign KEY)")
    if receiver is not None and not to:
        raise UsageError("--cosign needs --to (the receiver who countersigns)")
    if receiver is not None and receiver.public_blob == releaser.public_blob:
        raise UsageError("--cosign is the same key as --sign: a hand-over needs the releaser's and the "
                         "receiver's own keys")
    for flag, party_flag, key, role in (("--sign", "--by", releaser, "released_by"),
                                        ("--cosign", "--to", receiver, "received_by")):
        if key is None:
            continue
        party = event.get(role)
        person, source = signer_person(case, key, trust)
        if person is None:
            raise UsageError(f"the {flag} key {key.fingerprint} is not bound to a person in {source}: add the "
                             f"holder's person block (fkit key new --person-id ... writes it) or use --trust FILE")
        if not same_person(party, person):
            raise UsageError(f"{party_flag} {party_label(party)} is not the holder of the {flag} key "
                             f"{key.fingerprint}: {source} binds it to {person.label()}; each person signs with "
                             f"their own key")
        lines.append(f"{role.replace('_', ' ')} {person.label()} holds {key.fingerprint} ({source})")
    return lines


def append_event(case: "Case", event: dict[str, Any]) -> bytes:
    """Append the signed ``event`` to the ledger and refresh the bag; returns the line written
    (serialised and refused when the ledger changed meanwhile: :func:`package.append_chained`)."""
    from forensic_kit.package import append_chained

    line = canonical_bytes(event) + b"\n"
    append_chained(case, LEDGER, line, lambda: ledger_lines(case), event.get("seq"), event.get("prev"), "event")
    return line


# ----------------------------------------------------------------------------- verification
def verify_custody(case: "Case", trusted_signers: "str | TrustList | None",
                   expect_heads: Iterable[tuple[str, str]] = ()) -> CustodyReport:
    """Check ``case``'s ledger against the verifier's trust list (OpenSSH ``allowed_signers`` text
    or a :class:`~forensic_kit.signing.people.TrustList`; ``None``: no trust list, valid signatures
    are then reported as untrusted) and against every anchor in ``expect_heads``: ``(head, where
    it comes from)`` pairs such as ``("4:ab12...", "--expect-head")`` or the seal's recorded head.
    """
    from forensic_kit.signing.people import TrustList

    trust = TrustList(trusted_signers) if isinstance(trusted_signers, str) else trusted_signers
    findings: list[Finding] = []
    events: list[dict[str, Any]] = []
    signers: dict[str, str] = {}
    verdicts: list[SignatureVerdict] = []
    notes: list[str] = []
    try:
        lines = ledger_lines(case)
    except InputError as exc:
        findings.append(Finding("ledger.unreadable", None, None, exc.message))
        return CustodyReport(ok=False, findings=findings, notes=notes)
    if lines and not lines[-1].endswith(b"\n"):
        findings.append(Finding("line.incomplete", None, len(lines),
                                f"The last line of the custody ledger (line {len(lines)}) is cut short: the ledger was truncated."))
    anchors: list[str] = []
    last_anchor = 0
    for head, source in expect_heads:
        anchors.append(f"{head} ({source})")
        problem = check_head(lines, head, source)
        if problem is not None:
            findings.append(problem)
        else:
            last_anchor = max(last_anchor, parse_head(head)[0])
    if not lines:
        findings.append(Finding("ledger.empty", None, None,
                                "The custody ledger has no events, so no exhibit is accounted for."))
    if lines and len(lines) > last_anchor:
        span = f"Events {last_anchor + 1} to {len(lines)}" if len(lines) > last_anchor + 1 else f"Event {len(lines)}"
        notes.append(f"{span} of the custody ledger came after the last anchor held outside it, so nothing proves "
                     f"that no later event was removed; compare the head on your latest receipt (--expect-head).")
    prev_hash: str | None = None
    prev_time: str | None = None
    holder: dict[str, dict[str, Any] | None] = {}  # exhibit -> who holds it now (None: out of custody)
    last: dict[str, tuple[dict[str, Any], str]] = {}  # exhibit -> (event, how it was last handled)
    for n, line in enumerate(lines, 1):
        this_hash = hashlib.sha256(line).hexdigest()
        try:
            event = json.loads(line)
            if not isinstance(event, dict):
                raise ValueError
        except ValueError:
            findings.append(Finding("line.unreadable", None, n,
                                    f"Line {n} of the custody ledger is not a readable event."))
            prev_hash = this_hash
            continue
        events.append(event)
        seq = event.get("seq")
        if seq != n:
            findings.append(Finding("chain.seq", None, n,
                                    f"Event {n} carries sequence number {seq}, so an event is missing or out of place."))
        if event.get("prev") != prev_hash:
            what = "the previous event" if n > 1 else "nothing"
            findings.append(Finding("chain.broken", None, n,
                                    f"Event {n} does not chain to {what}: the ledger was altered, reordered or cut."))
        try:  # a hostile event may hold any JSON value anywhere: one finding, never a crash
            if canonical_bytes(event) + b"\n" != line:
                findings.append(Finding("chain.noncanonical", None, n,
                                        f"Event {n} is not in canonical form, so it was edited outside fkit."))
            prev_hash = this_hash
            _check_signatures(event, n, trust, findings, signers, verdicts)
            t = event.get("time")
            if not isinstance(t, str):
                findings.append(Finding("time.missing", None, n, f"Event {n} has no time."))
            elif prev_time is not None and t < prev_time:
                findings.append(Finding("time.order", None, n,
                                        f"Event {n} is dated {short_time(t)}, earlier than the event before it ({short_time(prev_time)})."))
            if isinstance(t, str):
                prev_time = max(t, prev_time or t)
            _check_continuity(event, n, holder, last, findings)
            _check_recheck(event, n, findings)
        except (FkitError, TypeError, AttributeError, ValueError, KeyError) as exc:
            prev_hash = this_hash
            findings.append(Finding("event.malformed", None, n,
                                    f"Event {n} holds fields fkit cannot read ({type(exc).__name__}): it was edited outside fkit."))
    try:
        findings.extend(_seal_findings(case, events))
    except (TypeError, AttributeError, ValueError, KeyError):
        findings.append(Finding("event.malformed", None, None, "A sealed event holds fields fkit cannot read."))
    known = {str(e.get("id") or e.get("exhibit") or "") for e in case.exhibits()}
    known.discard("")
    seen = set(last)
    for ex in sorted(known - seen):
        findings.append(Finding("exhibit.unaccounted", ex, None,
                                f"{ex} is an exhibit of this case but no custody event accounts for it."))
    for ex in sorted(seen - known):
        findings.append(Finding("exhibit.unknown", ex, None,
                                f"{ex} appears in the custody ledger but is not an exhibit of this case."))
    return CustodyReport(ok=not findings, findings=findings, events=events, signers=signers, signatures=verdicts,
                         head=head_of(lines), anchors=anchors, notes=notes)


def _check_signatures(event: dict[str, Any], n: int, trust: "TrustList | None", findings: list[Finding],
                      signers: dict[str, str], verdicts: list[SignatureVerdict]) -> None:
    """Each signature: valid over the event, by a trusted (unexpired) key, whose bound person is
    the one the event names for that role; the signer is derived from the SSHSIG's own key."""
    from forensic_kit.signing import sshsig
    from forensic_kit.signing.people import same_person

    sigs = event.get("signatures")
    releaser = party_label(event.get("released_by"))
    roles = [s.get("role") for s in sigs if isinstance(s, dict)] if isinstance(sigs, list) else []
    if "releaser" not in roles:
        findings.append(Finding("signature.missing", None, n, f"Event {n} is not signed by its releaser, {releaser}."))
    if isinstance(event.get("received_by"), dict) and "receiver" not in roles and "releaser" in roles:
        findings.append(Finding("signature.receiver_missing", None, n,
                                f"Event {n} names {party_label(event.get('received_by'))} as receiver, but only the "
                                f"releaser signed it: the hand-over is not acknowledged by the receiver."))
    sigs = sigs if isinstance(sigs, list) else []
    try:
        body = event_body(event)
    except FormatError:
        findings.append(Finding("signature.invalid", None, n, f"Event {n} cannot be put in canonical form to check its signatures."))
        return
    seen_keys: dict[bytes, str] = {}
    for sig in sigs:
        if not isinstance(sig, dict):
            continue
        role = "receiver" if sig.get("role") == "receiver" else "releaser"
        party = event.get("received_by" if role == "receiver" else "released_by")
        party = party if isinstance(party, dict) else None
        who = party_label(party)
        raw_sig = sig.get("sshsig")
        try:
            if not isinstance(raw_sig, str):
                raise sshsig.SignatureError("no signature text")
            v = sshsig.verify(body, raw_sig.encode("ascii", "replace"), NAMESPACE,
                              trust.text if trust is not None else None)
        except Exception:  # noqa: BLE001 - SignatureError or a malformed blob: both are "invalid"
            findings.append(Finding("signature.invalid", None, n,
                                    f"The {role} signature on event {n} ({who}) does not match the event: it was forged or the event was changed."))
            verdicts.append(SignatureVerdict(n, role, False, problem="signature.invalid"))
            continue
        blob = v.key_blob
        signers[v.fingerprint] = ",".join(v.principals)
        person = trust.person_for(blob) if trust is not None else None
        expired = bool(trust is not None and not v.trusted and trust.expired(blob))
        match = same_person(party, person) if person is not None else None
        problem: str | None = None
        claimed = sig.get("fingerprint")
        if isinstance(claimed, str) and claimed and claimed != v.fingerprint:
            problem = "signature.claim_mismatch"
            findings.append(Finding(problem, None, n,
                                    f"The {role} signature on event {n} claims key {claimed}, but it was made with key "
                                    f"{v.fingerprint}" + (f" ({person.label()})" if person else "") + "."))
        if blob in seen_keys and seen_keys[blob] != role:
            problem = "signer.same_key"
            findings.append(Finding(problem, None, n,
                                    f"Event {n} is signed for both releaser and receiver with the same key "
                                    f"{v.fingerprint}: one person signed for two."))
        seen_keys[blob] = role
        if expired:
            problem = "signature.expired"
            findings.append(Finding(problem, None, n,
                                    f"The {role} signature on event {n} ({who}) is made with key {v.fingerprint}"
                                    + (f" of {person.label()}" if person else "")
                                    + f", whose validity in the trust list has ended (valid-before {_valid_before(trust, blob)})."))
        elif not v.trusted:
            problem = "signature.untrusted"
            findings.append(Finding(problem, None, n,
                                    f"The {role} signature on event {n} ({who}) is valid but made with key {v.fingerprint}, which is not in the trusted signers list."))
        elif match is False:
            problem = "signer.mismatch"
            findings.append(Finding(problem, None, n,
                                    f"Event {n} names {who} as {role}, but its {role} signature was made with the key of "
                                    f"{person.label() if person else '?'} ({v.fingerprint}): {who} did not sign it."))
        verdicts.append(SignatureVerdict(n, role, True, v.fingerprint, person, tuple(v.principals), v.trusted,
                                         expired, match, problem))


def _valid_before(trust: "TrustList | None", blob: bytes) -> str:
    if trust is None:
        return "?"
    for e in trust.entries:
        if e.key_blob == blob and e.options.get("valid-before"):
            return str(e.options["valid-before"])
    return "?"


def _check_continuity(event: dict[str, Any], n: int, holder: dict[str, dict[str, Any] | None],
                      last: dict[str, tuple[dict[str, Any], str]], findings: list[Finding]) -> None:
    raw = event.get("exhibits")
    exhibits: list[Any] = raw if isinstance(raw, list) else []
    by = event.get("released_by") if isinstance(event.get("released_by"), dict) else None
    to = event.get("received_by") if isinstance(event.get("received_by"), dict) else None
    action = str(event.get("action"))
    when = short_time(event.get("time"))
    for ex in exhibits:
        ex = str(ex)
        if ex in last:
            prev_event, how = last[ex]
            prev_when = short_time(prev_event.get("time"))
            if holder.get(ex) is None:
                findings.append(Finding("exhibit.after_disposal", ex, n,
                                        f"{ex} was {how} on {prev_when}, but event {n} on {when} still handles it."))
            elif not _same_person(holder[ex], by):
                findings.append(Finding("continuity", ex, n,
                                        f"{ex} was {how} by {party_label(holder[ex])} on {prev_when}, "
                                        f"but the next event has it released by {party_label(by)}."))
        if to:
            holder[ex], how = to, "received"
        elif action in _DISPOSALS:
            holder[ex], how = None, action
        else:
            holder[ex], how = by, ("last handled" if action not in ("seized", "received") else action)
        if to:
            holder[ex] = to
        last[ex] = (event, how)


def recheck_exhibits(case: "Case", exhibits: Iterable[str], limit: int = 50) -> dict[str, Any]:
    """Re-hash every payload file of ``exhibits`` against ``manifest-sha256.txt``, as an officer does at a
    hand-over (``fkit custody add --recheck``); the result goes into the event's ``recheck`` field.

    ``result`` is ``ok`` only when every listed file is present with its listed SHA-256, no file was
    added, and at least one file was checked. Paths of ``changed`` / ``missing`` / ``unreadable`` /
    ``added`` files are listed up to ``limit`` each (their counts are exact).
    """
    ids = [e for e in exhibits]
    prefixes = tuple(f"data/{ex}/" for ex in ids)
    listed = {rel: digest for rel, digest in case.read_manifest().items() if rel.startswith(prefixes)}
    groups: dict[str, list[str]] = {"changed": [], "missing": [], "unreadable": [], "added": []}
    ok = 0
    from forensic_kit.manifest.payload import NOT_REGULAR, hash_path, walk_regular

    for rel in sorted(listed):
        digest, _size, _err, errname = hash_path(os.fsencode(case.root / rel))  # links, FIFOs: never opened
        if errname == "ENOENT":
            groups["missing"].append(rel)
        elif errname == NOT_REGULAR:
            groups["changed"].append(rel)
        elif digest is None:
            groups["unreadable"].append(rel)
        elif digest == listed[rel]:
            ok += 1
        else:
            groups["changed"].append(rel)
    root = os.fsencode(case.root)
    for ex in ids:
        for _full, rel_raw in walk_regular(root, os.fsencode(case.data_dir / ex)):
            rel = os.fsdecode(rel_raw)
            if rel not in listed:
                groups["added"].append(rel)
    bad = any(groups.values())
    result: dict[str, Any] = {"algorithm": "sha256", "against": "manifest-sha256.txt", "files": len(listed), "ok": ok,
                              "result": "ok" if listed and not bad else "failed"}
    for name, paths in groups.items():
        result[name] = paths[:limit]
        if len(paths) > limit:
            result[f"{name}_count"] = len(paths)
    return result


def recheck_summary(recheck: dict[str, Any]) -> str:
    """``"1 changed, 2 added"``: the problems a re-check found (empty when none)."""
    return ", ".join(f"{recheck.get(k + '_count', len(recheck.get(k) or []))} {k}"
                     for k in ("changed", "missing", "unreadable", "added") if recheck.get(k))


def _check_recheck(event: dict[str, Any], n: int, findings: list[Finding]) -> None:
    recheck = event.get("recheck")
    if not isinstance(recheck, dict) or recheck.get("result") == "ok":
        return
    counts = recheck_summary(recheck)
    raw = event.get("exhibits")
    exhibits = ", ".join(str(x) for x in raw) if isinstance(raw, list) else "?"
    findings.append(Finding("recheck.failed", None, n,
                            f"The hash re-check recorded at event {n} ({exhibits}, {short_time(event.get('time'))}) "
                            f"failed: {counts or 'no file was checked'}."))


def _seal_limit(case: "Case") -> timedelta:
    from forensic_kit.errors import FkitError
    from forensic_kit.profiles import load_profile

    try:
        minutes = load_profile(str(case.info.get("profile") or "eu")).extra.get("seal_within_minutes")
    except FkitError:  # an unknown or broken profile: the default limit applies
        minutes = None
    return timedelta(minutes=int(minutes)) if isinstance(minutes, int) and minutes > 0 else SEAL_WITHIN


def _seal_findings(case: "Case", events: list[dict[str, Any]]) -> list[Finding]:
    """``seal.mismatch``: a ``sealed`` event's number differs from the exhibit sheet's seal;
    ``seal.late``: sealed more than the profile's limit after the exhibit was seized."""
    sheets: dict[str, str] = {}
    for info in case.exhibits():
        seal = info.get("seal")
        number = seal.get("number") if isinstance(seal, dict) else seal
        if isinstance(number, str) and number:
            sheets[str(info.get("id") or info.get("exhibit") or "")] = number
    limit = _seal_limit(case)
    seized: dict[str, datetime] = {}
    out: list[Finding] = []
    for event in events:
        raw = event.get("exhibits")
        exhibits = [str(x) for x in raw] if isinstance(raw, list) else []
        when = parse_iso(event.get("time"))
        seq = event.get("seq") if isinstance(event.get("seq"), int) else None
        if event.get("action") == "seized" and when is not None:
            for ex in exhibits:
                seized.setdefault(ex, when)
        if event.get("action") != "sealed":
            continue
        recorded = event.get("seal")
        number = recorded.get("number") if isinstance(recorded, dict) else None
        for ex in exhibits:
            sheet = sheets.get(ex)
            if number and sheet and number != sheet:
                out.append(Finding("seal.mismatch", ex, seq,
                                   f"{ex} was sealed under {number} (event {seq}), but its exhibit sheet gives seal {sheet}."))
            if ex in seized and when is not None and when - seized[ex] > limit:
                hours, minutes = divmod(int((when - seized[ex]).total_seconds()) // 60, 60)
                out.append(Finding("seal.late", ex, seq,
                                   f"{ex} was sealed {hours} h {minutes:02d} min after it was seized (event {seq}); "
                                   f"nothing protected it meanwhile."))
    return out
