"""PDF/A: the custody record and the certificate checked by a real validator, Apache PDFBox Preflight.

Preflight (Debian ``libpdfbox2-java``, 2.0.27) validates PDF/A-1b (ISO 19005-1) only; no PDF/A-2/3
validator installs here (veraPDF is on none of the registries this project may use: see
docs/papers.md). fkit writes PDF/A-3b (ISO 19005-3), which is PDF/A-1b's rules with a few allowances.
So Preflight is run and every error it reports must be one of the PDF/A-1 rules that PDF/A-3 lifts,
matched by code *and* message (listed in ``ALLOWED``); any other error fails the test. What only
PDF/A-3 asks for (``pdfaid:part`` 3, the associated file's ``AFRelationship``, the embedded file's
MIME type and dates, PDF <= 1.7, ICC profile <= 4.2) is checked with pikepdf below.
A mutation test shows Preflight does catch faults in fkit's output (a font not embedded, JavaScript).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from tests.conftest import fkit
from tests.custody.casefactory import Sample, make_case, standard_chain
from tests.report.trust import write_trust

SDE = {"SOURCE_DATE_EPOCH": "1742000000"}
JARS = ("preflight", "pdfbox2", "fontbox2", "xmpbox", "commons-logging", "javax.activation", "jaxb-api")
CLASSPATH = ":".join(f"/usr/share/java/{j}.jar" for j in JARS)

# PDF/A-1 rules that ISO 19005-3 does not have (Preflight's code, and its message as a regex)
ALLOWED = {
    ("1.4.7", r"EmbeddedFile entry is present in the Names dictionary"),  # PDF/A-3: embedded files allowed
    ("1.2.9", r"EmbeddedFile entry is present in a FileSpecification dictionary"),  # (the attached manifest)
    ("2.1.6", r"Invalid version of the ICCProfile"),  # PDF/A-1: ICC <= 2.x; PDF/A-3: ICC.1:2004-10 (4.2)
    ("7.11.2", r"part must be 1"),  # pdfaid:part is 3
    ("4.1.2", r"ca entry in a ExtGState is invalid on page \d+"),  # PDF/A-1 forbids transparency (watermark)
}


def preflight(pdf: Path) -> list[tuple[str, str]]:
    """(code, message) of every error Preflight reports for ``pdf``."""
    r = subprocess.run(["java", "-cp", CLASSPATH, "org.apache.pdfbox.preflight.Validator_A1b", str(pdf)],
                       capture_output=True, text=True, timeout=300)
    assert "is a valid PDF/A-1b file" in r.stdout or "is not a valid PDF/A-1b file" in r.stdout, r.stdout + r.stderr
    return [(m.group(1), m.group(2).strip()) for m in re.finditer(r"^(\d+(?:\.\d+)*) : (.*)$", r.stdout, re.M)]


def unexpected(errors: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(c, m) for c, m in errors if not any(c == ac and re.search(am, m) for ac, am in ALLOWED)]


@pytest.fixture(scope="module", autouse=True)
def _need_preflight() -> None:
    missing = [j for j in JARS if not Path(f"/usr/share/java/{j}.jar").is_file()]
    if shutil.which("java") is None or missing:
        pytest.skip("PDFBox Preflight not installed (apt-get install default-jre-headless libpdfbox2-java "
                    f"libactivation-java libjaxb-api-java; missing: {', '.join(missing) or 'java'})")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    s = make_case(tmp_path_factory.mktemp("pfa") / "case", names=("رسائل_واتساب.db", "photo été.jpg", "a&b <c>.txt"),
                  files_per_exhibit=30, with_error=True)
    standard_chain(s)
    return s


@pytest.fixture(scope="module")
def papers(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("papers")
    trust = write_trust(sample, out / "trusted_signers")
    custody, cert = out / "custody.pdf", out / "verify.pdf"
    r = fkit("report", "custody", sample.case.root, "-o", custody, "--lang", "ar,fr,en", "--trust", trust, env=SDE)
    assert r.returncode == 0, r.stderr
    r = fkit("verify", sample.case.root, "--trust", trust, "--report", cert, env=SDE)
    assert r.returncode == 0, r.stderr
    return {"custody": custody, "certificate": cert}


@pytest.mark.parametrize("which", ["custody", "certificate"])
def test_preflight_reports_only_the_pdfa1_rules_pdfa3_lifts(papers: dict[str, Path], which: str) -> None:
    errors = preflight(papers[which])
    assert unexpected(errors) == []
    # the allowances are really exercised (the attached manifest, part 3, ICC 4.2)
    assert {c for c, _ in errors} >= {"1.4.7", "1.2.9", "7.11.2", "2.1.6"}


def test_preflight_catches_a_font_not_embedded_and_javascript(papers: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    with pikepdf.open(papers["custody"]) as pdf:
        for font in pdf.pages[0].Resources.Font.values():
            desc = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else font.FontDescriptor
            del desc["/FontFile2"]
            break
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")
        pdf.save(bad)
    codes = {c for c, _ in unexpected(preflight(bad))}
    assert "3.1.3" in codes and "6.2.5" in codes


@pytest.mark.parametrize("which", ["custody", "certificate"])
def test_what_only_pdfa3_asks(papers: dict[str, Path], which: str, sample: Sample) -> None:
    with pikepdf.open(papers[which]) as pdf:
        assert pdf.pdf_version <= "1.7" and not pdf.is_encrypted
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
        assert "<pdfaid:part>3</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
        assert "/Filter" not in pdf.Root.Metadata.stream_dict  # the XMP stream is not compressed
        icc = pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes()
        assert icc[8] == 4 and icc[9] <= 0x20, icc[8:12].hex()  # ICC.1:2004-10, what PDF 1.7 names
        # every document information entry has its XMP value (ISO 19005-3 6.6.2.3.1)
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        assert set(info) == {"/Title", "/Author", "/Subject", "/Creator", "/Producer", "/CreationDate", "/ModDate"}
        for key, tag in (("/Title", "dc:title"), ("/Author", "dc:creator"), ("/Subject", "dc:description")):
            value = info[key].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert re.search(rf"<{tag}>.*<rdf:li[^>]*>{re.escape(value)}</rdf:li>.*</{tag}>", xmp, re.S), key
        assert f"<xmp:CreatorTool>{info['/Creator']}</xmp:CreatorTool>" in xmp
        assert f"<pdf:Producer>{info['/Producer']}</pdf:Producer>" in xmp
        # the associated file: AFRelationship, MIME type, modification date
        spec = pdf.Root.AF[0]
        assert spec.AFRelationship == pikepdf.Name.Source and str(spec.UF) == "manifest.json"
        ef = spec.EF.F
        assert str(ef.Subtype) == "/application/json" and "/ModDate" in ef.Params
        assert ef.read_bytes() == (sample.case.fkit_dir / "manifest.json").read_bytes()
        assert "/JavaScript" not in pdf.Root.get("/Names", {}) and "/AA" not in pdf.Root
