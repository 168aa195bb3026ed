"""``--cluster`` on verify (and the triage commands): the output of a cluster run is the local
run's, byte for byte; a worker that lies is caught by the client's spot checks.

The quick cases use one in-process ``LocalCluster`` (two one-thread workers, TCP on 127.0.0.1)
for the whole module; the kill and scheduler-gone cases are in ``test_lab.py`` (real processes).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from forensic_kit.manifest import payload
from forensic_kit.manifest.verify import verify_case
from tests.conftest import fkit
from tests.lab.test_lab import _sealed

distributed = pytest.importorskip("distributed", reason="the 'distributed' package is not installed")


@pytest.fixture(scope="module")
def local_cluster() -> Iterator[Any]:
    """(address, client) of an in-process LocalCluster with two one-thread workers over TCP."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        with distributed.Client(cluster, set_as_default=False) as client:
            yield cluster.scheduler_address, client


def _tampered(tmp: Path) -> tuple[Path, Path]:
    """A sealed package of 40 files, then changed every way a payload can change."""
    case, trust = _sealed(tmp, "tampered", files=40)
    ex = case / "data" / "EX-01"
    (ex / "f3.txt").chmod(0o644)
    (ex / "f3.txt").write_bytes(b"changed\n")  # MODIFIED
    (ex / "f5.txt").unlink()  # MISSING
    os.rename(ex / "f7.txt", ex / "moved.txt")  # MOVED
    (ex / "planted.txt").write_bytes(b"new\n")  # NEW
    return case, trust


def test_verify_on_the_cluster_is_the_local_run(tmp_path: Path, local_cluster: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    case, trust = _tampered(tmp_path)
    trusted = trust.read_text()
    monkeypatch.setattr(payload, "_CLUSTER_BATCH", 3)  # 14 tasks: order across tasks is tested

    def run(cluster: Any) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, int]]:
        recs: list[dict[str, Any]] = []
        report = verify_case(case, trusted, 2, recs.append, cluster=cluster, spot_check=2)
        return recs, report.as_dict(), report.spot

    local_recs, local_doc, local_spot = run(None)
    remote_recs, remote_doc, remote_spot = run(local_cluster[1])
    assert remote_recs == local_recs
    assert remote_doc == local_doc
    assert sorted(r["verdict"] for r in local_recs if r["verdict"] != "OK") == ["MISSING", "MODIFIED", "MOVED", "NEW"]
    assert local_doc["exit_code"] == 1
    assert local_spot == {} and remote_spot["checked"] == 2 * remote_spot["workers"] >= 2


def test_verify_cli_cluster_output_is_byte_identical(tmp_path: Path, local_cluster: Any) -> None:
    case, trust = _tampered(tmp_path)
    address = local_cluster[0]
    for flag in ("--records", "--json"):
        local = fkit("verify", case, "--trust", trust, flag)
        remote = fkit("verify", case, "--trust", trust, flag, "--cluster", address)
        assert local.returncode == remote.returncode == 1, remote.stderr
        assert remote.stdout == local.stdout
        assert b"payload files spot-checked here" in remote.stderr and b"all agree" in remote.stderr
    ok, _ = _sealed(tmp_path, "clean", files=5)
    r = fkit("verify", ok, "--trust", trust, "--cluster", address, "-q")
    assert r.returncode == 0, r.stderr


class _LyingClient:
    """A stand-in for ``distributed.Client`` whose one worker says every file is what was sealed:
    it answers the sealed digest of each path instead of hashing it."""

    def __init__(self, sealed: dict[bytes, str]) -> None:
        self.sealed = sealed

    def nthreads(self) -> dict[str, int]:
        return {"tcp://10.9.9.9:1": 1}

    def submit(self, fn: Callable[..., Any], wrapped: Callable[..., Any], args: tuple[Any, ...],
               **_kw: Any) -> Any:
        paths = args[0].split(b"\0")
        packed, errors = wrapped(*args)
        results = payload.unpack_hashed(packed, errors)
        lies = [(bytes.fromhex(self.sealed.get(p, "00" * 32)), r[1]) for p, r in zip(paths, results)]
        answer = ("tcp://10.9.9.9:1", (b"".join(payload._PACK.pack(d, s) for d, s in lies), []))

        class _Done:
            def result(self) -> Any:
                return answer

            def cancel(self) -> None:
                pass

        return _Done()


def test_a_worker_that_lies_is_a_finding(tmp_path: Path) -> None:
    case, trust = _sealed(tmp_path, "lied", files=2)
    target = case / "data" / "EX-01" / "f1.txt"
    sealed = {}
    for line in (case / "manifest-sha256.txt").read_text().splitlines():
        digest, _, rel = line.partition("  ")
        sealed[os.fsencode(case) + b"/" + rel.encode()] = digest
    target.chmod(0o644)
    target.write_bytes(b"LIED 1\n")  # same size, other content: the worker says it is unchanged
    report = verify_case(case, trust.read_text(), cluster=_LyingClient(sealed), spot_check=5)
    assert [(f.code, f.path) for f in report.findings] == [("cluster.spot_check", "data/EX-01/f1.txt")]
    assert "10.9.9.9" in report.findings[0].message
    assert report.exit_code == 1
    assert report.checks["payload"] == "failed"
    assert report.spot == {"checked": 2, "workers": 1}
    honest = verify_case(case, trust.read_text())
    assert [f.code for f in honest.findings] == ["file.MODIFIED"]


def test_meta_mrz_phone_on_the_cluster_are_the_local_runs(tmp_path: Path, local_cluster: Any) -> None:
    from tests.conftest import testdata

    address = local_cluster[0]
    # copies: the shared folder's times change when other runs touch it, and times are in the records
    photos = tmp_path / "gps"
    shutil.copytree(testdata("photos", "gps"), photos)
    local = fkit("meta", photos)
    remote = fkit("meta", photos, "--cluster", address)
    assert local.returncode == remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout and local.stdout.count(b"\n") >= 10
    assert remote.stderr.startswith(local.stderr)  # the same summary line, then the spot checks
    assert remote.stderr[len(local.stderr):].startswith(b"  cluster: 3 files parsed again here (3 per worker, 1 workers)")
    docs = tmp_path / "docs"
    shutil.copytree(testdata("docs", "mrz", "images", "passporteye-tests"), docs)
    local = fkit("mrz", docs, "--seizure-date", "2026-01-01")
    remote = fkit("mrz", docs, "--seizure-date", "2026-01-01", "--cluster", address)
    assert local.returncode == remote.returncode, remote.stderr
    assert remote.stdout == local.stdout and local.stdout.count(b'"kind":"doc.mrz"') >= 2
    assert remote.stderr.endswith(b"\n  cluster: 3 files read again here (3 per worker, 1 workers): all agree\n")
    src = tmp_path / "android"
    src.mkdir()
    for name in ("mmssms.db", "contacts2.db"):
        shutil.copy(testdata("phone", "android", name), src / name)
    csv_l, csv_r = tmp_path / "csv-local", tmp_path / "csv-remote"
    local = fkit("phone", src, "-e", "EX-01", "--region", "us", "--csv", csv_l)
    remote = fkit("phone", src, "-e", "EX-01", "--region", "us", "--csv", csv_r, "--cluster", address)
    assert local.returncode == remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout and local.stdout.count(b'"kind":"phone.message"') == 9
    assert remote.stderr == local.stderr
    assert sorted(p.name for p in csv_l.iterdir()) == sorted(p.name for p in csv_r.iterdir())
    assert all((csv_l / p.name).read_bytes() == p.read_bytes() for p in csv_r.iterdir())


def test_relative_paths_are_refused_on_a_cluster(tmp_path: Path, local_cluster: Any) -> None:
    """A worker reads from its own current folder: a relative path would make it read another
    file (a confident wrong answer). One line, exit 2, nothing on stdout."""
    address = local_cluster[0]
    (tmp_path / "f.txt").write_bytes(b"x")
    for cmd in (["hash", "f.txt"], ["meta", "f.txt"], ["mrz", "f.txt"], ["phone", "f.txt"]):
        r = fkit(*cmd, "--cluster", address, cwd=tmp_path)
        assert r.returncode == 2, (cmd, r.stderr)
        assert r.stdout == b"" and r.stderr.count(b"\n") == 1 and b"give absolute paths" in r.stderr, (cmd, r.stderr)


def test_meta_spot_check_catches_a_worker_that_lies(tmp_path: Path) -> None:
    from forensic_kit.filehash import walk
    from forensic_kit.lab.spot import SpotChecker
    from forensic_kit.media.runner import MetaOptions, media_records
    from tests.conftest import testdata

    photos = tmp_path / "gps"
    shutil.copytree(testdata("photos", "gps"), photos)
    items = list(walk([os.fsencode(photos)]))[:4]
    recs = list(media_records(items, MetaOptions(), 1))
    honest, liar = SpotChecker(2), SpotChecker(2)
    honest.add_pairs("tcp://10.0.0.1:1", list(zip(items, recs)))
    lies = [dict(r, media=dict(r["media"], gps={"latitude": 0.0, "longitude": 0.0})) for r in recs]
    liar.add_pairs("tcp://10.0.0.2:1", list(zip(items, lies)))
    assert honest.check_meta(MetaOptions()) == (2, [])
    checked, bad = liar.check_meta(MetaOptions())
    assert checked == 2 and [b["worker"] for b in bad] == ["tcp://10.0.0.2:1"] * 2


def test_mrz_spot_check_catches_a_worker_that_lies(tmp_path: Path) -> None:
    import datetime as dt

    from forensic_kit.filehash import walk
    from forensic_kit.lab.spot import SpotChecker
    from forensic_kit.mrz import scan
    from tests.conftest import testdata

    docs = tmp_path / "docs"
    shutil.copytree(testdata("docs", "mrz", "images", "passporteye-tests"), docs)
    opts = scan.Options(dt.date(2026, 1, 1), "test")
    items = [i for i in walk([os.fsencode(docs)]) if i.path.endswith((b".png", b".jpg"))]
    per_item = [list(scan.scan([i], opts, scan.Stats())) for i in items]
    assert all(per_item)
    honest, liar = SpotChecker(5), SpotChecker(5)
    honest.add_pairs("tcp://10.0.0.1:1", list(zip(items, per_item)))
    liar.add_pairs("tcp://10.0.0.2:1", [(i, []) for i in items])  # "no document in these images"
    assert scan.check_again(honest, opts) == (len(items), [])
    checked, bad = scan.check_again(liar, opts)
    assert checked == len(items) and [b["worker"] for b in bad] == ["tcp://10.0.0.2:1"] * len(items)


class _NoMountClient(_LyingClient):
    """A worker without the evidence mount: every file it is sent is "No such file"."""

    def submit(self, fn: Callable[..., Any], wrapped: Callable[..., Any], args: tuple[Any, ...],
               **_kw: Any) -> Any:
        n = len(args[0].split(b"\0"))
        answer = ("tcp://10.9.9.8:1", (payload._PACK.pack(bytes(32), 0) * n,
                                       [(i, 0, "No such file or directory", "ENOENT") for i in range(n)]))

        class _Done:
            def result(self) -> Any:
                return answer

            def cancel(self) -> None:
                pass

        return _Done()


def test_a_worker_without_the_mount_never_makes_files_missing(tmp_path: Path) -> None:
    """Every "missing" or "unreadable" answer is confirmed by the client before it becomes a
    verdict: a worker that lacks the mount is a spot-check finding, never MISSING files."""
    case, trust = _sealed(tmp_path, "nomount", files=3)
    report = verify_case(case, trust.read_text(), cluster=_NoMountClient({}), spot_check=3)
    assert report.counts["OK"] == 3 and report.counts["MISSING"] == 0
    assert [(f.code, f.path) for f in report.findings] == [
        ("cluster.spot_check", f"data/EX-01/f{i}.txt") for i in range(3)]
    assert "reported no digest" in report.findings[0].message and "10.9.9.8" in report.findings[0].message
    assert report.exit_code == 1


def test_phone_into_a_case_with_known_sets_on_the_cluster_keeps_the_local_records(
        tmp_path: Path, local_cluster: Any) -> None:
    """``--cluster`` with ``--into`` and ``--known-bad`` together: the records kept in the case (run
    field, known marks) are the local run's bytes, and a rerun on the cluster replaces, never
    duplicates."""
    from tests.conftest import testdata

    address = local_cluster[0]
    src = tmp_path / "android"
    src.mkdir()
    for name in ("mmssms.db", "contacts2.db"):
        shutil.copy(testdata("phone", "android", name), src / name)
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "a.txt").write_text("a\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("0" * 64 + "  x\n")
    kept = []
    for name, extra in (("local", []), ("remote", ["--cluster", address])):
        case = tmp_path / name
        assert fkit("case", "init", case, "--case-id", "EU-1", "--agency", "A", "--officer", "O",
                    "--profile", "eu").returncode == 0
        assert fkit("acquire", usb, "--into", case, "--exhibit", "EX-01").returncode == 0
        for _ in range(2):
            r = fkit("phone", src, "-e", "EX-01", "--region", "us", "--into", case, "--known-bad", bad, *extra)
            assert r.returncode == 0, r.stderr
        lines = (case / "fkit" / "records.jsonl").read_bytes().splitlines()
        kept.append([line for line in lines if b'"run":{"command":"phone"' in line])
    assert kept[0] == kept[1] and len(kept[0]) == 13
    assert sum(b'"kind":"phone.message"' in line for line in kept[0]) == 9


def test_meta_into_keeps_nothing_when_a_worker_lies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real CLI against a real cluster whose worker moves every photo to (0, 0): the spot check
    fails (exit 1), each lie is named on stderr, and the case's records file is left byte-identical.
    The workers run in this process's threads and find ``meta_batch`` by name here, so patching it
    makes them lie; the CLI (another process) keeps the honest function for its own re-reads. The
    cluster is this test's own: workers cache the functions they were sent, so the module's cluster
    would go on lying to the tests after this one."""
    from forensic_kit.media import remote
    from tests.conftest import testdata
    from tests.manifest.helpers import make_case

    honest = remote.meta_batch

    def lying_batch(items: list[Any], options: Any) -> list[Any]:
        return [dict(r, media=dict(r["media"], gps={"latitude": 0.0, "longitude": 0.0}))
                if r.get("kind") == "file" and r.get("media") else r for r in honest(items, options)]

    monkeypatch.setattr(remote, "meta_batch", lying_batch)
    case = make_case(tmp_path / "case")
    before = (case / "fkit/records.jsonl").read_bytes()
    photos = tmp_path / "gps"
    shutil.copytree(testdata("photos", "gps"), photos)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                                  host="127.0.0.1", dashboard_address=":0") as cluster:
        r = fkit("meta", photos, "--into", case, "--exhibit", "EX-01", "--cluster", cluster.scheduler_address)
    err = r.stderr.decode().splitlines()
    assert r.returncode == 1, err
    lies = [line for line in err if line.startswith("fkit: error: spot check: worker ")]
    assert len(lies) == 3 and all(" than this machine reads" in line for line in lies), "\n".join(err)
    assert err[-1] == f"fkit: error: nothing kept in {case}/fkit/records.jsonl: a worker's answers failed the spot check"
    assert (case / "fkit/records.jsonl").read_bytes() == before
