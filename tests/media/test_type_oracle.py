"""Type by content against `file -b --mime-type` (corpus/ORACLE_file_magic.tsv, file 5.44, the same
libmagic python-magic uses) for every data file of the corpus."""

from __future__ import annotations

import json

from tests.conftest import fkit, testdata


def test_mime_matches_file_for_the_whole_corpus() -> None:
    corpus = testdata("corpus")
    rows = [line.split("\t") for line in (corpus / "ORACLE_file_magic.tsv").read_text("utf-8").splitlines()[1:]]
    expected = {path: mime for path, _desc, mime in rows if (corpus / path).is_file()}
    assert len(expected) > 300
    proc = fkit("meta", "-0", "-", input=b"\0".join(p.encode() for p in expected), cwd=corpus)
    assert proc.returncode == 0, proc.stderr.decode()
    got = {}
    for line in proc.stdout.splitlines():
        rec = json.loads(line)
        got[rec["path"]] = rec["media"]["mime"]
    differ = {p: (got.get(p), m) for p, m in expected.items() if got.get(p) != m}
    # where libmagic cannot decide (octet-stream), calls a text-headed format text, or names only the
    # TIFF/JPEG container of a dialect, fkit's own signatures (media/signatures.py) name the format as
    # ExifTool does: each such answer is ExifTool's MIME type for that file (its oracle beside it)
    assert {m for _ours, m in differ.values()} <= {"application/octet-stream", "text/plain", "image/tiff", "image/jpeg"}
    for path, (ours, _theirs) in differ.items():
        oracle = corpus / (path + ".exiftool.json")
        assert oracle.is_file(), path
        assert json.loads(oracle.read_text("utf-8"))[0]["MIMEType"] == ours, path
    assert len(differ) == 26, sorted(differ)


def test_fast_libmagic_flags_change_no_answer_on_binary_media() -> None:
    """Binary images and media are typed with libmagic's text/encoding/archive tests off: the MIME
    type and the description are what libmagic says with every test on (as ``file`` runs it), on
    the same bytes, for every such file of the corpus and photos/."""
    from forensic_kit.media import type as mtype

    checked = 0
    for root in (testdata("corpus"), testdata("photos")):
        for target in sorted(root.rglob("*")):
            if not target.is_file():
                continue
            with open(target, "rb") as fh:
                head = fh.read(65536)
            if not mtype._binary_media(head):
                continue
            for mime in (True, False):
                assert mtype._detector(mime, True).from_buffer(head) == mtype._detector(mime, False).from_buffer(head), target
            checked += 1
    assert checked > 150
    # the switch is real: with the text tests off, text is no longer recognised as such
    assert mtype._detector(True, True).from_buffer(b"hello world\n" * 20) != "text/plain"
    assert mtype._detector(True, False).from_buffer(b"hello world\n" * 20) == "text/plain"
