"""Benchmarks for ``fkit acquire`` and ``fkit fs ls`` (issues 3 and 14).

1. Logical acquisition of a small-file set (durable, verified) ≤ 1.0 × (``cp -a`` + ``sync -f`` +
   ``hashdeep -r -c sha256`` on the copy), on the issue's 50,000 files (200 B – 64 KB each;
   ``--files`` for another count); each side writes into a new ext4 of its own (loop-mounted).
2. Physical acquisition of a 2 GiB image file (sha256 + blake3, durable, read back)
   ≤ 0.6 × (``dc3dd hash=sha256`` + ``sync``) on the same file.
3. ``fkit fs ls -f bodyfile`` of an ext4 image of 500,000 entries ≤ 2.5 × ``fls -r -m /``
   (``--entries`` for another count).
4. ``e01``: physical acquisition of an E01 made here with ``ewfacquire`` (a 2 GiB medium, MD5
   and SHA-1 stored) with the stored-hash check ≤ 1.2 × ``ewfverify -q -d sha1``.

fkit and the peer alternate, several rounds, medians; wall and CPU time (user + system of the
whole process tree) and the load average are printed for every comparison. Every round writes
afresh (new destinations, both sides); ``fkit case init`` and the deletion of earlier outputs
are done before a round, untimed, as ``cp`` and ``dc3dd`` get an existing folder.

Usage: python bench/bench_acquire.py [--workdir DIR] [--files 50000] [--entries 500000]
       [--image-gib 2] [--rounds 3] [--only logical,physical,fsls,e01[,logical-samefs,floor]]
       (floor: the disk's own cost, not a target; logical-samefs: both sides in the work folder)
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import FKIT, compare, load_average, make_big  # noqa: E402


def make_small_files(root: Path, count: int, seed: int = 7) -> int:
    marker = root / ".complete"
    if marker.exists() and marker.read_text() == str(count):
        return count
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    blob = os.urandom(1 << 16)
    for i in range(count):
        d = root / f"d{i // 500:03d}"
        d.mkdir(exist_ok=True)
        size = rng.randint(200, 64 * 1024)
        start = rng.randint(0, (1 << 16) - size)
        (d / f"f{i:05d}.bin").write_bytes(blob[start:start + size])
    marker.write_text(str(count))
    return count


def sh(script: str) -> list[str]:
    return ["bash", "-c", script]


def fkit_sh() -> str:
    return shlex.join(FKIT)


def fkit_acquire(source: Path, case: Path, *extra: str) -> list[str]:
    """fkit's side: the acquisition into ``case`` (made beforehand by :func:`init_case`, untimed)."""
    flags = "".join(f" {x}" for x in extra)
    return sh(f"{fkit_sh()} acquire {source} --into {case} --exhibit EX-01{flags} >/dev/null")


def init_case(case: Path) -> None:
    """``fkit case init``: the destination, as ``cp`` and ``dc3dd`` get an existing folder."""
    subprocess.run([*FKIT, "case", "init", str(case), "--case-id", "B", "--agency", "a", "--officer", "o"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def fresh(work: Path, *names: str) -> None:
    """Remove earlier outputs (untimed), then wait for the deletion to reach the disk."""
    for name in names:
        subprocess.run(["rm", "-rf", str(work / name)], check=True)
    subprocess.run(["sync"], check=True)


def _mount_fresh(image: Path, mnt: Path, size_mb: int) -> None:
    """A new ext4 file system (journaled, as on an evidence drive) in ``image``, loop-mounted on ``mnt``."""
    subprocess.run(["umount", str(mnt)], stderr=subprocess.DEVNULL, check=False)
    image.unlink(missing_ok=True)
    subprocess.run(["truncate", "-s", f"{size_mb}M", str(image)], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], check=True)
    mnt.mkdir(exist_ok=True)
    subprocess.run(["mount", "-o", "loop", str(image), str(mnt)], check=True)


def _umount(image: Path, mnt: Path) -> None:
    subprocess.run(["umount", str(mnt)], stderr=subprocess.DEVNULL, check=False)
    image.unlink(missing_ok=True)


def bench_logical(work: Path, files: int, rounds: int, same_fs: bool = False) -> dict[str, float]:
    """Logical acquisition against ``cp -a`` + ``sync -f`` + ``hashdeep``, each side writing into
    a new ext4 file system of its own made for the round (loop-mounted, untimed), so that
    neither inherits the other's freed inodes, dirty pages or block groups.

    Why: this machine's root file system is an ext4 without a journal shared with other jobs; the
    kernel will not reuse an inode for 60-360 s after it was freed and each new file then costs a
    scan over the recently freed ones (``recently_deleted`` in ``ext4_create``, seen with
    ``perf``): creating 10,000 files right after deleting 10,000 took 9 s instead of 0.5 s, for
    either side, whichever happened to land in those block groups. The peer's ``sync`` is ``sync
    -f`` on its copy (its own file system), as fkit syncs only the case's file system: a global
    ``sync`` would also flush the other jobs' dirty data. The rounds alternate which side goes
    first. ``same_fs`` (``--only logical-samefs``): the old way, both sides in the work folder.
    """
    src = work / "smallset"
    make_small_files(src, files)
    subprocess.run(["tar", "-cf", "/dev/null", "-C", str(src), "."], check=True)  # both read from the page cache
    source_mb = int(sum(p.stat().st_size for p in src.rglob("*") if p.is_file()) >> 20)
    size_mb = source_mb * 3 + 256
    if same_fs:
        outputs = [f"{side}-l{i}" for i in range(rounds) for side in ("case", "copy")]
        fresh(work, *outputs)
        try:
            return compare(f"logical acquisition, {files} files (durable, verified) vs cp -a + sync + hashdeep, same file system",
                           lambda i: fkit_acquire(src, work / f"case-l{i}"),
                           lambda i: sh(f"cp -a {src} {work / f'copy-l{i}'} && sync && "
                                        f"hashdeep -r -c sha256 {work / f'copy-l{i}'} >/dev/null"),
                           rounds, before=lambda i: init_case(work / f"case-l{i}"), swap_order=True)
        finally:
            fresh(work, *outputs)
    mine, theirs = work / "mnt-fkit", work / "mnt-peer"

    def prepare(_i: int) -> None:
        _mount_fresh(work / "fs-fkit.img", mine, size_mb)
        _mount_fresh(work / "fs-peer.img", theirs, size_mb)
        init_case(mine / "case")
        subprocess.run(["sync"], check=True)

    def cleanup(_i: int) -> None:
        _umount(work / "fs-fkit.img", mine)
        _umount(work / "fs-peer.img", theirs)

    try:
        return compare(f"logical acquisition, {files} files (durable, verified) vs cp -a + sync -f + hashdeep, "
                       "each into a new ext4 of its own",
                       fkit_acquire(src, mine / "case"),
                       sh(f"cp -a {src} {theirs / 'copy'} && sync -f {theirs / 'copy'} && "
                          f"hashdeep -r -c sha256 {theirs / 'copy'} >/dev/null"),
                       rounds, before=prepare, after=cleanup, swap_order=True)
    finally:
        cleanup(0)


def bench_physical(work: Path, gib: float, rounds: int) -> dict[str, float]:
    img = work / "big.img"
    make_big(img, gib)
    fresh(work, "case-p", "dc3dd.img")

    def prepare(_i: int) -> None:
        fresh(work, "case-p", "dc3dd.img")
        init_case(work / "case-p")

    try:
        return compare(f"physical acquisition of a {gib:g} GiB image (sha256+blake3, durable, read back) vs dc3dd hash=sha256 + sync",
                       fkit_acquire(img, work / "case-p", "--physical"),
                       sh(f"dc3dd if={img} of={work / 'dc3dd.img'} hash=sha256 log=/dev/null >/dev/null 2>&1 && sync"),
                       rounds, before=prepare)
    finally:
        fresh(work, "case-p", "dc3dd.img")


def bench_floor(work: Path, gib: float, rounds: int) -> None:
    """Not a target: what the disk alone costs for a physical acquisition here (``--only floor``).

    Writing the image durably with O_DIRECT and reading it back with O_DIRECT is what fkit must
    at least do; ``dd`` + ``sync`` through the page cache and dc3dd (hash-bound) for comparison.
    """
    img = work / "big.img"
    make_big(img, gib)
    out = work / "floor.img"
    cmds = {
        "dd bs=32M oflag=direct + sync": sh(f"rm -f {out} && dd if={img} of={out} bs=32M oflag=direct status=none && sync"),
        "dd bs=32M iflag=direct (read back)": sh(f"dd if={out} of=/dev/null bs=32M iflag=direct status=none"),
        "dd bs=8M (page cache) + sync": sh(f"rm -f {out} && dd if={img} of={out} bs=8M status=none && sync"),
        "dc3dd hash=sha256 + sync": sh(f"rm -f {out} && dc3dd if={img} of={out} hash=sha256 log=/dev/null >/dev/null 2>&1 && sync"),
        "sha256sum (hash only, page cache)": sh(f"sha256sum {img} >/dev/null"),
    }
    walls: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(rounds):
        for name, cmd in cmds.items():
            start = time.perf_counter()
            subprocess.run(cmd, check=True)
            walls[name].append(time.perf_counter() - start)
    out.unlink(missing_ok=True)
    for name, values in walls.items():
        print(f"floor: {name}: median {statistics.median(values):.2f} s (rounds {', '.join(f'{v:.2f}' for v in values)})")


def make_e01(work: Path, gib: float) -> Path:
    """A ``gib`` GiB medium (per 4 MiB: 1.5 MiB random, 1.5 MiB text, 1 MiB zeros, as a used disk
    holds media, documents and free space) imaged once with ``ewfacquire -c fast -d sha1`` (MD5 and
    SHA-1 stored, one segment); the raw medium is deleted afterwards."""
    e01 = work / f"media-{gib:g}.E01"
    if e01.exists():
        return e01
    rng = random.Random(14)
    words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10))) for _ in range(5000)]
    text = b" ".join(rng.choice(words) for _ in range(400000))[: 3 << 20]
    raw = work / "media.raw"
    with open(raw, "wb") as f:
        for _ in range(int(gib * 256)):
            f.write(os.urandom(3 << 19))
            off = rng.randrange(0, len(text) - (3 << 19))
            f.write(text[off: off + (3 << 19)])
            f.write(bytes(1 << 20))
    subprocess.run(["ewfacquire", "-u", "-q", "-t", str(e01.with_suffix("")), "-c", "fast", "-f", "encase6",
                    "-d", "sha1", "-S", "8GiB", str(raw)], check=True, stdout=subprocess.DEVNULL)
    raw.unlink()
    return e01


def bench_e01(work: Path, gib: float, rounds: int) -> dict[str, float]:
    """Physical acquisition of an E01 (decompressed, written durably and read back, with the
    ``ewfverify`` check: chunk checksums and the stored MD5 and SHA-1 against the data read) vs
    ``ewfverify -q -d sha1`` (which checks the same, and writes nothing)."""
    e01 = make_e01(work, gib)

    def prepare(_i: int) -> None:
        fresh(work, "case-e")
        init_case(work / "case-e")

    try:
        return compare(f"E01 physical acquisition with the stored-hash check, {gib:g} GiB medium "
                       f"({e01.stat().st_size >> 20} MiB E01) vs ewfverify -q -d sha1",
                       fkit_acquire(e01, work / "case-e", "--physical", "-q"),
                       sh(f"ewfverify -q -d sha1 {e01} >/dev/null"), rounds, before=prepare)
    finally:
        fresh(work, "case-e")


def make_ext4_entries(work: Path, entries: int) -> Path:
    """An ext4 image holding ``entries`` files in folders of 999 (one in ten holds a few bytes),
    made once with ``mkfs.ext4 -d``; the source tree is deleted afterwards."""
    img = work / f"ext4-{entries}.img"
    if img.exists():
        return img
    tree = work / "tree"
    folders = (entries + 998) // 999
    made = 0
    for d in range(folders):
        sub = tree / f"d{d:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        for i in range(min(999, entries - made)):
            (sub / f"file_{d:03d}_{i:04d}.txt").write_bytes(b"x" * (i * 3) if i % 10 == 0 else b"")
            made += 1
    size_mb = 256 + entries * 2 // 1000
    subprocess.run(["mkfs.ext4", "-q", "-N", str(entries + entries // 20), "-d", str(tree), str(img), f"{size_mb}M"],
                   check=True)
    subprocess.run(["rm", "-rf", str(tree)], check=True)
    return img


def bench_fsls(work: Path, entries: int, rounds: int) -> dict[str, float]:
    """``fkit fs ls -f bodyfile`` against ``fls -r -m /`` (the same body file, byte for byte:
    checked here) on an ext4 image of ``entries`` entries, and fkit's start-up on a 1-file image."""
    img = make_ext4_entries(work, entries)
    ours = sh(f"{fkit_sh()} fs ls {img} --format bodyfile >{work / 'fkit.body'}")
    peer = sh(f"TZ=UTC fls -r -m / {img} >{work / 'fls.body'}")
    result = compare(f"fs ls --format bodyfile of an ext4 image with {entries} entries vs fls -r -m /", ours, peer, rounds,
                     swap_order=True)
    same = (work / "fkit.body").read_bytes() == (work / "fls.body").read_bytes()
    print(f"  outputs byte-identical: {same}")
    tiny = work / "ext4-tiny.img"
    if not tiny.exists():
        (work / "tiny").mkdir(exist_ok=True)
        (work / "tiny" / "one.txt").write_bytes(b"one\n")
        subprocess.run(["mke2fs", "-q", "-t", "ext4", "-d", str(work / "tiny"), str(tiny), "4M"], check=True,
                       stdout=subprocess.DEVNULL)
    cpu = cpu_medians({"start-up": sh(f"{fkit_sh()} fs ls {tiny} --format bodyfile >/dev/null")}, rounds)
    print(f"  fkit fs ls of a 1-file image (start-up): {cpu['start-up']:.3f} s CPU")
    (work / "fkit.body").unlink()
    (work / "fls.body").unlink()
    if not same:
        raise SystemExit("fs ls: fkit's body file differs from fls's")
    return result


def cpu_medians(cmds: dict[str, list[str]], rounds: int) -> dict[str, float]:
    """Median CPU seconds (user + system of the command and its children) of each command, alternating."""
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(rounds):
        for name, cmd in cmds.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--files", type=int, default=50_000)
    ap.add_argument("--entries", type=int, default=500_000, help="fs ls: entries in the ext4 image")
    ap.add_argument("--image-gib", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="logical,physical,fsls")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="fkit-bench-acquire-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work dir {work}; load average {load_average()}; {os.cpu_count()} cores")
    only = set(args.only.split(","))
    results = {}
    if "logical" in only:
        results["logical"] = bench_logical(work, args.files, args.rounds)
    if "logical-samefs" in only:
        results["logical-samefs"] = bench_logical(work, args.files, args.rounds, same_fs=True)
    if "physical" in only:
        results["physical"] = bench_physical(work, args.image_gib, args.rounds)
    if "fsls" in only:
        results["fsls"] = bench_fsls(work, args.entries, args.rounds)
    if "e01" in only:
        results["e01"] = bench_e01(work, args.image_gib, args.rounds)
    if "floor" in only:
        bench_floor(work, args.image_gib, args.rounds)
    targets = {"logical": 1.0, "logical-samefs": 1.0, "physical": 0.6, "fsls": 2.5, "e01": 1.2}
    for name, res in results.items():
        verdict = "PASS" if res["ratio"] <= targets[name] else "FAIL"
        print(f"{name}: ratio {res['ratio']:.3f} (target ≤ {targets[name]}) {verdict}")


if __name__ == "__main__":
    main()
