"""Encryption through the reference ``age`` program (when installed) and through pyrage: the same
format, both opened by pyrage and by ``age -d``; a failing program or reader is an error, never a
short file that looks complete."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from forensic_kit.errors import InputError
from forensic_kit.share import agefile
from tests.share.helpers import World, build_world, receive, share

PLAIN = bytes(range(256)) * 9000  # 2.3 MB: more than one pipe write and many 64 KiB age chunks


def _need_age() -> None:
    if shutil.which("age") is None:
        pytest.skip("age not installed (Debian package 'age')")


def _x25519(tmp_path: Path) -> tuple[Path, agefile.Recipient]:
    from pyrage import x25519

    ident = x25519.Identity.generate()
    key = tmp_path / "id.txt"
    key.write_text(f"{ident}\n")
    return key, agefile.parse_recipient(str(ident.to_public()))


@pytest.mark.parametrize("engine", ["program", "pyrage"])
def test_both_engines_write_files_pyrage_and_age_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      engine: str) -> None:
    _need_age()
    monkeypatch.setenv("FKIT_AGE", "age" if engine == "program" else "pyrage")
    assert (agefile.age_program() is not None) is (engine == "program")
    key, rec = _x25519(tmp_path)
    out = tmp_path / "o.age"
    with open(out, "wb") as f:
        agefile.encrypt(io.BytesIO(PLAIN), f, [rec])
    back = io.BytesIO()
    with open(out, "rb") as f:
        agefile.decrypt(f, back, agefile.load_identities(key))
    assert back.getvalue() == PLAIN
    r = subprocess.run(["age", "-d", "-i", str(key), str(out)], capture_output=True, timeout=60)
    assert r.returncode == 0 and r.stdout == PLAIN


def test_a_failing_program_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FKIT_AGE", "/bin/false")
    _key, rec = _x25519(tmp_path)
    with open(tmp_path / "o.age", "wb") as f, pytest.raises(InputError) as err:
        agefile.encrypt(io.BytesIO(PLAIN), f, [rec])
    assert str(err.value) == "age encryption failed (/bin/false): exit 1"


class _Breaks:
    """A reader that fails after its first megabyte (a file changed while it was read)."""

    def __init__(self) -> None:
        self.given = 0

    def read(self, n: int = -1) -> bytes:
        if self.given >= 1 << 20:
            raise RuntimeError("changed while read")
        self.given += 1 << 16
        return bytes(1 << 16)


def test_a_reader_error_stops_the_program_and_is_raised_as_it_was(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _need_age()
    monkeypatch.setenv("FKIT_AGE", "age")
    _key, rec = _x25519(tmp_path)
    with open(tmp_path / "o.age", "wb") as f, pytest.raises(RuntimeError, match="changed while read"):
        agefile.encrypt(_Breaks(), f, [rec])
    assert _children() == []  # the program was killed and reaped (no zombie either)


def _children() -> list[str]:
    """This process's child processes (any state, zombies included)."""
    out = []
    for p in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
        except (OSError, ValueError):
            continue
        if p.isdigit() and int(stat.rpartition(")")[2].split()[1]) == os.getpid():
            out.append(stat)
    return out


def test_share_through_pyrage_round_trips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the program, ``fkit share`` still writes a file the recipient receives."""
    monkeypatch.setenv("FKIT_AGE", "pyrage")
    w: World = build_world(tmp_path)
    out = tmp_path / "o.age"
    r = share(w, out, "karim@pj.tn")
    assert r.returncode == 0, r.stderr
    r = receive(w, "karim", out, tmp_path / "rx")
    assert r.returncode == 0, r.stderr
