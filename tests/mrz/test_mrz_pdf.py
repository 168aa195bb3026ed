"""``fkit mrz --pdf``: the PDF/A list of documents found, read back with pdftotext, pdfimages-like
pikepdf access and Preflight; the evidence images are only read, and a changed one gives no crop."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from forensic_kit.mrz.crop import zone_crop
from forensic_kit.report import mrz_report
from forensic_kit.report.strings import load_strings
from tests.conftest import fkit
from tests.mrz import synth

GOOD = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
SPOILED = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C31UTO7408122F1204159ZE184226B<<<<<10"]
SDE = {"SOURCE_DATE_EPOCH": "1765000000"}
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                reason="poppler-utils (pdftotext, pdftoppm) not installed")


def pdf_text(pdf: Path) -> str:
    """pdftotext output, Arabic presentation forms folded (NFKC), bidi marks dropped, spaces collapsed."""
    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    raw = unicodedata.normalize("NFKC", raw).translate(dict.fromkeys(map(ord, "\u202a\u202b\u202c\u2066\u2067\u2068\u2069\u200e\u200f")))
    return " ".join(no_marks(raw).split())


def no_marks(text: str) -> str:
    """``text`` without Arabic vowel marks (pdftotext may move a mark away from its letter)."""
    return "".join(c for c in text if not "\u064b" <= c <= "\u0652")


def _digest(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("imgs")
    rng = random.Random(18)
    synth.render_card(rng, GOOD, 12.0).save(folder / "good.png")
    synth.render_card(rng, SPOILED, 12.0).convert("L").rotate(180).save(folder / "spoiled-upside-down.png")
    before = _digest(folder)
    out = tmp_path_factory.mktemp("out")
    pdf = out / "documents.pdf"
    r = fkit("mrz", folder, "--seizure-date", "2026-12-06", "--pdf", pdf, env=SDE)
    return {"folder": folder, "before": before, "pdf": pdf, "res": r,
            "records": [json.loads(x) for x in r.stdout.decode().splitlines()]}


def test_exit_and_summary(run: dict) -> None:
    r = run["res"]
    assert r.returncode == 1  # the spoiled document's check digits fail
    assert f"pdf: {run['pdf']} (" in r.stderr.decode()
    assert sorted(Path(x["path"]).name for x in run["records"]) == ["good.png", "spoiled-upside-down.png"]


def test_evidence_not_modified(run: dict) -> None:
    assert _digest(run["folder"]) == run["before"]


def test_text_in_three_languages(run: dict) -> None:
    text = pdf_text(run["pdf"])
    for lang in ("en", "fr", "ar"):
        s = load_strings(lang)
        # full-width lines whole; labels in narrow cells wrap (pdftotext interleaves the columns): by word
        for key in ("mrz_title", "mrz_result_flagged", "mrz_verdict_flagged", "mrz_verdict_clean",
                    "mrz_f_number", "mrz_f_birth", "mrz_f_expiry", "mrz_checks", "mrz_findings", "mrz_zone"):
            want = " ".join(no_marks(s.get(key)).split())
            whole = key in ("mrz_title", "mrz_result_flagged", "mrz_verdict_flagged", "mrz_verdict_clean")
            if whole and not s.rtl:
                assert want in text, (lang, key)
            else:  # Arabic: words in reading order, punctuation may land elsewhere
                for word in want.replace("(", " ").replace(")", " ").replace(":", " ").split():
                    assert word in text, (lang, key, word)
    assert "L898902C3" in text and "ERIKSSON" in text and "ANNA MARIA" in text
    assert "740812 (1974-08-12)" in text and "120415 (2012-04-15)" in text
    # the spoiled document: its failed checks as printed and computed, in English and French
    assert "document number: FAILS (printed 1, computed 6)" in text
    assert "numéro du document : FAUX (imprimé 1, calculé 6)" in text
    assert "composite: FAILS (printed 0, computed 5)" in text
    assert "document number: holds (6)" in text
    # its finding sentences, as the record carries them
    spoiled = next(x for x in run["records"] if x["path"].endswith("spoiled-upside-down.png"))
    assert spoiled["findings"]
    for f in spoiled["findings"]:  # their first 80 characters (a wrapped line may meet a label of the next column)
        assert " ".join(f["en"].split())[:80] in text and " ".join(f["fr"].split())[:80] in text
    assert " ".join(load_strings("en").get("mrz_documents_text", n=2, flagged=1, hits=0).split()) in text


def test_crops_are_the_zones_cut_from_the_checked_images(run: dict) -> None:
    """One picture per document, the very pixels :func:`zone_crop` cuts (level, first line on top,
    even for the picture turned upside down), and it shows the zone: dark glyphs on light ground."""
    with pikepdf.open(run["pdf"]) as pdf:
        pics = []
        for page in pdf.pages:
            for obj in page.get_images().values():
                pics.append(np.asarray(pikepdf.PdfImage(obj).as_pil_image().convert("L")))
        attached = pdf.attachments["mrz-records.jsonl"].get_file().read_bytes()
    assert attached == run["res"].stdout
    crops = [zone_crop(rec) for rec in run["records"]]
    assert [c.problem for c in crops] == [None, None]
    assert len(pics) == 2
    for pic, crop in zip(pics, crops):
        assert crop.pixels is not None and pic.shape == crop.pixels.shape
        assert np.array_equal(pic, crop.pixels)
        h, w = pic.shape
        assert 6 < w / h < 16  # two 44-character lines and a margin
        assert pic.mean() > 150 and (pic < 80).mean() > 0.05
    # the upside-down picture comes out the same way up as the level one: the first line on top
    # (the "P<" of line 1 is at the top left; the second line starts lower)
    a, b = crops[0].pixels, crops[1].pixels
    assert a is not None and b is not None
    ink_rows = [np.nonzero((x < 100).mean(axis=1) > 0.02)[0] for x in (a, b)]
    for rows, img in zip(ink_rows, (a, b)):
        top_left = img[: img.shape[0] // 2, : img.shape[1] // 10]
        assert (top_left < 100).mean() > 0.02 and len(rows) > 0


def test_page_renders(run: dict, tmp_path: Path) -> None:
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "2", "-l", "2", str(run["pdf"]), str(tmp_path / "p")],
                   check=True, capture_output=True)
    pngs = sorted(tmp_path.glob("p*.png"))
    assert len(pngs) == 1
    page = np.asarray(Image.open(pngs[0]).convert("L"))
    assert page.shape[0] > page.shape[1] and (page < 128).mean() > 0.01


def test_pdfa3b(run: dict) -> None:
    with pikepdf.open(run["pdf"]) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
        assert "<pdfaid:part>3</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
        assert pdf.Root.OutputIntents[0].S == pikepdf.Name.GTS_PDFA1
        spec = pdf.Root.AF[0]
        assert spec.AFRelationship == pikepdf.Name.Source and str(spec.UF) == "mrz-records.jsonl"
        assert str(pdf.docinfo["/Title"]) == load_strings("en").get("mrz_title")


def test_preflight(run: dict) -> None:
    from tests.report.test_pdfa_validator import JARS, preflight, unexpected

    if shutil.which("java") is None or any(not Path(f"/usr/share/java/{j}.jar").is_file() for j in JARS):
        pytest.skip("PDFBox Preflight not installed (apt-get install default-jre-headless libpdfbox2-java)")
    errors = preflight(run["pdf"])
    assert unexpected(errors) == []


def test_changed_image_gives_no_crop(run: dict, tmp_path: Path) -> None:
    """A record whose image changed since the reading: no crop is cut, and the PDF says why in
    every language. The file is compared by SHA-256, not trusted by name."""
    rec = dict(next(x for x in run["records"] if x["path"].endswith("good.png")))
    copy = tmp_path / "good.png"
    shutil.copyfile(rec["path"], copy)
    rec["path"] = str(copy)
    assert zone_crop(rec).problem is None
    img = Image.open(copy)
    img.putpixel((0, 0), (0, 0, 0) if img.mode == "RGB" else 0)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    copy.write_bytes(buf.getvalue())
    crop = zone_crop(rec)
    assert crop.problem == "changed" and crop.pixels is None
    os.remove(copy)
    assert zone_crop(rec).problem == "missing"
    pdf = tmp_path / "c.pdf"
    mrz_report.render([rec], b"{}\n", pdf, "2026-12-06", [zone_crop(dict(rec, path=run["records"][0]["path"],
                                                                         image={"hashes": {"sha256": "0" * 64}}))])
    text = pdf_text(pdf)
    assert " ".join(load_strings("en").get("mrz_no_crop_changed").split()) in text
    assert " ".join(load_strings("fr").get("mrz_no_crop_changed").split()) in text
    with pikepdf.open(pdf) as p:
        assert sum(len(page.get_images()) for page in p.pages) == 0


def test_lang_option_and_bad_lang(run: dict, tmp_path: Path) -> None:
    pdf = tmp_path / "fr.pdf"
    r = fkit("mrz", run["folder"], "--seizure-date", "2026-12-06", "--pdf", pdf, "--lang", "fr", "--quiet", env=SDE)
    assert r.returncode == 1
    text = pdf_text(pdf)
    assert load_strings("fr").get("mrz_title") in text and load_strings("en").get("mrz_title") not in text
    r = fkit("mrz", run["folder"], "--pdf", tmp_path / "x.pdf", "--lang", "xx")
    assert r.returncode == 2 and b"no report language 'xx'" in r.stderr and not (tmp_path / "x.pdf").exists()
    r = fkit("mrz", run["folder"], "--pdf", tmp_path / "nofolder" / "x.pdf")
    assert r.returncode == 2 and b"does not exist" in r.stderr


def test_no_document_found(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    Image.new("L", (300, 200), 200).save(tmp_path / "in" / "plain.png")
    pdf = tmp_path / "none.pdf"
    r = fkit("mrz", tmp_path / "in", "--pdf", pdf, "--quiet", env=SDE)
    assert r.returncode == 0
    assert load_strings("en").get("mrz_result_none") in pdf_text(pdf)


def test_custody_record_with_mrz_section(run: dict, tmp_path: Path) -> None:
    """``fkit report custody CASE --mrz RECORDS``: section 7 lists the documents (titles in the
    three languages, the records file's SHA-256, the zone pictures); a line that is not JSON is
    refused in one line."""
    from tests.custody.casefactory import make_case

    sample = make_case(tmp_path / "case", files_per_exhibit=2)
    recs = tmp_path / "mrz.jsonl"
    recs.write_bytes(run["res"].stdout)
    pdf = tmp_path / "custody.pdf"
    r = fkit("report", "custody", sample.case.root, "-o", pdf, "--lang", "ar,fr,en", "--mrz", recs, env=SDE)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["mrz_documents"] == 2 and out["mrz_records_sha256"] == hashlib.sha256(recs.read_bytes()).hexdigest()
    text = pdf_text(pdf)
    for lang in ("en", "fr", "ar"):
        for word in no_marks(load_strings(lang).get("mrz_sec_custody")).replace("(", " ").replace(")", " ").split():
            assert word in text, (lang, word)
    assert out["mrz_records_sha256"] in text and "L898902C3" in text
    assert "document number: FAILS (printed 1, computed 6)" in text
    with pikepdf.open(pdf) as p:
        assert sum(len(page.get_images()) for page in p.pages) == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(run["res"].stdout + b"not json\n")
    r = fkit("report", "custody", sample.case.root, "-o", tmp_path / "x.pdf", "--mrz", bad, env=SDE)
    assert r.returncode == 4 and b"line 3 is not a JSON record" in r.stderr and b"Traceback" not in r.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_image_swapped_for_a_fifo_a_symlink_or_a_truncated_copy_gives_no_crop(run: dict, tmp_path: Path) -> None:
    """The picture is only cut from the very bytes that were read: a FIFO put in the image's place
    is refused at once (no hang), a symlink to the same bytes is not followed, a truncated copy
    does not match the record's SHA-256."""
    rec = dict(next(x for x in run["records"] if x["path"].endswith("good.png")))
    original = Path(rec["path"])
    target = tmp_path / "good.png"
    os.mkfifo(target)
    assert zone_crop(dict(rec, path=str(target))).problem == "missing"
    target.unlink()
    target.symlink_to(original)
    assert zone_crop(dict(rec, path=str(target))).problem == "missing"
    target.unlink()
    target.write_bytes(original.read_bytes()[:-100])
    assert zone_crop(dict(rec, path=str(target))).problem == "changed"
    shutil.copyfile(original, target)
    assert zone_crop(dict(rec, path=str(target))).problem is None
