"""``--known``/``--known-bad`` in ``fkit acquire`` and ``fkit phone``, and on the court papers.

The records, the exhibit sheet, stderr, the custody record's annex and integrity notes, and the
verification certificate, in Arabic, French and English (strings from the string tables).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from forensic_kit.report.strings import load_strings
from tests.conftest import fkit

LANGS = ("ar", "fr", "en")


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FKIT_CACHE", str(tmp_path / "cache"))


def _sets(tmp: Path, bad: list[bytes], ignorable_md5: list[bytes]) -> tuple[Path, Path]:
    bad_set = tmp / "bad.sha256"
    bad_set.write_text("".join(f"{hashlib.sha256(b).hexdigest()}  x{i}\n" for i, b in enumerate(bad)))
    nsrl = tmp / "nsrl.md5"  # an md5-only set: acquire must add md5 to its hashing to compare
    nsrl.write_text("".join(f"{hashlib.md5(b).hexdigest().upper()}  y{i}\n" for i, b in enumerate(ignorable_md5)))
    return bad_set, nsrl


@pytest.fixture
def acquired(tmp_path: Path) -> tuple[Path, list[dict[str, object]], str]:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_bytes(b"hello\n")
    (src / "sub" / "payload.bin").write_bytes(b"evil payload\n")
    (src / "sub" / "os.dll").write_bytes(b"operating system file\n")
    bad_set, nsrl = _sets(tmp_path, [b"evil payload\n"], [b"operating system file\n", b"evil payload\n"])
    case = tmp_path / "case"
    assert fkit("case", "init", case, "--case-id", "C-1", "--agency", "Agency", "--officer", "Officer").returncode == 0
    r = fkit("acquire", src, "--into", case, "--exhibit", "EX-01", "--known", nsrl, "--known-bad", bad_set, "-q")
    assert r.returncode == 0, r.stderr
    out = [json.loads(x) for x in r.stdout.splitlines()]
    return case, out, r.stderr.decode()


def test_acquire_marks_records_sheet_and_stderr(acquired: tuple[Path, list[dict[str, object]], str]) -> None:
    case, out, err = acquired
    by_name = {str(r["bag_path"]).rsplit("/", 1)[-1]: r for r in out}
    assert set(by_name) == {"a.txt", "payload.bin", "os.dll"}
    # in both sets: bad wins, both sets named
    assert by_name["payload.bin"]["known"] == "bad"
    assert by_name["payload.bin"]["known_sets"] == ["nsrl.md5", "bad.sha256"]
    assert by_name["os.dll"]["known"] == "ignorable" and by_name["os.dll"]["known_sets"] == ["nsrl.md5"]
    assert "known" not in by_name["a.txt"] and "known_sets" not in by_name["a.txt"]
    assert all(isinstance(r["hashes"], dict) and set(r["hashes"]) == {"sha256", "blake3", "md5"} for r in out)
    # the case keeps the same marked records (the papers read them from there)
    kept = [json.loads(x) for x in (case / "fkit" / "records.jsonl").read_bytes().splitlines()]
    assert kept == out
    sheet = json.loads((case / "fkit" / "exhibits" / "EX-01.json").read_text())
    assert sheet["known"] == {"ignorable": 1, "bad": 1}
    assert sheet["known_sets"] == [{"name": "nsrl.md5", "verdict": "ignorable", "digests": {"md5": 2}},
                                   {"name": "bad.sha256", "verdict": "bad", "digests": {"sha256": 1}}]
    assert "fkit acquire: known sets: 1 ignorable, 1 bad" in err
    assert "known-bad: data/EX-01/sub/payload.bin" in err


def test_acquire_refuses_a_bad_set_before_reading_the_source(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "f").write_bytes(b"x")
    (tmp_path / "set.txt").write_text("no hash on this line\n")
    case = tmp_path / "case"
    assert fkit("case", "init", case, "--case-id", "C-1", "--agency", "A", "--officer", "O").returncode == 0
    r = fkit("acquire", tmp_path / "src", "--into", case, "--exhibit", "EX-01", "--known", tmp_path / "nope.txt")
    assert r.returncode == 4 and b"no such hash set" in r.stderr
    assert not (case / "fkit" / "exhibits" / "EX-01.json").exists() and not (case / "data" / "EX-01").exists()


def test_phone_marks_media_files_and_apk_digests(tmp_path: Path) -> None:
    ext = tmp_path / "extraction"
    (ext / "sdcard" / "DCIM").mkdir(parents=True)
    listed = b"\xff\xd8 a listed picture"
    (ext / "sdcard" / "DCIM" / "IMG_1.jpg").write_bytes(listed)
    (ext / "sdcard" / "DCIM" / "IMG_2.jpg").write_bytes(b"\xff\xd8 another picture")
    apk_bad, apk_ok = hashlib.sha256(b"stalkerware apk").hexdigest(), hashlib.sha256(b"calculator apk").hexdigest()
    (ext / "packages.json").write_text(json.dumps([
        {"name": "com.spy", "files": [{"path": "/data/app/spy/base.apk", "sha256": apk_bad, "md5": ""}]},
        {"name": "com.calc", "files": [{"path": "/data/app/calc/base.apk", "sha256": apk_ok}]}]))
    bad_set = tmp_path / "bad.sha256"
    bad_set.write_text(f"{apk_bad}  spy.apk\n{hashlib.sha256(listed).hexdigest()}  img\n")
    r = fkit("phone", ext, "--exhibit", "EX-02", "--known-bad", bad_set)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    files = {Path(str(x["phone_path"])).name: x for x in recs if x["kind"] == "file"}
    assert files["IMG_1.jpg"]["known"] == "bad" and files["IMG_1.jpg"]["known_sets"] == ["bad.sha256"]
    assert files["IMG_1.jpg"]["hashes"] == {"sha256": hashlib.sha256(listed).hexdigest()}
    assert "known" not in files["IMG_2.jpg"]
    apps = {x["package"]: x for x in recs if x["kind"] == "phone.app"}
    assert apps["com.spy"]["known"] == "bad" and apps["com.spy"]["files"][0]["known"] == "bad"
    assert "known" not in apps["com.calc"] and "known" not in apps["com.calc"]["files"][0]
    assert b"fkit phone: known sets: 0 ignorable, 2 bad" in r.stderr
    # without sets, media files are not hashed (nothing changes for the plain triage)
    plain = [json.loads(x) for x in fkit("phone", ext, "--exhibit", "EX-02").stdout.splitlines()]
    assert all("hashes" not in x for x in plain if x["kind"] == "file")
    assert fkit("phone", "links", tmp_path, "--known", bad_set).returncode == 2


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_papers_mark_known_bad_in_three_languages(acquired: tuple[Path, list[dict[str, object]], str],
                                                  tmp_path: Path) -> None:
    case, _out, _err = acquired
    pdf = tmp_path / "custody.pdf"
    r = fkit("report", "custody", case, "-o", pdf, "--lang", ",".join(LANGS))
    assert r.returncode == 0, r.stderr
    # -raw: text in content order; Arabic comes out in logical order from the embedded ToUnicode maps
    text = subprocess.run(["pdftotext", "-raw", pdf, "-"], capture_output=True, check=True).stdout.decode()
    flat = " ".join(text.split())
    for lang in ("fr", "en"):
        s = load_strings(lang)
        assert s.get("known_bad_mark", sets="nsrl.md5, bad.sha256") in flat  # every set it matched
        assert s.get("known_ignorable_mark", sets="nsrl.md5") in flat
        assert s.get("known_counts", sets="nsrl.md5, bad.sha256", ignorable=1, bad=1) in flat
    assert "!3 data/EX-01/sub/payload.bin" in flat and "2 data/EX-01/sub/os.dll" in flat  # records order
    # Arabic: the words of the string table's mark are on the page (shaped text is compared word by word)
    ar = load_strings("ar").get("known_bad_mark", sets="nsrl.md5, bad.sha256")
    assert flat.count("bad.sha256") >= 3 + 3  # the three marks and the three per-exhibit notes
    assert _arabic_words_present(ar, pdf)
    cert = tmp_path / "verify.pdf"
    fkit("verify", case, "--report", cert)  # unsealed: exit 1, the certificate is written all the same
    ctext = " ".join(subprocess.run(["pdftotext", cert, "-"], capture_output=True, check=True).stdout.decode().split())
    assert load_strings("en").get("known_bad_files") in ctext
    assert "• EX-01 data/EX-01/sub/payload.bin (nsrl.md5, bad.sha256)" in ctext
    assert "1 known (ignorable), 1 KNOWN-BAD" in ctext


def _arabic_words_present(text: str, pdf: Path) -> bool:
    """Every Arabic word of ``text`` is in the PDF's text (pdftotext gives Arabic in presentation
    forms and in visual order, so words, without their punctuation, are compared after NFKC)."""
    import unicodedata

    raw = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, check=True).stdout.decode()
    page = unicodedata.normalize("NFKC", raw)
    words = [w.strip(":،.") for w in text.split() if any("\u0600" <= c <= "\u06ff" for c in w)]
    return len(words) >= 5 and all(w in page for w in words)
