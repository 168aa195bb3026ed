"""One CLI test per exit code of DESIGN.md section 4, plus --version and --help everywhere."""

from __future__ import annotations

import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from forensic_kit import __version__
from forensic_kit.exitcodes import ExitCode
from tests.conftest import default_sigint, fkit


def test_codes_are_the_contract() -> None:
    assert {c.name: int(c) for c in ExitCode} == {
        "OK": 0, "CHECK_FAILED": 1, "USAGE": 2, "PARTIAL": 3, "CANNOT_RUN": 4, "INTERRUPTED": 130,
    }


def test_0_done(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"1")
    assert fkit("hash", "f", cwd=tmp_path).returncode == 0


def test_1_check_says_no(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"1")
    (tmp_path / "known").write_bytes(fkit("hash", "f", cwd=tmp_path).stdout)
    (tmp_path / "f").write_bytes(b"2")
    res = fkit("audit", "known", "f", cwd=tmp_path)
    assert res.returncode == 1


def test_2_usage(tmp_path: Path) -> None:
    res = fkit("hash", "--no-such-flag", "f", cwd=tmp_path)
    assert res.returncode == 2
    assert b"No such option" in res.stderr
    res = fkit("hash", "-a", "crc32", "f", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == b"fkit: error: unknown hash algorithm 'crc32'; known: md5, sha1, sha256, sha512, sha3-256, blake3"


def test_3_partial(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"1")
    assert fkit("hash", "f", "missing", cwd=tmp_path).returncode == 3


def test_4_cannot_run(tmp_path: Path) -> None:
    res = fkit("audit", "no-such-list.txt", ".", cwd=tmp_path)
    assert res.returncode == 4
    assert res.stderr.strip() == b"fkit: error: cannot read known list no-such-list.txt: No such file or directory"
    assert res.stdout == b""


_READ_SYSCALL = {"x86_64": "0", "aarch64": "63"}.get(platform.machine(), "0")


def _wait_reading_stdin(pid: int) -> None:
    """Wait (up to 120 s, however loaded the machine) until ``pid`` blocks in read(0, ...)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            fields = Path(f"/proc/{pid}/syscall").read_text().split()
        except OSError:
            pytest.skip("/proc/PID/syscall is not readable here")
        if fields[:2] == [_READ_SYSCALL, "0x0"]:  # read() on file descriptor 0
            return
        time.sleep(0.05)
    pytest.fail("fkit hash - never started reading its input")


def test_130_interrupted(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "forensic_kit", "hash", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, preexec_fn=default_sigint)
    _wait_reading_stdin(proc.pid)  # interrupted in its work, not while Python is still starting
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert b"Traceback" not in err
    assert err.strip().endswith(b"fkit: error: interrupted")


def test_version() -> None:
    res = fkit("--version")
    assert res.returncode == 0
    assert res.stdout == f"fkit {__version__}\n".encode()
    # the console scripts of the installed package say the same
    for script in ("fkit", "forensic-kit"):
        path = os.path.join(os.path.dirname(sys.executable), script)
        assert subprocess.run([path, "--version"], capture_output=True).stdout == res.stdout


def command_paths() -> list[list[str]]:
    """Every command and sub-command of the typer app, as argv prefixes."""
    from typer.main import get_command

    from forensic_kit.cli.app import app

    root = get_command(app)
    paths: list[list[str]] = []

    def visit(cmd: object, prefix: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                visit(sub, prefix + [name])
        elif prefix:
            paths.append(prefix)

    visit(root, [])
    return paths


def test_help_on_every_command() -> None:
    paths = command_paths()
    assert ["hash"] in paths and ["audit"] in paths
    for path in paths:
        res = fkit(*path, "--help")
        assert res.returncode == 0, (path, res.stderr)
        assert b"Usage: fkit " + " ".join(path).encode() in res.stdout, path
