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


def test_streamed_file_is_well_formed_and_the_same_every_time(sample: Sample, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages are copied to the output one laid-out file at a time (report/pdfwrite.py), so its
    structure is fkit's own: every cross-reference entry must point at its object, the trailer's
    /ID is the MD5 of what precedes the table, poppler reads it without a complaint, and one case
    gives one file, byte for byte."""
    import hashlib

    first, again = tmp_path / "a.pdf", tmp_path / "b.pdf"
    (tmp_path / "1").mkdir(), (tmp_path / "2").mkdir()
    n = render(sample.case, first, 2, tmp_path / "1", monkeypatch)
    render(sample.case, again, 2, tmp_path / "2", monkeypatch)
    data = first.read_bytes()
    assert again.read_bytes() == data
    assert data.startswith(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") and data.endswith(b"%%EOF\n")
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    table, trailer = data[start:].split(b"trailer\n")
    lines = table.split(b"\n")
    assert lines[0] == b"xref" and lines[2] == b"0000000000 65535 f\r"
    size = int(lines[1].split()[1])
    entries = lines[3:3 + size - 1]
    assert len(entries) == size - 1 and all(len(e) == 19 and e.endswith(b" 00000 n\r") for e in entries)
    for num, entry in enumerate(entries, start=1):
        assert data[int(entry[:10]):].startswith(b"%d 0 obj\n" % num), num
    digest = hashlib.md5(data[:start], usedforsecurity=False).hexdigest().encode()
    assert b"/Size %d/Root 2 0 R/Info 3 0 R/ID[<%s><%s>]" % (size, digest, digest) in trailer
    for tool in (["pdfinfo"], ["pdftotext", "-q"], ["pdffonts"]):
        r = subprocess.run([*tool, str(first), *(["-"] if tool[0] == "pdftotext" else [])], capture_output=True,
                           check=True)
        assert r.stderr == b"", (tool, r.stderr)
    info = subprocess.run(["pdfinfo", str(first)], capture_output=True, check=True, text=True).stdout
    assert re.search(rf"^Pages:\s+{n}$", info, re.M) and re.search(r"^PDF version:\s+1\.7$", info, re.M)


def test_annex_lists_every_payload_file_once_whatever_the_records_say(tmp_path: Path) -> None:
    """The annex's left-over set now lives on disk (forensic_kit/diskset.py): a payload file whose
    record was removed is still listed (with the manifest's SHA-256), a record written twice for one
    file, a record for a file that is not in the manifest and a derived record never add rows."""
    import hashlib
    import json

    from forensic_kit.report.custody_report import annex_rows, gather
    from tests.manifest.helpers import make_case as make_package

    files = {"a.txt": b"a\n", "ملف.txt": b"b\n", "new\nline.txt": b"c\n", "d.txt": b"d\n"}
    case = Case.open(make_package(tmp_path / "case", files))
    path = case.root / "fkit/records.jsonl"
    recs = [json.loads(x) for x in path.read_bytes().splitlines()]
    files_recs = [r for r in recs if r.get("kind") == "file"]
    dropped = next(r for r in files_recs if r["bag_path"].endswith("d.txt"))
    twice = next(r for r in files_recs if r["bag_path"].endswith("a.txt"))
    planted = dict(twice, bag_path="data/EX-01/planted.txt", path="planted.txt")
    derived = dict(twice, run={"command": "meta", "exhibit": "EX-01", "sources": ["x"], "source_kind": "folder"})
    kept = [r for r in recs if r is not dropped] + [twice, planted, derived]
    path.write_bytes(b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in kept))
    rows = list(annex_rows(gather(case), 6.0))
    names = [r[1].text if hasattr(r[1], "text") else str(r[1]) for r in rows]
    assert len(rows) == 4, names
    last = rows[-1]
    assert "d.txt" in names[-1] and last[3].text == "sha256 " + hashlib.sha256(b"d\n").hexdigest()
    assert sum("a.txt" in n for n in names) == 1 and not any("planted" in n for n in names)
