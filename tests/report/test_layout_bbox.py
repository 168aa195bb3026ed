"""Visual regression by text positions (pdftotext -bbox): headings stay with their tables, Arabic
section numbers sit on the right, the ledger head and manifest hash are on every page."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import fkit
from tests.custody.casefactory import Sample, make_case, standard_chain
from tests.report.trust import write_trust

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[list[tuple[float, float, float, str]]]:
    root = tmp_path_factory.mktemp("bbox")
    s: Sample = make_case(root / "case", files_per_exhibit=90)
    standard_chain(s)
    out = root / "c.pdf"
    r = fkit("report", "custody", s.case.root, "-o", out, "--lang", "ar,fr,en", "--trust", write_trust(s, root / "t"),
             env={"SOURCE_DATE_EPOCH": "1742000000"})
    assert r.returncode == 0, r.stderr
    html = subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True, check=True).stdout.decode()
    result = []
    for page in html.split("<page ")[1:]:
        result.append([(float(a), float(b), float(c), t) for a, b, c, _d, t in WORD.findall(page)])
    return result


def test_each_heading_has_its_table_below_it_on_the_same_page(pages: list[list[tuple[float, float, float, str]]]) -> None:
    for n, (heads, first_col) in enumerate((("Informations", "N°"), ("Scellés", "Pièce"), ("Acquisition", "Pièce"),
                                            ("Chaîne", "Date/heure"), ("Déclaration", "Je"), ("Annexe", "Fichier")), 1):
        for words in pages:
            h = [w for i, w in enumerate(words) if w[3] == heads and i and words[i - 1][3] == f"{n}."
                 and words[i - 1][0] < 50]
            if h:
                below = [w for w in words if w[3] == first_col and w[1] > h[0][1]]
                assert below and below[0][1] - h[0][1] < 60, (heads, h, below[:1])
                break
        else:
            pytest.fail(f"heading {heads} not found")


def test_arabic_section_number_on_the_right(pages: list[list[tuple[float, float, float, str]]]) -> None:
    words = pages[0]
    num = [w for w in words if w[3].startswith("١") or w[3].endswith("١")]
    assert num, "Arabic-Indic section number 1 not found"
    same_line = [w for w in words if abs(w[1] - num[0][1]) < 2 and w is not num[0] and w[0] > 300]
    assert same_line and all(num[0][0] > w[0] for w in same_line)


def test_every_page_has_ledger_head_and_manifest_hash(pages: list[list[tuple[float, float, float, str]]]) -> None:
    for words in pages:
        text = " ".join(w[3] for w in words)
        assert re.search(r"\b4:[0-9a-f]{64}\b", text)
        assert re.search(r"\b[0-9a-f]{64}\b", text)
