"""fkit share / fkit receive against the stock pipeline, in the same run.

- share:   ``fkit share CASE --exhibits EX-01 --to R1 --to R2 -o OUT``
  vs       ``tar -cf - -C CASE data/EX-01 | age -e -r R1 -r R2 -o OUT2`` (same recipients, same bytes)
- receive: ``fkit receive OUT -i KEY --into NEW`` (decrypt + extract + every proof and signature)
  vs       ``age -d -i KEY OUT | tar -x -C DIR`` then ``sha256sum -c SHA256SUMS``
- memory:  the peak RSS of each fkit command (``/usr/bin/time``-style, from ``wait4``).

Size: ``--gb 4`` (default 1; the issue's target is 4 GB, which needs about 5 x that on disk).
Run: ``.venv/bin/python bench/bench_share.py --gb 1``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def timed(cmd: list[str] | str, **kw: object) -> tuple[float, int]:
    """(seconds, peak RSS in KiB) of one command (shell when ``cmd`` is a string)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, shell=isinstance(cmd, str), **kw)  # type: ignore[call-overload]
    _pid, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {cmd}")
    return elapsed, usage.ru_maxrss


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gb", type=float, default=1.0)
    ap.add_argument("--dir", default=None, help="Work folder (default: a temporary folder).")
    args = ap.parse_args()
    if shutil.which("age") is None:
        print("age not installed (apt-get install age): skipped")
        return 0
    from tests.share.helpers import build_world

    work = Path(tempfile.mkdtemp(prefix="fkit-bench-share-", dir=args.dir))
    try:
        from tests.manifest import helpers as mh

        size = int(args.gb * (1 << 30))
        files = {f"big-{i}.bin": b"" for i in range(4)}
        mh_files = {"small.txt": b"x"}
        w = build_world(work)  # small sealed world for keys and trust lists
        # a second, big case sealed by the same sender
        case = mh.make_case(work / "big", {**mh_files, **{k: b"" for k in files}})
        block = os.urandom(1 << 20)
        for name in files:
            with open(case / "data/EX-01" / name, "wb") as f:
                for _ in range(size // len(files) // len(block)):
                    f.write(block)
        # rewrite the records with the real sizes and hashes, then seal
        import hashlib
        import json

        lines = []
        for line in (case / "fkit/records.jsonl").read_bytes().splitlines():
            rec = json.loads(line)
            p = case / rec["bag_path"]
            h = hashlib.sha256()
            with open(p, "rb") as f:
                while chunk := f.read(1 << 20):
                    h.update(chunk)
            rec["size"], rec["hashes"] = p.stat().st_size, {"sha256": h.hexdigest()}
            lines.append(json.dumps(rec, sort_keys=True) + "\n")
        (case / "fkit/records.jsonl").write_text("".join(lines))
        (case / "manifest-sha256.txt").unlink()
        assert mh.seal(case, w.sender.key, w.sender.passfile, epoch=None).returncode == 0
        py = [sys.executable, "-m", "forensic_kit"]
        luca, karim = w.people["luca"], w.people["karim"]
        env = dict(os.environ, FKIT_PASSPHRASE=mh.PASS)
        subprocess.run("sync", shell=True)
        load = os.getloadavg()
        t_fkit, rss_share = timed(py + ["share", str(case), "--exhibits", "EX-01", "--to", "luca@tribunale.it",
                                        "--to", "karim@pj.tn", "--purpose", "bench", "--legal-basis", "bench",
                                        "--handling", "H3", "--channel", "disk", "--sign", str(w.sender.key),
                                        "--trust", str(w.sender_trust), "-o", str(work / "out.age")],
                                  env=env, stdout=subprocess.DEVNULL)
        t_age, _ = timed(f"tar -cf - -C {case} data/EX-01 | age -e -r '{luca.pub}' -r '{karim.pub}' -o {work / 'out2.age'}")
        t_sync, _ = timed(f"sync {work / 'out2.age'}")  # fkit fsyncs its output before renaming it into place
        os.unlink(work / "out2.age")
        # the same work with stock tools: check every file against its sealed hash, then tar | age -e
        t_same, _ = timed(f"cd {case} && grep ' data/EX-01/' manifest-sha256.txt | sha256sum -c --quiet - && "
                          f"tar -cf - data/EX-01 | age -e -r '{luca.pub}' -r '{karim.pub}' -o {work / 'out3.age'} && sync {work / 'out3.age'}")
        os.unlink(work / "out3.age")
        # the floor set by the library: pyrage alone, one file to one file, no tar, no hashing, no fsync
        big = case / "data/EX-01" / next(iter(files))
        lib = ("import pyrage,sys; from pyrage import ssh; "
               f"pyrage.encrypt_file(sys.argv[1], sys.argv[2], [ssh.Recipient.from_str({luca.pub!r}), ssh.Recipient.from_str({karim.pub!r})])")
        t_lib, _ = timed([sys.executable, "-c", lib, str(big), str(work / "lib.age")])
        t_age1, _ = timed(f"age -e -r '{luca.pub}' -r '{karim.pub}' -o {work / 'age1.age'} {big}")
        os.unlink(work / "lib.age")
        os.unlink(work / "age1.age")
        total = sum((case / "data/EX-01" / n).stat().st_size for n in os.listdir(case / "data/EX-01"))
        t_recv, rss_recv = timed(py + ["receive", str(work / "out.age"), "-i", str(luca.key), "--into", str(work / "rx"),
                                       "--trust", str(w.trust["luca"])], stdout=subprocess.DEVNULL)
        (work / "plain").mkdir()
        t_d, _ = timed(f"age -d -i {luca.key} {work / 'out.age'} | tar -x -C {work / 'plain'}")
        top = next((work / "plain").iterdir())
        t_c, _ = timed("sha256sum -c --quiet SHA256SUMS", cwd=top)
        load2 = os.getloadavg()
        print(f"payload {total / 1e9:.2f} GB in {len(files) + 1} files; load average before {load[0]:.2f}, after {load2[0]:.2f} "
              f"({os.cpu_count()} CPUs)")
        print(f"share    fkit {t_fkit:7.2f} s   tar|age -e {t_age:7.2f} s (+ sync {t_sync:.2f} s)   ratio {t_fkit / t_age:.2f}, "
              f"{t_fkit / (t_age + t_sync):.2f} with the same fsync (target <= 1.2)   peak RSS {rss_share / 1024:.0f} MB")
        print(f"         vs the same work with stock tools (sha256sum -c of the sealed list, tar|age -e, sync) {t_same:.2f} s: "
              f"ratio {t_fkit / t_same:.2f}")
        print(f"library  pyrage.encrypt_file {t_lib:.2f} s vs age -e {t_age1:.2f} s on one {big.stat().st_size / 1e9:.2f} GB file: "
              f"ratio {t_lib / t_age1:.2f} (the floor for any pyrage-based share)")
        print(f"receive  fkit {t_recv:7.2f} s   age -d|tar + sha256sum -c {t_d + t_c:7.2f} s ({t_d:.2f} + {t_c:.2f})"
              f"   ratio {t_recv / (t_d + t_c):.2f} (target <= 1.5)   peak RSS {rss_recv / 1024:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
