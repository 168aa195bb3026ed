"""The official age test vectors (C2SP/CCTV) through fkit's age layer (pyrage), against their own
``expect:``/``payload:`` headers, with Debian's age 1.1.1 run beside them as a second opinion.

rage (behind pyrage 1.4) and the vectors disagree on a few files; each is pinned below with who is
right, so that a new pyrage that changes anything fails here first.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zlib
from pathlib import Path

import pytest

from forensic_kit.share import agefile
from tests.conftest import testdata

# Where pyrage 1.4 / rage differs from the vectors (the vectors are right in every case):
RAGE_ACCEPTS = {"stanza_missing_body", "stanza_missing_final_line"}  # a stanza must end with a short line
RAGE_REJECTS = {"armor_whitespace_outside"}  # whitespace around the armor is allowed (Debian age 1.1.1 rejects it too)
NO_HYBRID = "pyrage 1.4 has no ML-KEM hybrid identities (AGE-SECRET-KEY-PQ-1...)"


def _vectors() -> list[dict[str, str]]:
    folder = testdata("crypto", "age")
    with open(folder / "EXPECTED.tsv", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _load(name: str) -> tuple[dict[str, list[str]], bytes]:
    raw = (testdata("crypto", "age") / "testdata" / name).read_bytes()
    head, _, body = raw.partition(b"\n\n")
    fields: dict[str, list[str]] = {}
    for line in head.decode("utf-8").splitlines():
        k, _, v = line.partition(": ")
        fields.setdefault(k, []).append(v)
    if fields.get("compressed") == ["zlib"]:
        body = zlib.decompress(body)
    return fields, body


def _run(name: str) -> tuple[str, str, dict[str, list[str]]]:
    from pyrage import x25519

    fields, body = _load(name)
    idents = [x25519.Identity.from_str(i) for i in fields.get("identity", [])]
    out = io.BytesIO()
    try:
        agefile.decrypt(io.BytesIO(body), out, idents, name=name)
        got = "success"
    except agefile.AgeError as exc:
        got = exc.kind
    return got, hashlib.sha256(out.getvalue()).hexdigest(), fields


def _ids() -> list[str]:
    try:
        return [r["vector"] for r in _vectors()]
    except (Exception, pytest.skip.Exception):  # noqa: BLE001 - no test data: one skipped case
        return ["(absent)"]


@pytest.mark.parametrize("name", _ids())
def test_vector(name: str) -> None:
    row = {r["vector"]: r for r in _vectors()}[name]
    fields, _ = _load(name)
    ids = fields.get("identity", [])
    if not ids:
        pytest.skip("passphrase-only vector: fkit shares to public keys, never to passphrases")
    if any(i.startswith("AGE-SECRET-KEY-PQ-") for i in ids):
        pytest.skip(NO_HYBRID)
    got, payload, _ = _run(name)
    expect = row["expect"]
    if name in RAGE_ACCEPTS:
        assert (expect, got) == ("header failure", "success")
        return
    if name in RAGE_REJECTS:
        assert (expect, got) == ("success", "header failure")
        return
    if expect == "success":
        assert got == "success" and payload == row["payload_sha256"]
    elif expect == "armor failure":
        # rage reports armor problems as header or payload errors: the file is refused, which is what matters
        assert got != "success"
    else:
        assert got == expect
        if expect == "payload failure":  # whatever was released before the failure must be the vector's prefix
            assert payload == row["payload_sha256"]


def test_vector_summary_against_age_1_1_1() -> None:
    """Totals, so that a silent change of pyrage or of the set is seen: agreement with the vectors,
    and with Debian's age 1.1.1 on the same files (its own run, age-1.1.1.decrypt.tsv)."""
    rows = _vectors()
    folder = testdata("crypto", "age")
    with open(folder / "age-1.1.1.decrypt.tsv", encoding="utf-8") as f:
        next(f)
        go = {r["vector"]: r for r in csv.DictReader(f, delimiter="\t")}
    agree = same_as_go = ran = 0
    for r in rows:
        fields, _ = _load(r["vector"])
        ids = fields.get("identity", [])
        if not ids or any(i.startswith("AGE-SECRET-KEY-PQ-") for i in ids):
            continue
        ran += 1
        got, _payload, _ = _run(r["vector"])
        ok = (got == "success") == (r["expect"] == "success")
        agree += ok
        g = go.get(r["vector"])
        if g is not None and g["age_exit"] != "skipped":
            same_as_go += (got == "success") == (g["age_exit"] == "0")
    assert (ran, agree, same_as_go) == (97, 94, 93)
