"""The streaming tar writer and push parser, against Python's tarfile and GNU tar."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from forensic_kit.share.tarstream import ContentChanged, Member, TarReader, TarSink, UnsafeArchive

LONG = "data/EX-01/" + "دليل-" * 40 + "/rapport d'enquête ✓.txt"


def _drain(r: TarReader, n: int = 8192) -> bytes:
    out = bytearray()
    while chunk := r.read(n):
        out += chunk
    return bytes(out)


def _members(tmp_path: Path) -> list[Member]:
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * 5000)
    return [Member("T/VERIFY.txt", data=b"hello\n"), Member(f"T/{LONG}", data=b""),
            Member("T/data/EX-01/big.bin", path=big, size=big.stat().st_size,
                   sha256=hashlib.sha256(big.read_bytes()).hexdigest())]


def test_writer_output_reads_back_with_tarfile_and_gnu_tar(tmp_path: Path) -> None:
    blob = _drain(TarReader(_members(tmp_path)))
    assert len(blob) % 10240 == 0
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        files = {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}  # type: ignore[union-attr]
    assert files[f"T/{LONG}"] == b"" and files["T/VERIFY.txt"] == b"hello\n"
    assert files["T/data/EX-01/big.bin"] == bytes(range(256)) * 5000
    if shutil.which("tar"):
        listing = subprocess.run(["tar", "-tf", "-"], input=blob, capture_output=True).stdout.decode()
        assert f"T/{LONG}\n" in listing


def test_sink_parses_what_tarfile_writes(tmp_path: Path) -> None:
    blob = _drain(TarReader(_members(tmp_path)))
    got: dict[str, bytearray] = {}
    dirs: list[str] = []

    def start(name: str, size: int):  # type: ignore[no-untyped-def]
        got[name] = bytearray()
        return got[name].extend

    sink = TarSink(start, lambda name: None, dirs.append)
    for i in range(0, len(blob), 777):  # odd write sizes cross every block boundary
        sink.write(blob[i:i + 777])
    sink.close_check()
    assert got[f"T/{LONG}"] == b"" and bytes(got["T/data/EX-01/big.bin"]) == bytes(range(256)) * 5000
    assert dirs[:2] == ["T", "T/data"]


@pytest.mark.parametrize("cut", ["incomplete", "garbage"])
def test_sink_refuses_cut_or_extended_archives(tmp_path: Path, cut: str) -> None:
    blob = _drain(TarReader(_members(tmp_path)))
    sink = TarSink(lambda n, s: (lambda b: None), lambda n: None, lambda n: None)
    if cut == "incomplete":
        sink.write(blob[:5000])
        with pytest.raises(UnsafeArchive, match="incomplete"):
            sink.close_check()
    else:
        with pytest.raises(UnsafeArchive, match="data after the end of the archive"):
            sink.write(blob + b"\x01" * 512)


def test_writer_stops_on_changed_file(tmp_path: Path) -> None:
    m = _members(tmp_path)
    m[2].sha256 = "0" * 64
    with pytest.raises(ContentChanged, match="no longer matches its sealed SHA-256"):
        _drain(TarReader(m))


def test_any_flipped_ciphertext_byte_is_refused() -> None:
    """Property: whichever byte of an fkit age file is flipped, decryption fails and says why."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from pyrage import x25519

    from forensic_kit.share import agefile

    me, other = x25519.Identity.generate(), x25519.Identity.generate()
    recipients = [agefile.parse_recipient(str(i.to_public())) for i in (me, other)]
    blob = _drain(TarReader([Member("T/a.bin", data=bytes(range(256)) * 600)]))
    out = io.BytesIO()
    agefile.encrypt(io.BytesIO(blob), out, recipients)
    ct = out.getvalue()

    @settings(max_examples=60, deadline=None)
    @given(st.integers(0, len(ct) - 1), st.integers(1, 255))
    def flip(pos: int, mask: int) -> None:
        bad = bytearray(ct)
        bad[pos] ^= mask
        with pytest.raises(agefile.AgeError) as err:
            agefile.decrypt(io.BytesIO(bytes(bad)), io.BytesIO(), [me])
        assert err.value.kind in ("no match", "HMAC failure", "header failure", "payload failure")
        assert "\n" not in err.value.message

    flip()
