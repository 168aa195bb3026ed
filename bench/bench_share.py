"""fkit share / fkit receive against the stock pipeline, alternating in the same run, medians.

- share:   ``fkit share CASE --exhibits EX-01 --to R1 --to R2 -o OUT`` (reads, hashes every file
           against its sealed SHA-256, encrypts, fsyncs)
  vs       ``tar -cf - -C CASE data/EX-01 | age -e -r R1 -r R2 -o OUT2 && sync OUT2`` (same
           recipients, same bytes; the ``sync`` matches fkit's fsync; the ratio without it is shown too)
- receive: ``fkit receive OUT -i KEY --into NEW`` (decrypt + extract + hash + every proof and
           signature + a new sealed case)
  vs       ``age -d -i KEY OUT | tar -x -C DIR`` then ``sha256sum -c SHA256SUMS``
- memory:  the peak RSS of each fkit command (from ``wait4``).

fkit runs with its bytecode compiled first (``compileall``), as an installed package has it.

Every side is timed as wall and CPU time (user + system of the command and its children); the
rounds alternate fkit and the peer, and the medians are printed with the load average (the machine
is shared: the CPU-time ratio is the measure of work, the wall ratio the one the target names).

Size: ``--gb 4`` (default 1; the issue's target is 4 GB, which needs about 4 x that on disk).
Run: ``.venv/bin/python bench/bench_share.py --gb 1 --rounds 3``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def timed(cmd: list[str] | str, **kw: object) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in KiB) of one command (shell when ``cmd`` is a string).

    CPU time is user + system of the command and everything it waited for (a shell pipeline's
    processes included): ``RUSAGE_CHILDREN`` before and after.
    """
    import resource

    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.Popen(cmd, shell=isinstance(cmd, str), **kw)  # type: ignore[call-overload]
    _pid, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {cmd}")
    cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)  # wait4 reaped it: counted here
    return elapsed, cpu, usage.ru_maxrss


def _median_ratio(a: list[float], b: list[float]) -> tuple[float, list[float]]:
    """Median of the per-round ratios a/b, and the ratios."""
    r = [x / y for x, y in zip(a, b)]
    return statistics.median(r), r


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gb", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default=None, help="Work folder (default: a temporary folder).")
    ap.add_argument("--no-receive", action="store_true", help="Only the share side.")
    args = ap.parse_args()
    if shutil.which("age") is None:
        print("age not installed (apt-get install age): skipped")
        return 0
    from tests.share.helpers import build_world

    work = Path(tempfile.mkdtemp(prefix="fkit-bench-share-", dir=args.dir))
    try:
        import hashlib
        import json

        from tests.manifest import helpers as mh

        size = int(args.gb * (1 << 30))
        files = {f"big-{i}.bin": b"" for i in range(4)}
        w = build_world(work)  # small sealed world for keys and trust lists
        # a second, big case sealed by the same sender
        case = mh.make_case(work / "big", {"small.txt": b"x", **{k: b"" for k in files}})
        block = os.urandom(1 << 20)
        for name in files:
            with open(case / "data/EX-01" / name, "wb") as f:
                for _ in range(size // len(files) // len(block)):
                    f.write(block)
        lines = []  # the records with the real sizes and hashes, then seal
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
        total = sum((case / "data/EX-01" / n).stat().st_size for n in os.listdir(case / "data/EX-01"))
        # fkit as installed: its bytecode compiled (pip does it; an editable install under
        # PYTHONDONTWRITEBYTECODE=1 would compile every module at every start, ~0.35 s)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "forensic_kit")], check=True)
        subprocess.run("sync", shell=True)
        loads = [os.getloadavg()[0]]
        fk: list[tuple[float, float, int]] = []
        pe: list[tuple[float, float, int]] = []
        pe_nosync: list[float] = []
        out = work / "out.age"
        for i in range(args.rounds):
            if out.exists():
                out.unlink()
            fk.append(timed(py + ["share", str(case), "--exhibits", "EX-01", "--to", "luca@tribunale.it",
                                  "--to", "karim@pj.tn", "--purpose", "bench", "--legal-basis", "bench",
                                  "--handling", "H3", "--channel", "disk", "--sign", str(w.sender.key),
                                  "--trust", str(w.sender_trust), "-o", str(out)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            out2 = work / "out2.age"
            t0 = time.perf_counter()
            pe.append(timed(f"tar -cf - -C {case} data/EX-01 | age -e -r '{luca.pub}' -r '{karim.pub}' -o {out2}"
                            f" && t=$(date +%s.%N) && sync {out2} && echo $t > {work / 'mark'}"))
            mark = float((work / "mark").read_text())
            pe_nosync.append(mark - (time.time() - (time.perf_counter() - t0)))  # wall until age finished
            out2.unlink()
            loads.append(os.getloadavg()[0])
            print(f"  share round {i + 1}: fkit {fk[-1][0]:.2f} s (CPU {fk[-1][1]:.2f} s)   "
                  f"tar|age -e + sync {pe[-1][0]:.2f} s (CPU {pe[-1][1]:.2f} s)   load {loads[-1]:.2f}", flush=True)
        r_wall, rw = _median_ratio([x[0] for x in fk], [x[0] for x in pe])
        r_cpu, rc = _median_ratio([x[1] for x in fk], [x[1] for x in pe])
        r_ns, _ = _median_ratio([x[0] for x in fk], pe_nosync)
        print(f"payload {total / 1e9:.2f} GB in {len(files) + 1} files, two ssh-ed25519 recipients; {args.rounds} rounds "
              f"({os.cpu_count()} CPUs, load average {min(loads):.2f} - {max(loads):.2f})")
        print(f"share    fkit median {statistics.median(x[0] for x in fk):.2f} s (CPU {statistics.median(x[1] for x in fk):.2f} s)"
              f"   tar|age -e + sync median {statistics.median(x[0] for x in pe):.2f} s "
              f"(CPU {statistics.median(x[1] for x in pe):.2f} s)")
        print(f"         wall ratio {r_wall:.2f} (rounds {', '.join(f'{x:.2f}' for x in rw)}; {r_ns:.2f} against age without "
              f"its sync)   CPU ratio {r_cpu:.2f} (rounds {', '.join(f'{x:.2f}' for x in rc)})   target <= 1.2   "
              f"peak RSS {max(x[2] for x in fk) / 1024:.0f} MB", flush=True)
        if args.no_receive:
            return 0
        fr: list[tuple[float, float, int]] = []
        pr: list[tuple[float, float, float]] = []
        loads = [os.getloadavg()[0]]
        for i in range(args.rounds):
            rx, plain = work / f"rx{i}", work / f"plain{i}"
            fr.append(timed(py + ["receive", str(out), "-i", str(luca.key), "--into", str(rx),
                                  "--trust", str(w.trust["luca"])], stdout=subprocess.DEVNULL))
            shutil.rmtree(rx)
            plain.mkdir()
            d = timed(f"age -d -i {luca.key} {out} | tar -x -C {plain}")
            top = next(plain.iterdir())
            c = timed("sha256sum -c --quiet SHA256SUMS", cwd=top)
            pr.append((d[0] + c[0], d[1] + c[1], d[0]))
            shutil.rmtree(plain)
            loads.append(os.getloadavg()[0])
            print(f"  receive round {i + 1}: fkit {fr[-1][0]:.2f} s (CPU {fr[-1][1]:.2f} s)   age -d|tar + sha256sum -c "
                  f"{pr[-1][0]:.2f} s (CPU {pr[-1][1]:.2f} s)   load {loads[-1]:.2f}", flush=True)
        r_wall, rw = _median_ratio([x[0] for x in fr], [x[0] for x in pr])
        r_cpu, rc = _median_ratio([x[1] for x in fr], [x[1] for x in pr])
        print(f"receive  fkit median {statistics.median(x[0] for x in fr):.2f} s (CPU {statistics.median(x[1] for x in fr):.2f} s)"
              f"   age -d|tar + sha256sum -c median {statistics.median(x[0] for x in pr):.2f} s "
              f"(CPU {statistics.median(x[1] for x in pr):.2f} s)   load average {min(loads):.2f} - {max(loads):.2f}")
        print(f"         wall ratio {r_wall:.2f} (rounds {', '.join(f'{x:.2f}' for x in rw)})   CPU ratio {r_cpu:.2f} "
              f"(rounds {', '.join(f'{x:.2f}' for x in rc)})   target <= 1.5   peak RSS {max(x[2] for x in fr) / 1024:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
