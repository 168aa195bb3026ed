"""fkit training: each planted flaw is reported by the tool that reveals it, and nothing else is.

Cases are generated once per session, several at a time (generation mostly waits on fkit subprocesses).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from forensic_kit.training.case import TrainingResult, digest_tree, generate_case
from forensic_kit.training.flaws import FLAWS, parse_flaws
from forensic_kit.errors import UsageError
from tests.conftest import fkit

CASES: dict[str, list[str]] = {
    "clean": [],
    **{name: [name] for name in FLAWS},
    "combo-a": ["custody-gap", "tampered-file"],
    "combo-b": ["swapped-exhibit", "late-seal", "untrusted-signer", "wrong-timezone", "unsigned-transfer"],
}


@pytest.fixture(scope="session")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TrainingResult]:
    root = tmp_path_factory.mktemp("training")
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {k: pool.submit(generate_case, root / k, 11, flaws) for k, flaws in CASES.items()}
        return {k: f.result() for k, f in futures.items()}


def _exhibit(path: str | None) -> str | None:
    parts = (path or "").split("/")
    return parts[1] if len(parts) > 1 and parts[0] == "data" else None


def findings(r: TrainingResult) -> tuple[set[tuple[str, str | None]], dict[str, int]]:
    """(code, exhibit) of every finding of fkit verify, fkit custody verify and fkit training check; exit codes."""
    trust = str(r.trust)
    out: set[tuple[str, str | None]] = set()
    v = fkit("verify", r.case, "--trust", trust, "--json")
    report = json.loads(v.stdout)
    for f in report["findings"]:
        if not f["code"].startswith("custody."):
            out.add((f["code"], _exhibit(f.get("path"))))
    c = fkit("custody", "verify", r.case, "--trust", trust)
    recs = [json.loads(x) for x in c.stdout.splitlines()]
    custody = [x for x in recs if x["kind"] == "custody.finding"]
    out |= {(x["code"], x["exhibit"]) for x in custody}
    # fkit verify runs the same custody check: the same number of custody findings
    assert len([f for f in report["findings"] if f["code"].startswith("custody.")]) == len(custody)
    t = fkit("training", "check", r.case)
    out |= {(x["code"], x["exhibit"]) for x in map(json.loads, t.stdout.splitlines())}
    return out, {"verify": v.returncode, "custody": c.returncode, "check": t.returncode}


def test_clean_case_verifies(cases: dict[str, TrainingResult]) -> None:
    found, codes = findings(cases["clean"])
    assert found == set()
    assert codes == {"verify": 0, "custody": 0, "check": 0}


@pytest.mark.parametrize("name", [k for k in CASES if k != "clean"])
def test_exactly_the_planted_flaws(cases: dict[str, TrainingResult], name: str) -> None:
    r = cases[name]
    assert [f.name for f in r.flaws] == [n for n in FLAWS if n in CASES[name]]
    expected = {e for f in r.flaws for e in f.expected}
    found, codes = findings(r)
    assert found == expected
    check_codes = {"time.camera_offset"}  # a camera clock: no signature or ledger shows it
    assert codes["check"] == (1 if any(c in check_codes for c, _ in expected) else 0)
    assert codes["verify"] == (1 if any(c not in check_codes for c, _ in expected) else 0)
    custody = any(c in ("continuity", "signature.missing", "signature.untrusted", "seal.mismatch", "seal.late")
                  for c, _ in expected)
    assert codes["custody"] == (1 if custody else 0)


def test_wrong_timezone_shows_in_meta(cases: dict[str, TrainingResult]) -> None:
    r = cases["wrong-timezone"]
    recs = [json.loads(x) for x in fkit("meta", "--jobs", "1", "--quiet", r.case / "data" / "EX-03").stdout.splitlines()]
    assumed = sorted(Path(x["path"]).name for x in recs if (x["media"].get("capture_time") or {}).get("zone_assumed"))
    assert len(assumed) == 3  # the three Tripoli photos of the second camera
    for x in recs:
        if Path(x["path"]).name in assumed:
            assert x["media"]["model"] == "Canon PowerShot SX740 HS"
            assert x["media"]["capture_time"]["offset_from_gps"] == "+01:00"


def test_phone_links_find_the_network(cases: dict[str, TrainingResult]) -> None:
    r = cases["clean"]
    links = [json.loads(x) for x in fkit("phone", "links", r.case).stdout.splitlines()]
    phones = {x["identifier"]["value"] for x in links if x.get("kind") == "phone.link"
              and x["identifier"]["type"] == "phone" and x["exhibits"] == ["EX-01", "EX-02"]}
    shared = {v.split()[-1] for k, v in r.people.items() if k.startswith("shared_")}
    owners = {r.people["owner_1"].split()[-1], r.people["owner_2"].split()[-1]}
    assert shared <= phones
    assert phones <= shared | owners


def test_extraction_content(cases: dict[str, TrainingResult]) -> None:
    src = cases["clean"].out / "sources" / "phone-1"
    con = sqlite3.connect(f"file:{src / 'data/data/com.android.providers.telephony/databases/mmssms.db'}?mode=ro", uri=True)
    bodies = [b for (b,) in con.execute("SELECT body FROM sms")]
    con.close()
    assert len(bodies) == 15
    con = sqlite3.connect(f"file:{src / 'data/data/com.android.providers.contacts/databases/contacts2.db'}?mode=ro", uri=True)
    numbers = [n for (n,) in con.execute("SELECT number FROM calls")]
    con.close()
    assert len(numbers) == 12 and all(n.startswith(("+218", "+227", "+216", "+212", "+20", "+213")) for n in numbers)
    import phonenumbers

    assert all(phonenumbers.is_valid_number(phonenumbers.parse(n)) for n in numbers)
    fls = __import__("subprocess").run(["fls", "-r", "-d", str(cases["clean"].out / "sources" / "usb-stick.img")],
                                       capture_output=True, text=True, check=True).stdout
    assert "AIEMENT.CSV" in fls  # the deleted file's entry survives


def test_pdfs_and_marking(cases: dict[str, TrainingResult]) -> None:
    import subprocess

    r = cases["combo-a"]
    key = subprocess.run(["pdftotext", str(r.pdfs["answer_key"]), "-"], capture_output=True, text=True, check=True).stdout
    hand = subprocess.run(["pdftotext", str(r.pdfs["handout"]), "-"], capture_output=True, text=True, check=True).stdout
    for text in (key, hand):
        assert "MOCK-2025-ZUW-0011" in text and "TRAINING" in text
    assert "custody-gap" in key and "tampered-file" in key and "Corrigé".lower() in key.lower()
    assert "custody-gap" not in hand and "tampered-file" not in hand
    info = json.loads((r.case / "fkit" / "case.json").read_text("utf-8"))
    assert info["training"] is True and info["case_id"].startswith("MOCK-")
    assert json.loads((r.case / "fkit" / "manifest.json").read_text("utf-8"))["training"] is True


def test_deterministic(tmp_path: Path) -> None:
    """Same seed, options and folder: every output file is byte-identical (keys, records, manifest,
    signatures, ledger, PDFs). File times later than the step's SOURCE_DATE_EPOCH (the inode change
    time of the freshly generated sources) are clamped to it in a training case, and marked."""
    digests = []
    for _ in range(2):
        shutil.rmtree(tmp_path / "x", ignore_errors=True)
        generate_case(tmp_path / "x", 3, ["late-seal", "tampered-file"])
        digests.append(digest_tree(tmp_path / "x", skip=()))
    assert len(digests[0]) > 60
    assert [k for k in digests[0] if digests[0][k] != digests[1].get(k)] == []
    assert digests[0] == digests[1]
    rec = json.loads((tmp_path / "x" / "analysis" / "acquire-EX-03.jsonl").read_text("utf-8").splitlines()[0])
    assert rec["times"]["ctime"] == rec["times"]["clamped_to"]


def test_bad_input(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        parse_flaws("custody-gap,nope")
    assert parse_flaws("late-seal,custody-gap,late-seal") == ["custody-gap", "late-seal"]
    p = fkit("training", "new", tmp_path / "o", "--seed", "1", "--flaws", "nope")
    assert p.returncode == 2 and b"unknown flaw" in p.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    p = fkit("training", "new", tmp_path / "full", "--seed", "1")
    assert p.returncode == 4 and b"not empty" in p.stderr


def _pdf_text(pdf: Path) -> str:
    import subprocess
    import unicodedata

    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    return " ".join(unicodedata.normalize("NFKC", raw).split())


def test_custody_record_is_complete_true_and_timed(cases: dict[str, TrainingResult], tmp_path: Path) -> None:
    """Issue 16 on a real pipeline (acquire, phone --into, meta, seal, custody, case set)."""
    import re

    r = next(iter(cases.values()))
    text = _pdf_text(r.pdfs["custody_record"])
    # every case fact filled: no "not given" in any language
    assert "not given" not in text and "non renseigné" not in text and "غير مذكور" not in text
    assert "MOCK-ORD-0011/2025" in text and "MOCK legal basis for training" in text
    # counts: per exhibit from the sealed payload list, adding up to the total; no derived record counted
    listed: dict[str, int] = {}
    for line in (r.case / "manifest-sha256.txt").read_text("utf-8", "surrogateescape").splitlines():
        ex = line.split("  ", 1)[1].split("/")[1]
        listed[ex] = listed.get(ex, 0) + 1
    import subprocess

    layout = subprocess.run(["pdftotext", "-layout", str(r.pdfs["custody_record"]), "-"], capture_output=True,
                            check=True).stdout.decode().splitlines()
    for ex, n in listed.items():
        row = next(x for x in layout if x.strip().startswith(ex + " ") and "· complete" in x)
        assert row.split()[-1] == str(n), (ex, row)
    total = next(x for x in layout if x.strip().startswith("Total "))
    assert total.split()[-1] == str(sum(listed.values())) and re.fullmatch(r"Total\s+\d+", total.strip())
    # every annex row has a hash: as many 64-hex sha256 values on paper as payload files (at least)
    for line in (r.case / "manifest-sha256.txt").read_text("utf-8", "surrogateescape").splitlines()[:50]:
        assert line.split()[0] in text.replace(" ", "") or line.split()[0] in text
    # times in the event's own offset (Libya, +02:00), never converted to the profile's +01:00
    assert "(UTC+02:00)" in text and "(UTC+01:00" not in text
    # signatures named by the trust list, with the verdict and the full fingerprint
    assert "verified against trust list allowed_signers" in text
    assert "TRAINING" in text and "FORMATION" in text
    # the verification certificate: exhibit counts add up to "files"
    out = tmp_path / "v.pdf"
    v = fkit("verify", r.case, "--trust", r.trust, "--report", out, "--json")
    files = json.loads(v.stdout)["counts"]["files"]
    assert files == sum(listed.values())
    vt = _pdf_text(out)
    assert f"{files} files (" in vt
    vlayout = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True).stdout.decode()
    vtotal = next(x for x in vlayout.splitlines() if x.strip().startswith("Total "))
    assert vtotal.split() == ["Total", str(files)]
    for ex, n in listed.items():
        row = next(x for x in vlayout.splitlines() if x.strip().startswith(ex + " "))
        assert f" {n} " in row, (ex, row)
