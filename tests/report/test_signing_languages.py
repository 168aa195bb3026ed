"""PAdES signature validated by pyHanko against a CA made here; languages are data; bidi text;
the verification certificate."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from forensic_kit.report import render_custody_report
from forensic_kit.report.strings import load_strings
from forensic_kit.report.text import shape, visual_lines, register_fonts
from forensic_kit.resources import templates_dir
from tests.conftest import fkit
from tests.custody.casefactory import Sample, make_case, standard_chain


def run(*cmd: str | Path) -> str:
    return subprocess.run([str(c) for c in cmd], capture_output=True, check=True).stdout.decode()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    s = make_case(tmp_path_factory.mktemp("sig") / "case", files_per_exhibit=2)
    standard_chain(s)
    return s


def make_ca(folder: Path) -> tuple[Path, Path]:
    """A root CA and a signing certificate in a PKCS#12 file (passphrase 'p12pass')."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fkit test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Off. A. Ben Salah")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    p12 = folder / "officer.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"officer", key, cert, [ca], serialization.BestAvailableEncryption(b"p12pass")))
    ca_pem = folder / "ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return p12, ca_pem


def test_pades_signature_validates_against_test_ca(sample: Sample, tmp_path: Path) -> None:
    p12, ca = make_ca(tmp_path)
    out = tmp_path / "signed.pdf"
    r = fkit("report", "custody", sample.case.root, "-o", out, "--sign-pdf", p12, env={"FKIT_P12_PASSPHRASE": "p12pass"})
    assert r.returncode == 0, r.stderr
    pyhanko = Path(sys.executable).with_name("pyhanko")
    if not pyhanko.exists():
        pytest.skip("pyhanko CLI (pip install pyhanko-cli) not installed")
    v = subprocess.run([pyhanko, "sign", "validate", "--no-revocation-check", "--trust", ca, out],
                       capture_output=True)
    text = v.stdout.decode()
    assert v.returncode == 0, text + v.stderr.decode()
    assert ":INTACT:TRUSTED,UNTOUCHED" in text, text
    # a signature by a key the CA never certified is refused
    (tmp_path / "other").mkdir()
    _, other_ca = make_ca(tmp_path / "other")
    bad = subprocess.run([pyhanko, "sign", "validate", "--no-revocation-check", "--trust", other_ca, out],
                         capture_output=True)
    assert bad.returncode != 0
    # wrong passphrase: exit 4, no file
    r = fkit("report", "custody", sample.case.root, "-o", tmp_path / "n.pdf", "--sign-pdf", p12,
             env={"FKIT_P12_PASSPHRASE": "nope"})
    assert r.returncode == 4 and not (tmp_path / "n.pdf").exists()


def test_a_new_language_is_a_data_change(sample: Sample, tmp_path: Path) -> None:
    tpl = tmp_path / "templates"
    shutil.copytree(templates_dir(), tpl)
    (tpl / "strings" / "xx.toml").write_text(
        '[meta]\nlanguage = "xx"\ndirection = "ltr"\n[strings]\n'
        'title = "Xx Custody Scroll"\npage_x_of_y = "Folio {page} de {pages}"\nsec_case = "Xx case facts"\n',
        encoding="utf-8")
    out = tmp_path / "xx.pdf"
    render_custody_report(sample.case, out, langs=["xx", "en"], templates=tpl)
    text = run("pdftotext", out, "-")
    import re

    assert "Xx Custody Scroll" in text and re.search(r"Folio 1 de (\d+) · Page 1 of \1", text) and "Xx case facts" in text
    # keys the new file lacks fall back to English
    assert load_strings("xx", tpl).get("end_of_document") == "End of document"


def test_arabic_shaping_and_order() -> None:
    register_fonts()
    shaped = shape("محضر")
    assert all(0xFE70 <= ord(c) <= 0xFEFF for c in shaped)  # presentation forms (joined letters)
    assert "\u064f" in shape("مُحَمَّد")  # harakat kept
    [(line, rtl)] = visual_lines("الصفحة 1 من 2", 8, 500)
    assert rtl and line.index("2") < line.index("1")  # read right to left: 1 comes first
    [(line, rtl)] = visual_lines("بصمة SHA-256 للبيان", 8, 500)
    assert rtl and "SHA-256" in line  # Latin inside Arabic is not reversed
    lines = visual_lines("أشهد بأن قيم البصمة الرقمية الواردة أعلاه قد احتسبت عند الاقتناء", 8, 80)
    assert len(lines) > 1 and all(r for _, r in lines)
    # wrapped in logical order: the first visual line holds the sentence's first word
    assert shape("أشهد") in lines[0][0][::-1] or shape("أشهد")[::-1] in lines[0][0]


def test_verify_certificate(sample: Sample, tmp_path: Path) -> None:
    out = tmp_path / "verify.pdf"
    r = fkit("verify", sample.case.root, "--trust-package", "--report", out)
    assert r.returncode == 0, r.stderr
    assert run("pdfinfo", out).count("Pages:") == 1 and "Pages:           1" in run("pdfinfo", out)
    text = run("pdftotext", out, "-")
    assert "VERIFIED: the package is unchanged since it was sealed" in text
    for ex in ("EX-01", "EX-02", "EX-03"):
        assert ex in text
    # tamper with a payload file: the certificate says so
    victim = sample.case.root / "data" / "EX-02" / "file_00001.bin"
    victim.write_bytes(b"changed")
    try:
        r = fkit("verify", sample.case.root, "--trust-package", "--report", out)
        assert r.returncode == 1
        text = run("pdftotext", out, "-")
        assert "NOT VERIFIED" in text and "problems found" in text
    finally:
        shutil.rmtree(sample.case.root)  # the module fixture is spoiled now
