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
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Iterable
from zoneinfo import ZoneInfo

from forensic_kit.errors import FormatError, InputError, UsageError
from forensic_kit.manifest.canonical import canonical_bytes
from forensic_kit.timeutil import datetime_to_iso, now_utc, parse_iso

if TYPE_CHECKING:
    from forensic_kit.package import Case
    from forensic_kit.signing.keys import SigningKey

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


@dataclass
class CustodyReport:
    """What :func:`verify_custody` found."""

    ok: bool
    findings: list[Finding] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    signers: dict[str, str] = field(default_factory=dict)  # fingerprint -> principal ("" if untrusted)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"ok": self.ok, "events": len(self.events),
                "findings": [f.as_dict() for f in self.findings]}


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
    if not path.exists():
        return []
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


def append_event(case: "Case", event: dict[str, Any]) -> bytes:
    """Append the signed ``event`` to the ledger and refresh the bag; returns the line written.

    Appenders are serialised with an exclusive lock on ``fkit/work/custody.lock`` (outside the
    bag's tag files); an event prepared against an older ledger is refused, never re-chained.
    """
    import fcntl

    lock_dir = case.fkit_dir / "work"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / "custody.lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        lines = ledger_lines(case)
        expected_prev = hashlib.sha256(lines[-1]).hexdigest() if lines else None
        if event.get("prev") != expected_prev or event.get("seq") != len(lines) + 1:
            raise FormatError(f"{LEDGER} changed while the event was being prepared; try again")
        line = canonical_bytes(event) + b"\n"
        case.write_tag_file(LEDGER, b"".join(lines) + line)
        case.update_bag()
    return line


# ----------------------------------------------------------------------------- verification
def verify_custody(case: "Case", trusted_signers: str | None) -> CustodyReport:
    """Check ``case``'s ledger against the OpenSSH ``allowed_signers`` text ``trusted_signers``.

    ``None`` means no trust list: valid signatures are then reported as untrusted.
    """
    from forensic_kit.signing import sshsig

    findings: list[Finding] = []
    events: list[dict[str, Any]] = []
    signers: dict[str, str] = {}
    lines = ledger_lines(case)
    if not lines:
        findings.append(Finding("ledger.empty", None, None,
                                "The custody ledger has no events, so no exhibit is accounted for."))
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
        if canonical_bytes(event) + b"\n" != line:
            findings.append(Finding("chain.noncanonical", None, n,
                                    f"Event {n} is not in canonical form, so it was edited outside fkit."))
        prev_hash = this_hash
        _check_signatures(event, n, trusted_signers, findings, signers, sshsig)
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
    findings.extend(_seal_findings(case, events))
    known = {str(e.get("id") or e.get("exhibit") or "") for e in case.exhibits()}
    known.discard("")
    seen = set(last)
    for ex in sorted(known - seen):
        findings.append(Finding("exhibit.unaccounted", ex, None,
                                f"{ex} is an exhibit of this case but no custody event accounts for it."))
    for ex in sorted(seen - known):
        findings.append(Finding("exhibit.unknown", ex, None,
                                f"{ex} appears in the custody ledger but is not an exhibit of this case."))
    return CustodyReport(ok=not findings, findings=findings, events=events, signers=signers)


def _check_signatures(event: dict[str, Any], n: int, trusted: str | None, findings: list[Finding],
                      signers: dict[str, str], sshsig: Any) -> None:
    sigs = event.get("signatures")
    releaser = party_label(event.get("released_by"))
    if not isinstance(sigs, list) or not any(isinstance(s, dict) and s.get("role") == "releaser" for s in sigs):
        findings.append(Finding("signature.missing", None, n, f"Event {n} is not signed by its releaser, {releaser}."))
        sigs = sigs if isinstance(sigs, list) else []
    try:
        body = event_body(event)
    except FormatError:
        findings.append(Finding("signature.invalid", None, n, f"Event {n} cannot be put in canonical form to check its signatures."))
        return
    for sig in sigs:
        if not isinstance(sig, dict):
            continue
        role = "receiver" if sig.get("role") == "receiver" else "releaser"
        who = party_label(event.get("received_by" if role == "receiver" else "released_by"))
        try:
            v = sshsig.verify(body, str(sig.get("sshsig", "")).encode("ascii", "replace"), NAMESPACE, trusted)
        except Exception:  # noqa: BLE001 - SignatureError or a malformed blob: both are "invalid"
            findings.append(Finding("signature.invalid", None, n,
                                    f"The {role} signature on event {n} ({who}) does not match the event: it was forged or the event was changed."))
            continue
        signers[v.fingerprint] = ",".join(v.principals)
        if not v.trusted:
            findings.append(Finding("signature.untrusted", None, n,
                                    f"The {role} signature on event {n} ({who}) is valid but made with key {v.fingerprint}, which is not in the trusted signers list."))


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
    for rel in sorted(listed):
        try:
            with open(case.root / rel, "rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
        except FileNotFoundError:
            groups["missing"].append(rel)
            continue
        except OSError:
            groups["unreadable"].append(rel)
            continue
        if digest == listed[rel]:
            ok += 1
        else:
            groups["changed"].append(rel)
    for ex in ids:
        folder = case.data_dir / ex
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            rel = path.relative_to(case.root).as_posix()
            if path.is_file() and rel not in listed:
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
