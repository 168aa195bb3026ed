"""Laboratory scale: ``fkit lab verify`` over many packages, and ``--cluster`` on a real Dask
scheduler with two workers on 127.0.0.1 (output byte-identical to the local run, a worker killed
mid-run, the scheduler gone, spot checks)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from forensic_kit.lab.discover import find_packages
from forensic_kit.lab.spot import SpotChecker
from forensic_kit.lab.state import changes
from tests.conftest import fkit

PASS = {"FKIT_PASSPHRASE": "correct horse battery staple"}
DASK = Path(sys.executable).with_name("dask")


def _sealed(tmp: Path, name: str, files: int = 3) -> tuple[Path, Path]:
    """A sealed package with ``files`` payload files; returns (package, trust list)."""
    src = tmp / f"{name}-src"
    src.mkdir(parents=True)
    for i in range(files):
        (src / f"f{i}.txt").write_bytes(f"{name} {i}\n".encode())
    case = tmp / "lab" / name
    case.parent.mkdir(exist_ok=True)
    assert fkit("case", "init", case, "--case-id", name.upper(), "--agency", "A", "--officer", "O").returncode == 0
    assert fkit("acquire", src, "--into", case, "--exhibit", "EX-01").returncode == 0
    keys = tmp / "keys"
    key = keys / "o_a_ed25519"
    if not key.exists():
        assert fkit("key", "new", "--id", "o@a", "--name", "Officer O", "--out", keys, env=PASS).returncode == 0
    r = fkit("manifest", "build", case, "--sign", key, env=PASS)
    assert r.returncode == 0, r.stderr
    trust = tmp / "trust"
    kt, b64 = (keys / "o_a_ed25519.pub").read_text().split()[:2]
    trust.write_text(f'o@a namespaces="fkit-manifest,fkit-custody" {kt} {b64}\n')
    return case, trust


def test_find_packages(tmp_path: Path) -> None:
    def pkg(p: Path) -> Path:
        (p / "fkit").mkdir(parents=True)
        (p / "bagit.txt").write_text("BagIt-Version: 1.0\n")
        return p

    a = pkg(tmp_path / "2025" / "case-a")
    b = pkg(tmp_path / "2026" / "x" / "case-b")
    pkg(a / "data" / "EX-01" / "inner")  # inside a package: its payload, never searched
    (tmp_path / "link").symlink_to(tmp_path / "2025")  # not followed: no package twice
    assert find_packages([tmp_path]) == [a, b]
    assert find_packages([a, tmp_path]) == [a, b]


def test_lab_verify_local_and_state(tmp_path: Path) -> None:
    good, trust = _sealed(tmp_path, "good")
    bad, _ = _sealed(tmp_path, "bad")
    broken, _ = _sealed(tmp_path, "broken")
    (bad / "data" / "EX-01" / "f1.txt").chmod(0o644)
    (bad / "data" / "EX-01" / "f1.txt").write_bytes(b"changed\n")
    (broken / "fkit" / "manifest.json").unlink()
    state = tmp_path / "lab-state.json"
    r = fkit("lab", "verify", tmp_path / "lab", "--trust", trust, "--state", state)
    assert r.returncode == 1, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    pk = [x for x in recs if x["kind"] == "lab.package"]
    assert [(Path(x["package"]).name, x["verdict"]) for x in pk] == [
        ("bad", "findings"), ("broken", "findings" if pk[1]["exit_code"] == 1 else "unreadable"), ("good", "ok")]
    assert any(f["code"].startswith("file") or "MODIFIED" in f["message"] for f in pk[0]["findings"])
    assert [x["change"] for x in recs if x["kind"] == "lab.change"] == ["new", "new", "new"]
    text = r.stderr.decode()
    assert "fkit lab verify: 3 packages: 1 OK" in text
    # the night after: only what changed is reported
    (good / "data" / "EX-01" / "f0.txt").chmod(0o644)
    (good / "data" / "EX-01" / "f0.txt").write_bytes(b"tampered overnight\n")
    r2 = fkit("lab", "verify", tmp_path / "lab", "--trust", trust, "--state", state)
    ch = [json.loads(line) for line in r2.stdout.splitlines() if b'"lab.change"' in line]
    assert [(Path(c["package"]).name, c["change"], c["before"], c["now"]) for c in ch] == [
        ("good", "changed", "ok", "findings")]
    assert "since the last run: changed" in r2.stderr.decode()


def test_state_changes() -> None:
    before = {"/a": {"verdict": "ok", "manifest_sha256": "1"}, "/b": {"verdict": "ok", "manifest_sha256": "2"}}
    now = {"/a": {"verdict": "ok", "manifest_sha256": "9"}, "/c": {"verdict": "ok", "manifest_sha256": "3"}}
    assert [(c["package"], c["change"]) for c in changes(before, now)] == [("/a", "changed"), ("/b", "gone"), ("/c", "new")]


def test_spot_checker_catches_a_worker_that_lies(tmp_path: Path) -> None:
    f = tmp_path / "evidence.bin"
    f.write_bytes(b"real bytes")
    honest = fkit("hash", f, "--algo", "sha256").stdout.splitlines()[0]
    lie = json.loads(honest)
    lie["hashes"]["sha256"] = "0" * 64
    spot = SpotChecker(3)
    spot.add_block("tcp://10.0.0.1:1", (honest + b"\n", None))
    spot.add_records("tcp://10.0.0.2:1", [lie])
    checked, bad = spot.check(("sha256",))
    assert checked == 2
    assert [(b["worker"], b["reason"]) for b in bad] == [("tcp://10.0.0.2:1", "different digests")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_workers(address: str, n: int) -> None:
    from distributed import Client

    with Client(address, timeout=60) as c:
        c.wait_for_workers(n, timeout=120)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen[bytes]], subprocess.Popen[bytes]]]:
    """A real scheduler and two one-thread workers on 127.0.0.1 (each task sleeps 0.4 s)."""
    if not DASK.exists():
        pytest.skip("the dask command is not installed (pip install 'dask[distributed]')")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, FKIT_CLUSTER_TASK_DELAY="0.4")
    log = open(tmp_path / "dask.log", "wb")
    sched = subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                             stdout=log, stderr=log, env=env)
    workers = [subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--nworkers", "1", "--no-nanny",
                                 "--no-dashboard", "--host", "127.0.0.1"], stdout=log, stderr=log, env=env)
               for _ in range(2)]
    try:
        _wait_workers(address, 2)
        yield address, workers, sched
    finally:
        for p in [*workers, sched]:
            if p.poll() is None:
                p.kill()
            p.wait(timeout=30)
        log.close()


def _tree(root: Path, n: int) -> Path:
    for i in range(n):
        d = root / f"d{i // 100:02d}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"f{i:05d}.txt").write_bytes(f"file {i}\n".encode() * (i % 7 + 1))
    return root


def test_cluster_output_is_the_local_output_even_when_a_worker_dies(tmp_path: Path, cluster: tuple[str, list[subprocess.Popen[bytes]], subprocess.Popen[bytes]]) -> None:
    address, workers, _sched = cluster
    src = _tree(tmp_path / "src", 2600)  # 11 tasks of 256 files
    local = fkit("hash", src)
    assert local.returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "forensic_kit", "hash", str(src), "--cluster", address],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    first = os.read(proc.stdout.fileno(), 1 << 16)  # the first results are out: the run is under way
    assert first
    workers[0].send_signal(signal.SIGKILL)  # its task in flight is run again by the other worker
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert first + out == local.stdout  # same records, same order, nothing lost or duplicated
    assert workers[0].wait(timeout=30) == -signal.SIGKILL
    assert b"spot-checked here" in err and b"all agree" in err


def test_lab_verify_on_the_cluster_and_scheduler_gone(tmp_path: Path, cluster: tuple[str, list[subprocess.Popen[bytes]], subprocess.Popen[bytes]]) -> None:
    address, _workers, sched = cluster
    _sealed(tmp_path, "one")
    _, trust = _sealed(tmp_path, "two")
    local = fkit("lab", "verify", tmp_path / "lab", "--trust", trust)
    remote = fkit("lab", "verify", tmp_path / "lab", "--trust", trust, "--cluster", address, "--report",
                  tmp_path / "lab.pdf")
    assert local.returncode == remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout
    assert b"payload files spot-checked here" in remote.stderr
    if shutil.which("pdftotext"):  # the report names the cluster and the workers that did the work
        from tests.lab.test_lab_report import _text

        t = _text(tmp_path / "lab.pdf")
        assert f"Dask cluster {address}, " in t and "grappe Dask" in t and "Dask مجموعة" in t
        assert "tcp://127.0.0.1:" in t.split(f"Dask cluster {address}, ")[1].split("workers:")[1][:40]
    sched.kill()
    sched.wait(timeout=30)
    gone = fkit("hash", tmp_path / "one-src", "--cluster", address)
    assert gone.returncode == 4
    assert gone.stderr.count(b"\n") == 1 and gone.stderr.startswith(b"fkit: error: cannot reach the cluster scheduler")


def test_no_dask_without_cluster(tmp_path: Path) -> None:
    """Start-up stays as it is: nothing of Dask is imported by a local run of any command that
    takes --cluster (each run for real on a sealed package, in one process)."""
    case, trust = _sealed(tmp_path, "local")
    src = str(tmp_path / "local-src")
    runs = [["hash", src], ["verify", str(case), "--trust", str(trust), "--records"],
            ["lab", "verify", str(tmp_path / "lab"), "--trust", str(trust)], ["meta", src], ["mrz", src],
            ["phone", src]]
    code = ("import sys; from forensic_kit.cli.app import main\n"
            f"for argv in {runs!r}:\n"
            "    sys.argv = ['fkit', *argv]\n"
            "    try:\n        main()\n    except SystemExit as e:\n"
            "        assert e.code in (0, None), (argv, e.code)\n"
            "    assert not any(m.startswith(('dask', 'distributed')) for m in sys.modules), (argv, 'dask imported')\n"
            f"print('ran', {len(runs)})")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, env={**os.environ, "FKIT_CLUSTER": ""})
    assert r.returncode == 0, r.stderr
    assert r.stdout.endswith(b"ran 6\n")


def test_lab_verify_hostile_packages_never_hang_or_pass(tmp_path: Path) -> None:
    """A FIFO planted in a payload, a payload file swapped for a symlink, a truncated manifest:
    each package is reported (never "ok"), the run ends (no hang on the FIFO) with exit 1."""
    fifo_pkg, trust = _sealed(tmp_path, "fifo")
    link_pkg, _ = _sealed(tmp_path, "link")
    cut_pkg, _ = _sealed(tmp_path, "cut")
    os.mkfifo(fifo_pkg / "data" / "EX-01" / "planted")
    target = link_pkg / "data" / "EX-01" / "f1.txt"
    target.unlink()
    target.symlink_to("/etc/hostname")
    manifest = cut_pkg / "fkit" / "manifest.json"
    manifest.chmod(0o644)
    manifest.write_bytes(manifest.read_bytes()[:40])
    r = subprocess.run([sys.executable, "-m", "forensic_kit", "lab", "verify", str(tmp_path / "lab"), "--trust",
                        str(trust)], capture_output=True, timeout=120)
    assert r.returncode == 1, r.stderr
    recs = {Path(x["package"]).name: x for x in map(json.loads, r.stdout.splitlines())}
    assert sorted(recs) == ["cut", "fifo", "link"]
    assert all(x["verdict"] != "ok" for x in recs.values())
    assert b"Traceback" not in r.stderr


def test_meta_on_real_workers_is_the_local_run(tmp_path: Path, cluster: tuple[str, list[subprocess.Popen[bytes]], subprocess.Popen[bytes]]) -> None:
    """fkit meta on a real scheduler and worker processes (each batch parsed in a fresh process
    the worker starts): the local run's bytes."""
    from tests.conftest import testdata

    photos = tmp_path / "photos"
    shutil.copytree(testdata("photos", "gps"), photos)  # a copy: the shared folder's times move
    local = fkit("meta", photos)
    remote = fkit("meta", photos, "--cluster", cluster[0])
    assert local.returncode == remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout and local.stdout.count(b'"gps":{') >= 5
