"""Benchmarks for the signed manifest (issue 4).

1. Verify of a package holding the 50,000-small-file set (the set of ``bench_hash.py``):
   ``fkit verify`` ≤ 0.5 × ``hashdeep -a -k known -r -c sha256`` on the same files.
2. A synthetic package of 1,000,000 entries (tiny files): ``fkit manifest build`` and
   ``fkit verify`` each with peak RSS < 512 MB.

The packages are made with the ``Case`` API (files written straight into ``data/EX-01``, one
``file`` record per file, ``update_bag`` with the known hashes), like ``fkit acquire`` would.

Usage: python bench/bench_manifest.py [--workdir DIR] [--files 50000] [--entries 1000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import FKIT, compare, load_average, timed  # noqa: E402

PASS = "bench passphrase"


def make_key(work: Path) -> tuple[Path, Path, Path]:
    keydir = work / "keys"
    priv = keydir / "bench_example.org_ed25519"
    passfile = work / "pass.txt"
    passfile.write_text(PASS + "\n")
    if not priv.exists():
        subprocess.run([*FKIT, "key", "new", "--id", "bench@example.org", "--name", "Bench Officer", "--out",
                        str(keydir), "--passphrase-file", str(passfile)], check=True, capture_output=True)
    kt, b64, comment = Path(str(priv) + ".pub").read_text().split()[:3]
    trust = work / "trusted_signers"
    trust.write_text(f'{comment} namespaces="fkit-manifest,fkit-custody" {kt} {b64}\n')
    return priv, passfile, trust


def make_package(root: Path, count: int, tiny: bool, seed: int = 7) -> None:
    """A case with ``count`` files in data/EX-01 (tiny: 8-byte files; else bench_hash's size mix)."""
    from forensic_kit.package import Case

    if (root / ".complete").exists():
        return
    import random
    import shutil

    if root.exists():
        shutil.rmtree(root)
    case = Case.init(root, case_id="BENCH-1", agency="Bench", officer="Bench Officer", profile="eu")
    rng = random.Random(seed)
    pool = os.urandom(1 << 20)
    hashes: dict[str, str] = {}
    with open(case.records_path, "w", encoding="utf-8") as rec:
        for i in range(count):
            d = case.data_dir / "EX-01" / f"d{i // 1000:04d}"
            if i % 1000 == 0:
                d.mkdir(parents=True, exist_ok=True)
            if tiny:
                data = i.to_bytes(8, "little")
            else:
                size = rng.randint(200, 65536)
                off = rng.randint(0, len(pool) - size)
                data = pool[off:off + size] + i.to_bytes(4, "little")
            name = f"f{i:07d}.bin"
            (d / name).write_bytes(data)
            bag_path = f"data/EX-01/d{i // 1000:04d}/{name}"
            sha = hashlib.sha256(data).hexdigest()
            hashes[bag_path] = sha
            rec.write(json.dumps({"schema": "fkit.record/1", "kind": "file", "exhibit": "EX-01", "bag_path": bag_path,
                                  "size": len(data), "hashes": {"sha256": sha}}, separators=(",", ":")) + "\n")
    case.write_exhibit("EX-01", {"id": "EX-01", "description": "synthetic", "seal": "B-1"})
    case.update_bag(hashes=hashes)
    del hashes
    (root / ".complete").write_text(str(count))


def reset_seal(case: Path) -> None:
    import shutil

    for rel in ("fkit/manifest.json", "fkit/manifest.json.sshsig", "fkit/allowed_signers", "fkit/leaf-salts.txt", "VERIFY.txt"):
        (case / rel).unlink(missing_ok=True)
    shutil.rmtree(case / "fkit" / "revisions", ignore_errors=True)  # a fresh revision 1 each run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "fkit-bench-manifest")
    ap.add_argument("--files", type=int, default=50_000)
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--skip-small", action="store_true")
    ap.add_argument("--skip-large", action="store_true")
    args = ap.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    print(f"# fkit manifest benchmarks (load average {load_average()}, {os.cpu_count()} cores)")
    priv, passfile, trust = make_key(work)
    env_note = "SOURCE_DATE_EPOCH unset"

    if not args.skip_small:
        case = work / f"case{args.files}"
        make_package(case, args.files, tiny=False)
        reset_seal(case)
        w, rss = timed([*FKIT, "manifest", "build", str(case), "--sign", str(priv), "--passphrase-file", str(passfile)])
        print(f"manifest build, {args.files} files: {w:.2f} s, peak RSS {rss} MiB")
        known = work / f"known{args.files}.hashdeep"
        if not known.exists():
            with open(known, "wb") as f:
                subprocess.run(["hashdeep", "-c", "sha256", "-r", "data"], cwd=case, stdout=f, check=True)
        for p in (case / "data").rglob("*"):  # warm the page cache for both tools
            if p.is_file():
                p.read_bytes()
        compare(f"verify {args.files} small files vs hashdeep -a -k known -r -c sha256",
                [*FKIT, "verify", "-q", str(case), "--trust", str(trust)],
                ["hashdeep", "-a", "-k", str(known), "-r", "-c", "sha256", "data"], args.rounds, cwd=case)

    if not args.skip_large:
        big = work / f"case{args.entries}"
        make_package(big, args.entries, tiny=True)
        reset_seal(big)
        w, rss = timed([*FKIT, "manifest", "build", str(big), "--sign", str(priv), "--passphrase-file", str(passfile)])
        print(f"manifest build, {args.entries} entries: {w:.1f} s, peak RSS {rss} MiB (limit 512)")
        w, rss = timed([*FKIT, "verify", "-q", str(big), "--trust", str(trust)])
        print(f"verify, {args.entries} entries: {w:.1f} s, peak RSS {rss} MiB (limit 512)")
        out = work / "subset"
        if out.exists():
            import shutil

            shutil.rmtree(out)
        w, rss = timed([*FKIT, "prove", str(big), "data/EX-01/d0500/f0500000.bin", "--out", str(out)]) \
            if args.entries > 500_000 else (0.0, 0)
        if w:
            print(f"prove 1 file of {args.entries}: {w:.1f} s, peak RSS {rss} MiB")
    print(f"# {env_note}")


if __name__ == "__main__":
    main()
