"""Every file-system listing of the public images in ../shared/testdata against
``TZ=UTC fls -r -m / [-o N] [-i T]`` (the body files beside them): byte-identical, or differing only
by a named fls 4.11 bug that fkit gets right (both outputs shown below)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import fkit
from tests.fs.oracle_cases import BUGS, ZERO_FILETIME_FLS, cases, compare

CASES = cases()
# What fkit cannot read yet, with why. Still run: the day fkit agrees, the test fails until the
# entry is removed.
UNSUPPORTED: dict[str, str] = {}


@pytest.mark.parametrize("case", CASES or [None], ids=[c.id for c in CASES] or ["no-testdata"])
def test_listing_equals_fls(case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if case is None:
        pytest.skip("shared test data not available")
    image = case.materialise(tmp_path)
    r = fkit(*case.fkit_args(), image, env={"TZ": "UTC"})
    verdict, bugs, examples = compare(r.stdout, r.returncode, case.oracle.read_bytes())
    if case.id in UNSUPPORTED:
        assert verdict not in ("identical", "named-bugs"), f"{case.id} now agrees: remove it from UNSUPPORTED"
        pytest.xfail(UNSUPPORTED[case.id])
    assert verdict in ("identical", "named-bugs", "both-refuse"), (verdict, examples, r.stderr[-500:])
    assert bugs <= set(BUGS)


def test_named_bug_fat_10ms_field_exactly_100(tmp_path: Path) -> None:
    """fatcat deleted.img: the folder /deleted was created with the 10 ms field at exactly 100
    (1.00 s). fls 4.11 drops that second; fkit keeps it, and its record shows .000 sub-seconds."""
    from tests.conftest import testdata

    case = next(c for c in CASES if c.id == "disk/fat32/deleted.img") if CASES else None
    if case is None:
        testdata("disk", "fat32", "deleted.img.gz")
    assert case is not None
    image = case.materialise(tmp_path)
    mine = fkit("fs", "ls", "-f", "bodyfile", image, env={"TZ": "UTC"}).stdout.splitlines()
    fls = case.oracle.read_bytes().splitlines()
    assert fls[0] == b"0|/deleted (deleted)|4|d/drwxrwxrwx|0|0|512|1383004800|1383068724|0|1383068724"
    assert mine[0] == b"0|/deleted (deleted)|4|d/drwxrwxrwx|0|0|512|1383004800|1383068724|0|1383068725"
    import json

    recs = [json.loads(x) for x in fkit("fs", "ls", "-f", "jsonl", image, env={"TZ": "UTC"}).stdout.splitlines()]
    (folder,) = [x for x in recs if x.get("path") == "/deleted"]
    assert folder["times"]["born"] == "2013-10-29T17:45:25Z"


def test_named_bug_ntfs_zero_filetime() -> None:
    """DFTT 7-ntfs-undel.dd: $Secure's $FILE_NAME times are stored as 0; fls 4.11 prints 2076."""
    from tests.conftest import testdata

    image = testdata("corpus", "disk_images", "dftt", "7-ntfs-undel.dd")
    fls = testdata("corpus", "disk_images", "dftt", "7-ntfs-undel.dd.fls_bodyfile.txt").read_bytes().splitlines()
    mine = fkit("fs", "ls", "-f", "bodyfile", image, env={"TZ": "UTC"}).stdout.splitlines()
    t = ZERO_FILETIME_FLS
    assert f"0|/$Secure ($FILE_NAME)|9-48-7|r/rr-xr-xr-x|0|0|80|{t}|{t}|{t}|{t}".encode() in fls
    assert b"0|/$Secure ($FILE_NAME)|9-48-7|r/rr-xr-xr-x|0|0|80|0|0|0|0" in mine
    assert (0 - 116444736000000000) % 2**64 // 10**7 % 2**32 == t
    assert os.environ.get("TZ") != "fkit"  # the runs above set TZ only for fkit
