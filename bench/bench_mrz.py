"""fkit mrz against PassportEye (same machine, same run): accuracy and speed on generated documents.

Corpus (seeded, tests/mrz/synth.py): N document images, half flat scans and half phone-photo-like
(rotation 0-360°, perspective, blur, uneven light, noise, JPEG q40-90, 1,000-4,000 px), TD1/TD2/TD3/
MRV-A/MRV-B at random; a set with one check digit deliberately wrong; the ordinary photos of
../shared/testdata/photos repeated to 1,000. Field-level accuracy = fields equal to the truth over
all fields of all documents (a document not found counts every field wrong). A spoiled document is
flagged when it is found and a check digit fails; the others are listed as not found or read as
valid (the one outcome that must never happen). Times are per image,
file read + decode + search, in this process (fkit) and in PassportEye's ``read_mrz(path)``.

    .venv/bin/python bench/bench_mrz.py [--n 300] [--spoiled 60] [--photos 1000] [--seed 1] [--no-peer]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from forensic_kit.mrz import icao, images, reader  # noqa: E402
from tests.mrz import synth  # noqa: E402

FIELDS = ("document_code", "issuing_state", "surname", "given_names", "document_number", "nationality",
          "birth_date", "sex", "expiry_date", "optional_data")
PE_FIELDS = {"document_code": "type", "issuing_state": "country", "surname": "surname", "given_names": "names",
             "document_number": "number", "nationality": "nationality", "birth_date": "date_of_birth",
             "sex": "sex", "expiry_date": "expiration_date"}


def fkit_read(path: Path) -> tuple[list[reader.Found], float]:
    start = time.perf_counter()
    try:
        data, _ = images.read_file(os.fsencode(path))
        fmt = images.sniff(data[:16])
        found: list[reader.Found] = []
        if fmt is not None:
            for page in images.pages(data, fmt):
                found += reader.find_mrz(page.gray, "templates", page.scale)
    except images.ImageError:
        found = []
    return found, time.perf_counter() - start


def pe_read(path: Path) -> tuple[dict[str, str] | None, float]:
    from passporteye import read_mrz

    start = time.perf_counter()
    try:
        with warnings.catch_warnings():  # scikit-image >= 0.25 warns about PassportEye's calls, twice an image
            warnings.simplefilter("ignore", FutureWarning)
            m = read_mrz(str(path))
    except Exception:  # the peer's own failures count as "not found"
        m = None
    elapsed = time.perf_counter() - start
    return (m.to_dict() if m is not None else None), elapsed


def fkit_fields(found: list[reader.Found]) -> dict[str, str] | None:
    if not found:
        return None
    m = found[0].mrz
    return {f: getattr(m, f) for f in FIELDS}


def pe_fields(d: dict[str, str] | None) -> dict[str, str] | None:
    if d is None:
        return None
    out = {ours: str(d.get(theirs, "")) for ours, theirs in PE_FIELDS.items()}
    out["issuing_state"] = out["issuing_state"].replace("<", "")
    out["nationality"] = out["nationality"].replace("<", "")
    out["document_number"] = out["document_number"].rstrip("<")
    out["optional_data"] = str(d.get("personal_number", d.get("optional1", "")))
    return out


def score(truth: icao.Mrz, got: dict[str, str] | None) -> int:
    if got is None:
        return 0
    want = {f: getattr(truth, f) for f in FIELDS}
    return sum(1 for f in FIELDS if got.get(f) == want[f])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--spoiled", type=int, default=60)
    ap.add_argument("--photos", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-peer", action="store_true")
    args = ap.parse_args()
    peer = not args.no_peer
    if peer:
        try:
            import passporteye  # noqa: F401  (the peer: pip install PassportEye; not a dependency of fkit)
        except ImportError:
            print("PassportEye is not installed: .venv/bin/pip install PassportEye, or run with --no-peer",
                  file=sys.stderr)
            return 2
    rng = random.Random(args.seed)
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (2 cores shared)", flush=True)
    with tempfile.TemporaryDirectory(prefix="fkit-bench-mrz-") as tmp:
        corpus = []
        for i in range(args.n + args.spoiled):
            kind = "flat" if i % 2 == 0 else "photo"
            s = synth.sample(rng, kind, spoiled=i >= args.n)
            ext = "png" if s.image.startswith(b"\x89PNG") else "jpg"
            path = Path(tmp) / f"{i:04d}-{kind}{'-spoiled' if s.spoiled else ''}.{ext}"
            path.write_bytes(s.image)
            corpus.append((path, s))
        print(f"corpus: {args.n} documents + {args.spoiled} with a wrong check digit, in {tmp}", flush=True)
        res: dict[tuple[str, str], list[int]] = {}
        times: dict[str, list[float]] = {"fkit": [], "pe": []}
        flagged = {"fkit": 0, "pe": 0}
        spoiled_missed: dict[str, list[str]] = {"fkit": [], "pe": []}  # no MRZ found
        spoiled_valid: dict[str, list[str]] = {"fkit": [], "pe": []}  # found, every check digit holds
        for path, s in corpus:
            truth = icao.parse(s.lines)
            found, t = fkit_read(path)
            times["fkit"].append(t)
            got = fkit_fields(found)
            pe_got = None
            if peer:
                d, tp = pe_read(path)
                times["pe"].append(tp)
                pe_got = pe_fields(d)
            if s.spoiled:
                if not found:
                    spoiled_missed["fkit"].append(path.name)
                elif found[0].mrz.check_digits_valid:
                    spoiled_valid["fkit"].append(f"{path.name} ({s.spoiled}: {' / '.join(found[0].mrz.lines)})")
                else:
                    flagged["fkit"] += 1
                if peer:
                    if d is None:
                        spoiled_missed["pe"].append(path.name)
                    elif all(d.get("valid_" + k, True) for k in
                             ("number", "date_of_birth", "expiration_date", "composite")):
                        spoiled_valid["pe"].append(path.name)
                    else:
                        flagged["pe"] += 1
                continue
            for tool, g in (("fkit", got), ("pe", pe_got)):
                if tool == "pe" and not peer:
                    continue
                r = res.setdefault((tool, s.kind), [0, 0, 0])
                r[0] += score(truth, g)
                r[1] += len(FIELDS)
                r[2] += g is not None and all(g.get(f) == getattr(truth, f) for f in FIELDS)
        print("\n| set | tool | field accuracy | documents fully right | mean s/image | median s/image |")
        print("|---|---|---|---|---|---|")
        for (tool, kind), (ok, total, docs) in sorted(res.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            n_docs = total // len(FIELDS)
            print(f"| {kind} | {'fkit' if tool == 'fkit' else 'PassportEye'} | {100 * ok / total:.2f} % "
                  f"| {docs}/{n_docs} | | |")
        for tool in ("fkit", "pe") if peer else ("fkit",):
            ts = times[tool]
            print(f"| all documents | {'fkit' if tool == 'fkit' else 'PassportEye'} | | | {statistics.mean(ts):.3f} "
                  f"| {statistics.median(ts):.3f} |")
        if peer:
            print(f"\nspeed ratio (PassportEye mean / fkit mean): {statistics.mean(times['pe']) / statistics.mean(times['fkit']):.1f} x")
        for tool in ("fkit", "pe") if peer else ("fkit",):
            name = "fkit" if tool == "fkit" else "PassportEye"
            print(f"wrong check digit flagged: {name} {flagged[tool]}/{args.spoiled}; not found "
                  f"{len(spoiled_missed[tool])}; read as valid {len(spoiled_valid[tool])}")
            for what, names in (("not found", spoiled_missed[tool]), ("read as valid", spoiled_valid[tool])):
                for n in names:
                    print(f"  {name} {what}: {n}")
    photos = sorted(p for p in (REPO.parent / "shared" / "testdata" / "photos").rglob("*")
                    if p.is_file() and p.suffix.lower() in (".jpg", ".jpeg", ".png", ".heic", ".heif", ".tif", ".tiff"))
    if photos and args.photos:
        reported, ptimes = 0, []
        for i in range(args.photos):
            found, t = fkit_read(photos[i % len(photos)])
            reported += len(found)
            ptimes.append(t)
        print(f"\nordinary photos: {len(photos)} distinct, read {args.photos} times: {reported} documents reported; "
              f"fkit mean {statistics.mean(ptimes) * 1000:.1f} ms, median {statistics.median(ptimes) * 1000:.1f} ms per photo")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
