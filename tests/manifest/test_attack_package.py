"""Whole-package attacks of issue 13, each with the verdict it must give (exit 1 unless said).

Every attack starts from a fresh copy of one sealed case with custody events (see
``attackworld.py``) and runs the real library (``verify_case``, ``bind_signers``, ``build``) or, for
what only the command line does, ``fkit`` itself. Each test appends its measured row to
``WHOLE_PACKAGE_ROWS`` (the table in docs/seal-attacks.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
from pathlib import Path

import pytest

from forensic_kit.custody import append_event, head_of, ledger_lines, new_event, sign_event
from forensic_kit.errors import CheckFailed, SealedError, UsageError
from forensic_kit.exitcodes import ExitCode
from forensic_kit.manifest.build import build
from forensic_kit.manifest.prove import prove
from forensic_kit.manifest.verify import VerifyReport
from forensic_kit.package import Case
from forensic_kit.signing import allowed_signers
from forensic_kit.signing.keys import generate_key, load_private_key
from tests.conftest import fkit
from tests.manifest.attackworld import PASS, World, add, copy_case, make_world, party, timed_verify

WHOLE_PACKAGE_ROWS: list[tuple[str, str, str]] = []
EX = "data/EX-01"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("attackpkg"))


@pytest.fixture
def case(world: World, tmp_path: Path) -> Path:
    return copy_case(world.case, tmp_path / "case")


def check(name: str, report: VerifyReport, *expected: str) -> list[str]:
    """Exit 1 and every ``expected`` code among the findings; the row goes into the table."""
    codes = [f.code for f in report.findings]
    WHOLE_PACKAGE_ROWS.append((name, ", ".join(dict.fromkeys(codes)), str(int(report.exit_code))))
    assert report.exit_code == ExitCode.CHECK_FAILED, (name, [f.message for f in report.findings])
    for code in expected:
        assert code in codes, (name, codes)
    return codes


def refused(name: str, exc: BaseException, code: int) -> None:
    import re

    text = re.sub(r"/\S*/trusted_signers", "T", f"refused: {type(exc).__name__}: {exc}").replace("|", "/")
    WHOLE_PACKAGE_ROWS.append((name, re.sub(r"SHA256:[A-Za-z0-9+/]{43}", "SHA256:…", text), str(code)))


# ----------------------------------------------------------------------------- planted proofs
def test_planted_proofs_do_not_make_a_subset(world: World, case: Path, tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    prove(world.case, [f"{EX}/photos/IMG_0001.jpg", f"{EX}/photos/IMG_0002.jpg"], sub)
    lines = (sub / "fkit/proofs.jsonl").read_bytes().splitlines(keepends=True)
    (case / "fkit/proofs.jsonl").write_bytes(lines[0])  # one line removed...
    (case / f"{EX}/photos/IMG_0002.jpg").unlink()  # ...with its file
    (case / "fkit/custody.jsonl").unlink()
    (case / "fkit/case.json").write_text("{}")
    report, _ = timed_verify(case, world.trust_text)
    assert report.kind == "case"
    check("planted fkit/proofs.jsonl + one payload file deleted + ledger deleted + case.json = {}", report,
          "file.NEW", "file.MISSING", "custody.missing", "file.MODIFIED")


# ----------------------------------------------------------------------------- the ledger
def _ledger(case: Path) -> Path:
    return case / "fkit/custody.jsonl"


def test_ledger_deleted(world: World, case: Path) -> None:
    _ledger(case).unlink()
    report, _ = timed_verify(case, world.trust_text)
    check("custody ledger deleted (rm fkit/custody.jsonl)", report, "custody.missing")


@pytest.mark.parametrize("drop", [1, 2])
def test_ledger_truncated(world: World, case: Path, drop: int) -> None:
    lines = _ledger(case).read_bytes().splitlines(keepends=True)
    _ledger(case).write_bytes(b"".join(lines[:-drop]))
    report, _ = timed_verify(case, world.trust_text)
    check(f"last {drop} custody event(s) dropped (sed '$d')", report, "custody.ledger.truncated")
    r = fkit("custody", "verify", case, "--trust", world.trust_path)
    assert r.returncode == 1 and b"events were removed" in r.stderr


def test_ledger_reordered(world: World, case: Path) -> None:
    lines = _ledger(case).read_bytes().splitlines(keepends=True)
    _ledger(case).write_bytes(lines[0] + lines[2] + lines[1])
    report, _ = timed_verify(case, world.trust_text)
    check("custody events 2 and 3 swapped", report, "custody.chain.broken", "custody.ledger.rewritten")


def test_events_after_the_seal_anchored_by_the_receipt(world: World, case: Path) -> None:
    """An event added after sealing is anchored only by the head printed on the receipt."""
    w = World(case, world.trust_text, world.trust_path, world.keys, world.key_paths)
    add(w, "karim", action="stored", exhibits=["EX-01"], by=party("karim"), at="2026-01-03T11:00",
        location="court registry, locker 7")
    head = head_of(ledger_lines(Case.open(case)))
    ok, _ = timed_verify(case, world.trust_text, expect_heads=[head])
    assert ok.exit_code == ExitCode.OK and ok.notes == [], [f.message for f in ok.findings]
    unanchored, _ = timed_verify(case, world.trust_text)
    assert unanchored.exit_code == ExitCode.OK
    assert unanchored.notes == ["Event 4 of the custody ledger came after the last anchor held outside it, so nothing "
                                "proves that no later event was removed; compare the head on your latest receipt "
                                "(--expect-head)."]
    lines = _ledger(case).read_bytes().splitlines(keepends=True)
    _ledger(case).write_bytes(b"".join(lines[:-1]))
    Case.open(case).update_tags()  # a careful attacker fixes the tag manifest too
    plain, _ = timed_verify(case, world.trust_text)
    assert plain.exit_code == ExitCode.OK  # the seal's anchor (3 events) still holds: only the receipt can tell
    report, _ = timed_verify(case, world.trust_text, expect_heads=[head])
    check("event added after sealing, then dropped; --expect-head from the receipt", report, "custody.ledger.truncated")
    r = fkit("verify", case, "--trust", world.trust_path, "--expect-head", head)
    assert r.returncode == 1 and b"events were removed" in r.stderr


# ----------------------------------------------------------------------------- people and keys
def test_impersonation_refused_at_add(world: World, case: Path) -> None:
    from forensic_kit.custody import bind_signers

    c = Case.open(case)
    ev = new_event(c, action="examined", exhibits=["EX-01"], by=party("mohamed"), at="2026-01-04T09:00")
    with pytest.raises(UsageError, match="is not the holder of the --sign key") as e1:
        bind_signers(c, ev, world.keys["amina"], None, world.trust)
    refused("custody add --by Mohamed Haddad --sign <Amina's key>", e1.value, 2)
    ev = new_event(c, action="transferred", exhibits=["EX-01"], by=party("karim"), to="Someone Else",
                   at="2026-01-04T09:00")
    with pytest.raises(UsageError, match="same key") as e2:
        bind_signers(c, ev, world.keys["karim"], world.keys["karim"], world.trust)
    refused("transfer --to 'Someone Else' co-signed with the releaser's own key", e2.value, 2)
    ev = new_event(c, action="transferred", exhibits=["EX-01"], by=party("karim"), to=party("amina"),
                   at="2026-01-04T09:00")
    with pytest.raises(UsageError, match="--to Amina El Idrissi") as e3:
        bind_signers(c, ev, world.keys["karim"], world.keys["mohamed"], world.trust)
    refused("transfer --to Amina co-signed with Mohamed's key", e3.value, 2)
    r = fkit("custody", "add", case, "--action", "examined", "--exhibits", "EX-01", "--by", "Mohamed Haddad",
             "--at", "2026-01-04T09:00", "--sign", world.key_paths["amina"], "--trust", world.trust_path,
             env={"FKIT_PASSPHRASE": PASS.decode()})
    assert r.returncode == 2 and b"is not the holder of the --sign key" in r.stderr
    assert r.stderr.count(b"\n") == 1


def test_receiver_signature_claiming_another_key(world: World, case: Path) -> None:
    """The receiver signature claims Mohamed's key id and fingerprint but is made with Karim's key."""
    c = Case.open(case)
    ev = new_event(c, action="transferred", exhibits=["EX-01"], by=party("karim"), to=party("mohamed"),
                   at="2026-01-04T09:00")
    signed = sign_event(ev, world.keys["karim"], world.keys["karim"])
    signed = sign_event(ev, world.keys["karim"], None)
    from forensic_kit.custody import NAMESPACE, event_body
    from forensic_kit.signing import sshsig

    forged = sshsig.sign(event_body(ev), world.keys["amina"], NAMESPACE).decode()
    signed["signatures"].append({"role": "receiver", "key_id": world.keys["mohamed"].key_id,
                                 "fingerprint": world.keys["mohamed"].fingerprint, "sshsig": forged})
    append_event(c, signed)
    report, _ = timed_verify(case, world.trust_text)
    check("receiver signature claims Mohamed's key_id/fingerprint, made with Amina's key", report,
          "custody.signer.mismatch", "custody.signature.claim_mismatch")
    verdict = [v for v in report.custody_report.signatures if v.seq == 4 and v.role == "receiver"][0]
    assert verdict.person is not None and verdict.person.name == "Amina El Idrissi"
    assert verdict.fingerprint == world.keys["amina"].fingerprint and verdict.names_match is False


def test_claimed_fingerprint_edited(world: World, case: Path) -> None:
    lines = _ledger(case).read_bytes().splitlines(keepends=True)
    ev = json.loads(lines[2])
    ev["signatures"][1]["fingerprint"] = world.keys["mohamed"].fingerprint
    ev["signatures"][1]["key_id"] = world.keys["mohamed"].key_id
    from forensic_kit.manifest.canonical import canonical_bytes

    lines[2] = canonical_bytes(ev) + b"\n"
    _ledger(case).write_bytes(b"".join(lines))
    report, _ = timed_verify(case, world.trust_text)
    check("event 3: receiver's claimed fingerprint/key_id edited to Mohamed's", report,
          "custody.signature.claim_mismatch", "custody.ledger.rewritten")


def test_expired_key(world: World, case: Path, tmp_path: Path) -> None:
    text = world.trust_text.replace('amina@dgsn.ma namespaces=', 'amina@dgsn.ma valid-before="20260101",namespaces=')
    report, _ = timed_verify(case, text)
    codes = check("the officer's key expired in the verifier's trust list (valid-before)", report,
                  "signature.expired", "custody.signature.expired")
    assert "signature.untrusted" not in codes


def test_attacker_reseal_with_swapped_package_list(world: World, case: Path, tmp_path: Path) -> None:
    mk = generate_key("amina@dgsn.ma", "Amina El Idrissi", tmp_path / "mallory", PASS)
    mallory = load_private_key(mk, PASS)
    (case / f"{EX}/photos/IMG_0001.jpg").write_bytes(b"planted evidence")
    c = Case.open(case)
    c.update_bag(rehash=True)
    recs = []
    for line in (case / "fkit/records.jsonl").read_text().splitlines():
        r = json.loads(line)
        if r["bag_path"].endswith("IMG_0001.jpg"):
            r["hashes"]["sha256"] = hashlib.sha256(b"planted evidence").hexdigest()
        recs.append(json.dumps(r, ensure_ascii=False, sort_keys=True))
    (case / "fkit/records.jsonl").write_text("\n".join(recs) + "\n")
    with pytest.raises(CheckFailed, match="refusing to seal revision 2") as e:
        build(c, mallory, reason="update")
    refused("re-seal after editing a file and both lists (issue item 4)", e.value, 1)
    shutil.rmtree(case / "fkit/revisions")
    (case / "fkit/manifest.json").unlink()
    (case / "fkit/allowed_signers").unlink()
    allowed_signers.add(c, mallory)
    build(c, mallory)
    report, _ = timed_verify(case, world.trust_text)
    check("attacker re-seals with her own key and a swapped package allowed_signers", report,
          "signature.untrusted")


def test_reseal_after_editing_lists_and_acquiring(world: World, case: Path) -> None:
    """Issue item 4: edit a file, put its hash in both lists, acquire EX-02, seal again: refused."""
    target = case / f"{EX}/docs/محضر.txt"
    target.write_bytes(b"edited")
    c = Case.open(case)
    c.update_bag(rehash=True)
    recs = []
    for line in (case / "fkit/records.jsonl").read_text().splitlines():
        r = json.loads(line)
        if r["bag_path"] == f"{EX}/docs/محضر.txt":
            r["hashes"]["sha256"] = hashlib.sha256(b"edited").hexdigest()
        recs.append(json.dumps(r, ensure_ascii=False, sort_keys=True))
    (case / "fkit/records.jsonl").write_text("\n".join(recs) + "\n")
    with pytest.raises(SealedError):
        c.require_unsealed("acquiring EX-02")
    _acquire(c, "EX-02", {"b.txt": b"second exhibit"})
    with pytest.raises(CheckFailed, match="refusing to seal revision 2"):
        build(c, world.keys["amina"], reason="EX-02 acquired")
    report, _ = timed_verify(case, world.trust_text)
    check("edit + both lists fixed + EX-02 acquired, then fkit verify", report, "file.MODIFIED")


def _acquire(c: Case, ex: str, files: dict[str, bytes]) -> None:
    """What acquire adds: payload files, the exhibit sheet, records, the lists."""
    lines = []
    for name, data in files.items():
        p = c.data_dir / ex / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        lines.append(json.dumps({"kind": "file", "exhibit": ex, "bag_path": f"data/{ex}/{name}", "size": len(data),
                                 "hashes": {"sha256": hashlib.sha256(data).hexdigest()}}, sort_keys=True) + "\n")
    c.write_exhibit(ex, {"id": ex, "description": "second exhibit"})
    c.append_records("".join(lines).encode())
    c.update_bag()


def test_revisions_chain(world: World, case: Path) -> None:
    """A legitimate revision 2 verifies with its history; the kept revision 1 cannot be edited or removed."""
    c = Case.open(case)
    c.require_unsealed("acquiring EX-02", new_revision=True)
    _acquire(c, "EX-02", {"b.txt": b"second exhibit"})
    w = World(case, world.trust_text, world.trust_path, world.keys, world.key_paths)
    add(w, "amina", action="seized", exhibits=["EX-02"], by=party("amina"), at="2026-01-05T09:00")
    with pytest.raises(UsageError, match="--reason"):
        build(c, world.keys["amina"])
    result = build(c, world.keys["amina"], reason="EX-02 acquired after the seizure", trusted=world.trust_text)
    assert result.revision == 2
    report, _ = timed_verify(case, world.trust_text)
    assert report.exit_code == ExitCode.OK, [f.message for f in report.findings]
    assert [(r["number"], r["reason"]) for r in report.revisions] == [(1, None), (2, "EX-02 acquired after the seizure")]
    assert [r["person"]["name"] for r in report.revisions] == ["Amina El Idrissi", "Amina El Idrissi"]
    kept = case / "fkit/revisions/1/manifest.json"
    t = copy_case(case, case.parent / "t1")
    (t / "fkit/revisions/1/manifest.json").write_bytes(kept.read_bytes().replace(b'"EX-01"', b'"EX-09"', 1))
    r1, _ = timed_verify(t, world.trust_text)
    check("revision 2 sealed; the kept revision 1 manifest edited", r1, "revision.link", "signature.bad")
    t2 = copy_case(case, case.parent / "t2")
    shutil.rmtree(t2 / "fkit/revisions/1")
    r2, _ = timed_verify(t2, world.trust_text)
    check("revision 2 sealed; fkit/revisions/1 removed", r2, "revision.missing")


# ----------------------------------------------------------------------------- unsealed parts
@pytest.mark.parametrize("what", ["bag-info.txt", "bagit.txt", "VERIFY.txt", "tagmanifest-sha256.txt",
                                  "notes.txt", "manifest-md5.txt", "data-symlink"])
def test_unsealed_parts(world: World, case: Path, tmp_path: Path, what: str) -> None:
    if what == "notes.txt":
        (case / "notes.txt").write_text("planted")
        expected = "file.NEW"
    elif what == "manifest-md5.txt":
        (case / "manifest-md5.txt").write_text("d41d8cd98f00b204e9800998ecf8427e  data/EX-01/empty.bin\n")
        expected = "file.NEW"
    elif what == "data-symlink":
        outside = tmp_path / "outside"
        shutil.copytree(case / EX, outside)
        shutil.rmtree(case / EX)
        (case / EX).symlink_to(outside)
        expected = "file.SYMLINK"
    elif what == "tagmanifest-sha256.txt":
        p = case / what
        data = p.read_bytes()
        p.write_bytes((b"0" if data[:1] != b"0" else b"1") + data[1:])
        expected = "tagmanifest.mismatch"
    else:
        p = case / what
        p.write_bytes(p.read_bytes().replace(b":", b": ", 1))
        expected = "file.MODIFIED"
    report, _ = timed_verify(case, world.trust_text)
    check({"data-symlink": "data/EX-01 replaced by a symlink to a folder outside the package"}.get(
        what, f"edit / add {what}"), report, expected)


@pytest.mark.parametrize("kind", ["fifo", "socket", "device"])
def test_special_files_never_opened(world: World, case: Path, kind: str) -> None:
    p = case / EX / "x"
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "socket":
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(p))
        s.close()
    else:
        if os.geteuid() != 0:
            pytest.skip("mknod of a device node needs root")
        os.mknod(p, 0o600 | 0o020000, os.makedev(1, 3))  # /dev/null's numbers
    report, seconds = timed_verify(case, world.trust_text)
    assert seconds < 60
    check(f"a {kind} planted in data/EX-01", report, "file.SPECIAL")


def test_misleading_verdicts_fixed(world: World, case: Path, tmp_path: Path) -> None:
    (case / "fkit/case.json").write_text('{"case_id": "OTHER"}\n')
    report, _ = timed_verify(case, world.trust_text)
    check("fkit/case.json edited", report, "file.MODIFIED")
    c2 = copy_case(world.case, tmp_path / "c2")
    (c2 / "bagit.txt").unlink()
    report, _ = timed_verify(c2, world.trust_text)
    check("bagit.txt deleted", report, "file.MISSING")
    c3 = copy_case(world.case, tmp_path / "c3")
    (c3 / "manifest-sha256.txt").write_bytes(b"\xff\xfe not a list\n")
    (c3 / "fkit/records.jsonl").write_bytes(b"[1, 2]\n\xff\n")
    report, _ = timed_verify(c3, world.trust_text)
    check("both lists corrupted (manifest-sha256.txt and records.jsonl)", report, "file.MODIFIED")
    c4 = copy_case(world.case, tmp_path / "c4")
    (c4 / "fkit/manifest.json").unlink()
    report, _ = timed_verify(c4, world.trust_text)
    codes = check("fkit/manifest.json deleted", report, "manifest.missing")
    assert "manifest.json missing" in report.findings[codes.index("manifest.missing")].message
    (c4 / f"{EX}/photos/IMG_0001.jpg").unlink()
    (c4 / f"{EX}/photos/IMG_0001.jpg").mkdir()
    report, _ = timed_verify(copy_case(world.case, tmp_path / "c5"), world.trust_text)
    assert report.exit_code == ExitCode.OK


def test_binary_trust_and_bad_proof_lines(world: World, case: Path, tmp_path: Path) -> None:
    binary = tmp_path / "trust.bin"
    binary.write_bytes(b"\x00\xff\xfe" * 100)
    r = fkit("verify", case, "--trust", binary)
    assert r.returncode == 4 and r.stderr.count(b"\n") == 1 and b"--trust" in r.stderr
    assert b"internal error" not in r.stderr
    WHOLE_PACKAGE_ROWS.append(("a binary --trust file", "one line naming --trust (could not run)", "4"))
    sub = tmp_path / "sub"
    prove(world.case, [f"{EX}/photos/IMG_0001.jpg"], sub)
    (sub / "fkit/proofs.jsonl").write_bytes((sub / "fkit/proofs.jsonl").read_bytes() + b'[1, 2]\n"text"\n')
    report, _ = timed_verify(sub, world.trust_text)
    check("proof lines that are not JSON objects", report, "proof.malformed")


def test_merkle_proof_forgeries(world: World, tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    prove(world.case, [f"{EX}/photos/IMG_0001.jpg", f"{EX}/photos/IMG_0002.jpg"], sub)
    proofs = (sub / "fkit/proofs.jsonl").read_bytes().splitlines(keepends=True)

    def variant(name: str) -> Path:
        return copy_case(sub, tmp_path / name)

    t = variant("leaf")
    e = json.loads(proofs[0])
    e["record"] = e["record"].replace('"size":', '"size": ')
    (t / "fkit/proofs.jsonl").write_text(json.dumps(e) + "\n" + proofs[1].decode())
    check("Merkle proof: altered leaf (record)", timed_verify(t, world.trust_text)[0], "proof.invalid")
    t = variant("sibling")
    e = json.loads(proofs[0])
    e["proof"][0] = "00" * 32
    (t / "fkit/proofs.jsonl").write_text(json.dumps(e) + "\n" + proofs[1].decode())
    check("Merkle proof: altered sibling", timed_verify(t, world.trust_text)[0], "proof.invalid")
    other = make_world_case_proof(world, tmp_path)
    t = variant("foreign")
    (t / "fkit/proofs.jsonl").write_bytes(proofs[0] + other)
    check("Merkle proof: a proof from another sealed case", timed_verify(t, world.trust_text)[0], "proof.invalid")
    t = variant("notlisted")
    e = json.loads(proofs[0])
    rec = json.loads(e["record"])
    rec["bag_path"] = f"{EX}/photos/planted.jpg"
    e["record"], e["bag_path"] = json.dumps(rec, sort_keys=True), rec["bag_path"]
    (t / f"{EX}/photos/planted.jpg").write_bytes(b"x")
    (t / "fkit/proofs.jsonl").write_text(json.dumps(e) + "\n" + proofs[1].decode())
    check("Merkle proof: a file not in the manifest", timed_verify(t, world.trust_text)[0], "proof.invalid")
    t = variant("dup")
    (t / "fkit/proofs.jsonl").write_bytes(proofs[0] + proofs[0] + proofs[1])
    check("Merkle proof: duplicated proof line", timed_verify(t, world.trust_text)[0], "proof.duplicate")
    t = variant("link")
    target = t / f"{EX}/photos/IMG_0001.jpg"
    twin = tmp_path / "twin.jpg"
    twin.write_bytes(target.read_bytes())
    target.unlink()
    target.symlink_to(twin)
    check("Merkle proof: the disclosed file is a symlink (to the right bytes)", timed_verify(t, world.trust_text)[0],
          "file.MODIFIED")


def make_world_case_proof(world: World, tmp_path: Path) -> bytes:
    """A proof line from another sealed case (same officer's key, other content)."""
    from tests.manifest.helpers import make_case

    root = make_case(tmp_path / "other", {"a.txt": b"other case A", "b.txt": b"other case B"})
    build(Case.open(root), world.keys["amina"])
    out = tmp_path / "other-sub"
    prove(root, ["data/EX-01/a.txt"], out)
    e = json.loads((out / "fkit/proofs.jsonl").read_bytes())
    rec = json.loads(e["record"])
    rec["bag_path"] = f"{EX}/photos/IMG_0002.jpg"
    rec["hashes"]["sha256"] = hashlib.sha256((world.case / rec["bag_path"]).read_bytes()).hexdigest()
    e["record"], e["bag_path"] = json.dumps(rec, sort_keys=True), rec["bag_path"]
    return json.dumps(e).encode() + b"\n"


def test_planted_names_reach_the_terminal_escaped(world: World, case: Path) -> None:
    evil = "\x1b[2J\x1b[32mOK\u202egpj.exe"
    (case / EX / evil).write_bytes(b"planted")
    r = fkit("verify", case, "--trust", world.trust_path)
    assert r.returncode == 1
    assert b"\x1b" not in r.stderr and "\u202e".encode() not in r.stderr
    assert b"\\x1b[2J\\x1b[32mOK\\u202egpj.exe is NEW" in r.stderr
    WHOLE_PACKAGE_ROWS.append(("a payload file named with ESC sequences and U+202E", "file.NEW, shown as "
                               "`\\x1b[2J\\x1b[32mOK\\u202egpj.exe` on stderr", "1"))


def test_write_doc() -> None:
    """``FKIT_ATTACK_DOC=1``: write docs/seal-attacks.md from the rows the two test modules measured."""
    if not os.environ.get("FKIT_ATTACK_DOC"):
        pytest.skip("FKIT_ATTACK_DOC not set: the table is written only on purpose")
    from tests.manifest import test_attack_matrix

    assert test_attack_matrix.MATRIX_ROWS and WHOLE_PACKAGE_ROWS
    test_attack_matrix.write_doc(test_attack_matrix.MATRIX_ROWS, WHOLE_PACKAGE_ROWS)
