"""Human output: stderr only, plain in a pipe, no colour with NO_COLOR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forensic_kit.cli import console
from tests.conftest import fkit


def test_no_color_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert console.stderr_console().no_color is True
    monkeypatch.delenv("NO_COLOR")
    assert console.stderr_console().no_color is False


def test_pipe_output_is_plain_and_stdout_is_data(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x")
    res = fkit("hash", "f", cwd=tmp_path)
    assert b"\x1b[" not in res.stderr  # no escape sequences when stderr is not a terminal
    assert [json.loads(line)["path"] for line in res.stdout.splitlines()] == ["f"]


def test_table_goes_to_stderr(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x")
    res = fkit("hash", "-f", "table", "-a", "sha256", "f", cwd=tmp_path)
    assert res.returncode == 0
    assert res.stdout == b""
    assert b"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881" in res.stderr
