"""``fkit mrz`` end to end: generated documents, hostile images, watchlists, stdin records, CSV, cases."""

from __future__ import annotations

import csv
import json
import random
import struct
import zlib
from pathlib import Path

import pytest

from forensic_kit.mrz.watchlist import Watchlist
from tests.conftest import fkit
from tests.mrz import synth

GOOD = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]


def _records(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.decode().splitlines()]


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of generated documents: one per layout (flat), two photo-like, one spoiled."""
    folder = tmp_path_factory.mktemp("docs")
    rng = random.Random(20261206)
    truth = {}
    for fmt in ("TD1", "TD2", "TD3", "MRVA", "MRVB"):
        card = synth.render_card(rng, synth.random_mrz(rng, fmt), 12.0)
        s = synth.Sample(synth.random_mrz(rng, fmt), None, b"", "flat")
        card = synth.render_card(rng, s.lines, 12.0)
        card.save(folder / f"{fmt}.png")
        truth[f"{fmt}.png"] = s.lines
    sub = folder / "sub"
    sub.mkdir()
    for i in range(2):
        s = synth.sample(rng, "photo")
        (sub / f"photo{i}.jpg").write_bytes(s.image)
        truth[f"photo{i}.jpg"] = s.lines
    (folder / "truth.json").write_text(json.dumps(truth))
    return folder


def test_reads_every_layout_exactly(docs: Path) -> None:
    res = fkit("mrz", docs, "--seizure-date", "2026-12-06")
    recs = [r for r in _records(res.stdout) if r["kind"] == "doc.mrz"]
    truth = json.loads((docs / "truth.json").read_text())
    got = {Path(r["path"]).name: r["lines"] for r in recs}
    assert got == truth
    assert b"Traceback" not in res.stderr
    r = next(r for r in recs if r["path"].endswith("TD3.png"))
    assert r["mrz"]["format"] == "TD3" and r["locator"]["relpath"] == "TD3.png"
    assert len(r["image"]["hashes"]["sha256"]) == 64 and len(r["corners"]) == 4
    assert r["corners"][0][0] < r["corners"][1][0] and r["corners"][1][1] < r["corners"][2][1]  # top-left first, clockwise
    assert [c["name"] for c in r["checks"]] == ["document_number", "birth_date", "expiry_date", "optional_data", "composite"]
    assert r["reference_date"] == {"date": "2026-12-06", "source": "--seizure-date"}
    # expired documents are reported, other findings make the exit code 1
    flagged = any(rec["flagged"] for rec in recs)
    assert res.returncode == (1 if flagged else 0)


def _png(width: int, height: int) -> bytes:
    """A valid PNG header claiming ``width`` × ``height`` (a decompression bomb's shape)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    raw = zlib.compress(b"\0" * 1024)
    idat = b"IDAT" + raw
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
            + struct.pack(">I", len(raw)) + idat + struct.pack(">I", zlib.crc32(idat)) + b"\0\0\0\0IEND\xaeB`\x82")


def test_hostile_images_one_line_each_exit_3(tmp_path: Path) -> None:
    rng = random.Random(3)
    s = synth.sample(rng, "flat", "TD3")
    (tmp_path / "bomb.png").write_bytes(_png(60000, 60000))
    (tmp_path / "wide.png").write_bytes(_png(1_000_000, 1))
    (tmp_path / "trunc.jpg").write_bytes(synth.sample(rng, "photo").image[:3000])
    (tmp_path / "empty.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "fake.pdf").write_bytes(b"%PDF-1.4 not really")
    (tmp_path / "notes.txt").write_text("P<UTO just text")
    res = fkit("mrz", tmp_path)
    assert res.returncode == 3
    assert b"Traceback" not in res.stderr
    errors = {Path(r["path"]).name: r["error"] for r in _records(res.stdout) if r["kind"] == "error"}
    assert set(errors) == {"bomb.png", "wide.png", "trunc.jpg", "empty.jpg", "fake.pdf"}
    assert errors["bomb.png"]["reason"].startswith(
        "decompression bomb refused: Image size (3600000000 pixels) exceeds limit of 80000000 pixels")
    assert errors["wide.png"]["reason"].startswith("cannot decode PNG: ")
    assert all("\n" not in e["reason"] for e in errors.values())
    assert b"1 files not images" in res.stderr
    del s


def test_watchlist_forms_hits_and_exit_1(tmp_path: Path) -> None:
    img = tmp_path / "p.png"
    synth.render_card(random.Random(1), GOOD, 12.0).save(img)
    lists = {
        "wl.csv": "number,state,status,note\nL898902C3,UTO,stolen,INTERPOL notice\n",
        "wl.json": json.dumps([{"number": "l898-902c3", "issuing_state": "UTO<", "status": "lost"}]),
        "wl.txt": "phone,+212600000000\ndocument,L898902C3,UTO,revoked,seen at border\n",
    }
    for name, text in lists.items():
        (tmp_path / name).write_text(text)
        res = fkit("mrz", img, "--watchlist", tmp_path / name, "--seizure-date", "2010-01-01")
        recs = _records(res.stdout)
        assert res.returncode == 1, name
        hits = recs[0]["watchlist_hits"]
        assert [(h["number"], h["state"]) for h in hits] == [("L898902C3", "UTO")]
        f = next(f for f in recs[0]["findings"] if f["code"] == "watchlist_hit")
        assert f["en"].startswith("Document number L898902C3 (UTO) is on the watchlist as ")
        assert f["fr"] and f["ar"]
    # the same line file is read by fkit phone (its document entries keep the rest as a note)
    from forensic_kit.phone.watchlist import Watchlist as PhoneWatchlist

    phone = PhoneWatchlist.load(tmp_path / "wl.txt", None)
    assert [(e.type, e.value) for e in phone.entries] == [("phone", "+212600000000"), ("document", "L898902C3")]
    # another state does not match
    (tmp_path / "other.csv").write_text("number,state,status\nL898902C3,FRA,stolen\n")
    res = fkit("mrz", img, "--watchlist", tmp_path / "other.csv", "--seizure-date", "2010-01-01")
    assert res.returncode == 0 and _records(res.stdout)[0]["watchlist_hits"] == []


def test_watchlist_any_state_and_errors(tmp_path: Path) -> None:
    (tmp_path / "bare.txt").write_text("# list\nL898902C3\n")
    wl = Watchlist.load(tmp_path / "bare.txt")
    assert [(e.number, e.state) for e in wl.hits("L898902C3", "UTO")] == [("L898902C3", None)]
    (tmp_path / "bad.json").write_text("{")
    res = fkit("mrz", tmp_path / "bare.txt", "--watchlist", tmp_path / "bad.json")
    assert res.returncode == 4 and res.stderr.count(b"\n") == 1 and b"not valid JSON" in res.stderr


def test_stdin_records_keep_exhibit_and_locator_and_csv(tmp_path: Path) -> None:
    img = tmp_path / "wa.png"
    synth.render_card(random.Random(2), GOOD, 12.0).save(img)
    rec = {"schema": "fkit.record/1", "kind": "phone.attachment", "exhibit": "EX-07", "path": str(img),
           "locator": {"scheme": "phone", "database": "msgstore.db", "table": "message_media", "rowid": 42}}
    res = fkit("mrz", "-", "--csv", tmp_path / "reg.csv", "--seizure-date", "2010-01-01",
               input=(json.dumps(rec) + "\n").encode())
    out = _records(res.stdout)
    assert res.returncode == 0, res.stderr
    assert out[0]["exhibit"] == "EX-07" and out[0]["locator"] == rec["locator"]
    assert out[0]["source_record"]["kind"] == "phone.attachment"
    rows = list(csv.DictReader((tmp_path / "reg.csv").open(encoding="utf-8")))
    assert [(r["exhibit"], r["document_number"], r["surname"], r["birth_date"], r["check_digits_valid"]) for r in rows] == [
        ("EX-07", "L898902C3", "ERIKSSON", "1974-08-12", "yes")]


def test_same_number_two_holders_across_exhibits(tmp_path: Path) -> None:
    other = ["P<UTOSMITH<<JOHN<<<<<<<<<<<<<<<<<<<<<<<<<<<<", GOOD[1]]
    for name, lines in (("a.png", GOOD), ("b.png", other)):
        synth.render_card(random.Random(5), lines, 12.0).save(tmp_path / name)
    lines = "".join(json.dumps({"kind": "file", "exhibit": ex, "path": str(tmp_path / n)}) + "\n"
                    for ex, n in (("EX-01", "a.png"), ("EX-02", "b.png")))
    res = fkit("mrz", "-", "--seizure-date", "2010-01-01", input=lines.encode())
    recs = _records(res.stdout)
    conflict = [r for r in recs if r["kind"] == "doc.mrz_conflict"]
    assert res.returncode == 1
    assert [(c["document_number"], c["holders"], c["exhibits"]) for c in conflict] == [
        ("L898902C3", ["ERIKSSON, ANNA MARIA (740812)", "SMITH, JOHN (740812)"], ["EX-01", "EX-02"])]


def test_wrong_check_digit_and_expired_findings(tmp_path: Path) -> None:
    bad = [GOOD[0], "L898902C37UTO7408122F1204159ZE184226B<<<<<10"]
    synth.render_card(random.Random(6), bad, 12.0).save(tmp_path / "x.png")
    res = fkit("mrz", tmp_path / "x.png", "--seizure-date", "2026-12-06")
    r = _records(res.stdout)[0]
    assert res.returncode == 1 and r["check_digits_valid"] is False and r["corrections"] == []
    codes = [f["code"] for f in r["findings"]]
    assert codes == ["check_digit_failed", "check_digit_failed", "expired"]
    assert r["findings"][2]["en"] == "The document expired on 2012-04-15, before the reference date 2026-12-06."


def test_pdf_pages(tmp_path: Path) -> None:
    card = synth.render_card(random.Random(7), GOOD, 12.0)
    blank = card.copy()
    blank.paste((255, 255, 255), (0, 0, blank.size[0], blank.size[1]))
    blank.save(tmp_path / "scan.pdf", save_all=True, append_images=[card], resolution=300)
    res = fkit("mrz", tmp_path / "scan.pdf", "--seizure-date", "2010-01-01")
    recs = _records(res.stdout)
    assert res.returncode == 0, res.stderr
    assert [(r["page"], r["lines"]) for r in recs] == [(2, GOOD)]


def test_case_folder_payload_with_exhibits_and_seizure_date(tmp_path: Path) -> None:
    case = tmp_path / "CASE"
    (case / "fkit").mkdir(parents=True)
    (case / "data" / "EX-03" / "DCIM").mkdir(parents=True)
    (case / "fkit" / "case.json").write_text(json.dumps({"case_id": "T-1", "seizure_time": "2011-05-01T10:00:00+01:00"}))
    synth.render_card(random.Random(8), GOOD, 12.0).save(case / "data" / "EX-03" / "DCIM" / "p.png")
    res = fkit("mrz", case)
    recs = _records(res.stdout)
    assert res.returncode == 0, res.stderr
    assert recs[0]["exhibit"] == "EX-03"
    assert recs[0]["locator"] == {"scheme": "case", "case": str(case), "path": "data/EX-03/DCIM/p.png"}
    assert recs[0]["reference_date"] == {"date": "2011-05-01", "source": f"seizure date of case {case}"}
    assert [f["code"] for f in recs[0]["findings"]] == []


def test_fifo_and_symlink_never_block(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.jpg")
    (tmp_path / "link.jpg").symlink_to(tmp_path / "pipe.jpg")
    res = fkit("mrz", tmp_path)
    recs = _records(res.stdout)
    assert res.returncode == 3
    assert [(Path(r["path"]).name, r["error"]["reason"]) for r in recs] == [("pipe.jpg", "not a regular file")]
    assert b"1 files not images" in res.stderr
