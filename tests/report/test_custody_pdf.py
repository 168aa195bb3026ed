"""The custody PDF, checked with poppler, zbar and pikepdf as a reader or an archive would."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from forensic_kit.package import Case
from tests.conftest import fkit
from tests.custody.casefactory import Sample, make_case, standard_chain
from tests.report.trust import write_trust

SDE = {"SOURCE_DATE_EPOCH": "1742000000"}
NAMES = ("رسائل_واتساب.db", "photo été.jpg", "call_log.csv")


def run(*cmd: str | Path) -> str:
    return subprocess.run([str(c) for c in cmd], capture_output=True, check=True).stdout.decode()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    s = make_case(tmp_path_factory.mktemp("rep") / "case", names=NAMES, files_per_exhibit=120, with_error=True)
    standard_chain(s)
    return s


@pytest.fixture(scope="module")
def pdf(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "custody.pdf"
    trust = write_trust(sample, out.parent / "trusted_signers")
    r = fkit("report", "custody", sample.case.root, "-o", out, "--lang", "ar,fr,en", "--trust", trust, env=SDE)
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    assert rec["kind"] == "report" and rec["languages"] == ["ar", "fr", "en"] and rec["custody_ok"] is True
    return out


def pages(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", pdf)).group(1))  # type: ignore[union-attr]


def test_pdftoppm_renders_every_page(pdf: Path, tmp_path: Path) -> None:
    n = pages(pdf)
    assert n >= 4  # 240 annex rows do not fit on one page
    run("pdftoppm", "-png", "-r", "30", pdf, tmp_path / "p")
    assert len(list(tmp_path.glob("p-*.png"))) == n


def test_every_hash_and_exhibit_id_is_in_the_text(pdf: Path, sample: Sample) -> None:
    text = run("pdftotext", pdf, "-")
    records = [json.loads(x) for x in sample.case.records_path.read_bytes().splitlines()]
    files = [r for r in records if r["kind"] == "file"]
    assert len(files) == 3 + 2 * 120
    for r in files:
        for algo, value in r["hashes"].items():
            assert value in text, (r["bag_path"], algo)
    for ex in ("EX-01", "EX-02", "EX-03"):
        assert ex in text
    assert "photo été.jpg" in text  # French accents come out as text
    assert "ERROR read: I/O error at offset 4096" in text  # incomplete items are listed
    assert "Fin du document" in text and "End of document" in text


def test_every_page_has_id_revision_page_x_of_y_and_manifest_hash(pdf: Path, sample: Sample) -> None:
    manifest_sha = hashlib.sha256((sample.case.fkit_dir / "manifest.json").read_bytes()).hexdigest()
    n = pages(pdf)
    for p in range(1, n + 1):
        text = run("pdftotext", "-f", str(p), "-l", str(p), pdf, "-")
        assert "MOCK-TN-2025-0042-COC-001 · rév. 1" in text
        assert manifest_sha in text
        assert f"Page {p} sur {n} · Page {p} of {n}" in text
    # the annex header is repeated on every annex page
    last = run("pdftotext", "-f", str(n), "-l", str(n), pdf, "-")
    assert "Hash value (hex)" in last


def test_qr_code_decodes(pdf: Path, sample: Sample, tmp_path: Path) -> None:
    run("pdftoppm", "-png", "-r", "200", "-f", "2", "-l", "2", pdf, tmp_path / "q")
    png = next(tmp_path.glob("q-*.png"))
    data = run("zbarimg", "--raw", "-q", png).strip()
    manifest_sha = hashlib.sha256((sample.case.fkit_dir / "manifest.json").read_bytes()).hexdigest()
    fp = json.loads((sample.case.fkit_dir / "manifest.json").read_bytes())["signer"]["fingerprint"]
    assert data == f"fkit:case=MOCK-TN-2025-0042;manifest-sha256={manifest_sha};signer={fp}"


def test_every_font_embedded(pdf: Path) -> None:
    lines = run("pdffonts", pdf).splitlines()[2:]
    names = {line.split()[0].split("+")[-1] for line in lines}
    assert names == {"IBMPlexMono-Regular", "IBMPlexSansArabic-Bold", "IBMPlexSansArabic-Regular"}
    # pages are laid out in files of 100 pages and "Page X of Y" added after: each of those has its
    # own subsets, and no two subsets share a tag
    tags = [line.split()[0] for line in lines]
    assert len(tags) == len(set(tags)) and all(re.fullmatch(r"[A-Z]{6}\+.+", t) for t in tags)
    for line in lines:
        assert re.search(r"\s(yes)\s+(yes)\s+(yes)\s+\d+\s+\d+$", line), line


def test_byte_identical_under_source_date_epoch(pdf: Path, sample: Sample, tmp_path: Path) -> None:
    again = tmp_path / "again.pdf"
    trust = write_trust(sample, tmp_path / "trusted_signers")
    assert fkit("report", "custody", sample.case.root, "-o", again, "--lang", "ar,fr,en", "--trust", trust,
                env=SDE).returncode == 0
    assert again.read_bytes() == pdf.read_bytes()


def test_pdfa3b_structure_and_manifest_attachment(pdf: Path, sample: Sample) -> None:
    with pikepdf.open(pdf) as doc:
        meta = doc.open_metadata()
        assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "B"
        intent = doc.Root.OutputIntents[0]
        assert intent.S == pikepdf.Name.GTS_PDFA1 and int(intent.DestOutputProfile.N) == 3
        assert not doc.is_encrypted and len(doc.trailer.ID) == 2 and doc.pdf_version == "1.7"
        att = doc.attachments["manifest.json"]
        assert att.get_file().read_bytes() == (sample.case.fkit_dir / "manifest.json").read_bytes()
        assert doc.Root.AF[0].AFRelationship == pikepdf.Name.Source
        assert str(doc.docinfo.Title) == meta["dc:title"]
        for page in doc.pages:
            for font in page.Resources.Font.values():
                desc = font.FontDescriptor if "/FontDescriptor" in font else None
                assert desc is not None and "/FontFile2" in desc  # embedded TrueType


def test_training_watermark_and_mock_id(pdf: Path, sample: Sample, tmp_path: Path) -> None:
    text = run("pdftotext", "-f", "1", "-l", "1", pdf, "-")
    assert "TRAINING" in text and "FORMATION" in text
    eu = make_case(tmp_path / "eu", case_id="EU-2025-7", profile="eu", files_per_exhibit=1, keys_dir=tmp_path / "k")
    out = tmp_path / "eu.pdf"
    r = fkit("report", "custody", eu.case.root, "-o", out)
    assert r.returncode == 0, r.stderr
    t = run("pdftotext", out, "-")
    assert "TRAINING" not in t and "FORMATION" not in t and "Page 1 of 2" in t
    assert "Procès" not in t  # eu profile: English only
    # a training profile refuses a real-looking case id
    r = fkit("report", "custody", eu.case.root, "-o", tmp_path / "x.pdf", "--profile", "training")
    assert r.returncode == 2 and b"MOCK-" in r.stderr and not (tmp_path / "x.pdf").exists()


def test_unknown_profile_and_language(sample: Sample, tmp_path: Path) -> None:
    r = fkit("report", "custody", sample.case.root, "-o", tmp_path / "a.pdf", "--profile", "zz")
    assert r.returncode == 2 and b"unknown profile 'zz'" in r.stderr
    r = fkit("report", "custody", sample.case.root, "-o", tmp_path / "a.pdf", "--lang", "de")
    assert r.returncode == 2 and b"no report language 'de'" in r.stderr
    assert fkit("report", "custody", tmp_path / "none", "-o", tmp_path / "a.pdf").returncode == 4
