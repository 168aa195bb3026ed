"""``fkit export case-uco``: the JSON-LD is accepted by case_validate (case-utils, CASE 1.x)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import fkit
from tests.manifest.helpers import SAMPLE_FILES, make_case


def _case_validate() -> str:
    exe = Path(sys.executable).with_name("case_validate")
    if exe.exists():
        return str(exe)
    found = shutil.which("case_validate")
    if found is None:
        pytest.skip("case_validate (case-utils) not installed")
    return found


def test_export_validates_with_case_validate(tmp_path: Path) -> None:
    validator = _case_validate()
    case = make_case(tmp_path / "case")
    events = [
        {"seq": 0, "action": "seized", "time": {"utc": "2026-03-12T09:30:00Z", "offset": "+01:00"},
         "exhibits": ["EX-01"], "released_by": {"name": "Amina El Idrissi", "id": "amina@dgsn.ma"}},
        {"seq": 1, "action": "transferred", "time": {"utc": "2026-03-13T10:00:00Z", "offset": "+01:00"},
         "exhibits": ["EX-01"], "released_by": {"name": "Amina El Idrissi"}, "received_by": {"name": "Lab"}},
    ]
    (case / "fkit/custody.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    out = tmp_path / "case.jsonld"
    r = fkit("export", "case-uco", case, "-o", out)
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text("utf-8"))
    graph = doc["@graph"]
    types = [n["@type"] for n in graph]
    assert types.count("uco-observable:File") == len(SAMPLE_FILES)
    assert types.count("case-investigation:ProvenanceRecord") == 1 + len(events)
    assert types.count("case-investigation:InvestigativeAction") == 1 + len(events)
    assert types.count("case-investigation:Investigation") == 1
    hashes = {h["uco-types:hashValue"]["@value"] for n in graph if n["@type"] == "uco-observable:File"
              for f in n["uco-core:hasFacet"] for h in f.get("uco-observable:hash", [])}
    assert hashes == {hashlib.sha256(v).hexdigest().upper() for v in SAMPLE_FILES.values()}
    v = subprocess.run([validator, str(out)], capture_output=True, text=True, timeout=300)
    assert v.returncode == 0, v.stdout[-3000:]
    assert "Conforms: True" in v.stdout
    # deterministic: same case, same graph
    r2 = fkit("export", "case-uco", case)
    assert r2.returncode == 0 and r2.stdout == out.read_bytes()


def test_export_not_a_case(tmp_path: Path) -> None:
    r = fkit("export", "case-uco", tmp_path)
    assert r.returncode == 4 and b"not an fkit case" in r.stderr
