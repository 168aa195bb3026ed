"""Assemble a mock-trial case: synthetic evidence run through the real fkit pipeline, flaws planted.

Layout of ``OUT`` (all paths inside are relative, so two runs in different folders give the same bytes)::

    OUT/sources/        the "seized" evidence: phone-1/, phone-2/ (Android extractions), camera/ (photos,
                        video), usb-stick.img (FAT12)
    OUT/keys/           seeded training keys (passphrase in keys/passphrase.txt)
    OUT/trust/allowed_signers   the agency's list of trusted signers (what trainees verify against)
    OUT/case/           the case package (BagIt), sealed and signed
    OUT/analysis/       fkit meta and fkit phone links output
    OUT/custody-record.pdf  OUT/handout.pdf  OUT/answer-key.pdf
    OUT/training.json   what was generated, the planted flaws and where each shows

Every step is a real ``fkit`` command run as a subprocess (``python -m forensic_kit``), with a fixed
``SOURCE_DATE_EPOCH`` per step, except the custody events: they are built, signed and appended
through :mod:`forensic_kit.custody` (the same functions ``fkit custody add`` calls), because one
flaw (an unsigned transfer) cannot be made through the command, and because it keeps a case to a
few seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Sequence

from forensic_kit.errors import CaseExistsError, FkitError, UsageError
from forensic_kit.exitcodes import ExitCode
from forensic_kit.training.android import PhoneSpec, write_extraction
from forensic_kit.training.flaws import FLAWS, check_flaws
from forensic_kit.training.keys import PASSPHRASE, training_key
from forensic_kit.training.media import plan_photos, route_place, write_photo, write_video
from forensic_kit.training.people import Cast, make_cast
from forensic_kit.training.usb import write_usb_image

PROFILES = ("training", "ma", "tn", "eg", "ly", "dz")
LIBYA = timezone(timedelta(hours=2))


@dataclass(frozen=True)
class PlantedFlaw:
    """One planted flaw: what, where it shows, which command reveals it, what that command reports."""

    name: str
    exhibits: tuple[str, ...]
    where: str
    reveal: str
    expected: tuple[tuple[str, str | None], ...]  # (finding code, exhibit or None)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"name": self.name, "exhibits": list(self.exhibits), "where": self.where, "reveal": self.reveal,
                "expected": [{"code": c, "exhibit": e} for c, e in self.expected]}


@dataclass
class TrainingResult:
    """What :func:`generate_case` made."""

    out: Path
    case: Path
    trust: Path
    keys: Path
    passphrase_file: Path
    seed: int
    profile: str
    languages: list[str]
    pdfs: dict[str, Path] = field(default_factory=dict)
    flaws: list[PlantedFlaw] = field(default_factory=list)
    exhibits: list[dict[str, Any]] = field(default_factory=list)
    people: dict[str, str] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON form (paths relative to ``out``)."""
        def rel(p: Path) -> str:
            return str(Path(p).relative_to(self.out))

        return {"seed": self.seed, "profile": self.profile, "languages": self.languages, "case": rel(self.case),
                "trust": rel(self.trust), "keys": rel(self.keys), "passphrase_file": rel(self.passphrase_file),
                "pdfs": {k: rel(v) for k, v in self.pdfs.items()}, "flaws": [f.as_dict() for f in self.flaws],
                "exhibits": self.exhibits, "people": self.people, "steps": self.steps}


class StepFailed(FkitError):
    """A pipeline command failed while the case was being generated."""

    exit_code = ExitCode.CANNOT_RUN


# ----------------------------------------------------------------------------- cast and timeline
@dataclass(frozen=True)
class Officer:
    """A person in the custody chain, with a training key."""

    role: str
    name: str
    ident: str
    org: str
    key_id: str

    @property
    def party(self) -> str:
        """``NAME,ID,ORG`` as ``--by`` / ``--to`` take it."""
        return f"{self.name},{self.ident},{self.org}"


def _officers(rng: random.Random) -> dict[str, Officer]:
    def n() -> str:
        return str(rng.randrange(1000, 9999))

    return {
        "seizer": Officer("seizer", "Lt. Salem Ben Ammar", n(), "Zuwara Coast Guard", "s.benammar@coastguard.mock"),
        "courier": Officer("courier", "Sgt. Nadia Trabelsi", n(), "Judicial Police", "n.trabelsi@police.mock"),
        "examiner": Officer("examiner", "Dr. Youssef Karoui", n(), "Digital Forensics Lab", "y.karoui@lab.mock"),
        "store": Officer("store", "Hana Mejri", n(), "Evidence Store", "h.mejri@store.mock"),
        "clerk": Officer("clerk", "Me Karim Gharbi", n(), "Court Registry", "k.gharbi@court.mock"),
        "stranger": Officer("stranger", "Dr. Youssef Karoui", "", "Digital Forensics Lab", "lab-shared@lab.mock"),
    }


def _iso(dt: datetime) -> str:
    """Local time in Libya (UTC+2), as ``--at`` takes it."""
    return dt.astimezone(LIBYA).isoformat(timespec="seconds")


# ----------------------------------------------------------------------------- running fkit
class _Runner:
    def __init__(self, out: Path, steps: list[str]) -> None:
        self.out = out
        self.steps = steps

    def fkit(self, args: Sequence[str], epoch: datetime, stdout: Path | None = None, ok: tuple[int, ...] = (0,),
             stdin: Path | None = None) -> bytes:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FKIT_")}
        env.update({"SOURCE_DATE_EPOCH": str(int(epoch.timestamp())), "FKIT_PASSPHRASE": PASSPHRASE.decode(),
                    "TZ": "UTC", "PYTHONHASHSEED": "0"})
        self.steps.append("fkit " + " ".join(args) + (f" < {stdin.relative_to(self.out)}" if stdin else ""))
        proc = subprocess.run([sys.executable, "-m", "forensic_kit", *args], cwd=self.out, env=env,
                              input=stdin.read_bytes() if stdin else None, capture_output=True, check=False)
        if proc.returncode not in ok:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise StepFailed(f"'fkit {' '.join(args)}' failed with exit {proc.returncode}: {err[-1] if err else ''}")
        if stdout is not None:
            stdout.parent.mkdir(parents=True, exist_ok=True)
            stdout.write_bytes(proc.stdout)
        return proc.stdout


# ----------------------------------------------------------------------------- the generator
def generate_case(out: Path, seed: int, flaws: list[str], profile: str = "training",
                  langs: list[str] | None = None) -> TrainingResult:
    """Generate the mock case in ``out`` (which must not exist or be empty); see the module docstring."""
    from forensic_kit.profiles import load_profile

    out = Path(out)
    flaws = check_flaws(list(flaws))
    if profile not in PROFILES:
        raise UsageError(f"--profile {profile!r}: choose one of {', '.join(PROFILES)}")
    prof = load_profile(profile)
    languages = list(langs) if langs else list(prof.languages)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise CaseExistsError(f"{out} already exists and is not empty; refusing to overwrite it")
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    cast = make_cast(rng)
    officers = _officers(rng)
    day = 1 + seed % 20
    t0 = datetime(2025, 3, day, 4, 40, tzinfo=timezone.utc) + timedelta(minutes=rng.randrange(0, 120))
    case_id = f"MOCK-{2025}-ZUW-{seed % 10000:04d}"
    steps: list[str] = []
    run = _Runner(out, steps)
    result = TrainingResult(out=out, case=out / "case", trust=out / "trust" / "allowed_signers", keys=out / "keys",
                            passphrase_file=out / "keys" / "passphrase.txt", seed=seed, profile=profile,
                            languages=languages, steps=steps)

    # 1. synthetic evidence
    src = out / "sources"
    seals = {ex: f"ZUW-{seed % 1000:03d}-{i:02d}{rng.choice('ABCDEFGHJK')}" for i, ex in
             enumerate(("EX-01", "EX-02", "EX-03", "EX-04"), 1)}
    _write_sources(src, rng, cast, t0, "wrong-timezone" in flaws)
    result.people = {"owner_1": f"{cast.owner1.name} {cast.owner1.number}",
                     "owner_2": f"{cast.owner2.name} {cast.owner2.number}",
                     **{f"shared_{i}": f"{p.name} {p.number}" for i, p in enumerate(cast.shared, 1)}}

    # 2. keys and the agency's trust list
    keys: dict[str, Path] = {}
    for role, off in officers.items():
        keys[role] = training_key(result.keys, seed, off.key_id, off.name)
    result.passphrase_file.write_bytes(PASSPHRASE + b"\n")
    trusted = "".join(_trust_block(keys[r], officers[r]) for r in ("seizer", "courier", "examiner", "store", "clerk"))
    result.trust.parent.mkdir(parents=True, exist_ok=True)
    result.trust.write_text(trusted, encoding="utf-8")

    # 3. case and acquisitions (at the laboratory, a day after the seizure)
    lab = t0 + timedelta(hours=26)
    if prof.training:
        run.fkit(["case", "init", "case", "--case-id", case_id, "--agency", "Training Academy (mock)",
                  "--officer", officers["examiner"].name, "--profile", profile], t0 + timedelta(hours=25))
    else:
        # a jurisdiction profile that is not itself a training profile: the case must still be marked
        # training (MOCK- id, watermark), which 'fkit case init' derives from the profile only.
        _init_training_case(out / "case", case_id, officers["examiner"].name, profile, t0 + timedelta(hours=25))
        steps.append(f"Case.init(case, {case_id}, profile={profile}, training=True)")
    exhibits = [
        ("EX-01", "sources/phone-1", f"Android phone {cast.owner1.name} (Samsung SM-A546B), logical extraction"),
        ("EX-02", "sources/phone-2", f"Android phone {cast.owner2.name} (Tecno KI5k), logical extraction"),
        ("EX-03", "sources/camera", "Camera memory card: photos and a video from the route"),
        ("EX-04", "sources/usb-stick.img", "USB stick 512 KiB (FAT12), image"),
    ]
    for i, (ex, path, desc) in enumerate(exhibits):
        run.fkit(["acquire", path, "--into", "case", "--exhibit", ex, "--description", desc, "--seal", seals[ex]],
                 lab + timedelta(minutes=15 * i), stdout=out / "analysis" / f"acquire-{ex}.jsonl")
    result.exhibits = [{"id": ex, "description": d, "seal": seals[ex]} for ex, _, d in exhibits]
    run.fkit(["phone", "case/data/EX-01", "--exhibit", "EX-01", "--into", "case", "--profile", profile],
             lab + timedelta(hours=2), stdout=out / "analysis" / "phone-EX-01.jsonl", ok=(0, 3))
    run.fkit(["phone", "case/data/EX-02", "--exhibit", "EX-02", "--into", "case", "--profile", profile],
             lab + timedelta(hours=2, minutes=20), stdout=out / "analysis" / "phone-EX-02.jsonl", ok=(0, 3))
    # meta reads the acquisition records of EX-03 (the pipeline 'fkit acquire | fkit meta'), so its
    # records carry the times acquire recorded, not the copies' access and change times
    run.fkit(["meta", "--jobs", "1", "--quiet", "--timeline", "analysis/timeline.csv", "--geojson",
              "analysis/route.geojson", "-"], lab + timedelta(hours=3),
             stdout=out / "analysis" / "media-EX-03.jsonl", stdin=out / "analysis" / "acquire-EX-03.jsonl")
    run.fkit(["phone", "links", "case"], lab + timedelta(hours=3, minutes=30),
             stdout=out / "analysis" / "links.jsonl", ok=(0, 3))
    # the case facts (legal authority, seizure), signed, before the seal covers them
    run.fkit(["case", "set", "case", *_case_facts(seed, t0, officers), "--sign", _rel(out, keys["examiner"])],
             lab + timedelta(hours=3, minutes=45))
    run.fkit(["manifest", "build", "case", "--sign", _rel(out, keys["examiner"])], lab + timedelta(hours=4))

    # 4. custody history, with the custody flaws planted
    _custody(out / "case", officers, keys, seals, t0, flaws)

    # 6. the custody record as the court receives it
    result.pdfs["custody_record"] = out / "custody-record.pdf"
    lang_arg = ["--lang", ",".join(languages)] if langs else []
    run.fkit(["report", "custody", "case", "-o", "custody-record.pdf", "--trust", "trust/allowed_signers", *lang_arg],
             t0 + timedelta(days=21))

    # 7. tampering happens last: after the seal and after the record was printed
    if "tampered-file" in flaws:
        _tamper(out / "case" / "data" / "EX-01")

    result.flaws = [_planted(name, seals) for name in flaws]
    from forensic_kit.training.pdfs import write_pdfs

    result.pdfs.update(write_pdfs(result, case_id, t0, officers_names={k: v.name for k, v in officers.items()}))
    (out / "training.json").write_text(json.dumps(result.as_dict(), ensure_ascii=False, indent=1, sort_keys=True)
                                       + "\n", encoding="utf-8")
    return result


def _rel(out: Path, path: Path) -> str:
    return str(path.relative_to(out))


def _trust_line(priv: Path) -> str:
    info = json.loads(priv.with_name(priv.name + ".fkit.json").read_text("utf-8"))
    kt, b64 = priv.with_name(priv.name + ".pub").read_text("utf-8").split()[:2]
    return f'{info["key_id"]} namespaces="fkit-manifest,fkit-custody,fkit-case" {kt} {b64}\n'


def _trust_block(priv: Path, officer: "Officer") -> str:
    """The key line with the ``# fkit-person:`` line that binds it to the officer's name, ID and unit."""
    from forensic_kit.signing.people import person_block

    info = json.loads(priv.with_name(priv.name + ".fkit.json").read_text("utf-8"))
    return person_block(info["key_id"], officer.name, officer.ident, officer.org, _trust_line(priv))


def _case_facts(seed: int, t0: datetime, officers: dict[str, "Officer"]) -> list[str]:
    """``fkit case set`` options filling every case fact with plausible MOCK values (no real law)."""
    order = f"MOCK-ORD-{seed % 10000:04d}/2025"
    return ["--legal-basis", "MOCK legal basis for training — not a real legal provision",
            "--order-number", order,
            "--issued-by", "Mock Prosecutor's Office, Tripoli (training)",
            "--issued-on", (t0 - timedelta(days=1)).astimezone(LIBYA).date().isoformat(),
            "--seizure-place", "Zuwara port, Libya (mock)",
            "--seizure-time", _iso(t0),
            "--seized-by", officers["seizer"].party,
            "--officer-in-charge", officers["examiner"].party,
            "--prosecutor", "Mock Deputy Prosecutor A. Fergiani,PR-0000,Mock Prosecutor's Office",
            "--court-ref", f"MOCK-CRT-{seed % 1000:03d}/2025"]


def _init_training_case(root: Path, case_id: str, officer: str, profile: str, when: datetime) -> None:
    from forensic_kit.package import Case

    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(when.timestamp()))
    try:
        Case.init(root, case_id, "Training Academy (mock)", officer, profile=profile, training=True)
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def _write_sources(src: Path, rng: random.Random, cast: Cast, t0: datetime, wrong_timezone: bool) -> None:
    start_ms = int((t0 - timedelta(days=12)).timestamp()) * 1000
    write_extraction(src / "phone-1", PhoneSpec(
        cast.owner1, ("samsung", "SM-A546B", "a54x"), f"R58W{rng.randrange(10**7, 10**8)}",
        f"35{rng.randrange(10**12, 10**13)}", cast.shared + cast.only1 + (cast.owner2,), start_ms,
        f"zuwara.{rng.randrange(100, 999)}@gmail.com"), rng)
    write_extraction(src / "phone-2", PhoneSpec(
        cast.owner2, ("TECNO", "TECNO KI5k", "TECNO-KI5k"), f"0{rng.randrange(10**13, 10**14)}",
        f"86{rng.randrange(10**12, 10**13)}", cast.shared + cast.only2 + (cast.owner1,), start_ms + 3_600_000,
        f"agadez.{rng.randrange(100, 999)}@gmail.com"), rng)
    photos = plan_photos(rng, t0 - timedelta(days=6), wrong_timezone)
    for p in photos:
        write_photo(src / "camera" / "DCIM" / "100MEDIA" / p.name, rng, p)
    write_video(src / "camera" / "DCIM" / "100MEDIA" / "VID_0001.MOV", t0 - timedelta(hours=9),
                route_place("Zuwara"))
    write_usb_image(src / "usb-stick.img", rng, int((t0 - timedelta(days=9)).timestamp()),
                    {"driver": cast.shared[1].name, "payer": cast.shared[2].name})
    os.utime(src / "camera" / "DCIM" / "100MEDIA", (int(t0.timestamp()),) * 2)


# ----------------------------------------------------------------------------- custody
def _custody(case_root: Path, officers: dict[str, Officer], keys: dict[str, Path], seals: dict[str, str],
             t0: datetime, flaws: list[str]) -> None:
    """Build the history seizure → sealed → transferred → received → acquired → examined → stored →
    transferred to court, with the custody flaws planted, and append it (signed) to the ledger."""
    from forensic_kit.custody import append_event, new_event, sign_event
    from forensic_kit.package import Case
    from forensic_kit.signing import allowed_signers
    from forensic_kit.signing.keys import load_private_key

    case = Case.open(case_root)
    loaded = {r: load_private_key(p, PASSPHRASE) for r, p in keys.items()}
    O = officers
    g1, g2 = ["EX-01", "EX-02"], ["EX-03", "EX-04"]
    where = "Zuwara port, Libya"
    events: list[dict[str, Any]] = []

    def ev(action: str, exh: list[str], by: str, at: datetime, to: str | None = None, *, signer: str | None = None,
           cosign: bool = False, unsigned: bool = False, **kw: Any) -> None:
        events.append({"action": action, "exhibits": exh, "by": O[by].party, "to": O[to].party if to else None,
                       "at": at, "signer": signer or by, "cosigner": to if cosign else None,
                       "unsigned": unsigned, **kw})

    all4 = g1 + g2
    ev("seized", all4, "seizer", t0, location=where, purpose="seizure on board a boat (mock)",
       note="Seized during a training exercise.")
    seal_at = {ex: t0 + timedelta(minutes=20 + 5 * i) for i, ex in enumerate(all4)}
    if "late-seal" in flaws:
        seal_at["EX-04"] = t0 + timedelta(hours=5, minutes=10)
    seal_no = dict(seals)
    if "swapped-exhibit" in flaws:
        seal_no["EX-01"], seal_no["EX-02"] = seals["EX-02"], seals["EX-01"]
    for ex in all4:
        ev("sealed", [ex], "seizer", seal_at[ex], location=where, seal_number=seal_no[ex], seal_state="new")
    ev("transferred", g1, "seizer", t0 + timedelta(hours=6), "courier", cosign=True, purpose="transport to the laboratory",
       location=where, unsigned="unsigned-transfer" in flaws, seal_state="intact")
    ev("transferred", g2, "seizer", t0 + timedelta(hours=6, minutes=5), "courier", cosign=True,
       purpose="transport to the laboratory", location=where, seal_state="intact")
    lab = "Digital Forensics Lab, Tripoli"
    ev("received", g1, "courier", t0 + timedelta(hours=10), "examiner", cosign=True, location=lab, seal_state="intact")
    if "custody-gap" not in flaws:
        ev("received", g2, "courier", t0 + timedelta(hours=10, minutes=5), "examiner", cosign=True, location=lab,
           seal_state="intact")
    ev("acquired", all4, "examiner", t0 + timedelta(hours=26), location=lab, purpose="forensic acquisition",
       seal_state="broken", recheck=None)
    ev("examined", all4, "examiner", t0 + timedelta(hours=30), location=lab, purpose="analysis",
       signer="stranger" if "untrusted-signer" in flaws else None)
    ev("stored", all4, "examiner", t0 + timedelta(hours=50), "store", cosign=True, location="Evidence store, Tripoli",
       purpose="storage", seal_state="new")
    ev("transferred", all4, "store", t0 + timedelta(days=20), "clerk", cosign=True, location="Tripoli Court",
       purpose="hearing")

    events.sort(key=lambda e: e["at"])
    used: set[str] = set()
    for e in events:
        kw = {k: e.get(k) for k in ("location", "purpose", "seal_number", "seal_state", "note")}
        event = new_event(case, action=e["action"], exhibits=e["exhibits"], by=e["by"], to=e["to"], at=_iso(e["at"]),
                          **kw)
        if not e["unsigned"]:
            co = loaded[e["cosigner"]] if e["cosigner"] else None
            event = sign_event(event, loaded[e["signer"]], co)
            used.update(r for r in (e["signer"], e["cosigner"]) if r)
        append_event(case, event)
    for role in sorted(used):
        allowed_signers.add(case, loaded[role])
    case.update_bag()


def _tamper(exhibit_dir: Path) -> None:
    """Change the IMEI in the copy of build.prop (same length): a payload file edited after sealing."""
    prop = next(exhibit_dir.rglob("build.prop"))
    text = prop.read_bytes()
    start = text.index(b"persist.radio.imei=") + len(b"persist.radio.imei=")
    digits = bytes(b"0123456789"[(c - 48 + 1) % 10] for c in text[start:start + 15])
    prop.chmod(0o644)
    prop.write_bytes(text[:start] + digits + text[start + 15:])


# ----------------------------------------------------------------------------- answer key data
def _planted(name: str, seals: dict[str, str]) -> PlantedFlaw:
    info = FLAWS[name]
    trust = "--trust trust/allowed_signers"
    if name == "custody-gap":
        return PlantedFlaw(name, ("EX-03", "EX-04"), "custody ledger: EX-03/EX-04 transferred to the courier, "
                           "no 'received' event before the laboratory acquires them", f"fkit custody verify case {trust}",
                           (("continuity", "EX-03"), ("continuity", "EX-04")))
    if name == "tampered-file":
        return PlantedFlaw(name, ("EX-01",), "case/data/EX-01/.../system/build.prop (IMEI line edited after sealing)",
                           f"fkit verify case {trust}", (("file.MODIFIED", "EX-01"),))
    if name == "wrong-timezone":
        return PlantedFlaw(name, ("EX-03",), "EX-03 Tripoli photos (Canon PowerShot SX740 HS): no OffsetTimeOriginal, "
                           "clock on UTC+1 while GPS shows UTC+2", "fkit meta case/data/EX-03; fkit training check case",
                           (("time.camera_offset", "EX-03"),))
    if name == "swapped-exhibit":
        return PlantedFlaw(name, ("EX-01", "EX-02"), f"custody ledger 'sealed' events: EX-01 under {seals['EX-02']}, "
                           f"EX-02 under {seals['EX-01']}; exhibit sheets say the opposite",
                           f"fkit custody verify case {trust}",
                           (("seal.mismatch", "EX-01"), ("seal.mismatch", "EX-02")))
    if name == "unsigned-transfer":
        return PlantedFlaw(name, ("EX-01", "EX-02"), "custody ledger: transfer of EX-01, EX-02 to the courier has no "
                           "signature", f"fkit custody verify case {trust}", (("signature.missing", None),))
    if name == "late-seal":
        return PlantedFlaw(name, ("EX-04",), "custody ledger: EX-04 sealed about 5 h 10 min after seizure",
                           f"fkit custody verify case {trust}", (("seal.late", "EX-04"),))
    assert name == "untrusted-signer", name
    return PlantedFlaw(name, ("EX-01", "EX-02", "EX-03", "EX-04"), "custody ledger: the 'examined' event is signed "
                       "with key lab-shared@lab.mock, not in trust/allowed_signers", f"fkit custody verify case {trust}",
                       (("signature.untrusted", None),))


def digest_tree(root: Path, skip: tuple[str, ...] = ("keys",)) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (relative path → hex), for determinism checks."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and not any(rel == s or rel.startswith(s + "/") for s in skip):
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out
