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
    # where libmagic cannot decide (octet-stream), fkit's own signatures name three raw formats as ExifTool does
    assert differ == {
        "photos/exiftool/CanonRaw.cr3": ("image/x-canon-cr3", "application/octet-stream"),
        "photos/exiftool/Panasonic.rw2": ("image/x-panasonic-rw2", "application/octet-stream"),
        "photos/exiftool/Minolta.mrw": ("image/x-minolta-mrw", "application/octet-stream"),
    }


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
