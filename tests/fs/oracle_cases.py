"""Every public image in ../shared/testdata with an ``fls -r -m /`` body file beside it, and how
that body file was made (offset, image type, pool), read from the test data's own oracle lists."""

from __future__ import annotations

import csv
import gzip
import json
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import TESTDATA


@dataclass
class OracleCase:
    """One listing: the image (first file), the body file fls wrote, fls's options."""

    id: str
    image: Path
    oracle: Path
    offset: int | None = None
    imgtype: str | None = None
    fls_exit: int = 0
    gz: bool = False
    extra: list[str] = field(default_factory=list)  # fls options fkit has no equivalent for yet

    def fkit_args(self) -> list[str]:
        args = ["fs", "ls", "-f", "bodyfile"]
        if self.offset is not None:
            args += ["--offset", str(self.offset)]
        return args

    def materialise(self, tmp: Path) -> Path:
        """The image as fkit must read it (gzip images decompressed under ``tmp``)."""
        if not self.gz:
            return self.image
        out = tmp / self.image.name[:-3]
        if not out.exists():
            with gzip.open(self.image) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)
        return out


def _from_command(cid: str, folder: Path, oracle: Path, command: str, fls_exit: int) -> OracleCase | None:
    words = shlex.split(command.split("[", 1)[0])
    if words[:4] != ["fls", "-r", "-m", "/"]:
        return None
    opts = words[4:]
    offset = imgtype = None
    extra: list[str] = []
    files: list[str] = []
    i = 0
    while i < len(opts):
        w = opts[i]
        if w == "-o":
            offset = int(opts[i + 1])
            i += 2
        elif w == "-i":
            imgtype = opts[i + 1]
            i += 2
        elif w in ("-P", "-B", "-f"):
            extra += [w, opts[i + 1]]
            i += 2
        else:
            files.append(w)
            i += 1
    name = files[0] if files else ""
    gz = False
    image = folder / name
    if "[" in command and "qemu-img convert" in command:  # QCOW: fls ran on a raw conversion
        image = folder / command.split("qemu-img convert -O raw ", 1)[1].rstrip("]").strip()
    elif not image.exists() and (folder / (name + ".gz")).exists():
        image, gz = folder / (name + ".gz"), True
    elif not image.exists():
        for cand in folder.glob("*_" + name):
            image = cand
    return OracleCase(cid, image, oracle, offset, imgtype, fls_exit, gz, extra)


def cases() -> list[OracleCase]:
    """All cases found (empty when the test data is absent)."""
    out: list[OracleCase] = []
    disk = TESTDATA / "disk"
    if not disk.is_dir():
        return out
    for name in ("ext2.E01", "ext2.split.E01", "ext2.splitraw.000", "ímynd.dd", "bogus.001"):
        out.append(OracleCase(f"disk/{name}", disk / name, disk / f"{name}.bodyfile.txt"))
    # disk/apfs.raw: plain fls cannot open it (its body file is fls's error); the same image is
    # corpus raw/dfvfs_apfs.raw, listed with the pool options: that is the listing to meet
    pool = TESTDATA / "corpus" / "disk_images" / "raw" / "dfvfs_apfs.raw.apsb107.fls_bodyfile.txt"
    out.append(OracleCase("disk/apfs.raw (oracle: fls -P apfs -B 107)", disk / "apfs.raw",
                          pool if pool.exists() else disk / "apfs.raw.bodyfile.txt", extra=["-P", "apfs", "-B", "107"]))
    for oracle in sorted((disk / "fat32").glob("*.bodyfile.txt")):
        name = oracle.name[: -len(".bodyfile.txt")]
        out.append(OracleCase(f"disk/fat32/{name}", disk / "fat32" / (name + ".gz"), oracle, gz=True))
    out.append(OracleCase("disk/ntfs/ntfs-lastaccess.raw -o 128", disk / "ntfs" / "ntfs-lastaccess.raw.gz",
                          disk / "ntfs" / "ntfs-lastaccess.raw.p128.bodyfile.txt", offset=128, gz=True))
    virtual = disk / "virtual"
    with open(virtual / "ORACLES.tsv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if not row["oracle"].endswith("bodyfile.txt"):
                continue
            target = virtual / row["for"]
            case = _from_command(f"disk/virtual/{row['for']}", target.parent, target.parent / row["oracle"],
                                 row["command"], int(row["exit"]))
            if case is not None:
                case.image = target
                out.append(case)
    corpus = TESTDATA / "corpus"
    for item in json.loads((corpus / "ORACLES.json").read_text("utf-8")):
        if "fls_bodyfile" not in item["oracle"]:
            continue
        oracle = corpus / item["oracle"]
        case = _from_command(item["oracle"].replace(".fls_bodyfile.txt", ""), oracle.parent, oracle,
                             item["command"], int(item["exit"]))
        if case is not None:
            out.append(case)
    return out


FLS_ERROR_MARK = b"#--- stderr ---"
ZERO_FILETIME_FLS = 3373865674
"""What fls 4.11 prints for an NTFS time stored as 0: ``(0 - 116444736000000000) / 10**7``
computed in unsigned 64 bits, then cut to 32 (``nt2unixtime``); fkit prints 0 (not set)."""

BUGS = {
    "fat-10ms-100": "fls 4.11 adds the whole second of the FAT/exFAT 10 ms time field only when it is "
                    "over 100 (`timetens > 100` in dos2unixtime): at exactly 100 (1.00 s) it prints one "
                    "second less; fkit (TSK 4.15) adds it",
    "ntfs-zero-filetime": "fls 4.11 prints 3373865674 (2076-11-29) for an NTFS time stored as 0 "
                          "($FILE_NAME, or $STANDARD_INFORMATION of $MFT; unsigned wrap-around in "
                          "nt2unixtime); fkit prints 0 (not set)",
}


def compare(fkit_out: bytes, fkit_rc: int, oracle: bytes) -> tuple[str, set[str], list[str]]:
    """(``identical`` | ``named-bugs`` | ``differ`` | ``both-refuse`` | ``unreadable``, bugs seen,
    example lines). ``named-bugs``: every differing line differs only as a bug in :data:`BUGS`."""
    listed = [x for x in oracle.split(FLS_ERROR_MARK, 1)[0].splitlines() if x.startswith(b"0|")]
    if not listed and not fkit_out and fkit_rc != 0:
        return "both-refuse", set(), []
    if fkit_out == oracle:
        return "identical", set(), []
    if fkit_rc == 4 and not fkit_out:
        return "unreadable", set(), []
    mine, theirs = fkit_out.splitlines(), oracle.splitlines()
    if len(mine) != len(theirs):
        return "differ", set(), [f"{len(mine)} lines against fls's {len(theirs)}"]
    bugs: set[str] = set()
    examples: list[str] = []
    for a, b in zip(mine, theirs):
        if a == b:
            continue
        bug = _named_bug(a, b)
        if bug is None:
            return "differ", bugs, [f"fkit: {a!r}", f"fls:  {b!r}"]
        bugs.add(bug)
        if len(examples) < 2:
            examples += [f"fkit: {a.decode('utf-8', 'replace')}", f"fls:  {b.decode('utf-8', 'replace')}"]
    return "named-bugs", bugs, examples


def _named_bug(mine: bytes, fls: bytes) -> str | None:
    a, b = _fields(mine), _fields(fls)
    if len(a) != 11 or len(b) != 11 or a[:7] != b[:7]:
        return None
    diff = [i for i in range(7, 11) if a[i] != b[i]]
    if diff and all(int(a[i]) == 0 and int(b[i]) == ZERO_FILETIME_FLS for i in diff):
        return "ntfs-zero-filetime"
    if diff and all(i in (8, 10) and int(a[i]) == int(b[i]) + 1 and int(a[i]) % 2 == 1 for i in diff):
        return "fat-10ms-100"
    return None


def _fields(line: bytes) -> list[bytes]:
    """The 11 body-file fields; a name may itself hold "|" (it is the only free-text field)."""
    head, _, rest = line.partition(b"|")
    return [head, *rest.rsplit(b"|", 9)]
