"""Build small, realistic case packages for the custody and report tests (and the benchmark).

Until ``fkit acquire`` exists this writes what acquisition writes (payload files, exhibit JSON,
``file`` records with hashes) through the real :class:`forensic_kit.package.Case` API, then seals
the case with the real manifest builder and keys made by the real key generator.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from forensic_kit.hashing import MultiHash
from forensic_kit.package import Case
from forensic_kit.records import new_record
from forensic_kit.signing.keys import SigningKey, generate_key, load_private_key

PASS = b"correct horse battery staple"


@dataclass
class Sample:
    case: Case
    keys: dict[str, SigningKey]
    key_paths: dict[str, Path]


def make_keys(folder: Path, who: dict[str, str], training: bool = False) -> tuple[dict[str, SigningKey], dict[str, Path]]:
    """Keys made by the real generator; training keys for a training case (fkit refuses mixing them)."""
    keys, paths = {}, {}
    for key_id, name in who.items():
        p = generate_key(key_id, name, folder, PASS, training=training)
        paths[key_id] = p
        keys[key_id] = load_private_key(p, PASS)
    return keys, paths


def make_case(root: Path, *, case_id: str = "MOCK-TN-2025-0042", profile: str = "training",
              files_per_exhibit: int = 3, exhibits: tuple[str, ...] = ("EX-01", "EX-02", "EX-03"),
              names: tuple[str, ...] = (), seal: bool = True, keys_dir: Path | None = None,
              with_error: bool = False) -> Sample:
    case = Case.init(root, case_id, "Mock Cybercrime Unit (training)", "A. Ben Salah, ID 4471", profile=profile,
                     legal_basis="Mock warrant 17/2025", seizure_place="Sfax, Tunisie — 12 rue X (fictif)",
                     seizure_time="2025-03-14T09:42:00Z", seized_by="Off. A. Ben Salah, ID 4471")
    lines = []
    descr = {"EX-01": "Smartphone, Samsung SM-A546B — logical extraction",
             "EX-02": "USB flash drive, SanDisk Cruzer 16 GB — physical image",
             "EX-03": "CCTV export (MP4), ch. 2, 09:00–10:00"}
    for n, ex in enumerate(exhibits):
        folder = case.data_dir / ex
        folder.mkdir(parents=True)
        file_names = list(names) if names and n == 0 else [f"file_{i:05d}.bin" for i in range(files_per_exhibit)]
        for i, name in enumerate(file_names):
            data = f"{ex}/{name}/{i}".encode() * (1 + i % 7)
            (folder / name).write_bytes(data)
            mh = MultiHash(("sha256", "blake3"))
            mh.update(data)
            rec = new_record("file", "acquire", "1", exhibit=ex, path=str(folder / name),
                             bag_path=f"data/{ex}/{name}", size=len(data), hashes=mh.hexdigests(),
                             locator={"scheme": "file", "path": name})
            lines.append(json.dumps(rec, ensure_ascii=False, sort_keys=True).encode() + b"\n")
        if with_error and n == 0:
            err = new_record("error", "acquire", "1", exhibit=ex, path=f"data/{ex}/unreadable.db",
                             stage="read", reason="I/O error at offset 4096")
            lines.append(json.dumps(err, ensure_ascii=False, sort_keys=True).encode() + b"\n")
        case.write_exhibit(ex, {"id": ex, "description": descr.get(ex, f"Exhibit {ex}"),
                                "seal": {"number": f"TN-S-{913 + n:06d}"}, "condition": "Intact"})
    case.append_records(b"".join(lines))
    case.update_bag()
    keys, paths = make_keys(keys_dir or root.parent / (root.name + "-keys"), {
        "ben.salah@mock": "A. Ben Salah", "trabelsi@mock": "K. Trabelsi",
        "jaziri@mock": "R. Jaziri", "haddad@mock": "M. Haddad"}, training=bool(case.info.get("training")))
    if seal:
        from forensic_kit.manifest.build import build

        build(case, keys["ben.salah@mock"])
    return Sample(case=case, keys=keys, key_paths=paths)


def add_event(sample: Sample, signer: str, cosigner: str | None = None, **kw: object) -> dict:
    from forensic_kit.custody import append_event, new_event, sign_event
    from forensic_kit.signing import allowed_signers

    event = new_event(sample.case, **kw)  # type: ignore[arg-type]
    signed = sign_event(event, sample.keys[signer], sample.keys[cosigner] if cosigner else None)
    append_event(sample.case, signed)
    for k in (signer, cosigner):
        if k:
            allowed_signers.add(sample.case, sample.keys[k])
    return signed


def standard_chain(sample: Sample) -> None:
    """Four events: seizure, transfer to the evidence room, acquisition by the lab, return."""
    add_event(sample, "ben.salah@mock", action="seized", exhibits=["EX-01", "EX-02", "EX-03"],
              by="A. Ben Salah,4471,Mock Unit", at="2025-03-14T10:42", location="Sfax, 12 rue X",
              seal_number="TN-S-000913", seal_state="new")
    add_event(sample, "ben.salah@mock", "trabelsi@mock", action="transferred", exhibits=["EX-01", "EX-02", "EX-03"],
              by="A. Ben Salah,4471", to="K. Trabelsi,3310", at="2025-03-14T10:55", purpose="Transport to unit HQ",
              seal_state="intact")
    add_event(sample, "trabelsi@mock", "jaziri@mock", action="stored", exhibits=["EX-01", "EX-02", "EX-03"],
              by="K. Trabelsi,3310", to="R. Jaziri,2208", at="2025-03-14T14:20", purpose="Storage, locker B-12",
              location="Evidence room", seal_state="intact")
    add_event(sample, "jaziri@mock", "haddad@mock", action="transferred", exhibits=["EX-01", "EX-02"],
              by="R. Jaziri,2208", to="M. Haddad,5120", at="2025-03-17T09:10", purpose="Forensic acquisition (lab)",
              seal_state="intact")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
