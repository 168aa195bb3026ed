"""The wheel ships profiles/ and templates/ inside the package; an editable install finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from forensic_kit.resources import profiles_dir, templates_dir
from tests.conftest import REPO


def test_editable_install_finds_data() -> None:
    assert profiles_dir() == REPO / "profiles"
    assert templates_dir() == REPO / "templates"


@pytest.mark.slow
def test_wheel_contains_profiles_and_templates(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                          "-w", str(tmp_path), str(REPO)], capture_output=True, text=True)
    if res.returncode != 0 and "No module named" in res.stderr:
        pytest.skip(f"cannot build a wheel here: {res.stderr.strip()[-200:]}")
    assert res.returncode == 0, res.stderr
    (wheel,) = tmp_path.glob("forensic_kit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped_profiles = sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("forensic_kit/_data/profiles/"))
    assert shipped_profiles == sorted(p.name for p in (REPO / "profiles").iterdir() if p.is_file())
    assert any(n.startswith("forensic_kit/_data/templates/") for n in names)
    assert "forensic_kit/schema/record.schema.json" in names
    assert any(n.endswith("entry_points.txt") for n in names)
