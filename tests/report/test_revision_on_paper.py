"""The papers print the seal's true revision (a re-seal is revision 2, not "rev. 1" for ever)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import fkit
from tests.manifest.helpers import make_case, make_key, seal, trust_file


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_custody_record_and_certificate_print_the_current_revision(tmp_path: Path) -> None:
    case = make_case(tmp_path / "case")
    key, passfile = make_key(tmp_path / "keys")
    trust = trust_file(tmp_path, key)
    assert seal(case, key, passfile).returncode == 0
    one = tmp_path / "one.pdf"
    assert fkit("report", "custody", case, "-o", one, "--lang", "en", "--trust", trust).returncode == 0
    assert "(rev. 1)" in _text(one)
    r = seal(case, key, passfile, "--reason", "second revision: nothing added", epoch="1767225700")
    assert r.returncode == 0, r.stderr
    two = tmp_path / "two.pdf"
    assert fkit("report", "custody", case, "-o", two, "--lang", "en", "--trust", trust).returncode == 0
    text = _text(two)
    assert "(rev. 2)" in text and "(rev. 1)" not in text
    cert = tmp_path / "verify.pdf"
    r = fkit("verify", case, "--trust", trust, "--report", cert)  # in the profile's languages (ma: fr first)
    assert r.returncode == 0, r.stderr
    assert "(rév. 2)" in _text(cert)
