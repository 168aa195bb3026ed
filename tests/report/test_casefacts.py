"""``fkit case set``: signed, appended, kept with history, shown in the PDFs; fallbacks; warnings."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from forensic_kit.casefacts import LEDGER, missing_required, read_state
from forensic_kit.package import Case
from tests.conftest import fkit
from tests.custody.casefactory import PASS, Sample, make_case, standard_chain
from tests.report.trust import write_trust

ALL = ["--legal-basis", "Art. X of the agency's code (filled by the agency)", "--order-number", "ORD-17/2025",
       "--issued-by", "Prosecutor, Sfax", "--issued-on", "2025-03-13", "--court-ref", "TPI-SFX-2025-88",
       "--prosecutor", "S. Gharbi,PR-11,Parquet de Sfax", "--officer-in-charge", "A. Ben Salah,4471,Mock Unit"]


def text(pdf: Path) -> str:
    """pdftotext output with Arabic presentation forms folded (NFKC) and bidi marks dropped."""
    import unicodedata

    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    return " ".join(unicodedata.normalize("NFKC", raw).translate(dict.fromkeys(map(ord, "\u202a\u202b\u202c\u200e\u200f"))).split())


@pytest.fixture()
def sample(tmp_path: Path) -> Sample:
    s = make_case(tmp_path / "case", case_id="TN-2025-0042", profile="tn", files_per_exhibit=2)
    # the header fields of the factory are legacy; start from a header without them
    info = {k: v for k, v in s.case.info.items() if k not in ("legal_basis", "seizure_place", "seizure_time", "seized_by")}
    s.case.write_tag_file("fkit/case.json", json.dumps(info).encode())
    s.case = Case.open(s.case.root)
    standard_chain(s)
    return s


def set_facts(s: Sample, *args: str, signer: str = "ben.salah@mock") -> object:
    # the sample case is sealed: its facts change only as the next revision (then sealed again)
    return fkit("case", "set", s.case.root, *args, "--new-revision", "--sign", s.key_paths[signer],
                env={"FKIT_PASSPHRASE": PASS.decode()})


def test_set_history_signature_and_fallback(sample: Sample, tmp_path: Path) -> None:
    # nothing set yet: seizure place, time and seizing officer come from the first "seized" event
    st = read_state(Case.open(sample.case.root))
    assert st.values["seizure_place"].value == "Sfax, 12 rue X" and st.values["seizure_place"].source == "seized-event"
    assert st.values["seizure_time"].value == {"utc": "2025-03-14T09:42:00Z", "offset": "+01:00", "zone": None}
    assert missing_required(sample.case, ["legal_basis", "order_number", "seizure_place"], st) == ["legal_basis", "order_number"]
    r = fkit("case", "set", sample.case.root, *ALL, "--sign", sample.key_paths["ben.salah@mock"],
             env={"FKIT_PASSPHRASE": PASS.decode()})
    assert r.returncode == 2 and b"--new-revision" in r.stderr  # sealed: facts are part of what the seal covers
    r = set_facts(sample, *ALL)
    assert r.returncode == 0, r.stderr
    r = set_facts(sample, "--order-number", "ORD-17bis/2025", signer="trabelsi@mock")
    assert r.returncode == 0, r.stderr
    lines = (sample.case.root / LEDGER).read_bytes().splitlines()
    assert len(lines) == 2
    trust = write_trust(sample, tmp_path / "trust")
    st = read_state(Case.open(sample.case.root), trust.read_text())
    assert st.problems == []
    assert st.values["order_number"].value == "ORD-17bis/2025" and st.values["order_number"].changes == 2
    assert st.values["order_number"].by == "trabelsi@mock"
    assert st.values["prosecutor"].value == {"name": "S. Gharbi", "id": "PR-11", "org": "Parquet de Sfax"}
    # a tampered entry is refused (its values are not used) and named
    edited = lines[1].replace(b"17bis", b"99bis")
    (sample.case.root / LEDGER).write_bytes(lines[0] + b"\n" + edited + b"\n")
    st = read_state(Case.open(sample.case.root), trust.read_text())
    assert st.values["order_number"].value == "ORD-17/2025"
    assert st.problems == ["case facts entry 2 has no valid signature; its values are not used"]


def test_bad_values_are_usage_errors(sample: Sample) -> None:
    r = set_facts(sample, "--issued-on", "13/03/2025")
    assert r.returncode == 2 and b"YYYY-MM-DD" in r.stderr
    r = fkit("case", "set", sample.case.root, "--sign", sample.key_paths["ben.salah@mock"], env={"FKIT_PASSPHRASE": PASS.decode()})
    assert r.returncode == 2 and b"at least one fact" in r.stderr
    assert not (sample.case.root / LEDGER).exists()


def test_complete_and_incomplete_records_in_the_readers_language(sample: Sample, tmp_path: Path) -> None:
    trust = write_trust(sample, tmp_path / "trust")
    out = tmp_path / "a.pdf"
    assert fkit("report", "custody", sample.case.root, "-o", out, "--trust", trust).returncode == 0
    t = text(out)
    assert "PROCÈS-VERBAL INCOMPLET" in t and "non renseigné" in t
    assert "Base légale, N° de l'ordre / mandat, Délivré par, Délivré le" in t
    assert "محضر غير مكتمل" in t
    r = fkit("verify", sample.case.root, "--trust", trust)
    assert b"case fact legal_basis is required by profile tn but not given" in r.stderr
    assert set_facts(sample, *ALL).returncode == 0
    assert fkit("report", "custody", sample.case.root, "-o", out, "--trust", trust).returncode == 0
    t = text(out)
    assert "non renseigné" not in t and "غير مذكور" not in t and "INCOMPLET" not in t
    assert "ORD-17/2025" in t and "TPI-SFX-2025-88" in t and "Tous les champs exigés par le profil tn" in t
    assert "vérifiée avec la liste de confiance trust" in t
    r = fkit("verify", sample.case.root, "--trust", trust)
    assert b"required by profile" not in r.stderr
