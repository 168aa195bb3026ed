"""What a person sees on a terminal: progress frames under a pseudo-terminal, screens of hash,
acquire and verify at 80 and 120 columns (tmux), and --help that wraps instead of cutting."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from forensic_kit.cli.app import COMMANDS
from forensic_kit.cli.progress_view import frame, human_bytes, middle_cut
from forensic_kit.cli.records_out import console_safe, table_widths
from forensic_kit.progress import Snapshot
from tests.conftest import fkit

ANSI = re.compile(rb"\x1b\[[0-9;]*[A-Za-z]")
FRAME = re.compile(r"([\d,]+)(?:/([\d,]+))? items  ([\d.]+ [kMGT]?B)(?:/([\d.]+ [kMGT]?B))?")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "FKIT_NO_PROGRESS", "NO_COLOR")}
    env.update(extra)
    return env


def run_in_pty(args: list[str], columns: int, env: dict[str, str], stdout: Path) -> tuple[int, bytes]:
    """Run ``fkit ARGS`` with stderr (and stdin) on a pseudo-terminal of ``columns`` columns and
    stdout to a file; returns the exit code and every byte the terminal received."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    with open(stdout, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "forensic_kit", *args], stdin=slave, stdout=out,
                                stderr=slave, env=env, close_fds=True)
    os.close(slave)
    data = bytearray()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the last holder of the terminal's other end is gone
                break
            if not chunk:
                break
            data += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=60), bytes(data)


def frames(screen: bytes) -> list[tuple[int, int | None, str, str | None]]:
    """Every progress frame drawn: (items, total items, bytes, total bytes) as printed."""
    text = ANSI.sub(b"", screen).decode("utf-8", "replace")
    out = []
    for m in FRAME.finditer(text):
        out.append((int(m.group(1).replace(",", "")), int(m.group(2).replace(",", "")) if m.group(2) else None,
                    m.group(3), m.group(4)))
    return out


def _bytes_value(text: str) -> float:
    number, unit = text.split()
    return float(number) * {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}[unit]


def test_hash_progress_counts_up_to_the_totals(tmp_path: Path) -> None:
    """Items and bytes never go down and the last frame shows exactly the totals (one scan)."""
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    with open(src / "big.bin", "wb") as fh:  # sparse: read from memory, no disk I/O
        fh.truncate(300 << 20)
    for i in range(150):
        (src / "sub" / f"f{i:03d}.txt").write_bytes(b"x" * (i + 1))
    code, screen = run_in_pty(["hash", str(src), "-f", "sha256sum", "--algo", "sha256"], 80, _env(),
                              tmp_path / "out.txt")
    assert code == 0, screen[-500:]
    seen = frames(screen)
    assert len(seen) >= 2, screen[-800:]
    total_items = 151
    total_bytes = (300 << 20) + sum(range(1, 151))
    last = seen[-1]
    assert last[0] == total_items and last[1] == total_items
    assert last[2] == last[3] == human_bytes(total_bytes)
    counts = [f[0] for f in seen]
    sizes = [_bytes_value(f[2]) for f in seen]
    assert counts == sorted(counts) and sizes == sorted(sizes)
    assert len((tmp_path / "out.txt").read_bytes().splitlines()) == total_items  # stdout stays data
    text = ANSI.sub(b"", screen).decode()
    assert re.search(rf"fkit hash: 151 files, {total_bytes:,} bytes hashed \(sha256\) in \d+\.\d s \([\d.]+ [kMG]?B/s\)", text)


@pytest.mark.parametrize("how", ["quiet", "ci", "pipe"])
def test_no_progress_where_nobody_looks(tmp_path: Path, how: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    with open(src / "big.bin", "wb") as fh:
        fh.truncate(64 << 20)
    if how == "pipe":
        r = fkit("hash", src, "-f", "sha256sum", env={"CI": ""})
        assert r.returncode == 0 and b"items" not in r.stderr and b"\x1b[" not in r.stderr
        return
    args = ["hash", str(src), "-f", "sha256sum"] + (["--quiet"] if how == "quiet" else [])
    env = _env(CI="true") if how == "ci" else _env()
    code, screen = run_in_pty(args, 80, env, tmp_path / "out.txt")
    assert code == 0
    assert frames(screen) == [] and b"\x1b[" not in screen


def test_frame_fits_the_width_and_never_guesses_a_total() -> None:
    snap = Snapshot(items=12, bytes=3_500_000, current="/evidence/" + "x" * 200 + "/IMG_0001.jpg", elapsed=2.0,
                    total_items=None, total_bytes=None)
    for width in (40, 80, 120):
        l1, l2 = frame("hashing", snap, 1e6, width)
        assert len(l1) <= width - 1 and len(l2) <= width - 1
        assert "/" not in l1.split("items")[0]  # no total shown before the scan has given one
        assert l2.endswith("IMG_0001.jpg")  # the middle of the path is cut, never the name
    done = Snapshot(items=50, bytes=2_000_000_000, current="", elapsed=4.0, total_items=50, total_bytes=2_000_000_000)
    l1, _ = frame("EX-01 physical", done, 5e8, 120)
    assert "100%" in l1 and "50/50 items" in l1 and "2.0 GB/2.0 GB" in l1


def test_middle_cut_and_table_widths() -> None:
    assert middle_cut("abcdefghij", 10) == "abcdefghij"
    assert middle_cut("abcdefghijklmnop", 7) == "ab…mnop"
    # at 80 columns the names keep at least their own length (up to half the room)
    path_w, hash_ws, note_w = table_widths(80, [25, 30], 7, [64, 64], 0)
    assert path_w >= 30 and all(11 <= w < 64 for w in hash_ws) and note_w == 0
    assert path_w + sum(hash_ws) + 7 + 3 * 4 + 1 <= 80
    assert table_widths(200, [25], 7, [64], 0) == (25, [64], 0)  # room for everything: nothing cut


def test_console_safe_escapes_what_an_attacker_plants() -> None:
    assert console_safe("evil\u202egpj.exe") == "evil\\u202egpj.exe"
    assert console_safe("a\x1b[2Jb\nc") == "a\\x1b[2Jb\\x0ac"
    assert console_safe("صورة.jpg") == "صورة.jpg"


def _tmux_screen(cmd: str, columns: int, until: str, cwd: Path) -> str:
    """Run ``cmd`` in a detached tmux window of ``columns`` columns; return the screen once
    ``until`` is on it (or after 120 s)."""
    name = f"fkit{os.getpid()}{columns}"
    env_cmd = f"env -u CI -u FKIT_NO_PROGRESS -u NO_COLOR {cmd}; sleep 60"
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", str(columns), "-y", "50", "-c", str(cwd), env_cmd],
                   check=True)
    try:
        deadline = time.monotonic() + 120
        screen = ""
        while time.monotonic() < deadline:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-J", "-t", name], capture_output=True,
                                    text=True).stdout
            if until in screen:
                time.sleep(0.3)
                return subprocess.run(["tmux", "capture-pane", "-p", "-J", "-t", name], capture_output=True,
                                      text=True).stdout  # -J: lines the terminal wrapped are joined
            time.sleep(0.2)
        return screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (make deps installs it)")
@pytest.mark.parametrize("columns", [80, 120])
def test_screens_of_hash_acquire_verify(tmp_path: Path, columns: int) -> None:
    """The screens a person reads: names, headers and summary lines are on them at 80 and 120."""
    src = tmp_path / "seized"
    (src / "DCIM").mkdir(parents=True)
    names = ["IMG_20240611_093012_HDR.jpg", "رسالة.txt", "procès-verbal.txt"]
    for i, n in enumerate(names):
        (src / "DCIM" / n).write_bytes(bytes([i]) * 1000)
    py = f"{sys.executable} -m forensic_kit"
    screen = _tmux_screen(f"{py} hash seized", columns, "fkit hash:", tmp_path)  # as typed at the site
    flat = screen.replace("\n", " ")
    for n in names:
        assert n in screen, screen  # each name whole on one line of the table
    assert "path" in screen and "size" in screen and "sha256" in screen and "blake3" in screen
    assert re.search(r"fkit hash: 3 files, 3,000 bytes hashed", flat)
    case = tmp_path / "case"
    assert fkit("case", "init", case, "--case-id", "T-1", "--agency", "A", "--officer", "O").returncode == 0
    screen = _tmux_screen(f"{py} acquire {src} --into {case} --exhibit EX-01 > /dev/null", columns,
                          "errors", tmp_path)
    flat = screen.replace("\n", " ")
    assert re.search(r"fkit acquire: EX-01 complete: 3 items, 3,000 bytes, durable and verified +in \d+\.\d s", flat), screen
    env = {"FKIT_PASSPHRASE": "correct horse battery staple"}
    assert fkit("key", "new", "--id", "o@a", "--name", "Officer O", "--out", tmp_path / "keys", env=env).returncode == 0
    key = next(p for p in (tmp_path / "keys").iterdir() if p.name.endswith("_ed25519"))
    r = fkit("manifest", "build", case, "--sign", key, env=env)
    assert r.returncode == 0, r.stderr
    screen = _tmux_screen(f"{py} verify {case}", columns, "checked in", tmp_path)
    flat = screen.replace("\n", " ")
    assert f"fkit verify: case {case}" in flat and "payload: ok" in screen and "result:" in screen, screen
    assert re.search(r"checked in \d+\.\d s", screen), screen


def test_help_wraps_option_lists_at_80_columns() -> None:
    """No option list or sentence is cut with an ellipsis at 80 columns, for any command."""
    seen = 0
    for name in COMMANDS:
        r = fkit(name, "--help", env={"COLUMNS": "80", "TERM": "xterm"})
        assert r.returncode == 0, r.stderr
        text = r.stdout.decode()
        subs = re.findall(r"^│ (\w[\w-]+) ", text.split("Commands")[-1], re.M) if "Commands" in text else []
        for sub in subs:
            r2 = fkit(name, sub, "--help", env={"COLUMNS": "80", "TERM": "xterm"})
            assert "…" not in r2.stdout.decode(), (name, sub, r2.stdout.decode())
            seen += 1
        assert "…" not in text, (name, text)
        seen += 1
    assert seen >= len(COMMANDS)
