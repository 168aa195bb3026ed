"""The custody PDF of exhibits acquired from E01 images: the hashes the image stores, those fkit
computed, and the verdict (match / mismatch with the sector ranges), in Arabic, French and English.

The E01s are made here with ``ewfacquire`` (MD5 and SHA-1 stored); one has a byte flipped in a
chunk. ``ewfverify`` judges both first, and its own output is the oracle for the stored hashes and
the bad sector range the PDF must print.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from forensic_kit.report.strings import load_strings
from tests.conftest import fkit, testdata

LANGS = ("ar", "fr", "en")


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    """pdftotext output, Arabic presentation forms folded (NFKC), bidi marks dropped, spaces collapsed."""
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    raw = subprocess.run(["pdftotext", *pages, str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    raw = unicodedata.normalize("NFKC", raw).translate(dict.fromkeys(map(ord, "\u202a\u202b\u202c\u2066\u2067\u2068\u2069\u200e\u200f")))
    return " ".join(raw.split())


def arabic_runs(text: str) -> list[str]:
    """The runs of Arabic words in ``text`` (pdftotext gives each run in reading order, but lays the
    runs and the Latin words between them out visually; each run must appear whole)."""
    runs = re.findall(r"[\u0600-\u06ff][\u0600-\u06ff\s—]*[\u0600-\u06ff]", text)
    return [" ".join(r.split()) for r in runs]


def ewfverify(image: Path) -> tuple[int, str]:
    r = subprocess.run(["ewfverify", "-q", "-d", "sha1", str(image)], capture_output=True)
    return r.returncode, r.stdout.decode()


@pytest.fixture(scope="module")
def e01s(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("ewfacquire") is None or shutil.which("ewfverify") is None:
        pytest.skip("ewf-tools (ewfacquire, ewfverify) not installed")
    d = tmp_path_factory.mktemp("e01")
    raw = d / "src.dd"
    noise = b"".join(hashlib.sha256(b"%d" % i).digest() for i in range(2048))  # 64 KiB after the FS
    raw.write_bytes(testdata("disk", "ímynd.dd").read_bytes() + noise)
    subprocess.run(["ewfacquire", "-u", "-t", str(d / "good"), "-c", "none", "-f", "encase6", "-d", "sha1", str(raw)],
                   check=True, capture_output=True)
    good = d / "good.E01"
    data = bytearray(good.read_bytes())
    src = raw.read_bytes()
    pos = -1
    for off in range(102400, len(src) - 64, 512):  # in the noise, far from the file system
        window = src[off:off + 64]
        if len(set(window)) > 8 and data.count(window) == 1:
            pos = data.find(window)
            break
    assert pos > 0
    data[pos + 10] ^= 0xFF
    bad = d / "bad.E01"
    bad.write_bytes(bytes(data))
    return {"good": good, "bad": bad}


@pytest.fixture(scope="module")
def case(e01s: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("case") / "C"
    assert fkit("case", "init", root, "--case-id", "E01-1", "--agency", "Lab", "--officer", "O").returncode == 0
    r = fkit("acquire", e01s["good"], "--into", root, "--exhibit", "EX-01", "--physical", "-q")
    assert r.returncode == 0, r.stderr
    r = fkit("acquire", e01s["bad"], "--into", root, "--exhibit", "EX-02", "--physical", "-q")
    assert r.returncode == 1, r.stderr  # a failed check: exit 1
    r = fkit("acquire", e01s["bad"], "--into", root, "--exhibit", "EX-03", "--extract", "-q")
    assert r.returncode == 1, r.stderr
    # without libewf's C library per-chunk checksums cannot be checked: the paper says so
    r = fkit("acquire", e01s["good"], "--into", root, "--exhibit", "EX-04", "--physical", "-q",
             env={"FKIT_NO_LIBEWF_C": "1"})
    assert r.returncode == 0, r.stderr
    pdf = root.parent / "custody.pdf"
    r = fkit("report", "custody", root, "-o", pdf, "--lang", ",".join(LANGS))
    assert r.returncode == 0, r.stderr
    return root, pdf


def sheet(root: Path, ex: str) -> dict[str, object]:
    return json.loads((root / "fkit" / "exhibits" / f"{ex}.json").read_bytes())  # type: ignore[no-any-return]


def exhibit_text(pdf: Path, ex: str, nxt: str | None) -> str:
    """The text of section 3 from the first row of ``ex`` to the first row of ``nxt``."""
    text = pdf_text(pdf)
    start = text.index("Acquisition & integrity")
    a = text.index(f" {ex} ", start)
    b = text.index(f" {nxt} ", a) if nxt else len(text)
    return text[a:b]


def test_ewfverify_agrees_on_both_images(e01s: dict[str, Path]) -> None:
    rc, out = ewfverify(e01s["good"])
    assert rc == 0 and "ewfverify: SUCCESS" in out
    rc, out = ewfverify(e01s["bad"])
    assert rc == 1 and "ewfverify: FAILURE" in out


def test_stored_and_computed_hashes_and_match(case: tuple[Path, Path], e01s: dict[str, Path]) -> None:
    root, pdf = case
    _, out = ewfverify(e01s["good"])
    stored_md5 = re.search(r"MD5 hash stored in file:\s+([0-9a-f]{32})", out).group(1)  # type: ignore[union-attr]
    calc_md5 = re.search(r"MD5 hash calculated over data:\s+([0-9a-f]{32})", out).group(1)  # type: ignore[union-attr]
    stored_sha1 = re.search(r"SHA1 hash stored in file:\s+([0-9a-f]{40})", out).group(1)  # type: ignore[union-attr]
    check = sheet(root, "EX-01")["ewf"]
    assert isinstance(check, dict)
    assert check["stored"] == {"md5": stored_md5, "sha1": stored_sha1}
    assert check["computed"]["md5"] == calc_md5 and check["verdict"] == "ok"
    block = exhibit_text(pdf, "EX-01", "EX-02")
    for lang in LANGS:
        s = load_strings(lang)
        stored_label, computed_label = s.get("ewf_stored"), s.get("ewf_computed")
        verdict = s.get("ewf_match")
        if s.rtl:
            for run in arabic_runs(stored_label) + arabic_runs(computed_label) + arabic_runs(verdict):
                assert run in block, (lang, run)
        else:
            for want in (stored_label, computed_label, verdict):
                assert want in block, (lang, want)
    # stored row then computed row, each MD5 then SHA1 with its value
    assert f"MD5 SHA1 {stored_md5} {stored_sha1}" in block
    # the image's own row (SHA-256, BLAKE3, MD5, SHA-1), the stored row, the computed row
    assert block.count(f"{stored_md5} {stored_sha1}") == 3
    assert "MISMATCH" not in block and "DISCORDANCE" not in block
    assert "Errors / incomplete: none" in block


def test_corrupted_e01_mismatch_with_sector_range(case: tuple[Path, Path], e01s: dict[str, Path]) -> None:
    root, pdf = case
    _, out = ewfverify(e01s["bad"])
    first, last = re.search(r"at sector\(s\): (\d+) - (\d+)", out).groups()  # type: ignore[union-attr]
    stored_md5 = re.search(r"MD5 hash stored in file:\s+([0-9a-f]{32})", out).group(1)  # type: ignore[union-attr]
    stored_sha1 = re.search(r"SHA1 hash stored in file:\s+([0-9a-f]{40})", out).group(1)  # type: ignore[union-attr]
    # libewf gives fkit zeros for a chunk that fails its checksum: what ewfverify -w (EnCase-like) hashes
    zeroed = subprocess.run(["ewfverify", "-q", "-w", str(e01s["bad"])], capture_output=True).stdout.decode()
    zeroed_md5 = re.search(r"MD5 hash calculated over data:\s+([0-9a-f]{32})", zeroed).group(1)  # type: ignore[union-attr]
    for ex, nxt in (("EX-02", "EX-03"), ("EX-03", "EX-04")):  # physical, then --extract
        check = sheet(root, ex)["ewf"]
        assert isinstance(check, dict)
        assert check["verdict"] == "failed" and check["stored"] == {"md5": stored_md5, "sha1": stored_sha1}
        assert [b["sector_range"] for b in check["checksum_errors"]] == [f"{first}-{last}"]
        computed = check["computed"]
        assert computed["md5"] == zeroed_md5 != stored_md5 and computed["sha1"] != stored_sha1
        block = exhibit_text(pdf, ex, nxt)
        assert f"MD5 SHA1 {stored_md5} {stored_sha1}" in block
        assert f"MD5 SHA1 {computed['md5']} {computed['sha1']}" in block
        expected = {
            "en": f"E01 check (as ewfverify): MISMATCH — chunk checksum errors at sectors {first}-{last}; "
                  "the stored MD5 differs from the computed MD5; the stored SHA1 differs from the computed SHA1.",
            "fr": f"Contrôle E01 (comme ewfverify) : DISCORDANCE — erreurs de somme de contrôle de bloc aux secteurs "
                  f"{first}-{last} ; le MD5 enregistré diffère du MD5 calculé ; le SHA1 enregistré diffère du SHA1 calculé.",
        }
        for want in expected.values():
            assert want in block, want
        assert "voir le contrôle E01 ci-dessus" in block and "see the E01 check above" in block
        assert "Errors / incomplete: none" not in block
        # Arabic: every run of the verdict as the string table words it, the range and algorithms beside
        ar = load_strings("ar")
        for key, vals in (("ewf_mismatch", {"problems": "X"}), ("ewf_bad_sectors", {"ranges": "X"}),
                          ("ewf_hash_differs", {"algo": "MD5"}), ("ewf_hash_differs", {"algo": "SHA1"})):
            for run in arabic_runs(ar.get(key, **vals)):
                assert run in block, (key, run)
        assert f"{first}-{last}" in block and "MATCH —" not in block.replace("MISMATCH —", "")


def test_checksums_not_checked_is_said(case: tuple[Path, Path]) -> None:
    root, pdf = case
    check = sheet(root, "EX-04")["ewf"]
    assert isinstance(check, dict) and check["checksums_checked"] is False and check["verdict"] == "ok"
    block = exhibit_text(pdf, "EX-04", None)
    assert "Chunk checksums were not checked (libewf C library not installed)." in block
    assert "Sommes de contrôle de bloc non vérifiées (bibliothèque C libewf absente)." in block
    for run in arabic_runs(load_strings("ar").get("ewf_not_checked")):
        assert run in block
    # the other exhibits, read with the C library, do not carry that line
    assert "Chunk checksums were not checked" not in exhibit_text(pdf, "EX-01", "EX-04")


def test_pages_render(case: tuple[Path, Path], tmp_path: Path) -> None:
    _, pdf = case
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "p")], check=True, capture_output=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True).stdout.decode()
    n = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert len(list(tmp_path.glob("p-*.png"))) == n >= 2
