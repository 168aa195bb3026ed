"""Bad input: corrupt, truncated, encrypted databases, missing tables, zip bombs, path traversal."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from forensic_kit.errors import InputError
from forensic_kit.phone.source import Limits, open_source, sanitise_member
from tests.conftest import testdata
from tests.phone.helpers import of, triage


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_truncated_and_corrupt_databases_continue(tmp_path: Path) -> None:
    src = tmp_path / "ex"
    src.mkdir()
    data = testdata("phone", "android", "mmssms.db").read_bytes()
    (src / "mmssms.db").write_bytes(data[: len(data) // 3])  # truncated
    (src / "msgstore.db").write_bytes(os.urandom(8192))  # encrypted / garbage
    shutil.copy(testdata("phone", "android", "contacts2.db"), src / "contacts2.db")  # good one
    recs = triage(src)
    errors = of(recs, "error")
    by_path = {e["locator"]["path"]: e for e in errors}
    assert "msgstore.db" in by_path and "not a readable SQLite database" in by_path["msgstore.db"]["error"]["reason"]
    assert "mmssms.db" in by_path
    assert len(of(recs, "phone.call")) == 3  # the run went on


def test_missing_tables_unknown_schema_warns(tmp_path: Path) -> None:
    import sqlite3

    src = tmp_path / "ex"
    src.mkdir()
    conn = sqlite3.connect(src / "mmssms.db")
    conn.execute("CREATE TABLE sms_v99 (id INTEGER, text TEXT)")
    conn.close()
    recs = triage(src)
    warn = of(recs, "warning")
    assert len(warn) == 1
    assert warn[0]["warning"]["stage"] == "schema"
    assert "android_sms: sms" in warn[0]["warning"]["reason"] and "android_mms: pdu, addr, part" in warn[0]["warning"]["reason"]


def test_bad_plist_and_xml_are_errors(tmp_path: Path) -> None:
    (tmp_path / "com.apple.iPod.plist").write_bytes(b"bplist00garbage")
    (tmp_path / "packages.xml").write_text("<packages><package name='x'")
    recs = triage(tmp_path)
    errs = sorted(e["producer"]["parser"] for e in of(recs, "error"))
    assert errs == ["android_packages_xml", "ios_ipod_plist"]


@pytest.mark.parametrize("name", ["absolute_paths", "mixed_paths", "with_directory"])
@pytest.mark.parametrize("ext", ["tar", "zip"])
def test_traversal_archives_stay_inside_scratch(tmp_path: Path, name: str, ext: str) -> None:
    archive = testdata("archives", f"{name}.{ext}")
    scratch = tmp_path / "scratch"
    src = open_source(archive, scratch)
    assert sorted(src.files) == ["folder/syslog", "folder/wtmp.1"]
    for real in src.files.values():
        assert real.resolve().is_relative_to(scratch.resolve())
    assert not Path("/folder/syslog").exists()


def _evil_tar(path: Path) -> None:
    with tarfile.open(path, "w") as tf:
        for name, data in (("../../escape.txt", b"x"), ("ok/build.prop", b"ro.product.model=X\n"),
                           ("/etc/abs.txt", b"y")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("ok/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tf.addfile(link)
        hard = tarfile.TarInfo("ok/hard")
        hard.type = tarfile.LNKTYPE
        hard.linkname = "../../escape.txt"
        tf.addfile(hard)


def test_generated_traversal_tar_and_links(tmp_path: Path) -> None:
    archive = tmp_path / "evil.tar"
    _evil_tar(archive)
    work = tmp_path / "work"
    work.mkdir()
    recs = triage(archive, scratch_parent=work)
    reasons = sorted((w["locator"]["member"], w["warning"]["reason"]) for w in of(recs, "warning"))
    assert reasons == [("../../escape.txt", "refused member name (path traversal)"),
                       ("ok/hard", "refused link or special file"), ("ok/link", "refused link or special file")]
    assert of(recs, "phone.device")[0]["model"] == "X"
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path.parent / "escape.txt").exists()
    assert _tree(work) == set()  # scratch removed after the run
    assert _tree(tmp_path) == {"evil.tar", "work"}


def test_generated_traversal_zip(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../escape.txt", b"x")
        zf.writestr("a/../../escape2.txt", b"x")
        zf.writestr("C:\\Windows\\x.txt", b"x")
        link = zipfile.ZipInfo("sym")
        link.external_attr = (0o120777 << 16)
        zf.writestr(link, "/etc/passwd")
    out = tmp_path / "out"
    src = open_source(archive, out)
    assert sorted(src.files) == ["Windows/x.txt"]
    assert sorted((i.member, i.reason) for i in src.issues) == [
        ("../escape.txt", "refused member name (path traversal)"),
        ("a/../../escape2.txt", "refused member name (path traversal)"), ("sym", "refused link or special file")]
    assert _tree(tmp_path) - {"evil.zip"} == {"out", "out/extract", "out/extract/Windows", "out/extract/Windows/x.txt"}


def test_zip_bomb_refused(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data/mmssms.db", bytes(20 << 20))  # 20 MiB of zeros → ~20 KiB
        zf.writestr("data/build.prop", b"ro.product.model=Y\n")
    assert archive.stat().st_size < 100_000
    out = tmp_path / "out"
    src = open_source(archive, out)
    assert list(src.files) == ["data/build.prop"]
    assert len(src.issues) == 1 and "likely zip bomb" in src.issues[0].reason
    assert not (out / "extract" / "data" / "mmssms.db").exists()
    # total-size limit
    src2 = open_source(archive, tmp_path / "out2", Limits(max_total_bytes=100, max_ratio=10**9))
    assert [i.member for i in src2.issues] == ["data/mmssms.db"] and list(src2.files) == ["data/build.prop"]


def test_truncated_tar_leaves_no_partial_copy(tmp_path: Path) -> None:
    """A tar cut in the middle of a member: that member is an issue and no half-written copy stays."""
    whole = tmp_path / "whole.tar"
    with tarfile.open(whole, "w") as tf:
        for name, data in (("data/build.prop", b"ro.product.model=Y\n"), ("data/big.bin", os.urandom(64 << 10))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    cut = tmp_path / "cut.tar"
    cut.write_bytes(whole.read_bytes()[:512 * 3 + 20_000])  # headers + build.prop + big.bin's header + 20 kB
    src = open_source(cut, tmp_path / "out")
    assert list(src.files) == ["data/build.prop"]
    assert [i.member for i in src.issues][:1] == ["data/big.bin"]
    assert not (tmp_path / "out" / "extract" / "data" / "big.bin").exists()


def test_sanitise_member() -> None:
    assert sanitise_member("/folder/x") == "folder/x"
    assert sanitise_member("./a//b/./c") == "a/b/c"
    assert sanitise_member("a/../b") is None
    assert sanitise_member("..") is None
    assert sanitise_member("") is None
    assert sanitise_member("D:\\evidence\\sms.db") == "evidence/sms.db"


def test_not_a_source(tmp_path: Path) -> None:
    f = tmp_path / "random.bin"
    f.write_bytes(b"not an extraction\n" * 100)
    with pytest.raises(InputError, match="not a folder, .tar or .zip"):
        open_source(f, tmp_path / "s")
    with pytest.raises(InputError, match="no such file"):
        open_source(tmp_path / "nope", tmp_path / "s")


def test_bad_row_becomes_warning_with_locator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from forensic_kit.phone.android.sms import Sms

    original = Sms.row

    def flaky(self: Sms, row, ctx, locator):  # type: ignore[no-untyped-def]
        if row["rowid"] == 3:
            raise ValueError("undecodable body")
        return original(self, row, ctx, locator)

    monkeypatch.setattr(Sms, "row", flaky)
    src = tmp_path / "ex"
    src.mkdir()
    shutil.copy(testdata("phone", "android", "mmssms.db"), src / "mmssms.db")
    recs = triage(src)
    assert len(of(recs, "phone.message")) == 8
    warn = of(recs, "warning")
    assert len(warn) == 1
    assert warn[0]["warning"] == {"stage": "row", "reason": "ValueError: undecodable body"}
    assert (warn[0]["locator"]["path"], warn[0]["locator"]["table"], warn[0]["locator"]["rowid"]) == ("mmssms.db", "sms", 3)
    assert warn[0]["producer"]["parser"] == "android_sms"


def test_locked_database_is_still_read(tmp_path: Path) -> None:
    import sqlite3

    src = tmp_path / "ex"
    src.mkdir()
    shutil.copy(testdata("phone", "android", "contacts2.db"), src / "contacts2.db")
    holder = sqlite3.connect(src / "contacts2.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # the phone's app holds the lock
    try:
        recs = triage(src)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(of(recs, "phone.call")) == 3 and of(recs, "error") == []
