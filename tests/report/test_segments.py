"""The custody record is laid out in files of ``[pdf] pages_per_file`` pages that are merged and given
"Page X of Y" at the end (flat memory for a 100,000-file annex). Splitting must not change a pixel."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from forensic_kit.package import Case
from forensic_kit.report import render_custody_report
from forensic_kit.resources import templates_dir
from tests.custody.casefactory import Sample, make_case, standard_chain

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    s = make_case(tmp_path_factory.mktemp("seg") / "case", names=("رسائل_واتساب.db", "photo été.jpg"),
                  files_per_exhibit=60)
    standard_chain(s)
    return s


def render(case: Case, out: Path, pages_per_file: int | None, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    templates = None
    if pages_per_file is not None:
        templates = tmp / f"templates-{pages_per_file}"
        shutil.copytree(templates_dir(), templates)
        layout = templates / "report" / "custody.toml"
        text = layout.read_text("utf-8")
        layout.write_text(re.sub(r"pages_per_file = \d+", f"pages_per_file = {pages_per_file}", text), "utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1742000000")
    return int(render_custody_report(case, out, ["ar", "fr", "en"], templates=templates)["pages"])


def page_text(pdf: Path, p: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"], capture_output=True,
                          check=True, text=True).stdout


def test_split_into_files_of_two_pages_looks_the_same(sample: Sample, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    one, split = tmp_path / "one.pdf", tmp_path / "split.pdf"
    n = render(sample.case, one, None, tmp_path, monkeypatch)
    assert render(sample.case, split, 2, tmp_path, monkeypatch) == n
    assert n >= 5  # several files of two pages, the last one short when n is odd
    for pdf in (one, split):
        for p in range(1, n + 1):
            assert f"Page {p} sur {n} · Page {p} of {n}" in page_text(pdf, p), (pdf.name, p)
    for name, pdf in (("a", one), ("b", split)):
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / name)], check=True)
    for p in range(1, n + 1):
        a = Image.open(next(tmp_path.glob(f"a-*{p}.png"))).convert("RGB")
        b = Image.open(next(tmp_path.glob(f"b-*{p}.png"))).convert("RGB")
        assert ImageChops.difference(a, b).getbbox() is None, f"page {p} differs"
    fonts = subprocess.run(["pdffonts", str(split)], capture_output=True, check=True, text=True).stdout.splitlines()[2:]
    tags = [line.split()[0] for line in fonts]
    assert len(tags) == len(set(tags))  # every file's subsets got their own tag
