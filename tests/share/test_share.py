"""fkit share / fkit receive: round trips, stock-tool interop, and every way the other side can cheat."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from forensic_kit.share import agefile
from tests.conftest import fkit
from tests.share.helpers import FILES, World, build_world, last_event, receive, share


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed (Debian package 'age' / 'openssh-client')")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("share"))


@pytest.fixture(scope="module")
def shared(world: World) -> Path:
    out = world.base / "to-karim-giulia.age"
    r = share(world, out, "karim@pj.tn", "giulia@europol.eu")
    assert r.returncode == 0, r.stderr
    return out


def _plain_tar(world: World, file: Path) -> bytes:
    ident = agefile.load_identities(world.people["karim"].key, b"officer passphrase 42")
    out = io.BytesIO()
    with open(file, "rb") as f:
        agefile.decrypt(f, out, ident)
    return out.getvalue()


def _reencrypt(world: World, tar_bytes: bytes, dst: Path, who: str = "karim") -> Path:
    rec = agefile.parse_recipient(world.people[who].pub)
    with open(dst, "wb") as f:
        agefile.encrypt(io.BytesIO(tar_bytes), f, [rec])
    return dst


def _nothing_left(into: Path) -> None:
    assert not into.exists()
    assert not [p for p in into.parent.iterdir() if ".fkit-receiving-" in p.name]


# ----------------------------------------------------------------------------- round trips
def test_two_recipients_round_trip_and_logs(world: World, shared: Path, tmp_path: Path) -> None:
    ev = last_event(world.case)
    assert ev["action"] == "disclosed" and ev["seq"] == 2 and ev["exhibits"] == ["EX-01"]
    assert ev["released_by"] == {"name": "Amina El Idrissi", "id": "DGSN-4471", "org": "DGSN Fès"}
    d = ev["disclosure"]
    assert (d["handling"], d["channel"], d["files"], d["bytes"]) == ("H2", "SIENA", 7, sum(map(len, FILES.values())))
    assert [r["principal"] for r in d["recipients"]] == ["karim@pj.tn", "giulia@europol.eu"]
    assert all(r["bound"] for r in d["recipients"]) and ev["purpose"] == "MLA request 2026/17"
    manifest = json.loads((world.case / "fkit/manifest.json").read_bytes())
    assert d["merkle_root"] == manifest["merkle"]["root"]
    assert d["manifest_sha256"] == hashlib.sha256((world.case / "fkit/manifest.json").read_bytes()).hexdigest()
    r = fkit("custody", "verify", world.case, "--trust", world.sender_trust)
    assert r.returncode == 0, r.stderr
    for who in ("karim", "giulia"):
        into = tmp_path / f"rx-{who}"
        r = receive(world, who, shared, into)
        assert r.returncode == 0, r.stderr
        for name, data in FILES.items():
            assert (into / "data/EX-01" / name).read_bytes() == data
        first = json.loads((into / "fkit/custody.jsonl").read_text().splitlines()[0])
        assert first["action"] == "received" and first["seq"] == 1 and first["prev"] is None
        h = first["handover"]
        assert (h["from_case"], h["disclosure_seq"], h["merkle_root"]) == ("MA-2026-0042", 2, d["merkle_root"])
        assert json.loads(h["disclosure_event"]) == ev
        r = fkit("verify", into, "--trust", world.trust[who], "--json")
        assert r.returncode == 0, r.stderr
        doc = json.loads(r.stdout)
        assert doc["checks"]["custody"] == "ok" and doc["checks"]["sender:MA-2026-0042-D2"] == "ok"
        assert any(n.startswith("sender chain (MA-2026-0042): events 1, 2") for n in doc["notes"])


def test_three_recipients_with_x25519_and_age_cli(world: World, shared: Path, tmp_path: Path) -> None:
    need("age")
    need("age-keygen")
    ak = tmp_path / "x25519.key"
    subprocess.run(["age-keygen", "-o", str(ak)], check=True, capture_output=True)
    age_pub = [ln.split(": ")[1] for ln in ak.read_text().splitlines() if ln.startswith("# public key: ")][0]
    out = tmp_path / "three.age"
    r = share(world, out, "karim@pj.tn", "luca@tribunale.it", age_pub)
    assert r.returncode == 0, r.stderr
    assert b"anonymous key, not bound to a person" in r.stderr
    # fkit -> stock age: luca opens it with `age -d -i` and checks it as VERIFY.txt says
    x = tmp_path / "x"
    x.mkdir()
    dec = subprocess.run(["age", "-d", "-i", str(world.people["luca"].key), "-o", str(x / "d.tar"), str(out)],
                         capture_output=True)
    assert dec.returncode == 0, dec.stderr
    subprocess.run(["tar", "-xf", "d.tar"], cwd=x, check=True)
    top = x / "MA-2026-0042-D3"
    # the earlier disclosure (to karim and giulia, event 2) names other recipients: it is not in the excerpt
    assert [json.loads(ln)["seq"] for ln in (top / "fkit/custody-excerpt.jsonl").read_text().splitlines()] == [1, 3]
    assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=top).returncode == 0
    d = last_event(world.case)["disclosure"]
    assert hashlib.sha256((top / "SHA256SUMS").read_bytes()).hexdigest() == d["file_list_sha256"]
    for ns, principal, sig, data in (("fkit-manifest", "amina@dgsn.ma", "fkit/manifest.json.sshsig", "fkit/manifest.json"),
                                     ("fkit-custody", "amina@dgsn.ma", "fkit/disclosure.json.sshsig", "fkit/disclosure.json")):
        with open(top / data, "rb") as f:
            v = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(world.sender_trust), "-I", principal, "-n", ns,
                                "-s", str(top / sig)], stdin=f, capture_output=True)
        assert v.returncode == 0 and b"Good" in v.stdout, v.stderr
    verify_txt = (top / "VERIFY.txt").read_text()
    assert "=== كيفية التحقق" in verify_txt and "=== COMMENT VÉRIFIER" in verify_txt and "sha256sum -c SHA256SUMS" in verify_txt
    r = fkit("verify", top, "--trust", world.sender_trust)  # the extracted folder is also a `fkit prove` subset
    assert r.returncode == 0, r.stderr.decode()
    # the X25519 recipient receives with an age identity file and signs with another key
    into = tmp_path / "rx-x25519"
    r = fkit("receive", out, "-i", ak, "--sign", world.people["luca"].key, "--into", into, "--trust", world.trust["luca"])
    assert r.returncode == 0, r.stderr
    # and karim with his ssh key
    r = receive(world, "karim", out, tmp_path / "rx-karim")
    assert r.returncode == 0, r.stderr


def test_stock_age_encrypted_subset_is_accepted(world: World, shared: Path, tmp_path: Path) -> None:
    need("age")
    plain = tmp_path / "subset.tar"
    plain.write_bytes(_plain_tar(world, shared))
    out = tmp_path / "by-age-cli.age"
    enc = subprocess.run(["age", "-r", world.people["karim"].pub, "-o", str(out), str(plain)], capture_output=True)
    assert enc.returncode == 0, enc.stderr
    r = receive(world, "karim", out, tmp_path / "rx")
    assert r.returncode == 0, r.stderr


# ----------------------------------------------------------------------------- refusals
def test_non_recipient_cannot_decrypt(world: World, shared: Path, tmp_path: Path) -> None:
    into = tmp_path / "rx-eve"
    r = receive(world, "eve", shared, into)
    assert r.returncode == 1
    assert r.stderr.decode().strip().splitlines()[-1].endswith("cannot be opened: the file is not encrypted to this identity")
    _nothing_left(into)


@pytest.mark.parametrize("how", ["flipped", "truncated", "appended", "reordered", "header"])
def test_damaged_ciphertext_is_refused(world: World, shared: Path, tmp_path: Path, how: str) -> None:
    data = bytearray(shared.read_bytes())
    body = data.index(b"\n---") + 1
    body = data.index(b"\n", body) + 1 + 16  # after the header MAC line and the 16-byte nonce
    chunk = 65536 + 16
    if how == "flipped":
        data[body + 70000] ^= 0x01
    elif how == "truncated":
        data = data[:body + chunk + 100]
    elif how == "appended":
        data += b"\x00" * 17
    elif how == "reordered":
        data[body:body + 2 * chunk] = data[body + chunk:body + 2 * chunk] + data[body:body + chunk]
    else:
        second = data.index(b"-> ssh-ed25519 ", data.index(b"-> ssh-ed25519 ") + 1) + len(b"-> ssh-ed25519 ")
        while not chr(data[second]).isalpha():
            second += 1
        data[second] ^= 0x20  # the second recipient's tag, case-swapped: still valid base64, the MAC no longer holds
    bad = tmp_path / f"{how}.age"
    bad.write_bytes(bytes(data))
    into = tmp_path / "rx"
    r = receive(world, "karim", bad, into)
    assert r.returncode == 1, r.stderr
    lines = r.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr.decode()
    expected = "header was altered" if how == "header" else "is damaged: the encrypted data was altered, truncated or extended"
    assert expected in lines[0]
    _nothing_left(into)


def _rebuild(tar_bytes: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    src = tarfile.open(fileobj=io.BytesIO(tar_bytes))
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as dst:
        for m in src.getmembers():
            data = src.extractfile(m).read() if m.isfile() else None  # type: ignore[union-attr]
            for m2, d2 in change(m, data):
                dst.addfile(m2, io.BytesIO(d2) if d2 is not None else None)
    return out.getvalue()


def test_swapped_file_by_a_recipient_fails(world: World, shared: Path, tmp_path: Path) -> None:
    plain = _plain_tar(world, shared)

    def swap(m, data):  # type: ignore[no-untyped-def]
        if m.name.endswith("photo-2.jpg"):
            data = b"\x00" + data[1:]
        yield m, data

    bad = _reencrypt(world, _rebuild(plain, swap), tmp_path / "swapped.age")
    into = tmp_path / "rx"
    r = receive(world, "karim", bad, into)
    assert r.returncode == 1
    assert "data/EX-01/photo-2.jpg is MODIFIED: its content is not the sealed one" in r.stderr.decode()
    _nothing_left(into)


def test_edited_disclosure_event_fails(world: World, shared: Path, tmp_path: Path) -> None:
    plain = _plain_tar(world, shared)

    def edit(m, data):  # type: ignore[no-untyped-def]
        if m.name.endswith("fkit/custody-excerpt.jsonl"):
            data = data.replace(b'"handling":"H2"', b'"handling":"H0"')
        yield m, data

    bad = _reencrypt(world, _rebuild(plain, edit), tmp_path / "edited.age")
    r = receive(world, "karim", bad, tmp_path / "rx")
    assert r.returncode == 1
    assert "the releaser signature on sender event 2 does not match it" in r.stderr.decode()


def test_untrusted_sender_and_onward_transfer_fail(world: World, shared: Path, tmp_path: Path) -> None:
    lonely = tmp_path / "trust"
    lonely.write_text(world.trust["karim"].read_text().split("# fkit-person", 2)[0] or "")
    lonely.write_text("\n".join(ln for ln in world.trust["karim"].read_text().splitlines() if "amina" not in ln) + "\n")
    r = fkit("receive", shared, "-i", world.people["karim"].key, "--passphrase-file", world.people["karim"].passfile,
             "--into", tmp_path / "rx", "--trust", lonely)
    assert r.returncode == 1 and b"NOT in your trust list" in r.stderr
    onward = _reencrypt(world, _plain_tar(world, shared), tmp_path / "onward.age", who="luca")
    r = receive(world, "luca", onward, tmp_path / "rx2")
    assert r.returncode == 1 and b"was not addressed to your key" in r.stderr


def _evil_tar(kind: str) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as t:
        ti = tarfile.TarInfo("D/VERIFY.txt")
        ti.size = 2
        t.addfile(ti, io.BytesIO(b"hi"))
        ti = tarfile.TarInfo({"dotdot": "D/data/../../evil.txt", "absolute": "/tmp/evil.txt",
                              "symlink": "D/data/EX-01/link", "hardlink": "D/data/EX-01/hard",
                              "fifo": "D/data/EX-01/fifo", "stray": "D/stray.sh"}[kind])
        if kind == "symlink":
            ti.type, ti.linkname = tarfile.SYMTYPE, "/etc/passwd"
        elif kind == "hardlink":
            ti.type, ti.linkname = tarfile.LNKTYPE, "D/VERIFY.txt"
        elif kind == "fifo":
            ti.type = tarfile.FIFOTYPE
        else:
            ti.size = 4
        t.addfile(ti, io.BytesIO(b"evil") if ti.isfile() else None)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink", "hardlink", "fifo", "stray"])
def test_hostile_tar_members_are_refused(world: World, tmp_path: Path, kind: str) -> None:
    bad = _reencrypt(world, _evil_tar(kind), tmp_path / f"{kind}.age")
    into = tmp_path / "sub" / "rx"
    into.parent.mkdir()
    r = receive(world, "karim", bad, into)
    assert r.returncode == 1, r.stderr
    msg = r.stderr.decode().strip()
    assert len(msg.splitlines()) == 1
    assert {"dotdot": "unsafe name", "absolute": "unsafe name", "symlink": "is a symbolic link",
            "hardlink": "is a hard link", "fifo": "is a FIFO", "stray": "unexpected archive member"}[kind] in msg
    _nothing_left(into)
    assert not (tmp_path / "evil.txt").exists()


def test_changed_file_is_not_disclosed_nor_logged(tmp_path: Path) -> None:
    w = build_world(tmp_path)
    before = (w.case / "fkit/custody.jsonl").read_bytes()
    target = w.case / "data/EX-01/photo-1.jpg"
    os.chmod(target, 0o644)
    target.write_bytes(b"X" * target.stat().st_size)
    out = tmp_path / "o.age"
    r = share(w, out, "karim@pj.tn")
    assert r.returncode == 1
    assert r.stderr.decode().strip() == ("fkit: error: MA-2026-0042-D2/data/EX-01/photo-1.jpg no longer matches its "
                                         "sealed SHA-256; refusing to disclose it")
    assert not out.exists() and not (tmp_path / "o.age.part").exists()
    assert (w.case / "fkit/custody.jsonl").read_bytes() == before


def test_transfer_log_pdf(world: World, shared: Path, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    pdf = tmp_path / "transfers.pdf"
    r = fkit("report", "disclosures", world.case, "-o", pdf, "--lang", "en")
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    n = sum(1 for ln in (world.case / "fkit/custody.jsonl").read_text().splitlines() if '"action":"disclosed"' in ln)
    assert rec["disclosures"] == n and n >= 1
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for needle in ("Record of transfers (disclosures)", "Karim Trabelsi (PJ-118, Police", "Giulia Rossi (EP-2201,",
                   "MLA request 2026/17", "H2 / SIENA", "EX-01: 7 files"):
        assert needle in text, needle


def test_custody_pdf_names_the_disclosure(world: World, shared: Path, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    pdf = tmp_path / "custody.pdf"
    r = fkit("report", "custody", world.case, "-o", pdf, "--lang", "en")
    assert r.returncode == 0, r.stderr
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "disclosed (encrypted" in text, text  # the action column wraps after this


def test_paths_and_records_choose_the_files(world: World, tmp_path: Path) -> None:
    out = tmp_path / "two.age"
    recs = b"".join(json.dumps({"kind": "file", "bag_path": f"data/EX-01/photo-{i}.jpg"}).encode() + b"\n" for i in (1, 3))
    r = fkit("share", world.case, "--to", "karim@pj.tn", "--paths", "data/EX-01/video.bin", "--from-records", "-",
             "--purpose", "p", "--legal-basis", "b", "--handling", "H1", "--channel", "courier",
             "--sign", world.sender.key, "--passphrase-file", world.sender.passfile, "--trust", world.sender_trust,
             "-o", out, input=recs)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["files"] == 3
    into = tmp_path / "rx"
    assert receive(world, "karim", out, into).returncode == 0
    assert sorted(p.name for p in (into / "data/EX-01").iterdir()) == ["photo-1.jpg", "photo-3.jpg", "video.bin"]
    r = fkit("share", world.case, "--to", "karim@pj.tn", "--paths", "data/EX-01/nope.jpg", "--purpose", "p",
             "--legal-basis", "b", "--handling", "H9", "--channel", "c", "--sign", world.sender.key,
             "--passphrase-file", world.sender.passfile, "--trust", world.sender_trust, "-o", tmp_path / "x.age")
    assert r.returncode in (2, 4) and not (tmp_path / "x.age").exists()


def test_fifo_and_lying_sizes_are_refused(world: World, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.age"
    os.mkfifo(fifo)
    r = receive(world, "karim", fifo, tmp_path / "rx")
    assert r.returncode == 4 and b"not a regular file" in r.stderr
    ti = tarfile.TarInfo("D/data/EX-01/huge.bin")
    ti.size = 10**12  # claims a terabyte, carries a few bytes
    blob = ti.tobuf(tarfile.PAX_FORMAT) + b"tiny" + bytes(508)
    bad = _reencrypt(world, blob, tmp_path / "huge.age")
    into = tmp_path / "rx2"
    r = receive(world, "karim", bad, into)
    assert r.returncode == 1 and b"the archive is incomplete (no end-of-archive marker)" in r.stderr
    _nothing_left(into)


def test_verify_of_received_case_checks_the_sender_chain(world: World, shared: Path, tmp_path: Path) -> None:
    into = tmp_path / "rx"
    assert receive(world, "karim", shared, into).returncode == 0
    ledger = next((into / "fkit/received").iterdir()) / "fkit/custody-excerpt.jsonl"
    ledger.write_bytes(ledger.read_bytes().replace(b'"channel":"SIENA"', b'"channel":"e-mail"'))
    r = fkit("verify", into, "--trust", world.trust["karim"], "--json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["checks"]["sender:MA-2026-0042-D2"] == "failed"
    assert {f["code"] for f in doc["findings"]} >= {"received.custody.signature", "received.disclosure.detached"}
