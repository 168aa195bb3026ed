"""``fkit lab verify --report lab.pdf``: the trilingual laboratory report, read back with pdftotext."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import fkit
from tests.lab.test_lab import _sealed


def _text(pdf: Path) -> str:
    """pdftotext output, Arabic presentation forms folded (NFKC), bidi marks dropped, one space."""
    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    marks = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u200e\u200f\u2066\u2067\u2068\u2069"))
    return " ".join(unicodedata.normalize("NFKC", raw).translate(marks).split())


def test_lab_report_summary_rows_and_changes_in_three_languages(tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    alpha, trust = _sealed(tmp_path, "alpha")
    bravo, _ = _sealed(tmp_path, "bravo")
    gone, _ = _sealed(tmp_path, "delta")
    lab = tmp_path / "lab"
    state = tmp_path / "state.json"
    first = fkit("lab", "verify", lab, "--trust", trust, "--state", state)
    assert first.returncode == 0, first.stderr
    f1 = bravo / "data" / "EX-01" / "f1.txt"
    f1.chmod(0o644)
    f1.write_bytes(b"tampered\n")
    shutil.rmtree(gone)
    shutil.copytree(alpha, lab / "echo", symlinks=True)
    pdf = tmp_path / "lab.pdf"
    r = fkit("lab", "verify", lab, "--trust", trust, "--state", state, "--report", pdf)
    assert r.returncode == 1, r.stderr
    assert b"report: " + bytes(pdf) in r.stderr
    t = _text(pdf)
    for title in ("Laboratory Re-verification Report", "Rapport de re-vérification du laboratoire",
                  "تقرير إعادة التحقق المخبري"):
        assert title in t
    for summary in ("3 packages: 2 OK, 1 with findings, 0 unreadable",
                    "3 paquets : 2 conformes, 1 avec constats, 0 illisibles",
                    # pdftotext gives Arabic in visual runs: each count beside its word
                    "تعذرت قراءتها0 ، بها ملاحظات1 ، سليمة2 : حزمة3"):
        assert summary in t, summary
    assert "FINDINGS: at least one package changed or failed a check" in t
    assert "CONSTATS : au moins un paquet a changé ou a échoué à un contrôle" in t
    assert "حزمة واحدة على الأقل تغيرت أو فشلت في أحد الفحوص:ملاحظات" in t  # visual order, as extracted
    assert "this machine only (" in t and "cette machine seule (" in t and "هذا الجهاز وحده" in t
    nbytes = sum(json.loads(x)["counts"]["bytes"] for x in r.stdout.splitlines() if b'"lab.package"' in x)
    assert f"{nbytes:,} bytes" in t and f"{nbytes:,} octets" in t
    # one row per package, in the order of the records, with what changed since the first run
    flat = t.replace(" ", "")  # a long path wraps inside its cell (and pdftotext mixes in the next column)
    assert str(tmp_path).replace(" ", "") in flat.replace("BRAVO", "").replace("ALPHA", "")
    order = [flat.find(f"a0/lab/{name}") for name in ("alpha", "bravo", "echo", "delta")]
    assert -1 not in order and order == sorted(order), order
    assert "data/EX-01/f1.txt is MODIFIED (its SHA-256 differs from the sealed value)." in t
    assert "data/EX-01/f1.txt est MODIFIÉ (son SHA-256 diffère de la valeur scellée)." in t
    assert "changed: was OK" in t and "changé : était" in t and "كانت سليمة:تغيرت" in t
    assert "new / nouveau" in t and "جديدة" in t
    assert "gone / disparu" in t and "اختفت" in t
    assert "unchanged / inchangé" in t and "دون تغيير" in t
    assert f"(fichier d'état {state})" in t and f"/{state.name})" in t
    # the records written on stdout are attached, and their SHA-256 is printed
    digest = hashlib.sha256(r.stdout).hexdigest()
    assert digest in t
    import pikepdf

    with pikepdf.open(pdf) as doc:
        attached = doc.attachments["lab-records.jsonl"].get_file().read_bytes()
    assert attached == r.stdout


def test_lab_report_first_run_all_ok_and_bad_folder(tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    _, trust = _sealed(tmp_path, "one")
    pdf = tmp_path / "lab.pdf"
    r = fkit("lab", "verify", tmp_path / "lab", "--trust", trust, "--report", pdf)
    assert r.returncode == 0, r.stderr
    t = _text(pdf)
    assert "ALL PACKAGES VERIFIED: none changed since it was sealed" in t
    assert "TOUS LES PAQUETS VÉRIFIÉS : aucun n'a changé depuis son scellement" in t
    assert "لم تتغير أي حزمة منذ ختمها:تم التحقق من جميع الحزم" in t  # visual order, as extracted
    assert "no state file: changes since the last run are not tracked" in t
    assert "not tracked / non suivi" in t
    bad = fkit("lab", "verify", tmp_path / "lab", "--trust", trust, "--report", tmp_path / "nowhere" / "lab.pdf")
    assert bad.returncode == 4 and bad.stderr.count(b"\n") == 1 and b"no such folder" in bad.stderr
    assert bad.stdout == b""
