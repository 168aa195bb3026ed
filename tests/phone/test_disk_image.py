"""Disk images through the fs layer: parser files (and sidecars) are copied out, nothing else."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import testdata
from tests.phone.helpers import of, triage


def test_ext4_image_with_android_files(tmp_path: Path) -> None:
    if shutil.which("mke2fs") is None:
        pytest.skip("mke2fs not installed")
    root = tmp_path / "root"
    db_dir = root / "data" / "data" / "com.android.providers.telephony" / "databases"
    db_dir.mkdir(parents=True)
    shutil.copy(testdata("phone", "android", "mmssms.db"), db_dir / "mmssms.db")
    (root / "system").mkdir()
    (root / "system" / "build.prop").write_text("ro.product.model=Pixel 7\nro.build.version.release=14\n")
    (root / "notes.txt").write_text("not wanted")
    image = tmp_path / "phone.img"
    subprocess.run(["mke2fs", "-q", "-t", "ext4", "-d", str(root), str(image), "4M"], check=True,
                   capture_output=True)
    recs = triage(image)
    src = of(recs, "phone.source")[0]
    assert (src["source_kind"], src["platform"], src["files"]) == ("image", "android", 2)
    sms = of(recs, "phone.message", "android_sms")
    assert len(sms) == 9
    assert sms[0]["locator"]["path"] == "p0/data/data/com.android.providers.telephony/databases/mmssms.db"
    assert of(recs, "phone.device")[0]["model"] == "Pixel 7"


def test_image_without_file_system_is_a_warning() -> None:
    recs = triage(testdata("disk", "bogus.001"))
    warn = of(recs, "warning")
    assert len(warn) == 1 and "no file system" in warn[0]["warning"]["reason"]
